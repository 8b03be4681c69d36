"""Stored copies of identity logs: every value that names a person pseudonymised or removed.

Identity logs name people everywhere: logins and e-mail addresses (``alternateId``,
``userPrincipalName``, GitHub's ``actor``), display names, user ids, SAML subjects, and again
inside strings (a repository ``dana-pp/dotfiles``, a JSON-encoded ``InitiatedBy`` column).
Each record is redacted in two passes: the values of identity fields are collected and
replaced by keyed pseudonyms (display names by a marker), then every other string of the
record has those same values replaced and is scrubbed of e-mails, addresses and secrets.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from evidence.collectors.inputs import open_text
from evidence.redact import PARAMETER_VALUES, Redactor, normalise_field, parameter_name

#: Fields whose string value is an account: replaced by the account's pseudonym.
ACCOUNT_FIELDS = frozenset(
    {
        "alternateid",
        "userprincipalname",
        "signinidentifier",
        "email",
        "useremail",
        "affectedemailaddress",
        "actor",
        "user",
        "login",
        "username",
        "userkey",
        "userid",
        "profileid",
        "externalidentitynameid",
        "externalidentityusername",
        "objectid",
    }
)
#: Fields whose string value is a person's name: removed.
NAME_FIELDS = frozenset({"displayname", "userdisplayname", "fullname", "firstname", "lastname", "actorname"})
#: ``type`` values of objects that are people (their ``id`` and ``displayName`` are personal).
PERSON_TYPES = frozenset({"user", "appuser", "member", "guest", "0", "5"})
REMOVED = "[REDACTED name]"
#: Placeholder values that name no one (never searched for elsewhere in the record).
_PLACEHOLDERS = frozenset({"unknown", "null", "none", "system", "anonymous", "n/a"})


def redact_event(record: Any, redactor: Redactor) -> Any:
    """One event with every person's identifier pseudonymised and names removed."""
    found: dict[str, str] = {}
    _collect(record, found, redactor, person=True)
    pattern = _names_pattern(found)
    return _rebuild(record, found, pattern, redactor, person=True)


def _is_person(node: dict[str, Any]) -> bool:
    kind = node.get("type", node.get("Type"))
    return kind is None or str(kind).strip().lower() in PERSON_TYPES


def _replacement(key: str, value: str, redactor: Redactor, person: bool) -> str | None:
    field = normalise_field(key)
    if field in ACCOUNT_FIELDS or (person and field == "id"):
        return redactor.principal(value)
    if field in NAME_FIELDS and person:
        return REMOVED
    return None


def _collect(node: Any, found: dict[str, str], redactor: Redactor, person: bool) -> None:
    if isinstance(node, dict):
        here = _is_person(node)
        for key, value in node.items():
            if isinstance(value, str) and value.strip():
                nested = _embedded(value)
                if nested is not None:
                    _collect(nested, found, redactor, person=True)
                    continue
                replaced = _replacement(str(key), value, redactor, here)
                if replaced is not None and len(value.strip()) >= 3 and value.strip().lower() not in _PLACEHOLDERS:
                    found.setdefault(value.strip().lower(), replaced)
            else:
                _collect(value, found, redactor, here)
    elif isinstance(node, list):
        for value in node:
            _collect(value, found, redactor, person)


def _rebuild(
    node: Any, found: dict[str, str], pattern: re.Pattern[str] | None, redactor: Redactor, person: bool
) -> Any:
    if isinstance(node, dict):
        here = _is_person(node)
        # A parameter's value ({"name": "recipient_name", "value": ...}) is judged under its name.
        named = parameter_name(node)
        out: dict[str, Any] = {}
        for key, value in node.items():
            field = named if named and key in PARAMETER_VALUES else str(key)
            if isinstance(value, str) and value.strip():
                nested = _embedded(value)
                if nested is not None:
                    out[key] = orjson.dumps(_rebuild(nested, found, pattern, redactor, True)).decode()
                    continue
                replaced = _replacement(field, value, redactor, here)
                out[key] = replaced if replaced is not None else _text(value, field, found, pattern, redactor)
            elif named and key in PARAMETER_VALUES and isinstance(value, list):
                out[key] = [
                    _text(v, field, found, pattern, redactor)
                    if isinstance(v, str)
                    else _rebuild(v, found, pattern, redactor, here)
                    for v in value
                ]
            else:
                out[key] = _rebuild(value, found, pattern, redactor, here)
        return out
    if isinstance(node, list):
        return [_rebuild(value, found, pattern, redactor, person) for value in node]
    if isinstance(node, str):
        return _text(node, None, found, pattern, redactor)
    return node


def _text(
    value: str, key: str | None, found: dict[str, str], pattern: re.Pattern[str] | None, redactor: Redactor
) -> Any:
    if pattern is not None:
        value = pattern.sub(lambda m: found[m[0].lower()], value)
    return redactor.scrub_data(value, key)


def _names_pattern(found: dict[str, str]) -> re.Pattern[str] | None:
    if not found:
        return None
    names = sorted(found, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE)


def _embedded(value: str) -> Any:
    """A JSON object or array held in a string (Log Analytics exports do that), else None."""
    stripped = value.lstrip()
    if not stripped or stripped[0] not in "[{":
        return None
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict | list) else None


def redacted_json(path: Path, redactor: Redactor) -> Iterator[bytes]:
    """A JSON-lines or JSON-document export with each event redacted (structure kept)."""
    with open_text(path) as lines:
        text = "".join(line for _, line in lines)
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        for line in text.splitlines(keepends=True):
            try:
                yield orjson.dumps(redact_event(orjson.loads(line), redactor)) + b"\n"
            except orjson.JSONDecodeError:
                yield redactor.scrub(line).encode("utf-8")
        return
    yield orjson.dumps(_redact_document(document, redactor))


def _redact_document(document: Any, redactor: Redactor) -> Any:
    if isinstance(document, list):
        return [redact_event(e, redactor) for e in document]
    if isinstance(document, dict):
        for key in ("value", "records", "items", "entries"):
            if isinstance(document.get(key), list):
                rest = {k: redactor.scrub_data(v, k) for k, v in document.items() if k != key}
                return {**rest, key: [redact_event(e, redactor) for e in document[key]]}
    return redact_event(document, redactor)


def redacted_csv(path: Path, redactor: Redactor) -> Iterator[bytes]:
    """A CSV export with each row redacted as an event (identity columns pseudonymised)."""
    with open_text(path) as lines:
        rows = list(csv.reader(line for _, line in lines))
    if not rows:
        return
    header = rows[0]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows[1:]:
        event = redact_event(dict(zip(header, row, strict=False)), redactor)
        writer.writerow([event.get(column, "") for column in header])
    yield buffer.getvalue().encode("utf-8")
