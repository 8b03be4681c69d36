"""[okta-log] Okta System Log events, as ``/api/v1/logs`` returns them (JSON arrays or lines).

A sign-in is ``user.session.start``; its second factor is logged by other events of the same
session (``authenticationContext.externalSessionId``): ``user.authentication.auth_via_mfa``
(Classic) or ``user.authentication.verify`` with a non-password authenticator (Identity
Engine). Sign-ins are therefore replayed once every file is read, in time order, each with the
factor its session used and the applications its session reached (``user.authentication.sso``).
A sign-in whose session shows no second factor is single-factor only when the export carries
MFA events at all (an export filtered to ``user.session.start`` cannot tell) or the sign-in
itself names its authenticators. Users deactivated, suspended or deleted give the disable
times of offboarding; privilege grants, API tokens, policy and factor changes are recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypedDict

import msgspec

from evidence.collectors.access_paths import SIGN_IN_ONLY
from evidence.collectors.identity.collector import EventReader, IdentityLogCollector
from evidence.collectors.identity.events import IdentityEvents
from evidence.collectors.identity.records import Clock, Fast, dicts, lookup, text
from evidence.collectors.logs.base import LogState
from evidence.model.evidence import EvidenceItem

SIGN_IN = "user.session.start"
MFA_EVENTS = ("user.authentication.auth_via_mfa", "user.authentication.verify")
SSO = "user.authentication.sso"
DISABLING = {
    "user.lifecycle.deactivate": "deactivate",
    "user.lifecycle.suspend": "suspend",
    "user.lifecycle.delete.initiated": "delete",
    "user.lifecycle.delete.completed": "delete",
}
LIFECYCLE = {
    "user.lifecycle.create": "created",
    "user.lifecycle.reactivate": "reactivate",
    "user.lifecycle.unsuspend": "unsuspend",
}
GRANTS = ("user.account.privilege.grant", "group.privilege.grant")
CREDENTIALS = ("system.api_token.create",)
FACTOR_REMOVED = ("user.mfa.factor.deactivate", "user.mfa.factor.reset_all", "user.mfa.factor.suspend")
ORG_FACTORS = ("system.mfa.factor.activate", "system.mfa.factor.deactivate")
SUSPICIOUS = frozenset({"security.threat.detected", "user.account.report_suspicious_activity_by_enduser"})
#: Event types whose changes are recorded (besides ``policy.*``): every other one is activity.
CHANGES = frozenset({*DISABLING, *LIFECYCLE, *GRANTS, *CREDENTIALS, *FACTOR_REMOVED, *ORG_FACTORS})
#: Okta policy types that govern sign-in and second factors (others: password rules and such).
MFA_POLICIES = ("SIGN_ON", "SIGNON", "MFA", "ACCESS", "AUTHENTICATOR", "FACTOR")
PASSWORD_FACTORS = frozenset({"password", "okta_password", "pwd"})
FAILED = frozenset({"FAILURE", "DENY"})
#: The top-level keys a data lake lower-cases (``eventtype``); nested keys keep their case.
_LOWERED = {
    k.lower(): k
    for k in (
        "eventType",
        "displayMessage",
        "legacyEventType",
        "debugContext",
        "authenticationContext",
        "securityContext",
    )
}


class _Actor(TypedDict, total=False):
    type: Any
    alternateId: Any  # noqa: N815 - Okta's spelling


class _Outcome(TypedDict, total=False):
    result: Any


class _Client(TypedDict, total=False):
    ipAddress: Any  # noqa: N815


class _Context(TypedDict, total=False):
    externalSessionId: Any  # noqa: N815


class _Debug(TypedDict, total=False):
    debugData: Any  # noqa: N815


class _Event(TypedDict, total=False):
    """Every key :class:`_Reader` reads or tests for; the rest of an event is skipped."""

    eventType: Any  # noqa: N815
    eventtype: Any
    published: Any
    outcome: _Outcome | None
    actor: _Actor | None
    client: _Client | None
    authenticationContext: _Context | None  # noqa: N815
    debugContext: _Debug | None  # noqa: N815
    target: Any
    log_type: Any


def _usual(event: dict[str, Any]) -> bool:
    return type(event.get("eventType")) is str  # lower-cased keys (a data lake) are read key by key


FAST = Fast(msgspec.json.Decoder(_Event), _usual)


@dataclass
class _Sessions:
    """What every file of one source tells about sign-in sessions, joined once all are read."""

    attempts: list[tuple[int, int, str, str, str | None, str | None, str | None]] = field(default_factory=list)
    factors: dict[str, str] = field(default_factory=dict)
    apps: dict[str, set[str]] = field(default_factory=dict)
    mfa_logged: bool = False


class OktaLogCollector(IdentityLogCollector):
    """Okta sign-ins with their factor, failures, lockouts, deactivations, grants and policy changes."""

    id = "okta-log"
    description = "Okta System Log (/api/v1/logs JSON): sign-ins and MFA, lockouts, deactivations, admin grants"
    fast = FAST

    def collect(self) -> Iterator[EvidenceItem]:
        """Read every file, then replay the sign-ins joined to their sessions."""
        self.sessions = _Sessions()
        yield from super().collect()

    def reader(self, state: LogState, path: str) -> EventReader:
        """A reader of one file's events."""
        return _Reader(state, self.events, self.sessions, self.clock)

    def finish(self, state: LogState) -> None:
        """Apply the sign-ins in time order, each with its session's factor and applications."""
        sessions = self.sessions
        apps = {session: tuple(sorted(names)) for session, names in sessions.apps.items()}
        for ts, _, kind, key, session, address, factor in sorted(sessions.attempts):
            if kind == "lockout":
                state.access.lockout(ts, key)
            elif kind == "failed":
                state.access.login(ts, key, success=False, method="idp", address=address)
            else:
                used = sessions.factors.get(session or "") or factor
                mfa: bool | None
                if used is not None and used != "password only":
                    mfa = True
                elif used == "password only" or (session and sessions.mfa_logged):
                    mfa, used = False, "password only"
                else:
                    mfa = None
                paths = apps.get(session or "") or (SIGN_IN_ONLY,)
                state.access.login(ts, key, success=True, method="idp", mfa=mfa, address=address, paths=paths)
                self.events.factor(ts, used or "not logged")
        sessions.attempts.clear()


