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


# The screen: bytes are mapped to classes (digits to 0, '.' to '-', whitespace to ' ', upper-case
# ASCII letters to A, lower-case to a) by one C-speed translate, then searched for fragments that
# every candidate of find_pii's e-mail, phone, card and street-address detectors contains: '@';
# '+digit'; '(dd'; three groups of digits split by single separators (phones, spaced cards) or
# thirteen digits in a row (cards); a digit, whitespace and a capitalised word (a street number
# and name; four or more spaces between them also pass). Only records that pass run the real
# detectors, so the screen never hides a finding.
def _class(byte: int) -> int:
    char = chr(byte)
    if byte >= 128:
        return byte
    if char.isdigit():
        return ord("0")
    if char == ".":
        return ord("-")
    if char.isspace():
        return ord(" ")
    if char.isupper():
        return ord("A")
    if char.islower():
        return ord("a")
    return byte


_CLASSES = bytes(_class(b) for b in range(256))
_COUNTED = ("email", "phone", "street_address")


def may_hold_pii(data: bytes) -> bool:
    """Tell whether ``data`` could hold an e-mail, phone or street address (no false negatives)."""
    if b"@" in data:
        return True
    classes = data.translate(_CLASSES)
    return (
        b"+0" in classes
        or b"(00" in classes
        or b"0 Aa" in classes
        or b"0  Aa" in classes
        or b"0   Aa" in classes
        or b"0    " in classes
        or _GROUPS.search(classes) is not None
    )


_GROUPS = re.compile(rb"00[ -]00[ -]00|0{13}")


def _field_pattern(name_fields: list[str]) -> re.Pattern[str] | None:
    """``key=value`` or ``"key": "value"`` with a non-empty value, for any spelling of the keys."""
    names = sorted({normalise_field(n) for n in name_fields if normalise_field(n)})
    if not names:
        return None
    keys = "|".join(r"[_\-\s]?".join(re.escape(ch) for ch in name) for name in names)
    return re.compile(
        rf"""(?i)(?<![\w])["']?(?:{keys})["']?\s*[:=]\s*["']?(?!["'&,;}}\s]|null\b)"""
    )


def name_field_redactor(name_fields: list[str]) -> re.Pattern[str] | None:
    """Compile a pattern matching configured name fields and their values in text."""
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
        #: The pattern of configured name fields (None: only the cheap screen decides).
        self.fields_pattern = self._fields
        self.records = 0
        self.records_with_pii = 0
        self.counts: Counter[str] = Counter()
        self.locations: list[str] = []

    def scan(self, text: str | bytes, path: str, line: object) -> None:
        """Scan one record's text; ``path`` and ``line`` name it if PII is found."""
        self.records += 1
        data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
        suspect = may_hold_pii(data)
        if not suspect and self._fields is None:
            return
        decoded = text if isinstance(text, str) else text.decode("utf-8", "replace")
        found: Counter[str] = Counter()
        if suspect:
            found.update({k: v for k, v in find_pii(decoded).items() if k in _COUNTED})
        if self._fields is not None:
            names = len(self._fields.findall(decoded))
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
        """Build the ``logging.pii_in_logs`` facts: counts and locations only."""
        return {
            "records_scanned": self.records,
            "records_with_pii": self.records_with_pii,
            "counts": {k: self.counts[k] for k in sorted(self.counts)},
            "locations": list(self.locations),
            "name_fields": self.name_fields,
            "categories": [*_COUNTED, "name_field"],
        }
