"""Found values as spans of a text, and merging overlapping spans so nothing is left behind.

Detectors run side by side over the same text. A phone number inside a street address, or a
card number a secret pattern also matched, would leave pieces behind if each replacement ran
on the output of the one before; merging the spans first replaces the union of everything found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: The stronger category names a merged span (a secret over a card over an e-mail ...).
PRIORITY = (
    "secret",
    "card",
    "national_id",
    "iban",
    "email",
    "phone",
    "street_address",
    "name",
    "ip",
)


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` is a value of ``category``."""

    start: int
    end: int
    category: str


@dataclass(frozen=True)
class Merged:
    """One region to replace: its bounds, the strongest category, and whether it was one span."""

    start: int
    end: int
    category: str
    single: bool


def _rank(category: str) -> int:
    return PRIORITY.index(category) if category in PRIORITY else len(PRIORITY)


def merge(spans: Iterable[Span]) -> list[Merged]:
    """Overlapping (or touching) spans become one region, named by the strongest category."""
    ordered = sorted((s for s in spans if s.end > s.start), key=lambda s: (s.start, -s.end))
    merged: list[Merged] = []
    for span in ordered:
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            category = min(last.category, span.category, key=_rank)
            same = last.single and span.start == last.start and span.end == last.end
            merged[-1] = Merged(last.start, max(last.end, span.end), category, same and span.category == last.category)
        else:
            merged.append(Merged(span.start, span.end, span.category, True))
    return merged
