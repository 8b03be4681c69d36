"""Cadence slots: the windows of a review period in which a recurring activity must show evidence.

A control with a cadence of N days ("review logs every 14 days") is judged slot by slot. Slots
are windows of N days ending at the as-of date and going back until the period's start is
covered; the oldest slot may reach back before the period (evidence from just before the period
counts for it). Each slot runs from its start to its end inclusive, and adjacent slots share
their boundary day: a review done exactly N days before the as-of date still satisfies the
cadence on the as-of date, and the due date of the next one is the last date plus N days.
When the cadence is longer than the period there is one slot: the latest evidence must be no
more than one cadence old at the as-of date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from evidence.model.evidence import EvidenceItem
from evidence.model.period import Period

#: How many missed slots a reason names before it says "and N more".
NAMED_SLOTS = 6


@dataclass(frozen=True)
class Slot:
    """One cadence window, both ends inclusive."""

    start: date
    end: date

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def overlaps(self, first: date, last: date) -> bool:
        """Whether the days ``first``..``last`` (inclusive) touch this slot."""
        return first <= self.end and last >= self.start


def cadence_slots(period: Period, as_of: date, every_days: int) -> list[Slot]:
    """Give the slots of ``every_days`` ending at ``as_of`` that cover the period, oldest first."""
    if every_days <= 0:
        raise ValueError("a cadence must be a positive number of days")
    step = timedelta(days=every_days)
    slots = [Slot(as_of - step, as_of)]
    while slots[-1].start > period.start:
        end = slots[-1].start
        slots.append(Slot(end - step, end))
    return list(reversed(slots))


def item_days(item: EvidenceItem, as_of: date) -> tuple[date, date] | None:
    """Give the days an item vouches for: its date, widened by the range it says it covers.

    Items dated after ``as_of`` did not exist then and vouch for nothing; an item with neither
    a date nor a covered range cannot be placed in a slot.
    """
    dated = fact_date(item.facts.get("date"))
    if dated is not None and dated > as_of:
        return None
    days = [d for d in (dated, _day(item.covers_start), _day(item.covers_end)) if d is not None]
    if not days:
        return None
    return min(days), max(days)


def covering(
    slots: Sequence[Slot], items: Iterable[EvidenceItem], as_of: date
) -> list[list[EvidenceItem]]:
    """For each slot, the items whose days touch it (ordered by id, so output is stable)."""
    placed = [(item, item_days(item, as_of)) for item in sorted(items, key=lambda i: i.id)]
    return [
        [item for item, days in placed if days is not None and slot.overlaps(*days)]
        for slot in slots
    ]


def name_slots(slots: Sequence[Slot]) -> str:
    """``2026-08-05 to 2026-08-19, 2026-08-19 to 2026-09-02`` (at most :data:`NAMED_SLOTS`)."""
    named = ", ".join(str(slot) for slot in slots[:NAMED_SLOTS])
    more = len(slots) - NAMED_SLOTS
    return named + (f" and {more} more" if more > 0 else "")


def fact_date(value: object) -> date | None:
    """Read a date from a fact holding an ISO date or timestamp (None when absent)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None
