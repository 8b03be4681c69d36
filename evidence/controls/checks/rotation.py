"""Helpers shared by the rotation checks and `evidence due`: list-valued facts and name matching.

The rotation checks themselves (`secret_rotation`, `access_key_age`) live with the AWS
collectors' other checks (`secret_rotation.py`, `cloud_identity.py`), which read the facts those
collectors produce.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any


def fact_entries(value: Any) -> list[dict[str, Any]]:
    """Return the dict entries of a list-valued fact (anything else gives none)."""
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def matches_secret(name: str, pattern: str) -> bool:
    """Match a glob (``prod/*``), or else a case-insensitive part of the name."""
    if any(ch in pattern for ch in "*?["):
        return fnmatchcase(name, pattern)
    return pattern.lower() in name.lower()
