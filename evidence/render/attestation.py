"""The attestation of one catalogue, with its manifest and facts embedded.

Cover, contents, summary, topic sections, one page per control, sign-off and evidence appendix.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from evidence.model.catalogue import Control
from evidence.model.evidence import EvidenceItem
from evidence.model.report import RenderedReport, ReportData
from evidence.model.results import STATUS_ORDER, ControlResult
from evidence.render.attachments import EmbeddedFile, evidence_facts_csv, evidence_manifest
from evidence.render.document import PreparedReport, cover_context, prepare_report, write_report
from evidence.render.gaps import PlanItem, plan_of_action
from evidence.render.html import extra_sections

TEMPLATE = "attestation.html.j2"

#: Rows per control and in the appendix; the rest are counted and left to the attachments.
MAX_REASONS_PER_CONTROL = 12
MAX_EVIDENCE_PER_CONTROL = 15
MAX_APPENDIX_ITEMS = 250


def attestation_context(
    data: ReportData, attachments: list[EmbeddedFile] | None = None
) -> dict[str, Any]:
    """Build the template's view of ``data``.

    Controls paired with results, gaps with due dates, evidence by kind (for topic sections) and
    the capped evidence appendix.
    """
    results = {
        r.control_id: r for r in data.evaluation.results if r.catalogue == data.catalogue.ref
    }
    evidence_by_id = {item.id: item for item in data.evidence}
    families = {f.id: f.title for f in data.catalogue.families}
    plan = {
        p.control.id: p
        for p in plan_of_action(
            data.run_catalogues or [data.catalogue], data.evaluation, data.owners, data.due_days
        )
        if p.catalogue.ref == data.catalogue.ref
    }
    sections = []
    for control in data.catalogue.controls:
        result = results.get(control.id)
        if result is None:
            raise ValueError(f"evaluation has no result for {control.id}")
        sections.append(
            _section(control, result, evidence_by_id, families, data.owners, plan.get(control.id))
        )
    counts: Counter[str] = Counter(s["result"].status.value for s in sections)
    used_ids = sorted({eid for s in sections for eid in s["result"].evidence_ids})
    return {
        **cover_context(
            data.run, data.organisation, data.tool_version, data.generated_at, data.signatories
        ),
        "data": data,
        "catalogue": data.catalogue,
        "sections": sections,
        "status_order": STATUS_ORDER,
        "counts": {status: counts.get(status.value, 0) for status in STATUS_ORDER},
        "split": data.evaluation.met_split(data.catalogue.ref),
        "families": _family_counts(data, sections),
        "gaps": [s for s in sections if s["result"].status.is_gap],
        "evidence": data.evidence,
        "appendix": data.evidence[:MAX_APPENDIX_ITEMS],
        "appendix_more": max(len(data.evidence) - MAX_APPENDIX_ITEMS, 0),
        "evidence_used": used_ids,
        "uncertain": [s for s in sections if s["control"].uncertain],
        "evidence_by_kind": _by_kind(data.evidence),
        "samples": [d for d in data.samples if d.catalogue == data.catalogue.ref],
        "extra_sections": extra_sections(),
        "attachments": attachments or [],
    }


def _by_kind(items: list[EvidenceItem]) -> dict[str, list[EvidenceItem]]:
    """Usable evidence grouped by kind, for topic sections."""
    grouped: dict[str, list[EvidenceItem]] = {}
    for item in items:
        if item.usable:
            grouped.setdefault(item.kind, []).append(item)
    return grouped


def _family_counts(data: ReportData, sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per family, in catalogue order: title, owner and controls per status (for the chart)."""
    rows = []
    for family in data.catalogue.families:
        members = [s for s in sections if s["control"].family == family.id]
        if not members:
            continue
        counts = Counter(s["result"].status for s in members)
        rows.append(
            {
                "id": family.id,
                "title": family.title,
                "owner": data.owners.get(family.id),
                "counts": {status: counts.get(status, 0) for status in STATUS_ORDER},
                "total": len(members),
            }
        )
    return rows


def _section(
    control: Control,
    result: ControlResult,
    evidence_by_id: dict[str, EvidenceItem],
    families: dict[str, str],
    owners: dict[str, str],
    plan: PlanItem | None,
) -> dict[str, Any]:
    evidence = [evidence_by_id[e] for e in result.evidence_ids if e in evidence_by_id]
    return {
        "grace_days": result.grace_days,
        "control": control,
        "result": result,
        "family": families.get(control.family, control.family),
        "owner": owners.get(control.family),
        "plan": plan,
        "reasons": result.reasons[:MAX_REASONS_PER_CONTROL],
        "reasons_more": max(len(result.reasons) - MAX_REASONS_PER_CONTROL, 0),
        "evidence": evidence[:MAX_EVIDENCE_PER_CONTROL],
        "evidence_more": max(len(evidence) - MAX_EVIDENCE_PER_CONTROL, 0),
    }


def attestation_attachments(
    data: ReportData, facts: EmbeddedFile | None = None
) -> list[EmbeddedFile]:
    """Build the manifest and facts CSV embedded in the attestation (``facts`` may be shared)."""
    facts = facts or evidence_facts_csv(data.evidence)
    manifest = evidence_manifest(
        report=f"attestation:{data.catalogue.ref}",
        data=data,
        results=[r for r in data.evaluation.results if r.catalogue == data.catalogue.ref],
        companions=[facts],
    )
    return [manifest, facts]


def prepare_attestation(data: ReportData, *, facts: EmbeddedFile | None = None) -> PreparedReport:
    """Prepare the attestation of ``data.catalogue`` (for a PDF or a page of the HTML set)."""
    attachments = attestation_attachments(data, facts)
    return prepare_report(
        TEMPLATE,
        attestation_context(data, attachments),
        kind=f"attestation:{data.catalogue.ref}",
        run=data.run,
        attachments=attachments,
    )


def render_attestation(
    data: ReportData, target: Path, *, facts: EmbeddedFile | None = None
) -> RenderedReport:
    """Render the attestation of ``data.catalogue`` to ``target``."""
    return write_report(prepare_attestation(data, facts=facts), target)
