"""[google-workspace-log] Admin SDK Reports API activities of the ``login`` and ``admin`` applications.

Reads ``activities.list`` responses (``{"items": [...]}``), one activity per line, and the
flattened one-event-per-record shape data lakes store (``name``, ``type`` and a ``parameters``
map at the top). Sign-ins are ``login_success``/``login_failure``; the second factor is the
``login_challenge_method`` a sign-in passed (``password`` or ``none`` alone: single factor; a SAML
sign-in's factor is the SAML IdP's). Suspensions and deletions (``SUSPEND_USER``,
``DELETE_USER``, ``ARCHIVE_USER`` and Google's own ``account_disabled_*``) are disable times;
role assignments, 2-step verification and password settings are recorded; activities of
other applications count as the actor's activity.
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec

from evidence.collectors.access_paths import SIGN_IN_ONLY
from evidence.collectors.identity.collector import EventReader, IdentityLogCollector, seen
from evidence.collectors.identity.events import IdentityEvents
from evidence.collectors.identity.records import Clock, Fast, text
from evidence.collectors.logs.base import LogState

#: ``login_challenge_method`` values that are a second factor.
SECOND_FACTORS = frozenset(
    {
        "backup_code",
        "google_authenticator",
        "google_prompt",
        "idv_any_phone",
        "idv_preregistered_phone",
        "internal_two_factor",
        "offline_otp",
        "passkey",
        "security_key",
        "security_key_otp",
        "totp",
    }
)
SINGLE_FACTOR = frozenset({"password", "none"})
DISABLING = ("SUSPEND_USER", "DELETE_USER", "ARCHIVE_USER")
GRANTS = ("ASSIGN_ROLE", "GRANT_ADMIN_PRIVILEGE", "GRANT_DELEGATED_ADMIN_PRIVILEGES")
SUSPICIOUS = (
    "suspicious_login",
    "suspicious_login_less_secure_app",
    "suspicious_programmatic_login",
    "gov_attack_warning",
)
CREDENTIALS = ("AUTHORIZE_API_CLIENT_ACCESS", "GENERATE_VERIFICATION_CODES", "ADD_API_CLIENT_ACCESS")


class _Ids(TypedDict, total=False):
    time: Any
    applicationName: Any  # noqa: N815 - the API's spelling


class _Actor(TypedDict, total=False):
    email: Any


class _Activity(TypedDict, total=False):
    """Every key :class:`_Reader` reads or tests for; the rest of an activity is skipped."""

    id: _Ids | None
    events: Any
    name: Any
    actor: _Actor | None
    ipAddress: Any  # noqa: N815
    items: Any
    log_type: Any


def _usual(activity: dict[str, Any]) -> bool:
    # A flattened activity (a data lake's: name and parameters at the top) takes the full parse.
    return type(activity.get("id")) is dict and type(activity.get("events")) is list


FAST = Fast(msgspec.json.Decoder(_Activity), _usual)


class GoogleWorkspaceLogCollector(IdentityLogCollector):
    """Google sign-ins with their 2-step method, failures, suspensions, role and policy changes."""

    id = "google-workspace-log"
    description = "Google Workspace Reports API (login, admin): sign-ins and 2SV, suspensions, roles"
    envelopes = ("items",)
    fast = FAST

    def reader(self, state: LogState, path: str) -> EventReader:
        """A reader of one file's activities."""
        return _Reader(state, self.events, self.clock)


def parameters(raw: Any) -> dict[str, Any]:
    """Event parameters as a map: the API's ``[{"name", "value"|"boolValue"|...}]`` or a map."""
    if type(raw) is dict:
        return raw
    out: dict[str, Any] = {}
    if type(raw) is not list:
        return out
    for entry in raw:
        if type(entry) is not dict or type(entry.get("name")) is not str:
            continue
        for key in _VALUE_KEYS:
            if key in entry:
                out[entry["name"]] = entry[key]
                break
    return out


_VALUE_KEYS = ("value", "multiValue", "boolValue", "intValue", "multiIntValue", "messageValue")


