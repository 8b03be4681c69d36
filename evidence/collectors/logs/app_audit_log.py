"""[app-audit-log] An application's own audit log: JSON lines with a configurable field mapping.

Each line is one JSON object. ``fields`` says where to find who acted, the action, the resource,
the time, the source address, the outcome, whether MFA was used and (for account changes) whose
account it was; dotted paths reach nested objects (``actor.id``). Actions named in
``login_actions``, ``lockout_actions`` and ``disable_actions`` become logins, lockouts and
account disables; a resource that matches a PII store (API path, table or bucket) counts as
access to it. The record, less the identity fields, is scanned for PII.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from evidence.collectors.logs.base import LineLogCollector, LogSourceSettings, LogState
from evidence.collectors.store_matching import StoreMatcher
from evidence.redact import normalise_field


class FieldMap(BaseModel):
    """Where each fact lives in a record (dotted paths for nested objects)."""

    model_config = ConfigDict(extra="forbid")

    who: str = "user"
    action: str = "action"
    resource: str = "resource"
    when: str = "timestamp"
    source_address: str = "ip"
    outcome: str = "outcome"
    mfa: str = "mfa"
    target: str = "target_user"


class AppAuditLogSettings(LogSourceSettings):
    """JSON-lines files, the field mapping, and which actions are logins, lockouts, disables."""

    fields: FieldMap = Field(default_factory=FieldMap)
    login_actions: list[str] = Field(
        default_factory=lambda: ["login", "user.login", "sign_in", "signin"]
    )
    lockout_actions: list[str] = Field(
        default_factory=lambda: ["lockout", "user.locked", "account_locked"]
    )
    disable_actions: list[str] = Field(
        default_factory=lambda: [
            "user.disable",
            "user.deactivate",
            "user.delete",
            "disable_user",
            "delete_user",
        ]
    )
    failure_outcomes: list[str] = Field(
        default_factory=lambda: ["failure", "failed", "denied", "error", "fail"]
    )


class AppAuditLogCollector(LineLogCollector[AppAuditLogSettings]):
    """Who did what to which resource in the application; logins, MFA, PII access, PII."""

    id = "app-audit-log"
    description = (
        "Application audit logs (JSON lines, configurable fields): users, logins, MFA, PII access"
    )
    default_channel = "application"

    def read_lines(self, path: str, lines: Iterator[tuple[int, str]], state: LogState) -> None:
        """Stream one JSON-lines file into ``state``."""
        reader = _Reader(self.settings, state, path)
        for number, line in lines:
            reader.line(number, line)

    def line_redactor(self) -> Callable[[str], str]:
        """Each record with its identity fields pseudonymised and PII fields redacted."""
        fields = self.settings.fields
        names = {normalise_field(f) for f in self.settings.name_fields}
        redactor = self.context.redactor

        def redact(line: str) -> str:
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                return redactor.scrub(line)
            if not isinstance(record, dict):
                return redactor.scrub(line)
            for dotted, replace in (
                (fields.who, redactor.principal),
                (fields.target, redactor.principal),
                (fields.source_address, redactor.address),
            ):
                _replace(record, dotted, replace)
            return orjson.dumps(_drop(redactor.scrub_data(record), names)).decode() + "\n"

        return redact


def lookup(record: dict[str, Any], dotted: str) -> Any:
    """Return the value at a dotted path (``actor.id``), or None."""
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _without(record: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """Copy ``record`` without the values at ``paths`` (identities are not PII findings)."""
    copy = orjson.loads(orjson.dumps(record))
    for dotted in paths:
        *parents, leaf = dotted.split(".")
        node = copy
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(leaf, None)
    return copy  # type: ignore[no-any-return]


class _Reader:
    def __init__(self, settings: AppAuditLogSettings, state: LogState, path: str) -> None:
        self.s = settings
        self.f = settings.fields
        self.state = state
        self.path = path
        self.stores = StoreMatcher(settings.pii_stores)
        self.logins = {a.lower() for a in settings.login_actions}
        self.lockouts = {a.lower() for a in settings.lockout_actions}
        self.disables = {a.lower() for a in settings.disable_actions}
        self.failures = {o.lower() for o in settings.failure_outcomes}

    def line(self, number: int, text: str) -> None:
        stats = self.state.stats
        if not text.strip():
            stats.skip()
            return
        try:
            record = orjson.loads(text)
        except orjson.JSONDecodeError:
            self.state.reject(self.path, number, "malformed JSON (expected one object per line)")
            return
        if not isinstance(record, dict):
            self.state.reject(self.path, number, "not a JSON object")
            return
        ts = _epoch(lookup(record, self.f.when))
        if ts is None:
            self.state.reject(self.path, number, f"no readable time in field {self.f.when!r}")
            return
        stats.keep()
        self.state.coverage.add(ts)
        self._apply(ts, record)
        identity = [self.f.who, self.f.source_address, self.f.target]
        self.state.pii.scan(orjson.dumps(_without(record, identity)).decode(), self.path, number)

    def _apply(self, ts: int, record: dict[str, Any]) -> None:
        access = self.state.access
        who = _text(lookup(record, self.f.who))
        action = (_text(lookup(record, self.f.action)) or "").lower()
        address = _text(lookup(record, self.f.source_address))
        outcome = (_text(lookup(record, self.f.outcome)) or "").lower()
        failed = outcome in self.failures
        if action in self.disables and not failed:
            target = _text(lookup(record, self.f.target)) or who
            if target:
                access.disabled(ts, target, f"application {action}")
        if who is None:
            return
        if action in self.logins:
            mfa_value = lookup(record, self.f.mfa)
            mfa = mfa_value if isinstance(mfa_value, bool) else None
            access.login(
                ts, who, success=not failed, method="application", mfa=mfa, address=address
            )
        elif action in self.lockouts:
            access.lockout(ts, _text(lookup(record, self.f.target)) or who)
        elif not failed:
            access.activity(ts, who, address)
            resource = _text(lookup(record, self.f.resource))
            if resource:
                store = (
                    self.stores.path(resource)
                    or self.stores.table(resource)
                    or self.stores.bucket(resource)
                )
                if store:
                    access.touch_store(ts, who, store, address)


def _text(value: Any) -> str | None:
    return (
        str(value)
        if isinstance(value, str | int) and not isinstance(value, bool) and value != ""
        else None
    )


def _epoch(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value / 1000) if value > 10**11 else int(value)  # milliseconds or seconds
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())
    return None


def _replace(record: dict[str, Any], dotted: str, replace: Any) -> None:
    *parents, leaf = dotted.split(".")
    node: Any = record
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict) and isinstance(node.get(leaf), str):
        node[leaf] = replace(node[leaf])


def _drop(value: Any, names: set[str]) -> Any:
    if isinstance(value, dict):
        return {
            k: "[REDACTED PII]"
            if normalise_field(k) in names and v not in (None, "")
            else _drop(v, names)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_drop(v, names) for v in value]
    return value
