"""Builders of identity-provider events shared by collector and check tests (Okta, CloudTrail, GitHub)."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any


def jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    """Write ``events`` one JSON object per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


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


def sso_session(role: str, session: str, account: str = "111122223333") -> dict[str, Any]:
    """A CloudTrail userIdentity of an IAM Identity Center role session."""
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
        "sessionContext": {"sessionIssuer": {"type": "Role", "userName": role}},
    }


def cloudtrail(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write a CloudTrail delivery file (gzip) holding ``records``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode(), mtime=0))
    return path


def ct(when: str, name: str, identity: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """One CloudTrail record."""
    return {
        "eventVersion": "1.09",
        "eventTime": when,
        "eventName": name,
        "eventSource": extra.pop("source", "ec2.amazonaws.com"),
        "awsRegion": "eu-west-1",
        "sourceIPAddress": extra.pop("ip", "198.51.100.7"),
        "userIdentity": identity,
        **extra,
    }


def github(when_ms: int, action: str, actor: str, **extra: Any) -> dict[str, Any]:
    """One GitHub audit-log event as the streaming export writes it."""
    return {"@timestamp": when_ms, "action": action, "actor": actor, "org": "fennelfinch", **extra}
