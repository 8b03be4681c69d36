"""The evidence item: what a collector found, where it came from, and the hashes that pin it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from evidence.model.assurance import Assurance
from evidence.model.canonical import canonical_json, facts_digest, sha256_hex
from evidence.model.facts import F, parse_facts

#: How many rejects are kept verbatim per evidence item; the count is always exact.
MAX_REJECTS_KEPT = 20


class Reject(BaseModel):
    """A record that could not be parsed: ``location`` is ``file:line``, ``reason`` never quotes data."""

    model_config = ConfigDict(frozen=True)

    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


class ParseStats(BaseModel):
    """Counts of what a collector read: kept, skipped (not relevant) and rejected (malformed).

    ``scope`` names what the counts cover (a file, a register, a whole source). Items that share
    one input carry the same scope, so totals count each scope once.
    """

    scope: str | None = None
    read: int = 0
    kept: int = 0
    skipped: int = 0
    rejected: int = 0
    rejects: list[Reject] = Field(default_factory=list)

    def keep(self, count: int = 1) -> None:
        """Count records that were read and used."""
        self.read += count
        self.kept += count

    def skip(self, count: int = 1) -> None:
        """Count records that were read and are not relevant to this collector."""
        self.read += count
        self.skipped += count

    def reject(self, location: str, reason: str) -> None:
        """Count a malformed record; the first :data:`MAX_REJECTS_KEPT` are kept as ``file:line``."""
        self.read += 1
        self.rejected += 1
        if len(self.rejects) < MAX_REJECTS_KEPT:
            self.rejects.append(Reject(location=location, reason=reason))

    def merge(self, other: ParseStats) -> None:
        """Add ``other``'s counts to these."""
        self.read += other.read
        self.kept += other.kept
        self.skipped += other.skipped
        self.rejected += other.rejected
        room = MAX_REJECTS_KEPT - len(self.rejects)
        self.rejects.extend(other.rejects[: max(room, 0)])

    @property
    def reject_ratio(self) -> float:
        """Share of the relevant records (kept + rejected) that were rejected."""
        relevant = self.kept + self.rejected
        return self.rejected / relevant if relevant else 0.0


class RawInput(BaseModel):
    """One raw input (a file or a live endpoint) and what the store kept of it."""

    location: str
    sha256: str
    size: int
    stored_sha256: str | None = None
    stored_path: str | None = None
    stored_note: str | None = None


class EvidenceItem(BaseModel):
    """A unit of evidence: normalised facts of one ``kind`` from one source, with provenance.

    ``id`` is stable: the same source, kind, subject and raw inputs give the same id in every
    run, so quarters can be compared. ``error`` is set when the source could not be read at
    all; such an item has no facts and can only make its controls "insufficient evidence".
    ``assurance`` says how far the tool vouches for it (observed, exported or attested); an
    item that does not say is attested, the level that can never make a control verified.
    """

    id: str
    kind: str
    collector: str
    source: str
    subject: str
    location: str
    collected_at: datetime
    covers_start: datetime | None = None
    covers_end: datetime | None = None
    raw_inputs: list[RawInput] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    facts_sha256: str = ""
    redactions: dict[str, int] = Field(default_factory=dict)
    stats: ParseStats = Field(default_factory=ParseStats)
    error: str | None = None
    assurance: Assurance = Assurance.ATTESTED
    #: Who collected the item, where, how and from what (:mod:`evidence.collectors.provenance`):
    #: collector and version, host, OS user, the command or API calls, each input's location
    #: relative to the config, size, modification time, S3 ETag and version. Not part of the
    #: facts, so the facts hash of older evidence is unchanged; None for items of older runs.
    provenance: dict[str, Any] | None = None
    _typed: dict[type[Any], tuple[dict[str, Any], Any]] = PrivateAttr(default_factory=dict)

    def facts_as(self, model: type[F]) -> F:
        """The facts read as ``model`` (the kind's fact model); FactsMismatch when they do not fit.

        The parsed facts are kept while ``facts`` is the same dict, so checks reading one item
        many times parse it once.
        """
        cached = self._typed.get(model)
        if cached is not None and cached[0] is self.facts:
            parsed: F = cached[1]
            return parsed
        parsed = parse_facts(model, self.facts, where=f"{self.id} ({self.kind} from {self.collector})")
        self._typed[model] = (self.facts, parsed)
        return parsed

    def seal(self) -> EvidenceItem:
        """Compute ``facts_sha256`` from the facts as they now stand and return self."""
        self.facts_sha256 = facts_digest(self.facts)
        return self

    @property
    def usable(self) -> bool:
        """Whether the item holds facts a check may rely on."""
        return self.error is None

    def naming(self) -> dict[str, str]:
        """What names the item and where it came from (id, kind, collector, source, subject, location).

        In that order: the pack manifest and the report's attached manifest both list them first.
        """
        return {
            "id": self.id,
            "kind": self.kind,
            "collector": self.collector,
            "source": self.source,
            "subject": self.subject,
            "location": self.location,
        }


def stable_evidence_id(
    source: str, kind: str, subject: str, raw_sha256: list[str] | tuple[str, ...] = ()
) -> str:
    """``EV-`` plus 12 hex digits derived from what identifies the evidence, not from when."""
    digest = sha256_hex(canonical_json([source, kind, subject, sorted(raw_sha256)]))
    return "EV-" + digest[:12].upper()
