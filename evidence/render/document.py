"""What every report shares: the cover's facts, the sign-off block, and HTML-to-PDF writing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from evidence.model.report import OrganisationSummary, RenderedReport, Signatories
from evidence.model.run import RunInfo
from evidence.render.attachments import EmbeddedFile
from evidence.render.html import render_html
from evidence.render.pdf import write_pdf


def cover_context(
    run: RunInfo,
    organisation: OrganisationSummary,
    tool_version: str,
    generated_at: datetime,
    signatories: Signatories,
) -> dict[str, Any]:
    """Names every report template uses for its cover, running header and sign-off block."""
    return {
        "run": run,
        "organisation": organisation,
        "tool_version": tool_version,
        "generated_at": generated_at,
        "signatories": signatories,
    }


def report_identifier(run: RunInfo, kind: str) -> str:
    """Name what a report's PDF document id derives from: the run and the report, never time."""
    return f"{run.uid}:{kind}"


def write_report(
    template: str,
    context: dict[str, Any],
    target: Path,
    *,
    kind: str,
    run: RunInfo,
    attachments: Sequence[EmbeddedFile],
) -> RenderedReport:
    """Render ``template`` with ``context`` to a PDF/A-3b at ``target`` with ``attachments``."""
    identifier = report_identifier(run, kind)
    html = render_html(template, report_id=identifier, **context)
    result = write_pdf(
        html, target, identifier=identifier, created=run.started_at, attachments=attachments
    )
    return RenderedReport(kind=kind, path=str(target), sha256=result.sha256, pages=result.pages)
