"""The quarterly review PDF for security leads: what to fix first, every deadline, last quarter's plan.

Judged twice: as of the period's end (the statuses) and as of the day the review is generated
(which deadlines have passed, which plan items are overdue). Owners are the people of [team].
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from evidence.model.catalogue import Control
from evidence.model.report import RenderedReport
from evidence.model.results import STATUS_ORDER, ControlResult
from evidence.model.review import QuarterlyData
from evidence.render.document import PreparedReport, write_report
from evidence.render.gaps import plan_of_action

TEMPLATE = "quarterly.html.j2"
KIND = "quarterly-review"
#: Rows per list on the headline page; the rest is in the detail pages.
HEADLINE_ROWS = 6
_SEVERITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}
_WEIGHT = {"critical": 4, "high": 3, "medium": 2, "low": 1}
#: Rows of the fix-first list.
FIX_FIRST_ROWS = 10
#: Families whose technical failures expose PII directly (access, keys, stores, credentials).
_PII_FAMILIES = {"access", "encryption", "retention", "credentials", "logging", "network", "backup"}
_MISSING_DOC = re.compile(r"^no registered document of type ([\w-]+) supports \S+$")
_CONTROL_ID = re.compile(r"\b(?:DPP|AUP)-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")
_VULN_OPEN = re.compile(
    r"(?P<what>.+?) \(severity (?P<sev>critical|high)[^)]*\)[^:]*: failing since "
    r"(?P<since>\d{4}-\d{2}-\d{2}), \d+ days open \(limit (?P<limit>\d+)\)"
)


def quarterly_context(data: QuarterlyData) -> dict[str, Any]:
    """Build the template's view of ``data``: headline lists, capped, and the full detail."""
    controls = {(c.id, ctrl.id): ctrl for c in data.catalogues for ctrl in c.controls}
    as_of = data.evaluation.as_of
    diff = data.diff
    gaps = sorted(
        (
            _gap(r, controls.get((r.catalogue.split("@", 1)[0], r.control_id)), data.owners)
            for r in data.evaluation.results
            if r.status.is_gap
        ),
        key=lambda g: (_SEVERITY.get(g["severity"], 9), g["result"].control_id),
    )
    waivers = sorted(data.waivers, key=lambda w: (w.expires, w.id))
    expiring = [w for w in waivers if w.in_force(as_of) and w.expires.date() <= data.due.until]
    on = data.generated_on or data.generated_at.date()
    person = _people(data)
    plan = plan_of_action(data.catalogues, data.evaluation, data.owners, data.due_days)
    merged = _merge_gaps(gaps)
    deadlines = _deadlines(data, plan, controls, on)
    return {
        "on": on,
        "person": person,
        "merged": merged,
        "fix_first": _fix_first(merged, plan, on)[:FIX_FIRST_ROWS],
        "deadlines": deadlines,
        "deadlines_past": [d for d in deadlines if d["past"]],
        "follow_up": (follow := _follow_up(data, on)),
        "follow_groups": [
            {"state": state, "rows": [f for f in follow if f["state"] == state]}
            for state in ("overdue", "open", "closed")
            if any(f["state"] == state for f in follow)
        ],
        "data": data,
        "run": data.run,
        "organisation": data.organisation,
        "diff": diff,
        "status_order": STATUS_ORDER,
        "counts": data.evaluation.counts(),
        "headline_rows": HEADLINE_ROWS,
        "moved": diff.moved_figures if diff else [],
        "ageing": [f for f in diff.figures if f.ageing] if diff else [],
        "gaps": gaps,
        "waivers": waivers,
        "expiring": expiring,
        "waived": [r for r in data.evaluation.results if r.waiver is not None],
        "as_of": as_of,
    }


def _people(data: QuarterlyData) -> Any:
    """A function naming the person who holds a role: "Priya Raman (Security Lead)"."""

    def person(role: str | None) -> str:
        if not role:
            return "no owner ([owners] in evidence.toml)"
        name = data.team.get(role)
        return f"{name} ({role})" if name else f"{role} (no person named in [team])"

    return person


