"""What the data-map checks share: finding the maps and judging findings.

The map is the developer's own declaration, so its evidence is attested: a declared weakness is
a finding (not met); an element the map leaves unknown gives insufficient evidence; and a clean
map makes its elements met on attestation at most, never verified (see the evaluation's
assurance levels), so measured evidence is still needed for a verified met.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationInfo

from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.dataflow import DataMapFacts
from evidence.model.results import CheckOutcome

KIND = DataMapFacts.kind
TLS_ORDER = {"none": 0, "1.0": 10, "1.1": 11, "1.2": 12, "1.3": 13}
SHOWN = 5

A = TypeVar("A", bound=str)


def needs_figures(aspects: list[A], needs: Mapping[str, Sequence[str]], info: ValidationInfo) -> list[A]:
    """Check, in a parameter model, that the chosen aspects have the figures they read.

    A figure only another aspect reads may be left out of the catalogue; one a chosen aspect
    reads may not, so the catalogue load names it (declare the aspects field after the figures).
    """
    missing = [n for a in aspects for n in needs.get(a, ()) if info.data.get(n) is None]
    if missing:
        raise ValueError(f"{', '.join(aspects)} needs {', '.join(dict.fromkeys(missing))}")
    return aspects


@dataclass
class Findings:
    """What a check found across every map: declared problems, unknowns, and what was fine."""

    bad: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    good: int = 0
    #: Gaps against a recommended, uncertain figure: reported, never a failure.
    advice: list[str] = field(default_factory=list)


def joined(items: Sequence[str], limit: int = SHOWN, sep: str = "; ") -> str:
    """Join the first ``limit`` entries and say how many more there are."""
    more = f"{sep}and {len(items) - limit} more" if len(items) > limit else ""
    return sep.join(items[:limit]) + more


def map_items(ctx: CheckContext) -> tuple[list[EvidenceItem], CheckOutcome | None]:
    """Return the usable maps, and the outcome to give at once when there is none or one failed.

    A failed map file blocks "met": the part of the map it holds might be the part with the gap.
    """
    failed = [item for item in ctx.evidence if item.kind == KIND and not item.usable]
    usable = ctx.items(KIND)
    if failed:
        first = (failed[0].error or "unreadable").splitlines()[0]
        return usable, ctx.insufficient(
            f"{len(failed)} data map file(s) could not be read, so the map is incomplete; "
            f"first: {first} ({failed[0].id})",
            evidence=[*usable, *failed],
        )
    if not usable:
        message = "no data map was collected: add a `dataflow` source to the config"
        return usable, ctx.insufficient(message)
    return usable, None


def data_map(item: EvidenceItem) -> DataMapFacts:
    """The facts of a ``dataflow.map`` item, typed."""
    return item.facts_as(DataMapFacts)


def label(item: EvidenceItem) -> str:
    """Name a map with its evidence id: ``data map 'ParcelPilot' (EV-...)``."""
    return f"data map {data_map(item).map!r} ({item.id})"


def labels(maps: Sequence[EvidenceItem]) -> str:
    """Name every map."""
    return ", ".join(label(m) for m in maps)


def pii_free(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> CheckOutcome | None:
    """Give insufficient evidence when no map declares a PII store or flow (a map not about PII)."""
    facts = [data_map(m) for m in maps]
    if any(f.counts.pii_stores or f.counts.pii_flows for f in facts):
        return None
    elements = [e for f in facts for e in [*f.stores, *f.flows]]
    unknown = sum(1 for e in elements if e.pii == "unknown")
    why = f"; {unknown} store(s) or flow(s) do not say whether they hold PII" if unknown else ""
    return ctx.insufficient(
        f"{labels(maps)} declares no store or flow holding PII{why}: a map of an application "
        "that handles buyer PII must show where it goes",
        evidence=maps,
    )


def judge(
    ctx: CheckContext,
    maps: Sequence[EvidenceItem],
    found: Findings,
    what: str,
    met: str,
    **figures: Any,
) -> CheckOutcome:
    """Decide: not met on any declared problem, insufficient on unknowns, met otherwise."""
    if found.bad:
        outcome = ctx.not_met(f"{what}: {joined(found.bad)}", evidence=maps, **figures)
        if found.unknown:
            outcome.reasons.append(f"also not stated: {joined(found.unknown)}")
    elif found.unknown:
        reason = f"{what}: not stated: {joined(found.unknown)}"
        outcome = ctx.insufficient(reason, evidence=maps, **figures)
    else:
        outcome = ctx.met(met, evidence=maps, **figures)
    if found.advice:
        outcome.reasons.append(
            f"recommendation (uncertain figure, does not fail the control): {joined(found.advice)}"
        )
        outcome.figures["recommendations"] = len(found.advice)
    return outcome


def plural(count: int, one: str, many: str | None = None) -> str:
    """Say ``1 flow`` or ``3 flows`` (``many`` for irregular plurals)."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
