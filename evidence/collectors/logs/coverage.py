"""How completely a log covers the review period: gaps, days without logs, and the retention span.

Timestamps are kept per hour as the earliest and latest event of that hour, so memory stays
bounded (one entry per hour with events) while every gap of an hour or more is measured
exactly: inside an hour no gap can be that long, and between two hours with events the gap is
the later hour's earliest event minus the earlier hour's latest one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from evidence.model.period import Period

HOUR = 3600
DAY = 86400
#: How many gaps and empty days the facts list (the counts are always exact).
MAX_LISTED = 50


def iso(ts: int | None) -> str | None:
    """Epoch seconds as ``YYYY-MM-DDTHH:MM:SSZ`` (None stays None)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(day_number: int) -> str:
    return datetime.fromtimestamp(day_number * DAY, UTC).date().isoformat()


class Coverage:
    """Counts events per hour up to the as-of instant and measures the gaps between them."""

    def __init__(self, period: Period, as_of: datetime, max_gap_hours: float) -> None:
        self.window_start = int(period.start_at.timestamp())
        self.window_end = int(min(period.end_at, as_of).timestamp())
        self.as_of = int(as_of.timestamp())
        self.max_gap_hours = max_gap_hours
        self.hours: dict[int, list[int]] = {}
        self.total = 0
        self.in_period = 0
        self.after_as_of = 0

    def add(self, ts: int) -> None:
        """Record one event at epoch second ``ts`` (after the as-of instant: only counted)."""
        if ts > self.as_of:
            self.after_as_of += 1
            return
        self.total += 1
        if self.window_start <= ts <= self.window_end:
            self.in_period += 1
        hour = ts // HOUR
        bounds = self.hours.get(hour)
        if bounds is None:
            self.hours[hour] = [ts, ts]
        elif ts < bounds[0]:
            bounds[0] = ts
        elif ts > bounds[1]:
            bounds[1] = ts

    def merge(self, other: Coverage) -> None:
        """Add ``other``'s events (from another file of the same source) to these."""
        self.total += other.total
        self.in_period += other.in_period
        self.after_as_of += other.after_as_of
        for hour, (low, high) in other.hours.items():
            bounds = self.hours.get(hour)
            if bounds is None:
                self.hours[hour] = [low, high]
            else:
                bounds[0] = min(bounds[0], low)
                bounds[1] = max(bounds[1], high)

    def facts(self) -> dict[str, Any]:
        """First and last events, events in the period, gaps over the limit, days without logs."""
        ordered = sorted(self.hours.items())
        oldest = ordered[0][1][0] if ordered else None
        newest = ordered[-1][1][1] if ordered else None
        in_window = [
            (h, b) for h, b in ordered if b[1] >= self.window_start and b[0] <= self.window_end
        ]
        gaps = self._gaps(ordered)
        days = (self.window_end - self.window_start) // DAY + 1
        seen_days = {b[0] // DAY for _, b in in_window} | {b[1] // DAY for _, b in in_window}
        first_day = self.window_start // DAY
        empty = [d for d in range(first_day, first_day + days) if d not in seen_days]
        limit = self.max_gap_hours * HOUR
        over = [g for g in gaps if g[1] - g[0] > limit]
        return {
            "events_total": self.total,
            "events_after_as_of": self.after_as_of,
            "events_in_period": self.in_period,
            "oldest_event": iso(oldest),
            "newest_event": iso(newest),
            "first_in_period": iso(max(in_window[0][1][0], self.window_start))
            if in_window
            else None,
            "last_in_period": iso(min(in_window[-1][1][1], self.window_end)) if in_window else None,
            "window_start": iso(self.window_start),
            "window_end": iso(self.window_end),
            "days_in_period": days,
            "days_with_logs": days - len(empty),
            "days_without_logs": len(empty),
            "empty_days": [_day(d) for d in empty[:MAX_LISTED]],
            "max_gap_hours": self.max_gap_hours,
            "longest_gap_hours": round(max((g[1] - g[0] for g in gaps), default=0) / HOUR, 2),
            "gaps_over_limit": len(over),
            "gaps": [
                {"start": iso(a), "end": iso(b), "hours": round((b - a) / HOUR, 2)}
                for a, b in over[:MAX_LISTED]
            ],
            "retention_days_available": (self.as_of - oldest) // DAY if oldest is not None else 0,
        }

    def complete_days(self) -> list[str]:
        """Days (ISO) on which the log has no silence over the limit, up to the window's end.

        Inside the window its edges count as events (as :meth:`facts` measures gaps); before
        the window, the log counts from its oldest event on. A change log is complete on these
        days: a change made on them would be in it.
        """
        ordered = sorted(self.hours.items())
        if not ordered:
            return []
        limit = self.max_gap_hours * HOUR
        spans = [(self.window_start, self.window_end)]
        oldest = ordered[0][1][0]
        if oldest < self.window_start:
            spans.insert(0, (oldest, self.window_start - 1))
        days: list[str] = []
        for start, end in spans:
            bad = {
                day
                for low, high in self._gaps(ordered, start, end)
                if high - low > limit
                for day in range(low // DAY, (high - 1) // DAY + 1)
            }
            first = -(-start // DAY)  # the oldest event's own day is complete only from midnight
            first = start // DAY if start == self.window_start else first
            days.extend(_day(d) for d in range(first, end // DAY + 1) if d not in bad)
        return days

    def _gaps(
        self, ordered: list[tuple[int, list[int]]], start: int | None = None, end: int | None = None
    ) -> list[tuple[int, int]]:
        """Silent stretches that overlap the window, clipped to it (edges included)."""
        start = self.window_start if start is None else start
        end = self.window_end if end is None else end
        gaps: list[tuple[int, int]] = []
        previous = start
        for _, (low, high) in ordered:
            if high < start:
                continue
            if low > end:
                break
            if low > previous:
                gaps.append((previous, low))
            previous = max(previous, high)
        if end > previous:
            gaps.append((previous, end))
        return gaps
