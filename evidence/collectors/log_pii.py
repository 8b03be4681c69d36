"""PII inside logs: counts per category and ``file:line`` locations, never the values.

Values are found with :func:`evidence.redact.find_pii` (e-mail addresses, phone numbers, street
addresses) and by configured name fields (``buyer_name=...`` or ``"buyerName": "..."``). Network
addresses are not counted: a log is expected to hold source addresses, which the collectors
pseudonymise. A cheap pattern that matches a superset of what ``find_pii`` finds screens each
record first, so clean records cost one regular-expression search.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from evidence.redact import find_pii, normalise_field

#: How many locations the facts keep (the counts are always exact).
MAX_LOCATIONS = 50

# A superset of find_pii's e-mail, phone and street-address patterns (see the module docstring):
# every match of theirs contains a match of one of these alternatives.
_SCREEN = re.compile(r"@[A-Za-z0-9-]+\.|\+\d|\(\d{3}\)|\d{3}[.-]\d{3}[.-]\d{4}|\d\s+[A-Z][a-z]+\s")
_COUNTED = ("email", "phone", "street_address")


def _field_pattern(name_fields: list[str]) -> re.Pattern[str] | None:
    """``key=value`` or ``"key": "value"`` with a non-empty value, for any spelling of the keys."""
    names = sorted({normalise_field(n) for n in name_fields if normalise_field(n)})
    if not names:
        return None
    keys = "|".join(r"[_\-\s]?".join(re.escape(ch) for ch in name) for name in names)
    return re.compile(rf"""(?i)(?<![\w])["']?(?:{keys})["']?\s*[:=]\s*["']?(?!["'&,;}}\s]|null\b)""")


def name_field_redactor(name_fields: list[str]) -> re.Pattern[str] | None:
    """A pattern whose ``value`` group is the value of a configured name field in text."""
    names = sorted({normalise_field(n) for n in name_fields if normalise_field(n)})
    if not names:
        return None
    keys = "|".join(r"[_\-\s]?".join(re.escape(ch) for ch in name) for name in names)
    return re.compile(
        rf"""(?i)(?P<key>(?<![\w])["']?(?:{keys})["']?\s*[:=]\s*)"""
        r"""(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<bare>[^"'&\s,;}]+))"""
    )


def redact_name_fields(text: str, pattern: re.Pattern[str] | None) -> str:
    """``text`` with the values of configured name fields replaced (for stored copies)."""
    if pattern is None:
        return text

    def replace(match: re.Match[str]) -> str:
        quote = '"' if match["dq"] is not None else "'" if match["sq"] is not None else ""
        return f"{match['key']}{quote}[REDACTED PII]{quote}"

    return pattern.sub(replace, text)


class PiiScanner:
    """Scans records for PII and keeps counts and locations."""

    def __init__(self, name_fields: list[str]) -> None:
        self.name_fields = sorted(name_fields)
        self._fields = _field_pattern(name_fields)
        self.records = 0
        self.records_with_pii = 0
        self.counts: Counter[str] = Counter()
        self.locations: list[str] = []

    def scan(self, text: str, path: str, line: object) -> None:
        """Scan one record's text; ``path`` and ``line`` name it if PII is found."""
        self.records += 1
        found: Counter[str] = Counter()
        if _SCREEN.search(text):
            found.update({k: v for k, v in find_pii(text).items() if k in _COUNTED})
        if self._fields is not None:
            names = len(self._fields.findall(text))
            if names:
                found["name_field"] += names
        if found:
            self.records_with_pii += 1
            self.counts.update(found)
            if len(self.locations) < MAX_LOCATIONS:
                self.locations.append(f"{path}:{line}")

    def skip(self, count: int = 1) -> None:
        """Count records that hold no free text to scan (they are clean by construction)."""
        self.records += count

    def merge(self, other: PiiScanner) -> None:
        """Add another file's findings."""
        self.records += other.records
        self.records_with_pii += other.records_with_pii
        self.counts.update(other.counts)
        room = MAX_LOCATIONS - len(self.locations)
        self.locations.extend(other.locations[: max(room, 0)])

    def facts(self) -> dict[str, Any]:
        """The ``logging.pii_in_logs`` facts: counts and locations only."""
        return {
            "records_scanned": self.records,
            "records_with_pii": self.records_with_pii,
            "counts": {k: self.counts[k] for k in sorted(self.counts)},
            "locations": list(self.locations),
            "name_fields": self.name_fields,
            "categories": [*_COUNTED, "name_field"],
        }
