"""One run of a job as any history format records it, and the timestamps every parser shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from enum import StrEnum
from typing import Any


class RunStatus(StrEnum):
    """What a history says about how a run ended."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    #: The history records that the run started but not how it ended (cron logs only starts).
    UNKNOWN = "unknown"
    RUNNING = "running"
    #: The scheduler decided not to run it (a systemd condition, an Airflow skip).
    SKIPPED = "skipped"

    @property
    def purged(self) -> bool:
        """Whether the run counts as having done its work (a success, or no recorded outcome)."""
        return self in (RunStatus.SUCCEEDED, RunStatus.UNKNOWN, RunStatus.RUNNING)


@dataclass
class JobRun:
    """A run found in a history; a job's ``match`` patterns are tested against its ``names``."""

    names: tuple[str, ...]
    started: datetime
    status: RunStatus
    origin: str
    location: str
    finished: datetime | None = None
    rows: int | None = None
    #: From a summary (a CronJob's last schedule time), which may repeat a run listed in full.
    summary: bool = False

    @property
    def label(self) -> str:
        """The name shown for the run: its first, most specific name."""
        return self.names[0]


@dataclass
class Coverage:
    """The span of time a history's records cover (every timestamped record, relevant or not)."""

    first: datetime | None = None
    last: datetime | None = None

    def see(self, moment: datetime | None) -> None:
        """Widen the span to include ``moment``."""
        if moment is None:
            return
        if self.first is None or moment < self.first:
            self.first = moment
        if self.last is None or moment > self.last:
            self.last = moment

    def merge(self, other: Coverage) -> None:
        """Widen the span to include ``other``."""
        self.see(other.first)
        self.see(other.last)


@dataclass
class FileResult:
    """What one parser made of one file."""

    runs: list[JobRun] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)


class TimestampError(ValueError):
    """A value that is not a timestamp this collector understands (the message never quotes it)."""


def parse_timestamp(value: Any, default_tz: tzinfo = UTC) -> datetime:
    """Read a UTC datetime from ISO 8601 text, Unix seconds, or a YAML datetime or date.

    Values without an offset are read in ``default_tz``. Raises TimestampError otherwise.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise TimestampError("empty timestamp")
        if _is_number(text):
            return _from_epoch(float(text))
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise TimestampError("not an ISO 8601 timestamp") from None
    else:
        raise TimestampError(f"expected a timestamp, found {type(value).__name__}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment.astimezone(UTC)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _from_epoch(seconds: float) -> datetime:
    if seconds > 1e14:  # microseconds (journald), then milliseconds
        seconds /= 1e6
    elif seconds > 1e11:
        seconds /= 1e3
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise TimestampError("Unix time out of range") from None


def iso(moment: datetime | None) -> str | None:
    """``2026-08-09T03:00:00Z``: how facts record instants (UTC, seconds)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
