"""The quarterly review PDF for security leads: one page of headline changes, then the detail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidence.model.catalogue import Control
from evidence.model.report import RenderedReport
from evidence.model.results import STATUS_ORDER, ControlResult
from evidence.model.review import QuarterlyData
from evidence.render.document import PreparedReport, write_report

TEMPLATE = "quarterly.html.j2"
KIND = "quarterly-review"
#: Rows per list on the headline page; the rest is in the detail pages.
HEADLINE_ROWS = 6
_SEVERITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}


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
    return {
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


def _gap(result: ControlResult, control: Control | None, owners: dict[str, str]) -> dict[str, Any]:
    return {
        "result": result,
        "title": control.title if control else result.control_id,
        "severity": control.severity if control else "",
        "owner": owners.get(control.family) if control else None,
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
