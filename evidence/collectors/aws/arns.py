"""ARNs: reading their region and account, and pseudonymising the people they name.

IAM user names are people; roles, accounts and services identify no one and are kept, so a
reviewer still sees ``arn:aws:iam::111122223333:role/deploy`` while a user becomes
``...:user/user:3f9c0a1b2c4d``. A leaf module: the response readers, the credential report and
the redaction of whole responses all use it, and it imports none of them.
"""

from __future__ import annotations

import re
from typing import Any

from evidence.redact import Redactor

_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):(?P<service>[\w-]+):(?P<region>[\w-]*):(?P<account>\d*):(?P<resource>.+)$"
)
_USER_ARN = re.compile(r"(arn:aws[\w-]*:iam::\d{12}:user/(?:[\w+=,.@-]+/)*)([\w+=,.@-]+)")
_SESSION_ARN = re.compile(r"(arn:aws[\w-]*:sts::\d{12}:assumed-role/[\w+=,.@-]+/)([\w+=,.@-]+)")
_MFA_ARN = re.compile(r"(arn:aws[\w-]*:iam::\d{12}:(?:mfa|u2f/user)/)([\w+=,.@-]+)")


def arn_region(arn: Any) -> str | None:
    """Return the region field of an ARN (None for global resources or non-ARNs)."""
    match = _ARN.match(arn) if isinstance(arn, str) else None
    return (match["region"] or None) if match else None


def arn_account(arn: Any) -> str | None:
    """Return the account field of an ARN (None when absent or not an ARN)."""
    match = _ARN.match(arn) if isinstance(arn, str) else None
    return (match["account"] or None) if match else None


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
