"""Checks decided by registered documents: present, complete, renewed on time, review not overdue.

A document is attested evidence: the tool hashes it but does not read what it says, so it can
make a control at most "met on attestation". A record that leaves out a field its type requires
(policies/doc-types.yaml) does not count, and the reason names it. A document whose renewal is
late in a register that is otherwise kept is a deviation (not met), not missing evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from evidence.controls.cadence import fact_date, item_date, judge_cadence, named
from evidence.controls.checks import check
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.results import CheckOutcome


def doc_types_of(ctx: CheckContext) -> list[str]:
    """The ``doc_types`` parameter of a document check (a ValueError when it is missing)."""
    doc_types = [str(t) for t in ctx.params.get("doc_types") or []]
    if not doc_types:
        raise ValueError(f"{ctx.control.id}: a document check needs doc_types")
    return doc_types


def registered_documents(ctx: CheckContext, doc_types: list[str]) -> list[EvidenceItem]:
    """Registered documents of ``doc_types`` that support the control (or name no control)."""
    return [
        item
        for item in ctx.items("document")
        if item.facts.get("doc_type") in doc_types
        and (not item.facts.get("controls") or ctx.control.id in item.facts["controls"])
    ]


def supporting_documents(ctx: CheckContext, doc_types: list[str]) -> list[EvidenceItem]:
    """The registered documents that count: those giving every field their type requires."""
    return [item for item in registered_documents(ctx, doc_types) if not item.facts.get("missing_fields")]


def incomplete_reasons(items: Sequence[EvidenceItem]) -> list[str]:
    """Say, for each record that does not count, which required fields it leaves out."""
    return [
        f"{describe(item)} does not count: its register entry gives no "
        f"{', '.join(item.facts['missing_fields'])} (required for {item.facts.get('doc_type')})"
        for item in items
        if item.facts.get("missing_fields")
    ]


def describe(item: EvidenceItem) -> str:
    """``'IR plan v4' (EV-..., ir-plan, dated 2026-04-15)``."""
    facts = item.facts
    return f"{facts.get('title')!r} ({item.id}, {facts.get('doc_type')}, dated {facts.get('date')})"


def max_age_of(ctx: CheckContext) -> int | None:
    """How old the newest document may be: ``max_age_days``, else the control's cadence."""
    max_age = ctx.params.get("max_age_days")
    if max_age is None and ctx.control.cadence is not None:
        max_age = ctx.control.cadence.every_days
    return int(max_age) if max_age is not None else None


@check("document_current", reads=("document",))
def document_current(ctx: CheckContext) -> CheckOutcome:
    """A complete document of the required type supports the control, renewed within its limit.

    With a limit (``max_age_days`` or the control's cadence) every version on record is judged
    as cadence intervals over the period: a renewal later than the limit is not met, with dates.
    """
    doc_types = doc_types_of(ctx)
    wanted = " or ".join(doc_types)
    as_of = ctx.as_of.date()
    registered = registered_documents(ctx, doc_types)
    incomplete = incomplete_reasons(registered)
    candidates = supporting_documents(ctx, doc_types)
    if not candidates:
        if incomplete:
            return ctx.insufficient(*incomplete, evidence=registered)
        return ctx.insufficient(f"no registered document of type {wanted} supports {ctx.control.id}")
    dated = [item for item in candidates if (item_date(item) or date.max) <= as_of]
    if not dated:
        later = min(candidates, key=lambda item: item_date(item) or date.max)
        return ctx.insufficient(
            f"the only {wanted} on record ({later.id}) is dated {later.facts['date']}, "
            f"after the as-of date {as_of.isoformat()}",
            *incomplete,
            evidence=candidates,
        )
    latest = max(dated, key=lambda item: (item_date(item) or date.min, item.id))
    issued = item_date(latest)
    assert issued is not None
    age = (as_of - issued).days
    label = describe(latest)
    max_age = max_age_of(ctx)
    if max_age is not None:
        judgement = judge_cadence(
            ctx.period, as_of, max_age, [d for i in dated if (d := item_date(i))], grace_days=ctx.grace_days
        )
        allowed = judgement.allowed_days
        grace = f" plus {ctx.grace_days} days' grace" if ctx.grace_days else ""
        figures = {"document_age_days": age, "max_age_days": max_age, "grace_days": ctx.grace_days}
        if judgement.breaches:
            cadence = f" ({ctx.control.cadence.label})" if ctx.control.cadence else ""
            return ctx.not_met(
                f"{wanted} was not renewed within {max_age} days{grace}{cadence}: "
                f"{named(judgement.breaches)}; latest on record is {label}, {age} days old as of "
                f"{as_of.isoformat()}; the next was due by {judgement.next_due}",
                *incomplete,
                evidence=dated,
                longest_interval_days=judgement.longest.days if judgement.longest else None,
                **figures,
            )
    else:
        figures = {"document_age_days": age}
        allowed = None
    review = fact_date(latest.facts.get("next_review"))
    if review is not None and review < as_of:
        return ctx.not_met(
            f"{label}: its own next review was due {review.isoformat()}, before "
            f"{as_of.isoformat()}, and no newer version is registered",
            *incomplete,
            evidence=[latest],
            **figures,
        )
    limit = f" (limit {allowed} days)" if allowed is not None else ""
    advice = _recommendation(ctx, label, age)
    if advice:
        figures["recommended_within_days"] = int(ctx.params["recommend_within_days"])
    return ctx.met(
        f"{label} is {age} days old as of {as_of.isoformat()}{limit}",
        *advice,
        *incomplete,
        evidence=[latest],
        **figures,
    )


def _recommendation(ctx: CheckContext, label: str, age: int) -> list[str]:
    """A gap against an uncertain, recommended interval: said in the report, never a failure.

    ``recommend_within_days`` names a figure the catalogue marks uncertain (for example yearly
    vendor reassessment): a document older than that is reported, and the control still stands
    on the requirement that is certain.
    """
    wanted = ctx.params.get("recommend_within_days")
    if wanted is None or age <= int(wanted):
        return []
    return [
        f"recommendation (uncertain figure, does not fail the control): {label} is {age} days old, "
        f"over the recommended {int(wanted)} days; renew it"
    ]
