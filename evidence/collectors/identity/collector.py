"""The base of the identity-log collectors: read records, feed the access facts, add ``identity``.

A provider collector names its envelopes and supplies a reader whose ``record(event, line)``
applies one event to the source's :class:`LogState` and :class:`IdentityEvents`, returning the
reason when the event cannot be used. Everything else (files in order, rejected files,
coverage, pseudonyms, the items) is the log collectors' shared machinery.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Protocol

from evidence.collectors.identity.copies import redacted_csv, redacted_json
from evidence.collectors.identity.events import IdentityEvents
from evidence.collectors.identity.records import Clock, Fast, read_records
from evidence.collectors.logs.base import ACTIVITY, COVERAGE, FileLogCollector, LogSourceSettings, LogState
from evidence.model.evidence import EvidenceItem, RawInput

PATTERNS = ("*.json", "*.jsonl", "*.ndjson", "*.json.gz", "*.jsonl.gz", "*.ndjson.gz")


class IdentityLogSettings(LogSourceSettings):
    """Export files or folders, plus the organisation's ``[access]`` settings (people, PII apps)."""


class EventReader(Protocol):
    """Applies one provider event to the source's state."""

    def record(self, event: dict[str, Any], line: int) -> str | None:
        """Use ``event`` (found at ``line``); the reason when it cannot be used, else None."""


class IdentityLogCollector(FileLogCollector[IdentityLogSettings]):
    """Shared reading of identity-provider exports into ``access.activity`` and coverage."""

    produces: ClassVar[tuple[str, ...]] = (ACTIVITY, COVERAGE)
    default_channel = "identity"
    patterns: ClassVar[tuple[str, ...]] = PATTERNS
    #: Keys of API envelopes holding a list of events (``value``, ``items``...).
    envelopes: ClassVar[tuple[str, ...]] = ()
    #: The provider's fast path for lines of the usual shape (None: every line fully parsed).
    fast: ClassVar[Fast | None] = None

    def collect(self) -> Iterator[EvidenceItem]:
        """Read every file; the identity events of the source are gathered on the way."""
        period = self.context.period
        end = min(period.end_at, self.context.as_of)
        self.events = IdentityEvents(self.source_type, int(period.start_at.timestamp()), int(end.timestamp()))
        self.clock = Clock()
        yield from super().collect()

    @abstractmethod
    def reader(self, state: LogState, path: str) -> EventReader:
        """The provider's reader of one file's events."""

    def read_file(self, path: Path, state: LogState) -> RawInput:
        """Stream one export into ``state``."""
        reader = self.reader(state, str(path))
        return read_records(path, self.envelopes, reader.record, state.stats, self.fast)

    def activity_extras(self) -> dict[str, Any]:
        """The provider's ``identity`` facts, carried by the activity item."""
        return {"identity": self.events.facts(self.context.redactor)}

    def redacted_file(self, path: Path) -> Iterator[bytes]:
        """The export with every person's identifier pseudonymised and names removed."""
        if path.suffix.lower() == ".csv":
            return redacted_csv(path, self.context.redactor)
        return redacted_json(path, self.context.redactor)


def seen(state: LogState, ts: int, principal: str | None, address: str | None = None) -> None:
    """Count an action of ``principal`` (no one: nothing) at ``ts`` as activity."""
    if principal:
        state.access.activity(ts, principal, address)
