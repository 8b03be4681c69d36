"""The plan of action: every control not met or lacking evidence, with an owner and a due date.

Due dates count from the evaluation's as-of date, never the clock. Where the catalogue sets its
own deadline (the DPP's "critical vulnerabilities within 7 days, high within 30", carried as
parameters named ``<severity>_fix_days``), that deadline governs the controls of the family
that carries it; every other gap is due by its control's severity (``[gap_plan] due_days``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from evidence.controls.todo import configured_from_evidence, todo_steps
from evidence.model.catalogue import Catalogue, Control
from evidence.model.report import RenderedReport, ReportSetData
from evidence.model.results import ControlResult, Evaluation
from evidence.render.attachments import (
    EmbeddedFile,
    csv_file,
    evidence_facts_csv,
    evidence_manifest,
)
from evidence.render.document import PreparedReport, cover_context, prepare_report, write_report

TEMPLATE = "gap-report.html.j2"
GAP_REPORT_KIND = "gap-report"
#: Steps of the to-do list the gap report prints (``evidence todo`` lists every one).
TODO_SHOWN = 25
PLAN_NAME = "plan-of-action.csv"

#: Reasons and evidence ids shown per plan item; the attached manifest holds all of them.
MAX_FINDINGS = 4
MAX_EVIDENCE_IDS = 8

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
_DEADLINE = re.compile(r"^(critical|high|medium|low)_fix_days$")


@dataclass(frozen=True)
class Deadline:
    """A policy's own remediation deadline for one severity, and the control that sets it."""

    days: int
    control_id: str
    parameter: str


@dataclass(frozen=True)
class PlanItem:
    """One line of the plan of action."""

    number: str
    catalogue: Catalogue
    control: Control
    result: ControlResult
    family: str
    owner: str | None
    due: date
    due_days: int
    due_basis: str
    findings: list[str]
    findings_more: int
    evidence_ids: list[str]
    evidence_more: int


def policy_deadlines(catalogue: Catalogue) -> dict[str, dict[str, Deadline]]:
    """Deadlines the catalogue itself sets, by family then severity (from ``*_fix_days``)."""
    found: dict[str, dict[str, Deadline]] = {}
    for control in catalogue.controls:
        for name, parameter in control.parameters.items():
            match = _DEADLINE.match(name)
            if match and isinstance(parameter.value, int) and not isinstance(parameter.value, bool):
                found.setdefault(control.family, {})[match[1]] = Deadline(
                    parameter.value, control.id, name
                )
    return found


def due_for(
    control: Control, deadlines: dict[str, dict[str, Deadline]], due_days: dict[str, int]
) -> tuple[int, str]:
    """Days to fix ``control`` and why: the policy's deadline when it sets one, or the default.

    A configured default shorter than the policy's deadline wins: the policy sets a maximum.
    """
    default = due_days[control.severity]
    policy = deadlines.get(control.family, {}).get(control.severity)
    if policy is None:
        return default, f"{control.severity} severity: {default} days ([gap_plan] due_days)"
    if default < policy.days:
        return default, (
            f"{control.severity} severity: {default} days ([gap_plan] due_days), "
            f"within the policy's {policy.days} days ({policy.control_id} {policy.parameter})"
        )
    return (
        policy.days,
        f"policy deadline for {control.severity} findings ({policy.control_id} {policy.parameter})",
    )


def plan_of_action(
    catalogues: list[Catalogue],
    evaluation: Evaluation,
    owners: dict[str, str],
    due_days: dict[str, int],
) -> list[PlanItem]:
    """Every gap of ``evaluation`` in ``catalogues``, soonest due first, numbered POA-01..."""
    start = evaluation.as_of.date()
    results = {(r.catalogue, r.control_id): r for r in evaluation.results}
    items: list[tuple[tuple[object, ...], PlanItem]] = []
    for c_index, catalogue in enumerate(catalogues):
        deadlines = policy_deadlines(catalogue)
        families = {f.id: f.title for f in catalogue.families}
        for k_index, control in enumerate(catalogue.controls):
            result = results.get((catalogue.ref, control.id))
            if result is None or not result.status.is_gap:
                continue
            days, basis = due_for(control, deadlines, due_days)
            item = PlanItem(
                number="",
                catalogue=catalogue,
                control=control,
                result=result,
                family=families.get(control.family, control.family),
                owner=owners.get(control.family),
                due=start + timedelta(days=days),
                due_days=days,
                due_basis=basis,
                findings=result.reasons[:MAX_FINDINGS] or ["no reason recorded"],
                findings_more=max(len(result.reasons) - MAX_FINDINGS, 0),
                evidence_ids=result.evidence_ids[:MAX_EVIDENCE_IDS],
                evidence_more=max(len(result.evidence_ids) - MAX_EVIDENCE_IDS, 0),
            )
            key = (item.due, SEVERITY_RANK[control.severity], c_index, k_index)
            items.append((key, item))
    items.sort(key=lambda pair: pair[0])
    width = max(2, len(str(len(items))))
    return [
        replace(item, number=f"POA-{n:0{width}d}") for n, (_, item) in enumerate(items, start=1)
    ]


