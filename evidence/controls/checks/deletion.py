"""Checks of deletion on request: every request Amazon made was completed within the deadline."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from evidence.controls.checks import check
from evidence.controls.context import CheckContext, Params
from evidence.model.facts.retention import DeletionRequests
from evidence.model.results import CheckOutcome

KIND = DeletionRequests.kind


class DeletionParams(Params):
    """What ``deletion_requests_on_time`` reads: the deadline in hours."""

    deletion_on_request_hours: float = Field(description="hours from receipt by which a request must be done")


@check("deletion_requests_on_time", reads=(KIND,), params=DeletionParams)
def deletion_requests_on_time(ctx: CheckContext) -> CheckOutcome:
    """Every deletion request was completed within the deadline; none is open past it.

    Not met when a request took longer than ``deletion_on_request_hours`` or is open past it at
    the as-of date; met for an empty register; insufficient without a register.
    """
    limit = float(ctx.parameters(DeletionParams).deletion_on_request_hours)
    deadline = f"{limit / 24:g} days" if limit >= 168 else f"{limit:g} hours"
    collected = ctx.facts(DeletionRequests)
    items = [item for item, _ in collected]
    if not items:
        return ctx.insufficient(
            "no register of deletion requests was collected (deletion-requests)"
        )
    late, overdue, waiting, done = [], [], [], []
    longest = 0.0
    for item, facts in collected:
        for request in facts.requests:
            received_at = request.received[:16].replace("T", " ")
            label = f"request {request.id} ({item.id}, received {received_at})"
            hours = request.hours_to_complete
            if hours is not None:
                longest = max(longest, hours)
                done.append(hours)
                if hours > limit:
                    late.append(
                        f"{label} was completed after {_span(hours)}, over the limit of {deadline}"
                    )
                continue
            received = datetime.fromisoformat(request.received.replace("Z", "+00:00"))
            open_hours = (ctx.as_of - received).total_seconds() / 3600
            longest = max(longest, open_hours)
            if open_hours > limit:
                overdue.append(
                    f"{label} is still open after {_span(open_hours)}, over the limit of {deadline}"
                )
            else:
                waiting.append(
                    f"{label} is open for {_span(open_hours)}, within the limit of {deadline}"
                )
    requests = len(done) + len(overdue) + len(waiting)
    figures = {
        "requests": requests,
        "completed": len(done),
        "completed_late": len(late),
        "open_overdue": len(overdue),
        "longest_hours": round(longest, 1),
        "limit_hours": limit,
    }
    if late or overdue:
        return ctx.not_met(*late, *overdue, *waiting, evidence=items, **figures)
    registers = ", ".join(i.id for i in items)
    if not requests:
        return ctx.met(
            f"the register ({registers}) lists no deletion request received in or open during "
            f"{ctx.period.label}",
            evidence=items,
            **figures,
        )
    summary = (
        f"all {len(done)} completed deletion request(s) in the register ({registers}) were done "
        f"within the limit of {deadline}, the slowest in {_span(max(done))}"
        if done
        else f"no deletion request was completed yet in the register ({registers})"
    )
    return ctx.met(summary, *waiting, evidence=items, **figures)


def _span(hours: float) -> str:
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"
