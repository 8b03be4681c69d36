"""Who may decrypt with a KMS key, read from its key policy (a JSON document)."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

from evidence.collectors.aws.arns import principal_arn
from evidence.redact import Redactor

_DECRYPT_ACTIONS = ("kms:Decrypt", "kms:ReEncryptFrom")


def decrypt_principals(policy: Any, redactor: Redactor) -> dict[str, Any]:
    """``{"principals": [...], "public": bool, "conditional_public": bool, "error": str | None}``.

    ``principals`` lists every principal an ``Allow`` statement lets run ``kms:Decrypt`` (IAM user
    names pseudonymised). ``public`` is true when ``"*"`` may decrypt with no condition at all;
    with a condition (e.g. ``kms:CallerAccount``) it is ``conditional_public``. A ``Deny`` is not
    subtracted: the list is an upper bound of who may decrypt, which is what a reviewer needs.
    """
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except json.JSONDecodeError:
            return {
                "principals": [],
                "public": None,
                "conditional_public": None,
                "error": "key policy is not valid JSON",
            }
    if not isinstance(policy, dict):
        return {
            "principals": [],
            "public": None,
            "conditional_public": None,
            "error": "key policy not available",
        }
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    found: set[str] = set()
    public = conditional = False
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if not _allows_decrypt(statement.get("Action")):
            continue
        for principal in _principals(statement.get("Principal")):
            if principal == "*":
                if statement.get("Condition"):
                    conditional = True
                    found.add("* (with conditions)")
                else:
                    public = True
                    found.add("*")
            else:
                found.add(principal_arn(principal, redactor))
    return {
        "principals": sorted(found),
        "public": public,
        "conditional_public": conditional,
        "error": None,
    }


def _allows_decrypt(actions: Any) -> bool:
    listed = [actions] if isinstance(actions, str) else actions if isinstance(actions, list) else []
    return any(
        isinstance(action, str) and fnmatchcase(wanted.lower(), action.lower())
        for action in listed
        for wanted in _DECRYPT_ACTIONS
    )


def _principals(value: Any) -> list[str]:
    if value == "*":
        return ["*"]
    if not isinstance(value, dict):
        return []
    found: list[str] = []
    for kind, entries in value.items():
        for entry in (
            [entries] if isinstance(entries, str) else entries if isinstance(entries, list) else []
        ):
            if not isinstance(entry, str):
                continue
            if entry == "*" and kind == "AWS":
                found.append("*")
            elif kind == "Service":
                found.append(f"service:{entry}")
            else:
                found.append(entry)
    return found
