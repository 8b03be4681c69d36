"""What falls due as an iCalendar file (RFC 5545) for the security lead's calendar.

Deterministic: the same due list gives the same bytes. Each event's UID derives from what is
due, DTSTAMP is the as-of instant (never the clock), lines end in CRLF and are folded at 75
octets without splitting a UTF-8 character. Only upcoming items become events: an overdue item
is a gap to fix now, not a date to put in a calendar.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta

from evidence.model.review import DueItem, DueReport

PRODID = "-//dpp-evidence//due dates//EN"
_LIMIT = 75


def calendar(report: DueReport, organisation: str) -> bytes:
    """Build the VCALENDAR of ``report``'s upcoming items, as bytes ready to write."""
    stamp = report.as_of.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'{organisation}: compliance due dates')}",
    ]
    for item in report.upcoming:
        lines.extend(_event(item, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")


def _event(item: DueItem, stamp: str) -> list[str]:
    start = item.due.strftime("%Y%m%d")
    end = (item.due + timedelta(days=1)).strftime("%Y%m%d")
    controls = ", ".join(item.controls)
    description = f"Controls: {controls}. {item.basis}."
    if item.evidence_id:
        description += f" Evidence: {item.evidence_id}."
    return [
        "BEGIN:VEVENT",
        f"UID:{uid(item)}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{start}",
        f"DTEND;VALUE=DATE:{end}",
        f"SUMMARY:{escape_text(f'{item.title} ({controls})')}",
        f"DESCRIPTION:{escape_text(description)}",
        f"CATEGORIES:{escape_text(item.kind)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def uid(item: DueItem) -> str:
    """Derive a stable UID: the same due item keeps it across exports (updates, not copies)."""
    key = "\x00".join([item.kind, item.title, item.due.isoformat(), *item.controls])
    return f"{hashlib.sha256(key.encode()).hexdigest()[:24]}@dpp-evidence"


def escape_text(value: str) -> str:
    r"""TEXT escaping of RFC 5545 section 3.3.11: backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets (RFC 5545 section 3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= _LIMIT:
        return line
    chunks: list[str] = []
    current = b""
    limit = _LIMIT
    for char in line:
        octets = char.encode("utf-8")
        if len(current) + len(octets) > limit:
            chunks.append(current.decode("utf-8"))
            current = b""
            limit = _LIMIT - 1  # continuation lines start with one space
        current += octets
    chunks.append(current.decode("utf-8"))
    return "\r\n ".join(chunks)
