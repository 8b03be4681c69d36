"""What every log collector shares: settings, the per-source state, file reading and the items.

A log collector reads its files one at a time (streaming), feeds an :class:`AccessAggregator`,
a :class:`Coverage` and a :class:`PiiScanner`, and yields three items per source:
``access.activity``, ``logging.coverage`` and ``logging.pii_in_logs``. A file that cannot be
read is rejected as ``file:line: reason`` and the other files are kept.

Three layers, so that no collector has to stub what it does not use:

- :class:`LogCollector`: settings, the source's files, subject and items (CloudTrail, which parses
  files in worker processes and copies them by record, builds on this alone);
- :class:`FileLogCollector`: reads the files in order and rejects the unreadable ones;
- :class:`LineLogCollector`: opens each file as text (:func:`open_text`: size limits, FIFOs and
  devices refused, ``.gz``/``.bz2`` read) and hands its numbered lines to the collector; its
  redacted copies go line by line through the collector's :meth:`~LineLogCollector.line_redactor`.
"""

from __future__ import annotations

import re
import typing
from abc import abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from evidence.collectors.access_facts import AccessAggregator
from evidence.collectors.base import Collector, CollectorContext, CollectorSettings, redacted_lines
from evidence.collectors.inputs import expand_paths, open_text, paused_gc
from evidence.collectors.logs.coverage import Coverage
from evidence.collectors.logs.pii import PiiScanner
from evidence.collectors.logs.syslog_repeats import LastMessages
from evidence.errors import InputError
from evidence.model.access import AccessPolicy
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput
from evidence.model.facts import Facts

ACTIVITY = "access.activity"
COVERAGE = "logging.coverage"
PII = "logging.pii_in_logs"


class LogSourceSettings(CollectorSettings, AccessPolicy):
    """Input paths and the channel of a log source, plus the organisation's ``[access]`` settings.

    The pipeline fills the ``[access]`` keys from evidence.toml; a source may override them.
    """

    paths: list[Path] = Field(min_length=1)
    channel: str | None = None


class ZonedLogSettings(LogSourceSettings):
    """A log whose timestamps may lack a zone: ``timezone`` (IANA name) is the host's."""

    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/London)"
            ) from None
        return value


SettingsT = TypeVar("SettingsT", bound=LogSourceSettings)


@dataclass
class LogState:
    """Everything one source accumulates while its files are read."""

    access: AccessAggregator
    coverage: Coverage
    pii: PiiScanner
    stats: ParseStats
    raw_inputs: list[RawInput] = field(default_factory=list)
    files_rejected: int = 0
    #: Syslog's last message per host and program, which a repeat line in the next file may copy.
    previous: LastMessages = field(default_factory=LastMessages)

    @classmethod
    def new(
        cls, settings: LogSourceSettings, context: CollectorContext, *, deferred: bool = False
    ) -> LogState:
        """Empty state for a source (``deferred`` keeps login attempts for an ordered replay)."""
        return cls(
            access=AccessAggregator(settings, context.period, context.as_of, deferred=deferred),
            coverage=Coverage(context.period, context.as_of, settings.max_gap_hours),
            pii=PiiScanner(list(settings.name_fields)),
            stats=ParseStats(scope=context.source),
        )

    def reject(self, where: Path | str, line: int, reason: str) -> None:
        """Reject one line (or record) of a file as ``file:line`` with the reason."""
        self.stats.reject(f"{where}:{line}", reason)

    def reject_file(self, where: Path | str, line: int | None, reason: str) -> None:
        """Reject a whole file, naming the line where reading stopped (the first when unknown)."""
        self.files_rejected += 1
        self.reject(where, line or 1, reason)