def plan_csv(plan: list[PlanItem]) -> EmbeddedFile:
    """Write the plan of action as CSV, for importing into a ticket tracker."""
    rows = (
        (
            p.number,
            p.catalogue.ref,
            p.control.id,
            p.control.title,
            p.control.severity,
            p.result.status.value,
            p.owner or "",
            p.due.isoformat(),
            p.due_basis,
            " ".join(p.result.reasons),
            p.control.remediation,
            " ".join(p.result.evidence_ids),
        )
        for p in plan
    )
    header = (
        "item",
        "catalogue",
        "control_id",
        "title",
        "severity",
        "status",
        "owner",
        "due",
        "due_basis",
        "finding",
        "remediation",
        "evidence_ids",
    )
    return csv_file(PLAN_NAME, header, rows, "Plan of action: every gap with owner and due date")


def gap_report_context(
    data: ReportSetData, plan: list[PlanItem], attachments: list[EmbeddedFile]
) -> dict[str, Any]:
    """Build the gap report template's view: the plan, and summaries by severity and owner.

    Controls met only on attestation are listed apart, with the documents an auditor inspects.
    """
    titles = {(c.ref, control.id): control.title for c in data.catalogues for control in c.controls}
    by_owner: dict[str, list[PlanItem]] = {}
    for item in plan:
        by_owner.setdefault(item.owner or "", []).append(item)
    owners = sorted(
        (
            {"owner": owner, "items": len(items), "first_due": min(i.due for i in items)}
            for owner, items in by_owner.items()
        ),
        key=lambda row: (row["first_due"], row["owner"]),
    )
    severities = [
        {
            "severity": s,
            "items": sum(1 for p in plan if p.control.severity == s),
            "days": data.due_days[s],
        }
        for s in SEVERITY_RANK
    ]
    steps = todo_steps(data.evaluation, data.catalogues, configured_from_evidence(data.evidence))
    return {
        **cover_context(
            data.run, data.organisation, data.tool_version, data.generated_at, data.signatories
        ),
        "todo": steps,
        "todo_shown": steps[:TODO_SHOWN],
        "data": data,
        "catalogues": data.catalogues,
        "plan": plan,
        "by_owner": owners,
        "by_severity": severities,
        "deadlines": [
            (catalogue, family, severity, deadline)
            for catalogue in data.catalogues
            for family, by_severity in policy_deadlines(catalogue).items()
            for severity, deadline in sorted(
                by_severity.items(), key=lambda kv: SEVERITY_RANK[kv[0]]
            )
        ],
        "as_of": data.evaluation.as_of,
        "attachments": attachments,
        "split": data.evaluation.met_split(),
        "attested": [
            (r, titles.get((r.catalogue, r.control_id), ""))
            for r in data.evaluation.results
            if r.on_attestation
        ],
    }


def prepare_gap_report(data: ReportSetData, *, facts: EmbeddedFile | None = None) -> PreparedReport:
    """Prepare the gap report and plan of action of every selected catalogue."""
    plan = plan_of_action(data.catalogues, data.evaluation, data.owners, data.due_days)
    facts = facts or evidence_facts_csv(data.evidence)
    plan_file = plan_csv(plan)
    gap_ids = {(p.catalogue.ref, p.control.id) for p in plan}
    manifest = evidence_manifest(
        report=GAP_REPORT_KIND,
        data=data,
        results=[r for r in data.evaluation.results if (r.catalogue, r.control_id) in gap_ids],
        companions=[plan_file, facts],
    )
    attachments = [manifest, plan_file, facts]
    return prepare_report(
        TEMPLATE,
        gap_report_context(data, plan, attachments),
        kind=GAP_REPORT_KIND,
        run=data.run,
        attachments=attachments,
    )


def render_gap_report(
    data: ReportSetData, target: Path, *, facts: EmbeddedFile | None = None
) -> RenderedReport:
    """Render the gap report and plan of action of every selected catalogue to ``target``."""
    return write_report(prepare_gap_report(data, facts=facts), target)
