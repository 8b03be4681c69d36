"""Cadence intervals: a recurring activity is judged by the longest stretch without it.

The intervals run from the last occurrence before the period (when one is known; otherwise the
period's start) through each occurrence in the period to the as-of date. Every interval must be
at most the cadence plus its grace days; a longer one is a *breach*, named with its dates. (An
interval that starts before the period ends in it, so its lateness reaches into the period: a
scan due in June that ran on 1 July is a breach of both quarters.) Records that say which days
they cover (a log review covers the fortnight before it) must also leave no day of the period
uncovered that was due for review by the as-of date.

Occurrences are days. An occurrence on the due date itself is on time: a review every 182 days
done exactly 182 days before the as-of date still holds on the as-of date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from evidence.model.evidence import EvidenceItem
from evidence.model.period import Period

#: How many breaches or uncovered stretches a reason names before it says "and N more".
NAMED = 6


@dataclass(frozen=True)
class Interval:
    """A stretch without the activity: from ``start`` to ``end`` (days between them).

    ``opens`` says what ``start`` is ("occurrence" or "period start"); ``closes`` what ``end``
    is ("occurrence" or "as-of date").
    """

    start: date
    end: date
    opens: str = "occurrence"
    closes: str = "occurrence"

    @property
    def days(self) -> int:
        """Days from start to end."""
        return (self.end - self.start).days

    def __str__(self) -> str:
        ends = {"period start": " (period start)", "as-of date": " (as-of date)"}
        return (
            f"{self.start.isoformat()}{ends.get(self.opens, '')} to "
            f"{self.end.isoformat()}{ends.get(self.closes, '')} ({self.days} days)"
        )


@dataclass(frozen=True)
class Stretch:
    """Days ``first``..``last`` (both inclusive) that no record covers."""

    first: date
    last: date

    @property
    def days(self) -> int:
        """Number of days in the stretch."""
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()} ({self.days} days)"


@dataclass
class CadenceJudgement:
    """What the intervals of an activity show for one period."""

    every_days: int
    grace_days: int
    occurrences: list[date]
    before: date | None
    intervals: list[Interval]
    breaches: list[Interval]
    uncovered: list[Stretch] = field(default_factory=list)
    coverage_judged: bool = False

    @property
    def allowed_days(self) -> int:
        """The longest interval allowed: the cadence plus its grace days."""
        return self.every_days + self.grace_days

    @property
    def known(self) -> bool:
        """Whether any occurrence is on record (in the period or before it)."""
        return bool(self.occurrences) or self.before is not None

    @property
    def longest(self) -> Interval | None:
        """The longest interval (the earliest of equals)."""
        return max(self.intervals, key=lambda i: (i.days, -i.start.toordinal()), default=None)

    @property
    def last(self) -> date | None:
        """The latest occurrence on record up to the as-of date."""
        return self.occurrences[-1] if self.occurrences else self.before

    @property
    def next_due(self) -> date | None:
        """When the next occurrence is due: the last one plus the cadence."""
        last = self.last
        return last + timedelta(days=self.every_days) if last is not None else None

    @property
    def held(self) -> bool:
        """Whether no interval breaks the cadence in the period and no due day is uncovered."""
        return self.known and not self.breaches and not self.uncovered


def judge_cadence(
    period: Period,
    as_of: date,
    every_days: int,
    dates: Iterable[date],
    *,
    grace_days: int = 0,
    ranges: Sequence[tuple[date, date]] | None = None,
) -> CadenceJudgement:
    """Judge the occurrences ``dates`` of an activity with a cadence of ``every_days``.

    ``ranges`` (when records say which days they cover) adds the coverage test: every day from
    the period's start to ``as_of`` minus the allowed interval must lie in some range.
    """
    if every_days <= 0:
        raise ValueError("a cadence must be a positive number of days")
    if grace_days < 0:
        raise ValueError("grace days cannot be negative")
    allowed = every_days + grace_days
    known = sorted({d for d in dates if d <= as_of})
    before = max((d for d in known if d < period.start), default=None)
    inside = [d for d in known if d >= period.start]
    intervals: list[Interval] = []
    start, opens = (before, "occurrence") if before is not None else (period.start, "period start")
    for occurrence in inside:
        if occurrence > start or opens == "period start":
            intervals.append(Interval(start, occurrence, opens, "occurrence"))
        start, opens = occurrence, "occurrence"
    intervals.append(Interval(start, as_of, opens, "as-of date"))
    intervals = [i for i in intervals if i.days > 0 or i.closes == "as-of date"]
    breaches = [interval for interval in intervals if interval.days > allowed]
    judgement = CadenceJudgement(
        every_days=every_days,
        grace_days=grace_days,
        occurrences=inside,
        before=before,
        intervals=intervals,
        breaches=breaches,
    )
    if ranges is not None:
        judgement.coverage_judged = True
        through = min(as_of - timedelta(days=allowed), period.end)
        judgement.uncovered = uncovered_days(period.start, through, ranges)
    return judgement


def uncovered_days(first: date, last: date, ranges: Sequence[tuple[date, date]]) -> list[Stretch]:
    """The stretches of ``first``..``last`` that none of ``ranges`` (inclusive) covers."""
    stretches: list[Stretch] = []
    cursor = first
    for start, end in sorted(ranges):
        if cursor > last:
            break
        if end < cursor:
            continue
        if start > cursor:
            stretches.append(Stretch(cursor, min(start - timedelta(days=1), last)))
        cursor = max(cursor, end + timedelta(days=1))
    if cursor <= last:
        stretches.append(Stretch(cursor, last))
    return stretches


def named(entries: Sequence[object]) -> str:
    """``a, b, c`` for at most :data:`NAMED` entries, then ``and N more``."""
    shown = ", ".join(str(e) for e in entries[:NAMED])
    more = len(entries) - NAMED
    return shown + (f" and {more} more" if more > 0 else "")


def item_date(item: EvidenceItem) -> date | None:
    """The day an item records the activity: its ``date`` fact, else the end of its range."""
    dated = fact_date(item.facts.get("date"))
    if dated is not None:
        return dated
    return item.covers_end.date() if item.covers_end is not None else None


def item_range(item: EvidenceItem) -> tuple[date, date] | None:
    """The days an item says it covers (both ends inclusive), or None when it does not say."""
    if item.covers_start is None or item.covers_end is None:
        return None
    return item.covers_start.date(), item.covers_end.date()


def fact_date(value: object) -> date | None:
    """Read a date from a fact holding an ISO date or timestamp (None when absent)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None
