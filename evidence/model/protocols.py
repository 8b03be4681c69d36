"""Canonical names of SSL/TLS protocol versions, oldest first, shared by collectors and checks.

Every collector reports protocol versions by these names, whatever its source spells
(nginx ``TLSv1``, Apache ``+TLSv1.1``, sslyze ``TLS_1_0``, PostgreSQL ``TLSv1.2``), so a check
compares versions by position in :data:`VERSIONS`.
"""

from __future__ import annotations

VERSIONS: tuple[str, ...] = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")

_ALIASES = {
    "sslv2": "SSLv2",
    "sslv3": "SSLv3",
    "tlsv1": "TLSv1.0",
    "tlsv1.0": "TLSv1.0",
    "tlsv1.1": "TLSv1.1",
    "tlsv1.2": "TLSv1.2",
    "tlsv1.3": "TLSv1.3",
    "tls1.0": "TLSv1.0",
    "tls1.1": "TLSv1.1",
    "tls1.2": "TLSv1.2",
    "tls1.3": "TLSv1.3",
    "1.0": "TLSv1.0",
    "1.1": "TLSv1.1",
    "1.2": "TLSv1.2",
    "1.3": "TLSv1.3",
}


def canonical(name: str) -> str | None:
    """Return the canonical name of a version (``TLSv1`` -> ``TLSv1.0``), or None if unknown."""
    return _ALIASES.get(name.strip().lower())


def rank(name: str) -> int:
    """Position of a canonical version name, oldest first (ValueError for an unknown name)."""
    return VERSIONS.index(name)


def older_than(names: list[str], minimum: str) -> list[str]:
    """Return the versions in ``names`` older than ``minimum`` (names or aliases), oldest first."""
    floor = canonical(minimum)
    if floor is None:
        raise ValueError(f"unknown protocol version {minimum!r}")
    known = [canonical(n) or n for n in names]
    return sorted({n for n in known if n in VERSIONS and rank(n) < rank(floor)}, key=rank)
