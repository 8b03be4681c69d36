"""The attestation PDF of one catalogue: cover, summary, one section per control, evidence appendix."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from evidence.errors import RenderError
from evidence.model.catalogue import Control
from evidence.model.evidence import EvidenceItem
from evidence.model.report import RenderedReport, ReportData
from evidence.model.results import STATUS_ORDER, ControlResult
from evidence.render.html import extra_sections, render_html
from evidence.render.pdf import write_pdf

TEMPLATE = "attestation.html.j2"


def attestation_context(data: ReportData) -> dict[str, Any]:
    """The template's view of ``data``: controls paired with results, evidence by id."""
    results = {r.control_id: r for r in data.evaluation.results if r.catalogue == data.catalogue.ref}
    evidence_by_id = {item.id: item for item in data.evidence}
    families = {f.id: f.title for f in data.catalogue.families}
    sections = []
    for control in data.catalogue.controls:
        result = results.get(control.id)
        if result is None:
            raise ValueError(f"evaluation has no result for {control.id}")
        sections.append(_section(control, result, evidence_by_id, families, data.owners))
    counts: Counter[str] = Counter(s["result"].status.value for s in sections)
    used_ids = sorted({eid for s in sections for eid in s["result"].evidence_ids})
    return {
        "data": data,
        "catalogue": data.catalogue,
        "organisation": data.organisation,
        "run": data.run,
        "sections": sections,
        "status_order": STATUS_ORDER,
        "counts": {status: counts.get(status.value, 0) for status in STATUS_ORDER},
        "gaps": [s for s in sections if s["result"].status.is_gap],
        "evidence": data.evidence,
        "evidence_used": used_ids,
        "uncertain": [s for s in sections if s["control"].uncertain],
        "evidence_by_kind": _by_kind(data.evidence),
        "extra_sections": extra_sections(),
    }


def _by_kind(items: list[EvidenceItem]) -> dict[str, list[EvidenceItem]]:
    """Usable evidence grouped by kind, for topic sections."""
    grouped: dict[str, list[EvidenceItem]] = {}
    for item in items:
        if item.usable:
            grouped.setdefault(item.kind, []).append(item)
    return grouped


def _section(
    control: Control,
    result: ControlResult,
    evidence_by_id: dict[str, EvidenceItem],
    families: dict[str, str],
    owners: dict[str, str],
) -> dict[str, Any]:
    return {
        "control": control,
        "result": result,
        "family": families.get(control.family, control.family),
        "owner": owners.get(control.family),
        "evidence": [evidence_by_id[e] for e in result.evidence_ids if e in evidence_by_id],
    }


def render_attestation(data: ReportData, target: Path) -> RenderedReport:
    """Render the attestation of ``data.catalogue`` to ``target``."""
    html = render_html(TEMPLATE, **attestation_context(data))
    identifier = f"{data.run.uid}:{data.catalogue.ref}:attestation"
    sha256, pages, warnings = write_pdf(html, target, identifier=identifier, options={"pdf_tags": True})
    if warnings:
        # A renderer warning means a broken template or asset: never ship a half-rendered PDF.
        target.unlink(missing_ok=True)
        raise RenderError(f"{target.name}: renderer warnings: {'; '.join(warnings[:5])}")
    return RenderedReport(kind=f"attestation:{data.catalogue.ref}", path=str(target), sha256=sha256, pages=pages)
