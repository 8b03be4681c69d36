"""Reading settings snapshots (AWS, Terraform) for checks: fresh items, records, errors, wording.

A snapshot taken before the review period began says nothing about the period and is left out
(with a reason). Records keep a pointer to their item, so every reason can cite the evidence id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.cloud_snapshot import CloudSnapshot

S = TypeVar("S", bound=CloudSnapshot)
R = TypeVar("R")

#: How many named resources a reason lists before it says "and N more".
LISTED = 8


@dataclass(frozen=True)
class Snapshots:
    """The usable items of a kind that carry ``key``, split into fresh and stale."""

    fresh: list[EvidenceItem]
    stale: list[EvidenceItem]

    def reasons(self, ctx: CheckContext) -> list[str]:
        """Why stale snapshots were not used (empty when none were stale)."""
        return [
            f"{item.source} snapshot {item.id} was taken "
            f"{str(item.facts.get('captured_at'))[:10]}, "
            f"before the review period began ({ctx.period.start.isoformat()}), so it was not used"
            for item in self.stale
        ]

    def records(self, key: str) -> list[tuple[dict[str, Any], EvidenceItem]]:
        """Every record under ``facts[key]`` of the fresh items, with the item it came from."""
        return [
            (record, item)
            for item in self.fresh
            for record in item.facts.get(key) or []
            if isinstance(record, dict)
        ]

    def errors(self) -> list[str]:
        """Kind-level errors of the fresh items (a listing that was denied...), citing the item."""
        return [
            f"{error} ({item.id})"
            for item in self.fresh
            for error in item.facts.get("errors") or []
        ]


def snapshots(ctx: CheckContext, kind: str, key: str) -> Snapshots:
    """Items of ``kind`` whose facts hold ``key`` (other collectors' shapes are left alone)."""
    fresh: list[EvidenceItem] = []
    stale: list[EvidenceItem] = []
    for item in ctx.items(kind):
        if key not in item.facts:
            continue
        captured = parse_time(item.facts.get("captured_at"))
        if captured is not None and captured.date() < ctx.period.start:
            stale.append(item)
        else:
            fresh.append(item)
    return Snapshots(fresh, stale)


@dataclass(frozen=True)
class TypedSnapshots(Generic[S]):
    """The usable snapshots of one fact model that carry a section, split into fresh and stale."""

    typed: list[tuple[EvidenceItem, S]]
    stale_typed: list[tuple[EvidenceItem, S]]

    @property
    def fresh(self) -> list[EvidenceItem]:
        """The fresh items (taken in or after the period's start)."""
        return [item for item, _ in self.typed]

    def reasons(self, ctx: CheckContext) -> list[str]:
        """Why stale snapshots were not used (empty when none were stale)."""
        return [
            f"{item.source} snapshot {item.id} was taken {str(facts.captured_at)[:10]}, "
            f"before the review period began ({ctx.period.start.isoformat()}), so it was not used"
            for item, facts in self.stale_typed
        ]

    def records(self, section: Callable[[S], Sequence[R] | None]) -> list[tuple[R, EvidenceItem]]:
        """Every record of ``section`` of the fresh snapshots, with the item it came from."""
        return [(record, item) for item, facts in self.typed for record in section(facts) or []]

    def errors(self) -> list[str]:
        """Kind-level errors of the fresh snapshots (a listing that was denied...), citing the item."""
        return [f"{error} ({item.id})" for item, facts in self.typed for error in facts.errors]


def snapshot_facts(ctx: CheckContext, model: type[S], section: str) -> TypedSnapshots[S]:
    """Snapshots of ``model`` whose facts hold ``section`` (other producers' shapes are left alone)."""
    fresh: list[tuple[EvidenceItem, S]] = []
    stale: list[tuple[EvidenceItem, S]] = []
    for item, facts in ctx.facts(model):
        if section not in facts.model_fields_set:
            continue
        captured = parse_time(facts.captured_at)
        if captured is not None and captured.date() < ctx.period.start:
            stale.append((item, facts))
        else:
            fresh.append((item, facts))
    return TypedSnapshots(fresh, stale)


def parse_time(value: Any) -> datetime | None:
    """Parse an ISO-8601 fact into an aware datetime (None when absent or malformed)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def listing(entries: Sequence[str], limit: int = LISTED) -> str:
    """Join entries as ``a; b; c`` or ``a; b; ... and 4 more``."""
    shown = "; ".join(entries[:limit])
    return shown + (f"; and {len(entries) - limit} more" if len(entries) > limit else "")


def cite(items: Iterable[EvidenceItem]) -> str:
    """``EV-1, EV-2`` for a reason's parenthesis."""
    return ", ".join(sorted({item.id for item in items}))


class Sourced(Protocol):
    """A snapshot record that names where it was read (an API call or a Terraform address)."""

    @property
    def origin(self) -> str | None:
        """The API call or Terraform address the record was read from."""


class Regional(Protocol):
    """A snapshot record that names its region."""

    @property
    def region(self) -> str | None:
        """The record's region, when known."""


def in_terraform(record: Sourced) -> bool:
    """Whether a record came from a Terraform resource (its origin is an address ``aws_x.y``)."""
    origin = record.origin or ""
    return origin.startswith(("aws_", "module.", "data."))


def where(record: Regional) -> str:
    """`` in eu-west-1`` (empty when the region is unknown)."""
    region = record.region
    return f" in {region}" if region else ""


class Verdicts:
    """Verdicts on resources, merged across sources.

    The same bucket seen by the live collector and in a Terraform state is one resource. A
    resource is bad if any source shows it bad, good if none does and one shows it good, and
    unknown only if no source could tell.
    """

    def __init__(self) -> None:
        self._order: list[Any] = []
        self._seen: dict[Any, dict[str, list[str]]] = {}
        self.notes: list[str] = []

    def add(self, identity: Any, verdict: str, text: str) -> None:
        """Record ``verdict`` ("bad", "good" or "unknown") for the resource ``identity``."""
        if identity not in self._seen:
            self._order.append(identity)
            self._seen[identity] = {"bad": [], "good": [], "unknown": []}
        if text not in self._seen[identity][verdict]:
            self._seen[identity][verdict].append(text)

    def _pick(self, verdict: str) -> list[str]:
        picked = []
        for identity in self._order:
            found = self._seen[identity]
            winner = "bad" if found["bad"] else "good" if found["good"] else "unknown"
            if winner == verdict:
                texts = found[verdict]
                picked.append(texts[0] if verdict == "good" else "; also ".join(texts))
        return picked

    @property
    def bad(self) -> list[str]:
        """One entry per resource shown bad (every source's finding joined)."""
        return self._pick("bad")

    @property
    def good(self) -> list[str]:
        """One entry per resource shown good and bad nowhere."""
        return self._pick("good")

    @property
    def unknown(self) -> list[str]:
        """One entry per resource no source could judge."""
        return self._pick("unknown")

    def __len__(self) -> int:
        return len(self._order)
