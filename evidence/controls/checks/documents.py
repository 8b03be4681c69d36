"""Checks decided by registered documents: present, dated in time, review not overdue."""

from __future__ import annotations

from datetime import date, timedelta

from evidence.controls.checks import check
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.results import CheckOutcome


def _date(item: EvidenceItem, key: str = "date") -> date | None:
    value = item.facts.get(key)
    return date.fromisoformat(value) if value else None


def supporting_documents(ctx: CheckContext, doc_types: list[str]) -> list[EvidenceItem]:
    """Find registered documents of ``doc_types`` that support the control (or name none)."""
    return [
        item
        for item in ctx.items("document")
        if item.facts.get("doc_type") in doc_types
        and (not item.facts.get("controls") or ctx.control.id in item.facts["controls"])
    ]


@check("document_current", reads=("document",))
def document_current(ctx: CheckContext) -> CheckOutcome:
    """A document of the required type supports the control and is recent enough."""
    doc_types: list[str] = list(ctx.params.get("doc_types") or [])
    if not doc_types:
        raise ValueError(f"{ctx.control.id}: document_current needs doc_types")
    max_age = ctx.params.get("max_age_days")
    if max_age is None and ctx.control.cadence is not None:
        max_age = ctx.control.cadence.every_days
    wanted = " or ".join(doc_types)
    as_of = ctx.as_of.date()
    candidates = supporting_documents(ctx, doc_types)
    if not candidates:
        return ctx.insufficient(f"no registered document of type {wanted} supports {ctx.control.id}")
    dated = [item for item in candidates if (_date(item) or date.max) <= as_of]
    if not dated:
        later = min(candidates, key=lambda item: _date(item) or date.max)
        return ctx.insufficient(
            f"the only {wanted} on record ({later.id}) is dated {later.facts['date']}, "
            f"after the as-of date {as_of.isoformat()}",
            evidence=candidates,
        )
    latest = max(dated, key=lambda item: (_date(item) or date.min, item.id))
    issued = _date(latest)
    assert issued is not None
    age = (as_of - issued).days
    label = f"{latest.facts['title']!r} ({latest.id}, {latest.facts['doc_type']}, dated {issued.isoformat()})"
    if max_age is not None and age > int(max_age):
        due = issued + timedelta(days=int(max_age))
        cadence = f" ({ctx.control.cadence.label})" if ctx.control.cadence else ""
        return ctx.insufficient(
            f"latest {wanted} on record is {label}: {age} days old as of {as_of.isoformat()}, "
            f"over the {max_age}-day limit{cadence}; a newer one was due by {due.isoformat()}",
            evidence=[latest],
            document_age_days=age,
            max_age_days=int(max_age),
        )
    next_review = _date(latest, "next_review")
    if next_review is not None and next_review < as_of:
        return ctx.insufficient(
            f"{label}: its next review was due {next_review.isoformat()}, "
            f"before {as_of.isoformat()}, and no newer version is registered",
            evidence=[latest],
            document_age_days=age,
        )
    limit = f" (limit {max_age} days)" if max_age is not None else ""
    return ctx.met(
        f"{label} is {age} days old as of {as_of.isoformat()}{limit}",
        evidence=[latest],
        document_age_days=age,
    )
