"""Checks of recurring activities judged slot by slot: reviews, scans, tests, trainings, rotations.

A control with a cadence is met only when every cadence slot of the period (see
:mod:`evidence.controls.cadence`) has evidence; each missed slot is named with its dates.
"""

from __future__ import annotations

from datetime import date

from evidence.controls.cadence import Slot, cadence_slots, covering, item_days, name_slots
from evidence.controls.checks import check
from evidence.controls.checks.documents import supporting_documents
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.results import CheckOutcome


def every_days(ctx: CheckContext) -> int:
    """Give the cadence in days: the check's ``every_days``, else the control's cadence."""
    value = ctx.params.get("every_days")
    if value is None and ctx.control.cadence is not None:
        value = ctx.control.cadence.every_days
    if value is None:
        raise ValueError(f"{ctx.control.id}: a cadence check needs a cadence or every_days")
    return int(value)


def slots_phrase(ctx: CheckContext, slots: list[Slot], every: int) -> str:
    """``7 slots of 14 days (every two weeks) from 2026-06-16 to 2026-09-30``."""
    label = f" ({ctx.control.cadence.label})" if ctx.control.cadence else ""
    noun = "slot" if len(slots) == 1 else "slots"
    return f"{len(slots)} {noun} of {every} days{label} from {slots[0].start} to {slots[-1].end}"


@check("cadence_covered", reads=("document",))
def cadence_covered(ctx: CheckContext) -> CheckOutcome:
    """Every cadence slot of the period holds a registered document of one of ``doc_types``."""
    doc_types: list[str] = list(ctx.params.get("doc_types") or [])
    if not doc_types:
        raise ValueError(f"{ctx.control.id}: cadence_covered needs doc_types")
    every = every_days(ctx)
    as_of = ctx.as_of.date()
    slots = cadence_slots(ctx.period, as_of, every)
    wanted = " or ".join(doc_types)
    candidates = supporting_documents(ctx, doc_types)
    usable = [item for item in candidates if item_days(item, as_of) is not None]
    per_slot = covering(slots, usable, as_of)
    missed = [slot for slot, items in zip(slots, per_slot, strict=True) if not items]
    used = sorted(
        {item.id: item for items in per_slot for item in items}.values(), key=lambda i: i.id
    )
    figures: dict[str, int] = {
        "slots": len(slots),
        "slots_missed": len(missed),
        "cadence_days": every,
    }
    latest = max(usable, key=_newest) if usable else None
    if latest is not None:
        figures["document_age_days"] = (as_of - _date(latest)).days
    span = slots_phrase(ctx, slots, every)
    if not candidates:
        return ctx.insufficient(
            f"no registered document of type {wanted} supports {ctx.control.id}, "
            f"so none of the {span} has one",
            evidence=(),
            **figures,
        )
    if latest is None:
        first = min(candidates, key=_newest)
        return ctx.insufficient(
            f"the only {wanted} on record ({first.id}) is dated {first.facts.get('date')}, "
            f"after the as-of date {as_of.isoformat()}; none of the {span} has one",
            evidence=candidates,
            **figures,
        )
    newest = f"latest: {_describe(latest)}, {figures['document_age_days']} days old"
    if missed and len(slots) == 1:
        return ctx.insufficient(
            f"no {wanted} is dated within the {every} days before {as_of.isoformat()} "
            f"({slots[0]}); {newest}",
            evidence=[*used, latest],
            **figures,
        )
    if missed:
        return ctx.insufficient(
            f"{len(missed)} of the {span} have no {wanted}: {name_slots(missed)} ({newest})",
            evidence=[*used, latest],
            **figures,
        )
    next_review = latest.facts.get("next_review")
    if next_review and date.fromisoformat(next_review) < as_of:
        return ctx.insufficient(
            f"{_describe(latest)}: its next review was due {next_review}, "
            f"before {as_of.isoformat()}, and no newer version is registered",
            evidence=[latest],
            **figures,
        )
    ids = ", ".join(item.id for item in used)
    if len(slots) == 1:
        return ctx.met(
            f"a {wanted} is dated within the {every} days before {as_of.isoformat()} "
            f"({ids}); {newest}",
            evidence=used,
            **figures,
        )
    return ctx.met(
        f"each of the {span} has a {wanted} ({len(used)} document(s): {ids}); {newest}",
        evidence=used,
        **figures,
    )


def _date(item: EvidenceItem) -> date:
    value = item.facts.get("date")
    return date.fromisoformat(value) if value else date.min


def _newest(item: EvidenceItem) -> tuple[date, str]:
    return _date(item), item.id


def _describe(item: EvidenceItem) -> str:
    facts = item.facts
    return f"{facts.get('title')!r} ({item.id}, {facts.get('doc_type')}, dated {facts.get('date')})"
