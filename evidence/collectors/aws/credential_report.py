"""The IAM credential report (CSV): per user MFA, console password and access-key dates.

User names are pseudonymised on the way in; the root account keeps its name, ``<root_account>``,
because it is not a person. Columns AWS marks ``N/A``, ``no_information`` or ``not_supported``
become None.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from evidence.collectors.aws.api_values import to_bool, to_iso
from evidence.collectors.aws.arns import arn_account, pseudonymise_text
from evidence.redact import Redactor

ROOT = "<root_account>"
REQUIRED_COLUMNS = ("user", "arn", "password_enabled", "mfa_active", "access_key_1_active")


class CredentialReportError(ValueError):
    """The text is not a credential report; the message says why without quoting it."""


def parse_credential_report(
    content: str, redactor: Redactor
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """(IAM users, root account) from the report's CSV text."""
    reader = csv.DictReader(io.StringIO(content))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CredentialReportError(
            f"not a credential report: column(s) {', '.join(missing)} missing"
        )
    users: list[dict[str, Any]] = []
    root: dict[str, Any] | None = None
    for row in reader:
        name = row.get("user") or ""
        keys = [_key(row, slot) for slot in (1, 2)]
        record = {
            "user": ROOT if name == ROOT else redactor.principal(name),
            "account": arn_account(row.get("arn")),
            "created": to_iso(row.get("user_creation_time")),
            "console": _flag(row.get("password_enabled")),
            "password_last_used": to_iso(row.get("password_last_used")),
            "mfa": _flag(row.get("mfa_active")),
            "access_keys": [k for k in keys if k is not None],
        }
        if name == ROOT:
            root = record
        else:
            users.append(record)
    users.sort(key=lambda u: u["user"])
    return users, root


def redact_credential_report(content: str, redactor: Redactor) -> str:
    """Pseudonymise the report's user names and user ARNs, for the stored copy."""
    reader = csv.DictReader(io.StringIO(content))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\n")
    writer.writeheader()
    for row in reader:
        if row.get("user") and row["user"] != ROOT:
            row["user"] = redactor.principal(row["user"])
        if row.get("arn"):
            row["arn"] = pseudonymise_text(row["arn"], redactor)
        writer.writerow(row)
    return out.getvalue()


def _flag(value: str | None) -> bool | None:
    return to_bool(value) if value not in (None, "N/A", "not_supported", "no_information") else None


def _key(row: dict[str, str], slot: int) -> dict[str, Any] | None:
    active = _flag(row.get(f"access_key_{slot}_active"))
    rotated = to_iso(row.get(f"access_key_{slot}_last_rotated"))
    if active is None and rotated is None:
        return None
    if not active and rotated is None:
        return None
    return {
        "slot": slot,
        "active": bool(active),
        "last_rotated": rotated,
        "last_used": to_iso(row.get(f"access_key_{slot}_last_used_date")),
    }
