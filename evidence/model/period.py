"""Review periods (a quarter, a month or a date range) and the instant judgements are made at."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|\s+to\s+)\s*(\d{4}-\d{2}-\d{2})$")


class Period(BaseModel):
    """An inclusive range of calendar days (UTC) that a review covers."""

    model_config = ConfigDict(frozen=True)

    label: str
    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        """The last instant of the period: the default 'as of' of every judgement."""
        return datetime.combine(self.end, time.max, tzinfo=UTC).replace(microsecond=0)

    @property
    def days(self) -> int:
        """Number of calendar days covered."""
        return (self.end - self.start).days + 1

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside the period."""
        return self.start_at <= moment <= self.end_at

    def previous(self) -> Period:
        """The period of the same length just before this one (the previous quarter for a quarter)."""
        quarter = _QUARTER.match(self.label)
        if quarter:
            year, q = int(quarter[1]), int(quarter[2])
            return parse_period(f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}")
        month = _MONTH.match(self.label)
        if month:
            first = self.start - timedelta(days=1)
            return parse_period(f"{first.year:04d}-{first.month:02d}")
        end = self.start - timedelta(days=1)
        start = end - timedelta(days=self.days - 1)
        return parse_period(f"{start.isoformat()}..{end.isoformat()}")

    def __str__(self) -> str:
        return f"{self.label} ({self.start.isoformat()} to {self.end.isoformat()})"


def parse_period(text: str) -> Period:
    """Parse ``2026-Q3``, ``2026-07`` or ``2026-07-01..2026-09-30`` (also ``/`` or `` to ``).

    Raises ValueError with a message meant for a user.
    """
    value = text.strip()
    if m := _QUARTER.match(value):
        year, q = int(m[1]), int(m[2])
        first_month = 3 * (q - 1) + 1
        last_month = first_month + 2
        end = date(year, last_month, calendar.monthrange(year, last_month)[1])
        return Period(label=f"{year}-Q{q}", start=date(year, first_month, 1), end=end)
    if m := _MONTH.match(value):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(f"period {text!r}: month must be 01-12")
        end = date(year, month, calendar.monthrange(year, month)[1])
        return Period(label=f"{year:04d}-{month:02d}", start=date(year, month, 1), end=end)
    if m := _RANGE.match(value):
        try:
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        except ValueError as exc:
            raise ValueError(f"period {text!r}: {exc}") from None
        if end < start:
            raise ValueError(f"period {text!r}: ends before it starts")
        return Period(label=f"{start.isoformat()}..{end.isoformat()}", start=start, end=end)
    raise ValueError(
        f"period {text!r} is not a quarter (2026-Q3), a month (2026-07) "
        "or a date range (2026-07-01..2026-09-30)"
    )


def parse_as_of(text: str) -> datetime:
    """Parse an ``--as-of`` date or timestamp; a bare date means the end of that day (UTC)."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.max, tzinfo=UTC).replace(
                microsecond=0
            )
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--as-of {text!r} is not a date (2026-09-30) or timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
