"""IAM user names are people: pseudonymise them in ARNs, CSV reports and JSON before storing.

Roles, accounts and services identify no one and are kept, so a reviewer still sees
``arn:aws:iam::111122223333:role/deploy`` while a user becomes ``...:user/user:3f9c0a1b2c4d``.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from evidence.redact import SECRET, Redactor

_USER_ARN = re.compile(r"(arn:aws[\w-]*:iam::\d{12}:user/(?:[\w+=,.@-]+/)*)([\w+=,.@-]+)")
_SESSION_ARN = re.compile(r"(arn:aws[\w-]*:sts::\d{12}:assumed-role/[\w+=,.@-]+/)([\w+=,.@-]+)")
_MFA_ARN = re.compile(r"(arn:aws[\w-]*:iam::\d{12}:(?:mfa|u2f/user)/)([\w+=,.@-]+)")

#: JSON keys whose values are IAM user names.
USER_KEYS = frozenset({"UserName", "Username", "userName", "user"})
#: JSON keys whose values are secret material in AWS responses, whatever the generic rules say.
SECRET_KEYS = frozenset({"SecretString", "SecretBinary", "Plaintext", "CiphertextBlob", "private"})


def principal_arn(value: str, redactor: Redactor) -> str:
    """Replace the person in an ARN (or a user name) by a keyed pseudonym."""
    if not value.startswith("arn:"):
        return value if value.isdigit() or value == "*" else redactor.principal(value)
    return pseudonymise_text(value, redactor)


def pseudonymise_text(text: str, redactor: Redactor) -> str:
    """Replace the user part of every IAM user, MFA device and role session ARN in ``text``."""

    def replace(match: re.Match[str]) -> str:
        return match[1] + redactor.principal(match[2])

    for pattern in (_USER_ARN, _SESSION_ARN, _MFA_ARN):
        text = pattern.sub(replace, text)
    return text


def redact_aws_json(value: Any, redactor: Redactor, key: str | None = None) -> Any:
    """Copy an AWS response so it is safe to store: users pseudonymised, secrets and PII removed."""
    if key == "Content" and isinstance(value, str | bytes):
        return _redacted_report(value, redactor)
    if key in SECRET_KEYS and value not in (None, ""):
        redactor.counts["secret"] += 1
        return SECRET
    if key in USER_KEYS and isinstance(value, str) and value:
        return redactor.principal(value)
    if isinstance(value, dict):
        return {k: redact_aws_json(v, redactor, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_aws_json(v, redactor) for v in value]
    if isinstance(value, str):
        return redactor.scrub_data(pseudonymise_text(value, redactor), key)
    return redactor.scrub_data(value, key)


def _redacted_report(value: str | bytes, redactor: Redactor) -> str:
    """Pseudonymise a credential report's Content (CSV, or base64 CSV as the CLI prints it)."""
    from evidence.collectors.aws.credential_report import redact_credential_report

    text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
    if not text.startswith("user,"):
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            redactor.counts["secret"] += 1
            return SECRET
    if not text.startswith("user,"):
        redactor.counts["secret"] += 1
        return SECRET
    return redact_credential_report(text, redactor)