class _Reader:
    def __init__(self, state: LogState, events: IdentityEvents, clock: Clock) -> None:
        self.state, self.events, self.clock = state, events, clock
        self.cover, self.act, self.epoch = state.coverage.add, state.access.activity, clock.epoch

    def record(self, activity: dict[str, Any], line: int) -> str | None:
        ids = activity.get("id")
        if type(ids) is not dict:
            return "not a Reports API activity (no id object)"
        when = ids.get("time")
        ts = self.epoch(when)
        if ts is None:
            return "no id.time" if when is None else "id.time is not a time"
        raw = activity.get("events")
        if type(raw) is list:
            events = [e for e in raw if type(e) is dict]
        elif "name" in activity:
            events = [activity]  # one event per record, flattened by a data lake
        else:
            return "activity without events"
        self.cover(ts)
        app = ids.get("applicationName")
        actor = activity.get("actor")
        who = actor.get("email") if type(actor) is dict else None
        if type(who) is not str or not who.strip():
            who = None
        address = activity.get("ipAddress")
        if type(address) is not str or not address:
            address = None
        for event in events:
            name = event.get("name")
            name = name.strip() if type(name) is str else ""
            if app == "login":
                self._login(ts, name, parameters(event.get("parameters")), who, address)
                continue
            if app == "admin":
                self._admin(ts, name, parameters(event.get("parameters")), who)
            elif app == "token" and name == "authorize":
                self.events.credential(ts, who, "OAuth token authorized")
            elif name == "2sv_disable":
                self.events.removed_factor(ts, who, who, "2-step verification disabled")
            if who:  # any other application's event (Drive, Gmail...) is the actor's activity
                self.act(ts, who, address)
        return None

    def _login(self, ts: int, event: str, params: dict[str, Any], who: str | None, address: str | None) -> None:
        access = self.state.access
        if event == "login_success" and who:
            mfa, factor = _second_factor(params)
            access.login(ts, who, success=True, method="idp", mfa=mfa, address=address, paths=(SIGN_IN_ONLY,))
            self.events.factor(ts, factor)
        elif event == "login_failure" and who:
            access.login(ts, who, success=False, method="idp", address=address)
        elif event in ("login_challenge", "login_verification"):
            if str(params.get("login_challenge_status", "")).lower().endswith("failed"):
                self.events.mfa_failures += self.events.in_period(ts)
        elif event.startswith("account_disabled_"):
            target = text(params.get("affected_email_address")) or who
            if target:
                access.disabled(ts, target, f"google {event}")
                self.events.account(ts, "suspend")
        elif event == "2sv_disable":
            self.events.removed_factor(ts, who, who, "2-step verification disabled")
        elif event != "login_failure":
            seen(self.state, ts, who, address)
        if event in SUSPICIOUS or params.get("is_suspicious") is True:
            self.events.suspicious += self.events.in_period(ts)

    def _admin(self, ts: int, event: str, params: dict[str, Any], who: str | None) -> None:
        target = text(params.get("USER_EMAIL"))
        setting = str(params.get("SETTING_NAME") or "")
        if event in DISABLING and target:
            self.state.access.disabled(ts, target, f"google {event}")
            self.events.account(ts, {"SUSPEND_USER": "suspend", "DELETE_USER": "delete"}.get(event, "archive"))
        elif event == "CREATE_USER":
            self.events.account(ts, "created")
        elif event in GRANTS:
            self.events.grant(ts, who, target, text(params.get("ROLE_NAME")) or "administrator role")
        elif event in CREDENTIALS:
            self.events.credential(ts, who, event)
        elif any(w in event for w in ("STRONG_AUTHENTICATION", "TWO_STEP", "2SV")) or _about_2sv(setting):
            self.events.policy(ts, who, f"{event} {setting}".strip(), mfa=True)
        elif "password" in setting.lower():
            self.events.policy(ts, who, f"{event} {setting}", mfa=False)


def _about_2sv(setting: str) -> bool:
    lowered = setting.lower()
    return "2-step" in lowered or "two-step" in lowered or "2sv" in lowered


def _second_factor(params: dict[str, Any]) -> tuple[bool | None, str]:
    """Whether a sign-in passed a second factor, and which (from ``login_challenge_method``)."""
    if str(params.get("login_type", "")).lower() == "saml":
        return None, "SAML (factor at the SAML IdP)"
    raw = params.get("login_challenge_method")
    methods = [m.lower() for m in (raw if isinstance(raw, list) else [raw]) if isinstance(m, str)]
    second = [m for m in methods if m in SECOND_FACTORS]
    if second or params.get("is_second_factor") is True:
        return True, second[0] if second else "second factor"
    if methods and all(m in SINGLE_FACTOR for m in methods):
        return False, "password only"
    return None, "not logged"
