"""[entra-log] Microsoft Entra ID sign-in and audit logs in the shapes people export them.

Microsoft Graph (``/auditLogs/signIns``, ``/auditLogs/directoryAudits``: ``{"value": [...]}``),
Azure Monitor diagnostic records (Event Hub ``{"records": [...]}`` or storage JSON lines:
``category`` plus ``properties``), Log Analytics exports (``SigninLogs``/``AuditLogs`` rows with
PascalCase columns and JSON held in strings), and the Office 365 Management Activity records
of the ``AzureActiveDirectory`` workload. A sign-in is multi-factor when
``authenticationRequirement`` says so, ``mfaDetail`` names a method, or a step of
``authenticationDetails`` other than the password succeeded (or MFA was satisfied by a claim in
the token); single-factor when the requirement was single-factor and nothing shows a second
factor. Error 50053 is a lockout, 50126 a bad password; interrupts (50074, 50076...) are
neither. Accounts disabled or deleted are the disable times of offboarding.
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec
import orjson

from evidence.collectors.identity.collector import EventReader, IdentityLogCollector, seen
from evidence.collectors.identity.events import IdentityEvents
from evidence.collectors.identity.records import Clock, Fast, dicts, lookup, text
from evidence.collectors.logs.base import LogState

#: Sign-in error codes that interrupt a sign-in to ask for more (MFA, consent, "stay signed in").
INTERRUPTS = frozenset({50072, 50074, 50076, 50079, 50125, 50140, 50158})
LOCKED = 50053
SIGN_IN_CATEGORIES = (
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
)
NON_INTERACTIVE = frozenset({"NonInteractiveUserSignInLogs", "AADNonInteractiveUserSignInLogs"})
MACHINE = frozenset(
    {
        "ServicePrincipalSignInLogs",
        "ManagedIdentitySignInLogs",
        "AADServicePrincipalSignInLogs",
        "AADManagedIdentitySignInLogs",
    }
)
#: Log Analytics columns that hold JSON in a string.
JSON_COLUMNS = ("status", "authenticationDetails", "initiatedBy", "targetResources", "mfaDetail", "additionalDetails")
DISABLING = ("disable account", "delete user", "hard delete user")
CREATING = ("add user", "invite external user", "invite internal user")
CREDENTIALS = (
    "add service principal credentials",
    "update application – certificates and secrets management",
    "update application - certificates and secrets management",
    "add delegated permission grant",
    "consent to application",
)
FACTOR_REMOVED = ("user deleted security info", "admin deleted security info", "delete security info")


class _Record(TypedDict, total=False):
    """Every key :class:`_Reader` reads or tests for in a Graph record; the rest is skipped."""

    createdDateTime: Any  # noqa: N815 - Graph's spelling
    activityDateTime: Any  # noqa: N815
    userPrincipalName: Any  # noqa: N815
    signInIdentifier: Any  # noqa: N815
    status: Any
    ipAddress: Any  # noqa: N815
    isInteractive: Any  # noqa: N815
    appDisplayName: Any  # noqa: N815
    resourceDisplayName: Any  # noqa: N815
    riskLevelDuringSignIn: Any  # noqa: N815
    authenticationRequirement: Any  # noqa: N815
    authenticationDetails: Any  # noqa: N815
    mfaDetail: Any  # noqa: N815
    activityDisplayName: Any  # noqa: N815
    result: Any
    initiatedBy: Any  # noqa: N815
    targetResources: Any  # noqa: N815
    # Keys of the other shapes, tested for before a record is read as Graph's.
    properties: Any
    category: Any
    TimeGenerated: Any  # noqa: N815
    Type: Any
    Workload: Any
    Operation: Any
    CreationTime: Any  # noqa: N815
    value: Any
    records: Any
    log_type: Any


def _usual(record: dict[str, Any]) -> bool:
    """A Graph sign-in or audit record: other shapes (read key by key) take the full parse."""
    return (
        "properties" not in record
        and "TimeGenerated" not in record
        and "Operation" not in record
        and ("createdDateTime" in record or "activityDateTime" in record)
    )


FAST = Fast(msgspec.json.Decoder(_Record), _usual)


class EntraLogCollector(IdentityLogCollector):
    """Entra ID sign-ins with their factor, failures, lockouts, disabled accounts, role and policy changes."""

    id = "entra-log"
    description = "Microsoft Entra ID sign-in and audit logs (Graph, Azure Monitor, Log Analytics)"
    envelopes = ("value", "records")
    fast = FAST

    def reader(self, state: LogState, path: str) -> EventReader:
        """A reader of one file's records."""
        return _Reader(state, self.events, self.clock)


