"""Canonical JSON and SHA-256: the one way facts and manifests are serialised for hashing."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` with sorted keys and no whitespace, so equal data hashes equally."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def facts_digest(facts: Any) -> str:
    """SHA-256 of the canonical JSON of normalised facts."""
    return sha256_hex(canonical_json(facts))
