"""Per-kind bookkeeping for file-based inventories: which files fed a kind, and what was rejected.

A file recognised as a command that feeds, say, ``encryption.kms`` counts only against that kind;
a file that could not even be recognised counts against every kind the run produces, since it
may have been any of them. A kind whose only files were rejected becomes a failed item, so its
controls say why they lack evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from evidence.collectors.aws.inventory import KINDS, AwsInventory
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput

if TYPE_CHECKING:
    from evidence.collectors.base import Collector


def snapshot_time(
    configured: datetime | None, newest_file: datetime | None, collected: datetime
) -> datetime:
    """When saved settings were captured: as configured, else the newest file's time, in UTC."""
    moment = configured or newest_file or collected
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


class KindLedger:
    """Raw inputs and parse statistics per evidence kind."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._raw: dict[str, dict[str, RawInput]] = defaultdict(dict)
        self._stats: dict[str, ParseStats] = {}
        self._unattributed = ParseStats()
        self._specific_rejects: set[str] = set()
        self.files = {"kept": 0, "skipped": 0, "rejected": 0}
        self.skip_reasons: list[str] = []

    def stats(self, kind: str) -> ParseStats:
        """Return the statistics of one kind (created on first use)."""
        if kind not in self._stats:
            self._stats[kind] = ParseStats(scope=f"{self.source}:{kind}")
        return self._stats[kind]

    def keep(self, kinds: Iterable[str], raw: RawInput) -> None:
        """Count a file that fed ``kinds``."""
        self.files["kept"] += 1
        for kind in kinds:
            self.stats(kind).keep()
            self._raw[kind][raw.location] = raw

    def skip(self, kinds: Iterable[str], raw: RawInput, reason: str) -> None:
        """Count a valid file that is not evidence of these kinds (another command...)."""
        self.files["skipped"] += 1
        if len(self.skip_reasons) < 5:
            self.skip_reasons.append(f"{raw.location}: {reason}")
        kinds = tuple(kinds)
        if set(kinds) == set(KINDS):
            self._unattributed.skip()
            return
        for kind in kinds:
            self.stats(kind).skip()

    def reject(self, kinds: Iterable[str], location: str, line: int | None, reason: str) -> None:
        """Count a file that cannot be used against the kinds it was meant for."""
        where = f"{location}:{line}" if line is not None else location
        self.files["rejected"] += 1
        kinds = tuple(kinds)
        if set(kinds) == set(KINDS):
            self._unattributed.reject(where, reason)
            return
        for kind in kinds:
            self.stats(kind).reject(where, reason)
            self._specific_rejects.add(kind)

    def summary(self) -> str:
        """``2 kept, 1 skipped (first: ...), 1 rejected (first: file:line: reason)``, for errors."""
        first_reject = next(iter(self._unattributed.rejects), None) or next(
            (s.rejects[0] for s in self._stats.values() if s.rejects), None
        )
        parts = [f"{self.files['kept']} kept"]
        if self.files["skipped"]:
            parts.append(f"{self.files['skipped']} skipped (first: {self.skip_reasons[0]})")
        if self.files["rejected"]:
            parts.append(f"{self.files['rejected']} rejected (first: {first_reject})")
        return ", ".join(parts)

    def items(
        self,
        collector: Collector,  # type: ignore[type-arg]
        inventory: AwsInventory,
        *,
        subject: str,
        captured: datetime,
        redactions: Mapping[str, int],
        extra_facts: Mapping[str, object] | None = None,
    ) -> Iterator[EvidenceItem]:
        """Yield an item per kind held, a failed item per kind whose files were all rejected."""
        for kind in KINDS:
            stats = self.stats(kind).model_copy(deep=True)
            stats.merge(self._unattributed)
            if kind in inventory.seen:
                facts = inventory.facts(kind)
                facts["captured_at"] = captured.isoformat()
                facts.update(extra_facts or {})
                raw = [self._raw[kind][loc] for loc in sorted(self._raw[kind])]
                yield collector.item(
                    kind,
                    subject=subject,
                    facts=facts,
                    stats=stats,
                    raw_inputs=raw,
                    covers=(captured, captured),
                    redactions=redactions,
                )
            elif kind in self._specific_rejects:
                first = stats.rejects[0] if stats.rejects else "no detail"
                yield collector.failed(
                    kind,
                    subject,
                    f"every input for {kind} was rejected ({stats.rejected}); first: {first}",
                )
