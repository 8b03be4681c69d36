"""Recurring activities judged by their intervals: reviews, scans, tests, trainings, rotations.

A control with a cadence is met only when no interval between occurrences in the period (see
:mod:`evidence.controls.cadence`) is longer than the cadence plus its grace days, and, for
records that say which days they cover, no day due for review is left uncovered. A register
that shows the activity but with a late occurrence is a deviation: not met, with the dates.
Only when nothing of the activity is on record is the evidence insufficient.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from evidence.controls.cadence import CadenceJudgement, fact_date, item_date, item_range, judge_cadence, named
from evidence.controls.checks import check
from evidence.controls.checks.documents import (
    describe,
    incomplete_reasons,
    registered_documents,
    supporting_documents,
)
from evidence.controls.context import CheckContext, Params
from evidence.model.catalogue import Cadence
from evidence.model.facts.documents import Document
from evidence.model.results import CheckOutcome, Figure


class CadenceParams(Params):
    """What ``cadence_covered`` reads: the document types that record the activity.

    The cadence itself is the control's ``cadence:`` block (``every_days``, ``label``,
    ``grace_days``), the one place a catalogue states it; a reading of the control's figure
    (policies/README.md) moves that block with it, and the config may widen its grace days.
    """

    doc_types: list[str] = Field(min_length=1, description="the document types that record the activity")


def control_cadence(ctx: CheckContext) -> Cadence:
    """The control's cadence; a ValueError when the control states none (a catalogue error)."""
    if ctx.control.cadence is None:
        raise ValueError(f"{ctx.control.id}: cadence_covered needs the control's cadence: block")
    return ctx.control.cadence


def cadence_phrase(ctx: CheckContext, judgement: CadenceJudgement) -> str:
    """``every 14 days (every two weeks)`` with its grace days, if any."""
    plain = f"every {judgement.every_days} days"
    label = ctx.control.cadence.label if ctx.control.cadence else plain
    label = f" ({label})" if label != plain else ""
    grace = f" plus {judgement.grace_days} days' grace" if judgement.grace_days else ""
    return f"every {judgement.every_days} days{label}{grace}"


def cadence_figures(judgement: CadenceJudgement) -> dict[str, Figure]:
    """The figures every cadence outcome reports."""
    longest = judgement.longest
    return {
        "cadence_days": judgement.every_days,
        "grace_days": judgement.grace_days,
        "occurrences_in_period": len(judgement.occurrences),
        "longest_interval_days": longest.days if longest else None,
        "intervals_over_cadence": len(judgement.breaches),
        "days_uncovered": sum(s.days for s in judgement.uncovered),
        "next_due": judgement.next_due.isoformat() if judgement.next_due else None,
    }


@check("cadence_covered", reads=(Document.kind,), params=CadenceParams)
def cadence_covered(ctx: CheckContext) -> CheckOutcome:
    """No interval between registered documents of ``doc_types`` in the period exceeds the cadence.

    For controls with a cadence (access review quarterly, log review every 4 days under the
    stricter reading of "bi-weekly" (see policies/README.md), IR-plan review every 6 months,
    scans every 30 days, pen test and training yearly, LWA rotation records every 180 days),
    judged by intervals (docs/how-statuses-are-decided.md): from the period's start to the first
    document, between consecutive documents, and from the last one to the as-of date; any
    interval longer than the cadence plus its grace days is not met, naming its dates; with no
    document at all, insufficient evidence. See docs/quarterly-review.md. The cadence is the
    control's ``cadence:`` block (``every_days``, ``label``, ``grace_days``); a control using this
    check without one is a catalogue error.
    """
    doc_types = ctx.parameters(CadenceParams).doc_types
    wanted = " or ".join(doc_types)
    as_of = ctx.as_of.date()
    registered = registered_documents(ctx, doc_types)
    incomplete = incomplete_reasons(registered)
    candidates = supporting_documents(ctx, doc_types)
    dated = sorted(
        (item for item in candidates if (item_date(item) or date.max) <= as_of),
        key=lambda i: (item_date(i) or date.min, i.id),
    )
    ranges = [r for item in dated if (r := item_range(item)) is not None]
    judgement = judge_cadence(
        ctx.period,
        as_of,
        control_cadence(ctx).every_days,
        [d for item in dated if (d := item_date(item))],
        grace_days=ctx.grace_days,
        ranges=ranges if ranges else None,
    )
    figures = cadence_figures(judgement)
    phrase = cadence_phrase(ctx, judgement)
    if not judgement.known:
        if incomplete:
            return ctx.insufficient(*incomplete, evidence=registered, **figures)
        later = [item for item in candidates if item not in dated]
        if later:
            return ctx.insufficient(
                f"the only {wanted} on record ({later[0].id}) is dated {later[0].facts_as(Document).date}, "
                f"after the as-of date {as_of.isoformat()}",
                evidence=later,
                **figures,
            )
        return ctx.insufficient(
            f"no registered document of type {wanted} supports {ctx.control.id}, so nothing shows "
            f"the activity recurring {phrase}",
            evidence=(),
            **figures,
        )
    used = [item for item in dated if (item_date(item) or date.min) >= (judgement.before or date.min)]
    latest = dated[-1]
    figures["document_age_days"] = (as_of - (item_date(latest) or as_of)).days
    newest = f"latest: {describe(latest)}; next due {judgement.next_due}"
    problems = []
    if judgement.breaches:
        problems.append(
            f"{len(judgement.breaches)} interval(s) without {wanted} exceed {judgement.allowed_days} "
            f"days ({phrase}): {named(judgement.breaches)}"
        )
    if judgement.uncovered:
        problems.append(
            f"{sum(s.days for s in judgement.uncovered)} day(s) of the period that were due for review "
            f"by {as_of.isoformat()} are covered by no {wanted}: {named(judgement.uncovered)}"
        )
    notes: list[str] = []
    review = fact_date(latest.facts_as(Document).next_review)
    if review is not None and review < as_of:
        # The organisation's own review date: reported, but the control's cadence decides.
        notes.append(
            f"{describe(latest)}: its own next review was due {review.isoformat()}, before "
            f"{as_of.isoformat()} (the cadence of {judgement.every_days} days decides the status)"
        )
    if problems:
        return ctx.not_met(*problems, newest, *notes, *incomplete, evidence=used, **figures)
    longest = judgement.longest
    coverage = " and every day due for review is covered" if judgement.coverage_judged else ""
    count = len(judgement.occurrences)
    held = f"{count} {wanted} in the period" if count else f"no {wanted} was due in the period"
    return ctx.met(
        f"{held}; no interval exceeds {judgement.allowed_days} days ({phrase}){coverage}: the longest "
        f"is {longest} ({len(used)} document(s): {', '.join(i.id for i in used)}); {newest}",
        *notes,
        *incomplete,
        evidence=used,
        **figures,
    )