def _lower_first(record: dict[str, Any]) -> dict[str, Any]:
    """A Log Analytics row with Graph's key names, its JSON-in-string columns parsed."""
    out = {k[:1].lower() + k[1:]: v for k, v in record.items()}
    for key in JSON_COLUMNS:
        value = out.get(key)
        if isinstance(value, str) and value[:1] in "[{":
            try:
                out[key] = orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
    return out


class _Reader:
    def __init__(self, state: LogState, events: IdentityEvents, clock: Clock) -> None:
        self.state, self.events, self.clock = state, events, clock

    def record(self, record: dict[str, Any], line: int) -> str | None:
        if isinstance(record.get("properties"), dict) and "category" in record:
            category = str(record["category"])
            props = record["properties"]
            if category in SIGN_IN_CATEGORIES:
                when = props.get("createdDateTime") or record.get("time")
                return self._sign_in(props, when, category, str(record.get("resultType") or ""))
            return self._audit(props, props.get("activityDateTime") or record.get("time"), record.get("operationName"))
        if "TimeGenerated" in record and "Type" in record:
            row = _lower_first(record)
            kind = str(record["Type"])
            if kind.endswith("SignInLogs") or kind == "SigninLogs":
                category = "SignInLogs" if kind == "SigninLogs" else kind
                return self._sign_in(
                    row,
                    row.get("createdDateTime") or row.get("timeGenerated"),
                    category,
                    str(row.get("resultType") or ""),
                )
            return self._audit(row, row.get("activityDateTime") or row.get("timeGenerated"), row.get("operationName"))
        if (
            record.get("Workload", "AzureActiveDirectory") in ("AzureActiveDirectory", None)
            and "Operation" in record
            and "CreationTime" in record
        ):
            return self._office(record)
        if "createdDateTime" in record:
            return self._sign_in(record, record["createdDateTime"], None, "")
        if "activityDateTime" in record:
            return self._audit(record, record["activityDateTime"], None)
        return "not an Entra ID sign-in or audit record (no createdDateTime, activityDateTime or category)"

    def _time(self, value: Any) -> int | None:
        ts = self.clock.epoch(value)
        if ts is not None:
            self.state.coverage.add(ts)
        return ts

    def _sign_in(self, s: dict[str, Any], when: Any, category: str | None, result_type: str) -> str | None:
        ts = self._time(when)
        if ts is None:
            return "no sign-in time (createdDateTime)"
        upn = text(s.get("userPrincipalName")) or text(s.get("signInIdentifier"))
        if category in MACHINE or upn is None:
            return None  # a service principal or managed identity: no person signs in
        code = _code(lookup(s, "status", "errorCode"), result_type)
        address = text(s.get("ipAddress"))
        interactive = s.get("isInteractive")
        if category in NON_INTERACTIVE or interactive is False:
            method = "token-refresh"  # a client renewing a token: the person signed in earlier
        else:
            method = "idp"
        access = self.state.access
        if code == LOCKED:
            access.lockout(ts, upn)
        elif code in INTERRUPTS:
            seen(self.state, ts, upn, address)
        elif code:
            access.login(ts, upn, success=False, method=method, address=address)
        else:
            mfa, factor = _second_factor(s)
            app = text(s.get("appDisplayName")) or text(s.get("resourceDisplayName"))
            access.login(
                ts, upn, success=True, method=method, mfa=mfa, address=address, paths=(app.strip(),) if app else ()
            )
            if method == "idp":
                self.events.factor(ts, factor)
        if str(s.get("riskLevelDuringSignIn", "none")).lower() in ("medium", "high"):
            self.events.suspicious += self.events.in_period(ts)
        return None

    def _audit(self, a: dict[str, Any], when: Any, operation: Any) -> str | None:
        ts = self._time(when)
        if ts is None:
            return "no audit time (activityDateTime)"
        activity = str(a.get("activityDisplayName") or operation or "").strip()
        if str(a.get("result", "success")).lower() not in ("success", ""):
            return None
        who = text(lookup(a, "initiatedBy", "user", "userPrincipalName"))
        targets = list(dicts(a.get("targetResources")))
        users = [t for t in targets if str(t.get("type", t.get("Type", ""))).lower() == "user"]
        target = text(users[0].get("userPrincipalName")) if users else None
        self._change(ts, activity, who, target, targets)
        seen(self.state, ts, who, text(lookup(a, "initiatedBy", "user", "ipAddress")))
        return None

    def _change(
        self, ts: int, activity: str, who: str | None, target: str | None, targets: list[dict[str, Any]]
    ) -> None:
        name = activity.lower().rstrip(".")
        changed = {
            str(p.get("displayName")): str(p.get("newValue"))
            for t in targets
            for p in dicts(t.get("modifiedProperties"))
        }
        access = self.state.access
        if target and (
            name in DISABLING or (name == "update user" and "false" in changed.get("AccountEnabled", "").lower())
        ):
            access.disabled(ts, target, f"entra {activity.rstrip('.')}")
            self.events.account(ts, "delete" if "delete" in name else "disable")
        elif name in CREATING:
            self.events.account(ts, "created")
        elif "member to role" in name:
            roles = [text(t.get("displayName")) for t in targets if str(t.get("type", "")).lower() == "role"]
            role = changed.get("Role.DisplayName", "").strip('"') or next((r for r in roles if r), "directory role")
            self.events.grant(ts, who, target, role)
        elif name in CREDENTIALS:
            self.events.credential(ts, who, activity)
        elif name in FACTOR_REMOVED or (name == "update user" and any("StrongAuthentication" in k for k in changed)):
            self.events.removed_factor(ts, who, target, activity.rstrip("."))
        elif (
            "conditional access" in name
            or "authentication method" in name
            or "federation" in name
            or "domain authentication" in name
        ):
            self.events.policy(ts, who, activity, mfa=True)
        elif "password policy" in name:
            self.events.policy(ts, who, activity, mfa=False)

    def _office(self, r: dict[str, Any]) -> str | None:
        ts = self._time(r.get("CreationTime"))
        if ts is None:
            return "no CreationTime"
        operation = str(r["Operation"])
        user = text(r.get("UserId"))
        address = text(r.get("ClientIP")) or text(r.get("ActorIpAddress"))
        if operation == "UserLoggedIn" and user:
            self.state.access.login(ts, user, success=True, method="idp", address=address)
            self.events.factor(ts, "not logged")
        elif operation == "UserLoginFailed" and user:
            self.state.access.login(ts, user, success=False, method="idp", address=address)
        else:
            target = text(r.get("ObjectId"))
            changed = [
                {
                    "modifiedProperties": [
                        {"displayName": p.get("Name"), "newValue": p.get("NewValue")}
                        for p in dicts(r.get("ModifiedProperties"))
                    ]
                }
            ]
            self._change(ts, operation, user, target if target and "@" in target else None, changed)
            seen(self.state, ts, user, address)
        return None


