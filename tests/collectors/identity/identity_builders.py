"""Builders for the identity-collector tests: provider events, files, and the shared real samples."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from evidence.model.evidence import EvidenceItem
from tests.collector_testing import realdata
from tests.identity_support import jsonl, okta, okta_app, okta_user

__all__ = ["FIXTURES", "IDENTITY", "Collect", "jsonl", "okta", "okta_app", "okta_user", "unwrapped"]

Collect = Callable[..., dict[str, EvidenceItem]]
IDENTITY = realdata("identity")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "identity"


def unwrapped(source: Path, target: Path) -> Path:
    """The events of a provenance-wrapped sample (``[{"rule_id", ..., "log": {...}}]``) as JSON lines."""
    return jsonl(target, [entry["log"] for entry in json.loads(source.read_text())])
