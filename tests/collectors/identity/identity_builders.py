"""Builders for the identity-collector tests: provider events, files, and the shared real samples."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evidence.model.evidence import EvidenceItem
from tests.collector_testing import realdata

Collect = Callable[..., dict[str, EvidenceItem]]
IDENTITY = realdata("identity")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "identity"


def jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    """Write ``events`` one JSON object per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def unwrapped(source: Path, target: Path) -> Path:
    """The events of a provenance-wrapped sample (``[{"rule_id", ..., "log": {...}}]``) as JSON lines."""
    return jsonl(target, [entry["log"] for entry in json.loads(source.read_text())])


def okta(when: str, kind: str, who: str | None = "dana@corp.example", *, result: str = "SUCCESS",
         session: str | None = None, targets: list[dict[str, Any]] | None = None, ip: str = "198.51.100.7",
         debug: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """One Okta System Log event as /api/v1/logs returns it."""
    event: dict[str, Any] = {
        "uuid": hashlib.sha256(f"{when} {kind} {who}".encode()).hexdigest()[:32],
        "published": when,
        "eventType": kind,
        "version": "0",
        "severity": "INFO",
        "displayMessage": kind,
        "actor": {"id": "00u1", "type": "User", "alternateId": who, "displayName": "Dana Reyes"}
        if who
        else {"id": "0oa1", "type": "PublicClientApp", "alternateId": "unknown", "displayName": "Okta"},
        "client": {"ipAddress": ip},
        "outcome": {"result": result},
        "target": targets or [],
        "authenticationContext": {"externalSessionId": session} if session else {},
        "debugContext": {"debugData": debug or {}},
    }
    return event


def okta_user(login: str) -> dict[str, Any]:
    """An Okta target of type User."""
    return {"id": "00u9", "type": "User", "alternateId": login, "displayName": "Some Person"}


def okta_app(name: str) -> dict[str, Any]:
    """An Okta target application instance."""
    return {"id": "0oa9", "type": "AppInstance", "alternateId": name, "displayName": name}
