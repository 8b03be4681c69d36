"""One run of a job as any history format records it, and the timestamps every parser shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


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
        """Whether the run is known to have done its work: only a recorded success is."""
        return self is RunStatus.SUCCEEDED

    @property
    def unknown(self) -> bool:
        """Whether the history does not say how the run ended (no outcome, or still running)."""
        return self in (RunStatus.UNKNOWN, RunStatus.RUNNING)


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
