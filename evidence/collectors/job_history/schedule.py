"""Declared retention jobs and their schedule adherence: expected, actual, missed, failed, gaps.

A job declares a cron expression or a fixed interval. Over the review period (up to as-of)
each scheduled time is a *slot*. A run that starts within the tolerance of a slot fills it:
a slot with a successful run ran; one whose runs have no recorded outcome (cron logs starts
only) is *unknown*, never counted as ran; one with only failed runs failed; one with no run was
missed. Slots outside the time the history covers are *uncovered*: the history cannot say
either way. The longest gap is measured between runs known to have worked, from the period
start (or the last such run before it) to as-of; a gap longer than the interval that holds runs
of unknown outcome is not proven either way, and says how many it holds.
"""

from __future__ import annotations

import fnmatch
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from croniter import croniter  # type: ignore[import-untyped]  # croniter ships no stubs
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from evidence.collectors.job_history.runs import JobRun, RunStatus
from evidence.collectors.timestamps import ZoneName, iso

_DURATION = re.compile(
    r"^\s*(?:(?P<w>\d+)\s*w)?\s*(?:(?P<d>\d+)\s*d)?\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m)?\s*$"
)
#: Runs kept in the facts per job (the counts are always exact).
MAX_RUNS_KEPT = 2000


def parse_duration(value: Any) -> timedelta:
    """Read ``7d``, ``1w``, ``12h``, ``1d12h``, ``90m`` or a number of hours as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(hours=float(value))
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not match or not any(match.groupdict().values()):
        raise ValueError("expected a duration such as 7d, 1w, 12h, 1d12h or 90m")
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    return timedelta(
        weeks=parts.get("w", 0),
        days=parts.get("d", 0),
        hours=parts.get("h", 0),
        minutes=parts.get("m", 0),
    )


class JobSpec(BaseModel):
    """A retention job as the config declares it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    purges: Literal["pii", "non-pii", "backups"]
    schedule: str | None = Field(default=None, description="cron expression, e.g. '0 3 * * 0'")
    every: timedelta | None = Field(default=None, description="fixed interval, e.g. '1d' or '7d'")
    timezone: ZoneName = "UTC"
    match: list[str] = Field(
        default_factory=list, description="glob patterns matched against run names"
    )
    tolerance: timedelta | None = None

    @field_validator("every", "tolerance", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta | None:
        return None if value is None else parse_duration(value)

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None and not croniter.is_valid(value):
            raise ValueError(
                "not a valid cron expression (five fields: minute hour day month weekday)"
            )
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> JobSpec:
        if (self.schedule is None) == (self.every is None):
            raise ValueError(
                "give exactly one of schedule (a cron expression) or every (an interval)"
            )
        if self.every is not None and self.every <= timedelta(0):
            raise ValueError("every must be longer than zero")
        return self

    @property
    def patterns(self) -> list[str]:
        """The glob patterns that select this job's runs (its own name when none are given)."""
        return self.match or [self.name]

    def matches(self, run: JobRun) -> bool:
        """Whether any of the run's names matches any pattern (case-sensitive globs)."""
        return any(
            fnmatch.fnmatchcase(name, pattern) for name in run.names for pattern in self.patterns
        )

    def describe(self) -> str:
        """Describe the schedule: ``cron 0 3 * * 0 UTC`` or ``every 7 days``."""
        if self.schedule is not None:
            return f"cron {self.schedule} {self.timezone}"
        assert self.every is not None
        return f"every {_span(self.every)}"

    def slots(self, start: datetime, end: datetime) -> list[datetime]:
        """Scheduled times in ``[start, end]`` (UTC). Intervals count from ``start``."""
        if self.every is not None:
            found, moment = [], start
            while moment <= end:
                found.append(moment)
                moment += self.every
            return found
        zone = ZoneInfo(self.timezone)
        iterator = croniter(self.schedule, start.astimezone(zone) - timedelta(seconds=1))
        found = []
        while (moment := iterator.get_next(datetime).astimezone(UTC)) <= end:
            found.append(moment)
        return found

    def interval(self, start: datetime, end: datetime) -> timedelta:
        """Return the longest time between two consecutive scheduled runs (the job's interval)."""
        if self.every is not None:
            return self.every
        horizon = self.slots(start, max(end, start + timedelta(days=35)))
        gaps = [b - a for a, b in zip(horizon, horizon[1:], strict=False)]
        return max(gaps) if gaps else end - start

    def window(self, interval: timedelta) -> timedelta:
        """How far from its slot a run may start and count (default: interval / 4, at most 12 h)."""
        return (
            self.tolerance if self.tolerance is not None else min(interval / 4, timedelta(hours=12))
        )


@dataclass
class Adherence:
    """Schedule adherence of one job over a window."""

    expected: int = 0
    ran: int = 0
    missed: list[datetime] = field(default_factory=list)
    failed: list[datetime] = field(default_factory=list)
    unknown: list[datetime] = field(default_factory=list)
    uncovered: list[datetime] = field(default_factory=list)
    skipped: list[datetime] = field(default_factory=list)
    unscheduled: int = 0
    gaps_over: list[tuple[datetime, datetime, int]] = field(default_factory=list)
    longest_gap: tuple[datetime, datetime] | None = None


def schedule_adherence(
    spec: JobSpec,
    runs: Sequence[JobRun],
    start: datetime,
    end: datetime,
    covered: tuple[datetime | None, datetime | None],
) -> dict[str, Any]:
    """Measure one job over ``[start, end]`` (period start to as-of): its job-runs facts."""
    interval = spec.interval(start, end)
    tolerance = spec.window(interval)
    ordered = sorted(runs, key=lambda r: r.started)
    in_window = [r for r in ordered if start - tolerance <= r.started <= end]
    starts = [r.started for r in in_window]
    slots = [
        s for s in spec.slots(start, end) if s + tolerance <= end or _near(starts, s, tolerance)
    ]
    result = Adherence(expected=len(slots))
    used: set[int] = set()
    cover_from, cover_to = covered
    for slot in slots:
        near = [i for i in _near(starts, slot, tolerance) if i not in used]
        used.update(near)
        statuses = [in_window[i].status for i in near]
        if any(s.purged for s in statuses):
            result.ran += 1
        elif any(s.unknown for s in statuses):
            result.unknown.append(slot)
        elif RunStatus.FAILED in statuses:
            result.failed.append(slot)
        elif (
            cover_from is None or cover_to is None or not cover_from <= slot <= cover_to - tolerance
        ):
            # A run may start up to the tolerance after its slot: the history must reach that far
            # before it can show the run did not happen.
            result.uncovered.append(slot)
        elif RunStatus.SKIPPED in statuses:
            result.skipped.append(slot)
            result.missed.append(slot)
        else:
            result.missed.append(slot)
    result.unscheduled = sum(
        1 for i, r in enumerate(in_window) if i not in used and r.started >= start
    )
    if cover_from is not None and cover_to is not None:
        # Only the covered stretch can show a gap; what lies outside it is "uncovered" above.
        _gaps(
            result,
            ordered,
            max(start, cover_from),
            min(end, cover_to),
            interval + tolerance,
        )
    kept = [r for r in in_window if r.started >= start]
    unknown_runs = [r.started for r in kept if r.status.unknown]
    longest = result.longest_gap
    return {
        "job": spec.name,
        "purges": spec.purges,
        "schedule": spec.describe(),
        "interval_hours": _hours(interval),
        "tolerance_hours": _hours(tolerance),
        "expected": result.expected,
        "actual": len(kept),
        "ran": result.ran,
        "succeeded": sum(1 for r in kept if r.status is RunStatus.SUCCEEDED),
        "outcome_unknown": len(unknown_runs),
        "unknown_runs": [iso(s) for s in unknown_runs[:MAX_RUNS_KEPT]],
        "failed_runs": sum(1 for r in kept if r.status is RunStatus.FAILED),
        "missed": [iso(s) for s in result.missed],
        "failed": [iso(s) for s in result.failed],
        "unknown": [iso(s) for s in result.unknown],
        "skipped": [iso(s) for s in result.skipped],
        "uncovered": [iso(s) for s in result.uncovered],
        "unscheduled": result.unscheduled,
        "longest_gap_hours": _hours(longest[1] - longest[0]) if longest else None,
        "longest_gap": {"from": iso(longest[0]), "to": iso(longest[1])} if longest else None,
        "gaps_over_interval": [
            {"from": iso(a), "to": iso(b), "hours": _hours(b - a), "unknown_runs": unknown}
            for a, b, unknown in result.gaps_over
        ],
        "rows_affected": _total_rows(kept),
        "first_run": iso(kept[0].started) if kept else None,
        "last_run": iso(kept[-1].started) if kept else None,
        "runs": [_run_facts(r) for r in kept[:MAX_RUNS_KEPT]],
        "runs_truncated": len(kept) > MAX_RUNS_KEPT,
    }


def _near(starts: Sequence[datetime], slot: datetime, tolerance: timedelta) -> list[int]:
    """Indexes of the (sorted) start times within ``tolerance`` of ``slot``."""
    return list(
        range(bisect_left(starts, slot - tolerance), bisect_right(starts, slot + tolerance))
    )


def _gaps(
    result: Adherence, ordered: Sequence[JobRun], start: datetime, end: datetime, allowed: timedelta
) -> None:
    """Find the longest stretch without a run known to have worked, and every one over ``allowed``.

    Each stretch over ``allowed`` carries how many runs of unknown outcome started inside it:
    with none it is a proven gap, with some nobody can tell.
    """
    good = [r.started for r in ordered if r.status.purged and r.started <= end]
    unknown = [r.started for r in ordered if r.status.unknown and r.started <= end]
    if end <= start:
        return
    before = [moment for moment in good if moment < start]
    anchors = [before[-1] if before else start, *[m for m in good if m >= start], end]
    longest: tuple[datetime, datetime] | None = None
    for a, b in zip(anchors, anchors[1:], strict=False):
        if longest is None or b - a > longest[1] - longest[0]:
            longest = (a, b)
        if b - a > allowed:
            inside = bisect_left(unknown, b) - bisect_right(unknown, a)
            result.gaps_over.append((a, b, inside))
    result.longest_gap = longest


def _run_facts(run: JobRun) -> dict[str, Any]:
    return {
        "started": iso(run.started),
        "finished": iso(run.finished),
        "status": run.status.value,
        "rows": run.rows,
    }


def _total_rows(runs: Sequence[JobRun]) -> int | None:
    counted = [r.rows for r in runs if r.rows is not None]
    return sum(counted) if counted else None


def _hours(span: timedelta) -> float:
    return round(span.total_seconds() / 3600, 2)


def _span(span: timedelta) -> str:
    if span % timedelta(weeks=1) == timedelta(0):
        weeks = span // timedelta(weeks=1)
        return "week" if weeks == 1 else f"{weeks} weeks"
    if span % timedelta(days=1) == timedelta(0):
        days = span.days
        return "day" if days == 1 else f"{days} days"
    hours = span.total_seconds() / 3600
    return "hour" if hours == 1 else f"{hours:g} hours"
