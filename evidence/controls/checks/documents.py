"""Checks decided by registered documents: present, complete, renewed on time, review not overdue.

A document is attested evidence: the tool hashes it but does not read what it says, so it can
make a control at most "met on attestation". A record that leaves out a field its type requires
(policies/doc-types.yaml) does not count, and the reason names it. A document whose renewal is
late in a register that is otherwise kept is a deviation (not met), not missing evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import Field

from evidence.controls.cadence import fact_date, item_date, judge_cadence, named
from evidence.controls.checks import check
from evidence.controls.context import CheckContext, Params
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.documents import Document
from evidence.model.results import CheckOutcome


class DocumentParams(Params):
    """What ``document_current`` reads: the document types, and optional age limits."""

    doc_types: list[str] = Field(min_length=1, description="the document types that count for the control")
    max_age_days: int | None = Field(
        default=None,
        description="how old the newest may be; absent: the control's cadence, and with no cadence no age limit",
    )
    recommend_within_days: int | None = Field(
        default=None,
        description="an uncertain, recommended renewal interval: reported when exceeded, never a failure",
    )


def registered_documents(ctx: CheckContext, doc_types: Sequence[str]) -> list[EvidenceItem]:
    """Registered documents of ``doc_types`` that support the control (or name no control)."""
    return [
        item
        for item, facts in ctx.facts(Document)
        if facts.doc_type in doc_types and (not facts.controls or ctx.control.id in facts.controls)
    ]


def supporting_documents(ctx: CheckContext, doc_types: Sequence[str]) -> list[EvidenceItem]:
    """The registered documents that count: those giving every field their type requires."""
    return [item for item in registered_documents(ctx, doc_types) if not item.facts_as(Document).missing_fields]


def incomplete_reasons(items: Sequence[EvidenceItem]) -> list[str]:
    """Say, for each record that does not count, which required fields it leaves out."""
    return [
        f"{describe(item)} does not count: its register entry gives no "
        f"{', '.join(facts.missing_fields)} (required for {facts.doc_type})"
        for item in items
        if (facts := item.facts_as(Document)).missing_fields
    ]


def describe(item: EvidenceItem) -> str:
    """``'IR plan v4' (EV-..., ir-plan, dated 2026-04-15)``."""
    facts = item.facts_as(Document)
    return f"{facts.title!r} ({item.id}, {facts.doc_type}, dated {facts.date})"


def max_age_of(ctx: CheckContext, params: DocumentParams) -> int | None:
    """How old the newest document may be: ``max_age_days``, else the control's cadence."""
    if params.max_age_days is not None:
        return params.max_age_days
    return ctx.control.cadence.every_days if ctx.control.cadence is not None else None


@check("document_current", reads=(Document.kind,), params=DocumentParams)
def document_current(ctx: CheckContext) -> CheckOutcome:
    """A complete document of the required type supports the control, renewed within its limit.

    With a limit (``max_age_days`` or the control's cadence) every version on record is judged
    as cadence intervals over the period: a renewal later than the limit is not met, with dates.
    A document whose own next review is overdue is not met; none of ``doc_types`` registered for
    the control (or only ones dated after the as-of date, or leaving out required fields) is
    insufficient evidence, naming what is missing. ``recommend_within_days`` only adds advice.
    """
    params = ctx.parameters(DocumentParams)
    doc_types = params.doc_types
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
            f"the only {wanted} on record ({later.id}) is dated {later.facts_as(Document).date}, "
            f"after the as-of date {as_of.isoformat()}",
            *incomplete,
            evidence=candidates,
        )
    latest = max(dated, key=lambda item: (item_date(item) or date.min, item.id))
    issued = item_date(latest)
    assert issued is not None
    age = (as_of - issued).days
    label = describe(latest)
    max_age = max_age_of(ctx, params)
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
    review = fact_date(latest.facts_as(Document).next_review)
    if review is not None and review < as_of:
        return ctx.not_met(
            f"{label}: its own next review was due {review.isoformat()}, before "
            f"{as_of.isoformat()}, and no newer version is registered",
            *incomplete,
            evidence=[latest],
            **figures,
        )
    limit = f" (limit {allowed} days)" if allowed is not None else ""
    advice = _recommendation(params.recommend_within_days, label, age)
    if advice and params.recommend_within_days is not None:
        figures["recommended_within_days"] = params.recommend_within_days
    return ctx.met(
        f"{label} is {age} days old as of {as_of.isoformat()}{limit}",
        *advice,
        *incomplete,
        evidence=[latest],
        **figures,
    )


def _recommendation(wanted: int | None, label: str, age: int) -> list[str]:
    """A gap against an uncertain, recommended interval: said in the report, never a failure.

    ``recommend_within_days`` names a figure the catalogue marks uncertain (for example yearly
    vendor reassessment): a document older than that is reported, and the control still stands
    on the requirement that is certain.
    """
    if wanted is None or age <= wanted:
        return []
    return [
        f"recommendation (uncertain figure, does not fail the control): {label} is {age} days old, "
        f"over the recommended {wanted} days; renew it"
    ]
