"""Builders of log files for the access-log collector tests (CloudTrail records, gzip files)."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from evidence.model.evidence import EvidenceItem

KEY = b"access-log tests key, 32 bytes!!"


def _realdata() -> Path:
    """shared/realdata beside the checkout (or an ancestor of it), or $EVIDENCE_REALDATA."""
    if os.environ.get("EVIDENCE_REALDATA"):
        return Path(os.environ["EVIDENCE_REALDATA"])
    for folder in Path(__file__).resolve().parents:
        if (folder / "shared" / "realdata").is_dir():
            return folder / "shared" / "realdata"
    return Path("shared/realdata")  # absent: the tests that need it fail, naming this path


REALDATA = _realdata()

Collect = Callable[..., dict[str, EvidenceItem]]


def write(path: Path, text: str) -> Path:
    """Write ``text`` (gzip-compressed for .gz names) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    return path


def ct_event(
    when: str,
    name: str,
    identity: dict[str, Any] | None = None,
    *,
    ip: str = "198.51.100.7",
    params: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """One CloudTrail record."""
    event: dict[str, Any] = {
        "eventVersion": "1.09",
        "eventTime": when,
        "eventName": name,
        "eventSource": "ec2.amazonaws.com",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": ip,
        "userIdentity": identity or iam("alice"),
        "requestParameters": params,
        "responseElements": response,
        "recipientAccountId": "111122223333",
    }
    if name == "ConsoleLogin":
        event["eventSource"] = "signin.amazonaws.com"
    if name in ("DeleteLoginProfile", "UpdateAccessKey", "DeleteUser", "DeactivateMFADevice"):
        event["eventSource"] = "iam.amazonaws.com"
    if params and "bucketName" in params:
        event["eventSource"] = "s3.amazonaws.com"
    if extra:
        event["additionalEventData"] = extra
    if error:
        event["errorCode"] = error
    return event


def iam(name: str) -> dict[str, Any]:
    return {
        "type": "IAMUser",
        "userName": name,
        "arn": f"arn:aws:iam::111122223333:user/{name}",
        "accountId": "111122223333",
    }


def root() -> dict[str, Any]:
    return {"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}


def login(
    when: str, user: str, mfa: str, *, ok: bool = True, ip: str = "198.51.100.7"
) -> dict[str, Any]:
    identity = root() if user == "root" else iam(user)
    return ct_event(
        when,
        "ConsoleLogin",
        identity,
        ip=ip,
        response={"ConsoleLogin": "Success" if ok else "Failure"},
        extra={"MFAUsed": mfa},
    )


def delivery(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write a CloudTrail delivery file (compact JSON, gzip when the name ends .gz)."""
    return write(path, json.dumps({"Records": records}, separators=(",", ":")))


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