class _Reader:
    """Applies Okta events to the source's state; sign-ins wait for :meth:`OktaLogCollector.finish`."""

    def __init__(self, state: LogState, events: IdentityEvents, sessions: _Sessions, clock: Clock) -> None:
        self.state, self.events, self.sessions, self.clock = state, events, sessions, clock
        self.cover, self.act, self.epoch = state.coverage.add, state.access.activity, clock.epoch

    def record(self, event: dict[str, Any], line: int) -> str | None:
        # The hot path of a million-event export: plain dict reads, and each of the common
        # events (sign-ins, factors, single sign-on) reads only the fields it needs.
        kind = event.get("eventType")
        if kind is None:
            if "eventtype" not in event:
                return "not an Okta System Log event (no eventType)"
            event = {_LOWERED.get(k, k): v for k, v in event.items()}
            kind = event.get("eventType")
        if type(kind) is not str:
            return "eventType is not a string"
        published = event.get("published")
        ts = self.epoch(published)
        if ts is None:
            return "no published time" if published is None else "published is not a time"
        self.cover(ts)
        outcome = event.get("outcome")
        result = outcome.get("result") if type(outcome) is dict else None
        result = result.upper() if type(result) is str else ""
        if kind in MFA_EVENTS:
            self._factor(ts, event, result, _session(event))
            return None
        who = _person(event.get("actor"))
        client = event.get("client")
        address = client.get("ipAddress") if type(client) is dict else None
        if type(address) is not str or not address:
            address = None
        if kind == SIGN_IN:
            self._sign_in(ts, event, who, result, _session(event), address)
        elif kind == "user.account.lock":
            if who:
                self.sessions.attempts.append((ts, len(self.sessions.attempts), "lockout", who, None, None, None))
        elif result not in FAILED:
            if kind == SSO:
                session = _session(event)
                if session:
                    self._applications(session, event.get("target"))
            elif kind in CHANGES or kind.startswith("policy."):
                self._change(ts, kind, event, who)
            elif kind in SUSPICIOUS:
                self.events.suspicious += self.events.in_period(ts)
            if who:
                self.act(ts, who, address)
        return None

    def _applications(self, session: str, targets: Any) -> None:
        for target in dicts(targets):
            name = target.get("displayName")
            if target.get("type") == "AppInstance" and type(name) is str and name.strip():
                self.sessions.apps.setdefault(session, set()).add(name.strip())

    def _sign_in(
        self, ts: int, event: dict[str, Any], who: str | None, result: str, session: str | None, address: str | None
    ) -> None:
        if who is None:
            return
        attempts = self.sessions.attempts
        if result == "SUCCESS":
            targets = event.get("target")
            named = _named_factors(targets) if targets else None
            attempts.append((ts, len(attempts), "success", who, session, address, named))
            debug = event.get("debugContext")
            data = debug.get("debugData") if type(debug) is dict else None
            if type(data) is dict and data.get("threatSuspected") == "true":
                self.events.suspicious += self.events.in_period(ts)
        elif result in FAILED:
            attempts.append((ts, len(attempts), "failed", who, session, address, None))

    def _factor(self, ts: int, event: dict[str, Any], result: str, session: str | None) -> None:
        self.sessions.mfa_logged = True
        factor = _factor_name(event)
        if factor is None:  # a password verification (Identity Engine): not a second factor
            return
        if result == "SUCCESS":
            if session:
                self.sessions.factors.setdefault(session, factor)
        elif result in FAILED:
            self.events.mfa_failures += self.events.in_period(ts)

    def _change(self, ts: int, kind: str, event: dict[str, Any], who: str | None) -> None:
        targets = list(dicts(event.get("target")))
        users = [t for t in targets if t.get("type") == "User"]
        target = _person(users[0]) if users else None
        if kind in DISABLING and target:
            self.state.access.disabled(ts, target, f"okta {kind}")
            self.events.account(ts, DISABLING[kind])
        elif kind in LIFECYCLE:
            self.events.account(ts, LIFECYCLE[kind])
        elif kind in GRANTS:
            role = text(lookup(event, "debugContext", "debugData", "privilegeGranted")) or "administrator role"
            self.events.grant(ts, who, target, role)
        elif kind in CREDENTIALS:
            self.events.credential(ts, who, kind)
        elif kind in FACTOR_REMOVED:
            self.events.removed_factor(ts, who, target or who, kind)
        elif kind in ORG_FACTORS:
            self.events.policy(ts, who, kind, mfa=True)
        elif kind.startswith(("policy.lifecycle.", "policy.rule.")):
            policy = _policy_type(targets)
            self.events.policy(ts, who, f"{kind} ({policy})", mfa=any(w in policy.upper() for w in MFA_POLICIES))