def _code(value: Any, result_type: str) -> int:
    """The sign-in's error code: 0 for success (from ``status.errorCode`` or ``resultType``)."""
    for candidate in (value, result_type):
        if isinstance(candidate, int) and not isinstance(candidate, bool):
            return candidate
        if isinstance(candidate, str) and candidate.strip().isdigit():
            return int(candidate)
    return 0 if result_type.lower() in ("", "success", "none") else -1


def _second_factor(s: dict[str, Any]) -> tuple[bool | None, str]:
    requirement = s.get("authenticationRequirement")
    details = [d for d in s.get("authenticationDetails") or () if type(d) is dict]
    used = [
        str(d.get("authenticationMethod"))
        for d in details
        if d.get("succeeded") is True
        and str(d.get("authenticationMethod")) not in ("Password", "Previously satisfied", "None", "")
    ]
    detail = s.get("mfaDetail")
    method = None
    if type(detail) is dict:
        method = text(detail.get("authMethod")) or text(detail.get("mfaAuthMethod"))
    if used or method:
        return True, used[0] if used else str(method)
    if requirement == "multiFactorAuthentication":
        return True, "MFA"
    if any(_claimed(d) for d in details):
        return True, "MFA (previously satisfied)"
    if requirement == "singleFactorAuthentication":
        return False, "password only"
    return None, "not logged"


def _claimed(detail: dict[str, Any]) -> bool:
    """Whether a step says MFA was satisfied by a claim in the token (an earlier sign-in's)."""
    result = str(detail.get("authenticationStepResultDetail", "")).lower()
    return "mfa" in result and "satisfied" in result