class LogCollector(Collector[SettingsT]):
    """Base of the log collectors: the source's files, its subject and its items; ``source_type`` is the id."""

    #: Logs are system-generated files the user supplied.
    assurance: ClassVar[Assurance] = Assurance.EXPORTED

    produces: ClassVar[tuple[str, ...]] = (ACTIVITY, COVERAGE, PII)
    #: The channel a source covers unless its settings say otherwise.
    default_channel: ClassVar[str]
    #: File name patterns read from folders.
    patterns: ClassVar[tuple[str, ...]] = ("*",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):  # LogCollector[MySettings] binds the model
            origin = typing.get_origin(base)
            if isinstance(origin, type) and issubclass(origin, LogCollector):
                (model,) = typing.get_args(base)
                if isinstance(model, type) and issubclass(model, LogSourceSettings):
                    cls._settings_model = model

    @property
    def source_type(self) -> str:
        """What the facts call this kind of log (``cloudtrail``, ``auth-log``...): the collector id."""
        return self.id

    def subject(self) -> str:
        """The subject of the source's log items."""
        return f"{self.source_type} logs of source {self.context.source}"

    def input_files(self) -> list[Path]:
        """List the configured files, folders expanded, oldest rotated file first."""
        found = expand_paths([self.context.resolve(p) for p in self.settings.paths], self.patterns)
        return sorted(dict.fromkeys(found), key=rotation_key)

    def source_location(self) -> str:
        """Where the source's events are (its first configured path)."""
        return str(self.context.resolve(self.settings.paths[0]))

    def activity_extras(self) -> dict[str, Any]:
        """Facts a kind of log adds to its ``access.activity`` item (an identity provider's ``identity``)."""
        return {}

    def items(self, state: LogState, files: int, before: Counter[str]) -> Iterator[EvidenceItem]:
        """Build the ``access.activity``, ``logging.coverage`` and ``logging.pii_in_logs`` items.

        Only the kinds in :attr:`produces` are yielded (an identity provider's log carries no
        buyer data to scan, so those collectors leave ``logging.pii_in_logs`` out).
        """
        channel = self.settings.channel or self.default_channel
        coverage = state.coverage.facts()
        covers = (_moment(coverage["oldest_event"]), _moment(coverage["newest_event"]))
        common = {
            "files": files,
            "files_read": len(state.raw_inputs),
            "files_rejected": state.files_rejected,
        }
        activity = {
            **state.access.facts(self.context.redactor, self.source_type, channel),
            "events_in_period": coverage["events_in_period"],
            "newest_event": coverage["newest_event"],
            **common,
            **self.activity_extras(),
        }
        coverage.update(
            source_type=self.source_type,
            channel=channel,
            expected_channels=sorted(set(self.settings.channels)),
            operating_since=self.settings.operating_since.isoformat()
            if self.settings.operating_since
            else None,
            **common,
        )
        pii = {**state.pii.facts(), "source_type": self.source_type, "channel": channel, **common}
        redactions = self.redaction_counts(before)
        subject = self.subject()
        for kind, facts in ((ACTIVITY, activity), (COVERAGE, coverage), (PII, pii)):
            if kind not in self.produces:
                continue
            yield self.state_item(kind, subject, facts, state, covers=covers, redactions=redactions)

    def state_item(
        self, kind: str, subject: str, facts: Facts | dict[str, Any], state: LogState, **extra: Any
    ) -> EvidenceItem:
        """An item of the source: its statistics and raw inputs (copies) as they stand, its location."""
        return self.item(
            kind,
            subject,
            facts,
            stats=state.stats.model_copy(deep=True),
            raw_inputs=[r.model_copy() for r in state.raw_inputs],
            location=self.source_location(),
            **extra,
        )


class FileLogCollector(LogCollector[SettingsT]):
    """A log collector that reads its files one after the other, oldest first."""

    def collect(self) -> Iterator[EvidenceItem]:
        """Read every file (rejecting the unreadable ones) and yield the source's items."""
        files = self.input_files()
        before = Counter(self.context.redactor.counts)
        state = LogState.new(self.settings, self.context)
        for path in files:
            try:
                with paused_gc():
                    state.raw_inputs.append(self.read_file(path, state))
            except InputError as exc:
                state.reject_file(path, exc.line, exc.reason)
        self.finish(state)
        yield from self.items(state, len(files), before)

    @abstractmethod
    def read_file(self, path: Path, state: LogState) -> RawInput:
        """Stream one file into ``state``; raise InputError when the file cannot be read at all."""

    def finish(self, state: LogState) -> None:
        """Apply what needs every file read first (sign-ins joined to their sessions); default none."""


class LineLogCollector(FileLogCollector[SettingsT]):
    """A log collector of text files: each file is opened here and its numbered lines parsed."""

    def read_file(self, path: Path, state: LogState) -> RawInput:
        """Open ``path`` as text (limits enforced, compressed files read) and parse its lines."""
        with open_text(path) as lines:
            self.read_lines(str(path), iter(lines), state)
            return lines.raw_input()

    @abstractmethod
    def read_lines(self, path: str, lines: Iterator[tuple[int, str]], state: LogState) -> None:
        """Parse one file's numbered lines into ``state``, rejecting bad ones with ``state.reject``."""

    def redacted_file(self, path: Path) -> Iterator[bytes]:
        """A copy of the file, each line passed through :meth:`line_redactor`."""
        return redacted_lines(path, self.line_redactor())

    def line_redactor(self) -> Callable[[str], str]:
        """What turns one line of this log into its redacted copy (default: PII scrubbed)."""
        return self.context.redactor.scrub


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


_ROTATED = re.compile(r"^(?P<base>.*?)(?:[.-](?P<n>\d{1,3}))?(?P<ext>\.gz|\.bz2)?$")


def rotation_key(path: Path) -> tuple[str, str, int, str]:
    """Sort rotated files oldest first: ``x.log.3.gz``, ``x.log.2``, ``x.log.1``, ``x.log``.

    Date-stamped names (``x.log-20260901``) sort by their date as they are.
    """
    match = _ROTATED.match(path.name)
    assert match is not None  # the pattern matches every name
    number = int(match["n"]) if match["n"] else 0
    return (str(path.parent), match["base"], -number, path.name)


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


def yearless(
    month: str, day: int, clock: str, as_of: datetime, year: int | None = None, zone: tzinfo = UTC
) -> datetime:
    """Date a syslog time without a year (``Sep  6 09:57:21``) in the year not after as-of.

    Logs are read after they were written, so a date later than the as-of instant (by more
    than a day, allowing for time zones) belongs to the year before. ``year`` overrides this.
    The clock is read in ``zone`` (the host's time zone) and returned in UTC.
    """
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    month_number = _MONTHS[month.lower()]
    chosen = year if year is not None else as_of.year
    moment = datetime(chosen, month_number, day, hours, minutes, seconds, tzinfo=zone)
    if year is None and moment > as_of + timedelta(days=1):
        moment = moment.replace(year=chosen - 1)
    return moment.astimezone(UTC)


def month_known(month: str) -> bool:
    """Whether ``month`` is an English three-letter month abbreviation."""
    return month.lower() in _MONTHS