def _merge_gaps(gaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Gaps with the same finding (a DPP and an AUP control decided by one check) once, with every id."""
    merged: dict[str, dict[str, Any]] = {}
    for gap in gaps:
        result = gap["result"]
        key = (
            _CONTROL_ID.sub("the control", result.reasons[0])
            if result.reasons
            else f"{result.catalogue}:{result.control_id}"
        )
        if key in merged:
            merged[key]["ids"].append(result.control_id)
            merged[key]["results"].append(result)
            if _SEVERITY.get(gap["severity"], 9) < _SEVERITY.get(merged[key]["severity"], 9):
                merged[key]["severity"] = gap["severity"]
        else:
            merged[key] = {
                **gap,
                "ids": [result.control_id],
                "results": [result],
                "finding": _MISSING_DOC.sub(r"document missing: \1", result.reasons[0]) if result.reasons else "",
            }
    return list(merged.values())


def _exposure(gap: dict[str, Any]) -> tuple[int, str]:
    """How much PII a gap exposes.

    2: a technical element around PII is proven not met (an account without MFA, an unencrypted
    store, PII kept too long); 1: a technical element is undecided or fails away from PII; 0: only
    documents or records are missing or stale.
    """
    control = gap.get("control")
    elements = [e for r in gap["results"] for e in r.elements if e.technical]
    failed = any(e.status.value == "not_met" for e in elements)
    near_pii = control is not None and (
        control.attributes.get("applies_to") == "pii" or control.family in _PII_FAMILIES
    )
    if failed and near_pii:
        return 2, "a technical safeguard around PII fails"
    if failed or any(e.status.is_gap for e in elements):
        return 1, "a technical safeguard fails or is unproven"
    return 0, "documents or records missing or stale"


def _fix_first(
    merged: list[dict[str, Any]], plan: list[Any], on: date
) -> list[dict[str, Any]]:
    """Gaps ranked by severity and PII exposure together, then by how long overdue."""
    due = {(p.catalogue.ref, p.control.id): p for p in plan}
    ranked = []
    for gap in merged:
        exposure, why = _exposure(gap)
        items = [due[(r.catalogue, r.control_id)] for r in gap["results"] if (r.catalogue, r.control_id) in due]
        first = min((p.due for p in items), default=None)
        overdue = max((on - first).days, 0) if first else 0
        score = _WEIGHT.get(gap["severity"], 0) * 10 + exposure * 8
        ranked.append(
            {**gap, "exposure": exposure, "exposure_why": why, "due": first, "overdue_days": overdue,
             "score": score, "plan": [p.number for p in items]}
        )
    ranked.sort(key=lambda g: (-g["score"], -g["overdue_days"], g["ids"][0]))
    return ranked


def _deadlines(
    data: QuarterlyData, plan: list[Any], controls: dict[tuple[str, str], Control], on: date
) -> list[dict[str, Any]]:
    """Every deadline from the period's end on, each marked past when it fell before ``on``.

    Reviews, cadences, rotations and credential expiries, the next penetration test, and the
    critical and high fix deadlines (the plan of action and open scanner findings).
    """
    rows: list[dict[str, Any]] = [
        {"due": d.due, "what": d.title, "controls": list(d.controls), "basis": d.basis, "kind": d.kind}
        for d in data.due.items
    ]
    fixes: dict[tuple[date, str], list[Any]] = {}
    for p in plan:
        if p.control.severity in ("critical", "high"):
            fixes.setdefault((p.due, p.control.severity), []).append(p)
    for (due, severity), items in fixes.items():
        plural = "s" if len(items) != 1 else ""
        numbers = (
            f"plan items {items[0].number} to {items[-1].number}"
            if len(items) > 1
            else f"plan item {items[0].number}"
        )
        rows.append(
            {
                "due": due,
                "what": f"Fix the {len(items)} {severity} gap{plural} of the plan of action",
                "controls": [p.control.id for p in items],
                "basis": f"{items[0].due_basis}; {numbers}",
                "kind": "fix",
            }
        )
    for r in data.evaluation.results:
        for reason in r.reasons:
            if "not fixed in time: " not in reason:
                continue
            for part in reason.split("not fixed in time: ", 1)[1].split("; "):
                m = _VULN_OPEN.match(part)
                if m is None:
                    continue
                due = date.fromisoformat(m["since"]) + timedelta(days=int(m["limit"]))
                rows.append(
                    {"due": due, "what": f"Fix {m['sev']} finding {m['what'].strip()}",
                     "controls": [r.control_id], "basis": f"{m['sev']} findings within {m['limit']} days",
                     "kind": "fix"}
                )
    seen: set[tuple[date, str]] = set()
    unique = []
    for row in sorted(rows, key=lambda x: (x["due"], x["what"])):
        key = (row["due"], row["what"])
        if key not in seen:
            seen.add(key)
            row["past"] = row["due"] < on
            row["past_at_end"] = row["due"] < data.evaluation.as_of.date()
            unique.append(row)
    return unique


def _follow_up(data: QuarterlyData, on: date) -> list[dict[str, Any]]:
    """Last quarter's plan items now: closed, open (not yet due) or overdue, as of ``on``."""
    if data.previous is None:
        return []
    now = {(r.catalogue, r.control_id): r for r in data.evaluation.results}
    rows = []
    for item in plan_of_action(data.catalogues, data.previous, data.owners, data.due_days):
        current = now.get((item.catalogue.ref, item.control.id))
        if current is None or not current.status.is_gap:
            state = "closed"
        elif item.due < on:
            state = "overdue"
        else:
            state = "open"
        rows.append({"item": item, "state": state, "now": current})
    return rows


def _gap(result: ControlResult, control: Control | None, owners: dict[str, str]) -> dict[str, Any]:
    return {
        "result": result,
        "title": control.title if control else result.control_id,
        "severity": control.severity if control else "",
        "owner": owners.get(control.family) if control else None,
        "control": control,
        "remediation": control.remediation if control else "",
    }


def prepare_quarterly(data: QuarterlyData) -> PreparedReport:
    """Prepare the quarterly review of ``data``."""
    return PreparedReport(
        template=TEMPLATE,
        context=quarterly_context(data),
        kind=KIND,
        identifier=f"{data.run.uid}:{KIND}:{data.previous_label}",
        created=data.generated_at,
    )


def render_quarterly(data: QuarterlyData, target: Path) -> RenderedReport:
    """Render the quarterly review of ``data`` to ``target``; any renderer warning is an error."""
    # Tagged PDF/A-3b like every report; write_pdf fails on any renderer warning.
    return write_report(prepare_quarterly(data), target)
