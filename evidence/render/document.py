"""What every report shares: the cover's facts, the sign-off block, and HTML-to-PDF writing.

A report is first *prepared* (template, context, attachments); the same preparation renders as
a PDF page set or as an HTML page, so both show the same thing from the same templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from evidence.model.report import OrganisationSummary, RenderedReport, Signatories
from evidence.model.run import RunInfo
from evidence.render.attachments import EmbeddedFile
from evidence.render.html import PDF, render_html
from evidence.render.pdf import PdfJob


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


@dataclass(frozen=True)
class PreparedReport:
    """A report ready to render: its template, the template's context and its attachments.

    ``identifier`` fixes the PDF's document id and ``created`` its dates, so the same
    preparation always gives the same bytes.
    """

    template: str
    context: dict[str, Any]
    kind: str
    identifier: str
    created: datetime
    attachments: tuple[EmbeddedFile, ...] = field(default=())

    def html(self, target: str = PDF, **extra: Any) -> str:
        """The report as HTML for ``target`` (PDF, or a page of the HTML report set)."""
        return render_html(
            self.template, report_id=self.identifier, target=target, **self.context, **extra
        )

    def pdf_job(self, target: Path) -> PdfJob:
        """What `write_pdf` needs to write this report to ``target``, in this or another process."""
        return PdfJob(
            html=self.html(),
            target=target,
            identifier=self.identifier,
            created=self.created,
            attachments=self.attachments,
        )


def prepare_report(
    template: str,
    context: dict[str, Any],
    *,
    kind: str,
    run: RunInfo,
    attachments: list[EmbeddedFile],
) -> PreparedReport:
    """Prepare ``template`` with ``context`` as the report ``kind`` of ``run``."""
    return PreparedReport(
        template=template,
        context=context,
        kind=kind,
        identifier=report_identifier(run, kind),
        created=run.started_at,
        attachments=tuple(attachments),
    )


def write_report(prepared: PreparedReport, target: Path) -> RenderedReport:
    """Render ``prepared`` to a PDF/A-3b at ``target`` with its attachments."""
    result = prepared.pdf_job(target).run()
    return RenderedReport(
        kind=prepared.kind, path=str(target), sha256=result.sha256, pages=result.pages
    )