def _person(entity: Any) -> str | None:
    """The login of a user actor or target (None for the system, apps and unknown users)."""
    if type(entity) is not dict or entity.get("type", "User") not in ("User", None):
        return None
    login = entity.get("alternateId")
    if type(login) is not str or not login.strip() or login.lower() == "unknown":
        return None
    return login


def _session(event: dict[str, Any]) -> str | None:
    """The sign-in session an event belongs to (``authenticationContext.externalSessionId``)."""
    context = event.get("authenticationContext")
    session = context.get("externalSessionId") if type(context) is dict else None
    return None if type(session) is not str or not session or session == "unknown" else session


def _factor_name(event: dict[str, Any]) -> str | None:
    """The second factor an MFA event verified, or None when it verified a password."""
    debug = event.get("debugContext")
    data = debug.get("debugData") if type(debug) is dict else None
    if type(data) is dict:
        for key in ("factor", "factorType"):
            value = data.get(key)
            if type(value) is str and value.strip():
                return None if value.lower() in PASSWORD_FACTORS else value
    names = [t.get("displayName") for t in dicts(event.get("target")) if t.get("type") == "AuthenticatorEnrollment"]
    named = [n for n in names if isinstance(n, str) and n.strip()]
    if named:
        second = [n for n in named if n.strip().lower() not in PASSWORD_FACTORS]
        return second[0] if second else None
    return "MFA"


def _named_factors(targets: Any) -> str | None:
    """The factor a sign-in names itself (Identity Engine lists its authenticators), if any."""
    names = [t.get("displayName") for t in dicts(targets) if t.get("type") == "AuthenticatorEnrollment"]
    named = [n.strip() for n in names if isinstance(n, str) and n.strip()]
    if not named:
        return None
    second = [n for n in named if n.lower() not in PASSWORD_FACTORS]
    return second[0] if second else "password only"


def _policy_type(targets: list[dict[str, Any]]) -> str:
    for target in targets:
        detail = target.get("detailEntry")
        if isinstance(detail, dict) and text(detail.get("policyType")):
            return str(detail["policyType"])
    for target in targets:
        if text(target.get("type")):
            return str(target["type"])
    return "policy"
