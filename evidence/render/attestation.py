"""The attestation of one catalogue, with its manifest and facts embedded.

The body is what a person reads: the cover, a summary, a table per family (control, status,
assurance, a one-line reason, evidence ids), the plan of action, the documents the register lacks
and the findings several controls share (each printed once and referred to), then a block only
for each control that is not met or needs an auditor's inspection, and the sign-off. The
appendix holds the full detail: topic sections, every other control, the evidence items and the
embedded files.
"""

from __future__ import annotations

import re
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
from evidence.render.labels import figure_label

TEMPLATE = "attestation.html.j2"

#: Rows per control and in the appendix; the rest are counted and left to the attachments.
MAX_REASONS_PER_CONTROL = 12
MAX_EVIDENCE_PER_CONTROL = 15
MAX_APPENDIX_ITEMS = 250
#: Characters of the one-line reason in the family tables (cut at a word, never inside an id).
ONE_LINE = 150
#: A finding at least this long that several controls share is printed once and referred to.
SHARED_MIN_CHARS = 80

_MISSING_DOC = re.compile(
    r"^(?P<alt>\(alternative not used\) )?no registered document of type (?P<type>[\w-]+) supports (?P<control>\S+)$"
)
_ATTESTED = re.compile(r"^met on attestation: \d+ of \d+ element\(s\) rest on documents")


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
    missing_docs = _missing_documents(sections)
    shared = _shared_findings(sections)
    for s in sections:
        s["findings"] = _findings(s, shared)
        s["one_line"] = _one_line(s)
    counts: Counter[str] = Counter(s["result"].status.value for s in sections)
    used_ids = sorted({eid for s in sections for eid in s["result"].evidence_ids})
    used = set(used_ids)
    cited = [item for item in data.evidence if item.id in used or item.error]
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
        "appendix": cited[:MAX_APPENDIX_ITEMS],
        "appendix_more": max(len(cited) - MAX_APPENDIX_ITEMS, 0),
        "appendix_others": len(data.evidence) - len(cited),
        "evidence_used": used_ids,
        "uncertain": [s for s in sections if s["control"].uncertain],
        "attention": [s for s in sections if s["attention"]],
        "inspection": [s for s in sections if s["result"].inspect and not s["attention"]],
        "more_where": "in appendix B",
        "by_family": _by_family(data, sections),
        "missing_docs": missing_docs,
        "shared": list(shared.values()),
        "shared_ref": lambda text: shared.get(text),
        "figure_label": figure_label,
        "reason_owners": _reason_owners(sections),
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


def _by_family(data: ReportData, sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per family, in catalogue order: its title, owner and controls (for the family tables)."""
    rows = []
    for family in data.catalogue.families:
        members = [s for s in sections if s["control"].family == family.id]
        if members:
            rows.append(
                {"id": family.id, "title": family.title, "owner": data.owners.get(family.id), "sections": members}
            )
    return rows


def _reason_owners(sections: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each reason with the controls that give it, so a topic section can refer to them."""
    owners: dict[str, list[str]] = {}
    for s in sections:
        for reason in s["result"].reasons:
            owners.setdefault(reason, []).append(s["control"].id)
    return owners


def _missing_documents(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each document type no registered document supports, with the controls that need it."""
    from evidence.collectors.documents import known_doc_types

    types = known_doc_types()
    found: dict[str, list[str]] = {}
    for s in sections:
        for reason in s["result"].reasons:
            match = _MISSING_DOC.match(reason)
            if match:
                controls = found.setdefault(match["type"], [])
                if match["control"] not in controls:
                    controls.append(match["control"])
    return [
        {
            "type": name,
            "description": types[name].description if name in types else "",
            "controls": controls,
        }
        for name, controls in sorted(found.items())
    ]


def _shared_findings(sections: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Long findings that several controls give word for word, numbered S1, S2, ... once each."""
    owners: dict[str, list[str]] = {}
    for s in sections:
        for reason in s["result"].reasons:
            if len(reason) >= SHARED_MIN_CHARS and not _MISSING_DOC.match(reason):
                ids = owners.setdefault(reason, [])
                if s["control"].id not in ids:
                    ids.append(s["control"].id)
    shared = [(text, ids) for text, ids in owners.items() if len(ids) > 1]
    return {
        text: {"id": f"S{n}", "text": text, "controls": ids}
        for n, (text, ids) in enumerate(shared, start=1)
    }


def _findings(s: dict[str, Any], shared: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A control's findings as printed: missing documents and shared findings by reference.

    "met on attestation: ..." and "not decided: ..." are left out, and so are missing documents
    that an element already names as needed: the inspection line and the elements table say them.
    """
    findings: list[dict[str, Any]] = []
    missing: list[str] = []
    for reason in s["result"].reasons:
        match = _MISSING_DOC.match(reason)
        if match:
            missing.append(match["type"] + (" (alternative not used)" if match["alt"] else ""))
        elif _ATTESTED.match(reason) or reason.startswith("not decided: "):
            continue
        elif reason in shared:
            findings.append({"shared": shared[reason]})
        else:
            findings.append({"text": reason})
    needed = {t for e in s["result"].elements for n in e.needed for t in n.doc_types}
    if missing and not {m.split(" ", 1)[0] for m in missing} <= needed:
        findings.insert(0, {"missing": missing})
    return findings


def _one_line(s: dict[str, Any]) -> str:
    """The reason of a control in one line: its first finding, cut at a word."""
    result = s["result"]
    if result.waiver is not None:
        return f"waived until {result.waiver.expires.date().isoformat()}: {result.waiver.reason}"
    text = ""
    for finding in s["findings"]:
        if "missing" in finding:
            text = "no registered document: " + ", ".join(finding["missing"])
        elif "shared" in finding:
            text = finding["shared"]["text"]
        else:
            text = finding["text"]
        break
    if result.inspect and result.status.value == "met":
        text = "met on documents an auditor must inspect" + (f"; {text}" if text else "")
    if not text:
        needs = [n.describe() for e in result.elements if not e.decided_by for n in e.needed[:1]]
        if result.status.value == "met":
            text = "every element met"
        elif needs:
            text = "needs " + "; ".join(dict.fromkeys(needs))
        else:
            text = result.status_label
    if len(text) <= ONE_LINE:
        return text
    cut = text[:ONE_LINE].rsplit(" ", 1)[0].rstrip(",;:(")
    return cut + " …"


def _section(
    control: Control,
    result: ControlResult,
    evidence_by_id: dict[str, EvidenceItem],
    families: dict[str, str],
    owners: dict[str, str],
    plan: PlanItem | None,
) -> dict[str, Any]:
    evidence = [evidence_by_id[e] for e in result.evidence_ids if e in evidence_by_id]
    checks = {ref.check: ref.description or ref.check.replace("_", " ") for ref in control.checks}
    return {
        "attention": result.status.value == "not_met",
        "check_labels": checks,
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
