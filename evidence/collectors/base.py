"""The collector plugin contract: a class generic over its own pydantic settings model.

A collector reads one kind of input and yields :class:`EvidenceItem` objects, each with parse
statistics. It knows nothing about controls. Built-in and third-party collectors alike are
found through the ``evidence.collectors`` entry-point group (see :mod:`registry`).
"""

from __future__ import annotations

import typing
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from evidence.collectors.inputs import inside, open_text
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput, stable_evidence_id
from evidence.model.facts import Facts, canonical_facts
from evidence.model.period import Period
from evidence.model.progress import SILENT, Progress
from evidence.redact import Redactor


def redacted_lines(path: Path, redact: Callable[[str], str]) -> Iterator[bytes]:
    """A text input (decompressed) copied line by line through ``redact``, as UTF-8 chunks."""
    with open_text(path) as reader:
        for _, line in reader:
            yield redact(line).encode("utf-8")


class CollectorSettings(BaseModel):
    """Base of every collector's settings: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


SettingsT = TypeVar("SettingsT", bound=CollectorSettings)


@dataclass
class CollectorContext:
    """What a collector may know about the run it is part of."""

    source: str
    base_dir: Path
    period: Period
    as_of: datetime
    redactor: Redactor
    progress: Progress = SILENT
    collected_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def resolve(self, path: Path | str) -> Path:
        """A path from the settings, made absolute against the config's folder.

        A relative path may not lead out of that folder (InputError); an absolute one may.
        """
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else inside(self.base_dir, candidate)


class Collector(ABC, Generic[SettingsT]):
    """Base class of collectors. Subclasses set the class variables and implement :meth:`collect`.

    ``Collector[MySettings]`` binds the settings model; :meth:`settings_model` returns it.
    """

    #: The collector id; equal to its entry-point name.
    id: ClassVar[str]
    #: One line shown by ``evidence collectors``.
    description: ClassVar[str]
    #: Evidence kinds this collector can produce (docs/evidence-kinds.md).
    produces: ClassVar[tuple[str, ...]]
    #: The settings key that ``evidence inspect COLLECTOR PATH...`` fills with its paths.
    paths_setting: ClassVar[str | None] = "paths"
    #: How far the tool vouches for what this collector reads: ``observed`` (a live system),
    #: ``exported`` (system-generated files the user supplied) or ``attested`` (documents and
    #: declarations). A collector that does not say is attested: it can never verify a control.
    assurance: ClassVar[Assurance] = Assurance.ATTESTED
    #: Whether the collector reads settings as they are now, so `evidence collect --snapshot`
    #: runs it to add a dated snapshot (the cloud-settings collectors).
    snapshot: ClassVar[bool] = False

    _settings_model: ClassVar[type[CollectorSettings]] = CollectorSettings

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            if typing.get_origin(base) is Collector:
                (model,) = typing.get_args(base)
                if isinstance(model, type) and issubclass(model, CollectorSettings):
                    cls._settings_model = model

    def __init__(self, settings: SettingsT, context: CollectorContext) -> None:
        self.settings = settings
        self.context = context

    @classmethod
    def settings_model(cls) -> type[CollectorSettings]:
        """The pydantic model this collector's settings are validated against."""
        return cls._settings_model

    @abstractmethod
    def collect(self) -> Iterator[EvidenceItem]:
        """Read the inputs and yield evidence items (each carrying its own parse statistics)."""

    def redacted_copy(self, location: str) -> Iterator[bytes] | None:
        """Chunks of a redacted copy of a raw input, or None when it cannot be copied safely.

        A raw input that is a file is copied through :meth:`redacted_file`; any other location
        (an API call, a live probe) has no copy unless the collector overrides this.
        """
        path = Path(location)
        return self.redacted_file(path) if path.is_file() else None

    def redacted_file(self, path: Path) -> Iterator[bytes] | None:
        """A redacted copy of the input file ``path``, or None when it cannot be copied safely.

        The default treats the input as text (decompressing .gz/.bz2) and scrubs every line.
        Collectors of structured inputs override this to redact by field.
        """
        return self._scrubbed_lines(path)

    def _scrubbed_lines(self, path: Path) -> Iterator[bytes]:
        return redacted_lines(path, self.context.redactor.scrub)

    # Helpers for subclasses -------------------------------------------------------------

    def item(
        self,
        kind: str,
        subject: str,
        facts: Facts | dict[str, Any],
        *,
        stats: ParseStats | None = None,
        raw_inputs: list[RawInput] | None = None,
        location: str | None = None,
        covers: tuple[datetime | None, datetime | None] = (None, None),
        redactions: Mapping[str, int] | None = None,
    ) -> EvidenceItem:
        """Build an evidence item with a stable id; facts must already be redacted.

        ``facts`` is the kind's fact model (:mod:`evidence.model.facts`) or a dict that must fit
        it; the item keeps the model's canonical dump.

        ``redactions`` counts what was replaced while producing the facts (see
        :meth:`redaction_counts`), so the item records what was redacted.
        """
        raw = raw_inputs or []
        return EvidenceItem(
            id=stable_evidence_id(self.context.source, kind, subject, [r.sha256 for r in raw]),
            kind=kind,
            collector=self.id,
            source=self.context.source,
            subject=subject,
            location=location or (raw[0].location if raw else subject),
            collected_at=self.context.collected_at,
            covers_start=covers[0],
            covers_end=covers[1],
            raw_inputs=raw,
            facts=canonical_facts(kind, facts, where=f"collector {self.id}, {kind} item {subject!r}"),
            redactions=dict(redactions or {}),
            stats=stats or ParseStats(),
            assurance=self.assurance,
        )

    def redaction_counts(self, since: Counter[str] | None = None) -> Counter[str]:
        """Redactions made by this collector's redactor, or those made after the ``since`` snapshot."""
        now = Counter(self.context.redactor.counts)
        return now - since if since is not None else now

    def failed(self, kind: str, subject: str, message: str, location: str | None = None) -> EvidenceItem:
        """An item saying the source could not be read; it makes its controls insufficient."""
        return EvidenceItem(
            id=stable_evidence_id(self.context.source, kind, subject),
            kind=kind,
            collector=self.id,
            source=self.context.source,
            subject=subject,
            location=location or subject,
            collected_at=self.context.collected_at,
            error=message,
            assurance=self.assurance,
        )
