"""[github-audit-log] GitHub organisation and enterprise audit logs: JSON, JSON lines, CSV, streams.

Reads the REST API's JSON arrays, exports and streamed events (one JSON object per line, times
in ``@timestamp``/``created_at`` as Unix milliseconds or text) and CSV exports whose header
names the same fields. A member removed from the organisation or enterprise (or a user
suspended or deleted on GitHub Enterprise Server) is a disable time for offboarding; the SAML
NameID (``external_identity_nameid``) links a GitHub login to the person's SSO identity.
Two-factor requirement changes, administrator grants, SSH keys and tokens, and changes to
secret scanning and branch protection are recorded; every other action is the actor's activity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, TypedDict

import msgspec

from evidence.collectors.identity.collector import PATTERNS, EventReader, IdentityLogCollector
from evidence.collectors.identity.events import IdentityEvents
from evidence.collectors.identity.records import Clock, Fast, text
from evidence.collectors.inputs import csv_rows, open_text
from evidence.collectors.logs.base import LogState
from evidence.errors import InputError
from evidence.model.evidence import RawInput

REMOVALS = {
    "org.remove_member": "org.remove_member",
    "org.remove_outside_collaborator": "org.remove_outside_collaborator",
    "business.remove_member": "business.remove_member",
    "user.suspend": "user.suspend",
    "user.destroy": "user.destroy",
    "user.delete": "user.delete",
}
JOINS = ("org.add_member", "business.add_member", "user.create")
GRANTS = (
    "business.add_admin",
    "business.invite_admin",
    "team.promote_maintainer",
    "organization_moderators.add_user",
    "user.promote",
)
CREDENTIALS = (
    "public_key.create",
    "deploy_key.create",
    "personal_access_token.access_granted",
    "personal_access_token.request_created",
    "oauth_authorization.create",
    "integration_installation.create",
    "org_credential_authorization.grant",
    "ssh_certificate_authority.create",
)
TWO_FACTOR = (
    "org.enable_two_factor_requirement",
    "org.disable_two_factor_requirement",
    "business.enable_two_factor_requirement",
    "business.disable_two_factor_requirement",
)
#: Prefixes of code-security and access settings whose changes are recorded as policy changes.
SECURITY_SETTINGS = (
    "secret_scanning",
    "repository_secret_scanning",
    "protected_branch.",
    "repository_ruleset.",
    "org.saml_",
    "org.update_saml",
    "business.update_saml",
    "ip_allow_list",
    "org.enable_oauth_app_restrictions",
    "org.disable_oauth_app_restrictions",
)
TIME_FIELDS = ("@timestamp", "created_at", "timestamp", "at_sign_timestamp")


#: Every key :class:`_Reader` reads or tests for; the rest of an event is skipped.
_Event = TypedDict(
    "_Event",
    {
        "action": Any,
        "@timestamp": Any,
        "created_at": Any,
        "timestamp": Any,
        "at_sign_timestamp": Any,
        "actor": Any,
        "external_identity_nameid": Any,
        "user": Any,
        "actor_ip": Any,
        "permission": Any,
        "log_type": Any,
    },
    total=False,
)


def _usual(event: dict[str, Any]) -> bool:
    return "action" in event


FAST = Fast(msgspec.json.Decoder(_Event), _usual)


class GitHubAuditLogCollector(IdentityLogCollector):
    """GitHub members removed, 2FA requirement, admin grants, keys and tokens, security settings."""

    id = "github-audit-log"
    description = "GitHub organisation/enterprise audit log (JSON, CSV, stream): members, 2FA, admins, keys"
    default_channel = "code"
    fast = FAST
    patterns: ClassVar[tuple[str, ...]] = (*PATTERNS, "*.csv", "*.csv.gz")

    def reader(self, state: LogState, path: str) -> EventReader:
        """A reader of one file's events."""
        return _Reader(state, self.events, self.clock)

    def read_file(self, path: Path, state: LogState) -> RawInput:
        """Stream a JSON export, or read a CSV export row by row."""
        name = path.name.lower()
        if not (name.endswith(".csv") or name.endswith(".csv.gz")):
            return super().read_file(path, state)
        reader = _Reader(state, self.events, self.clock)
        with open_text(path) as lines:
            rows = csv_rows(lines)
            header = next((row for _, row in rows), None)
            if header is None or "action" not in header:
                raise InputError(path, "not a GitHub audit-log CSV export (no 'action' column)", line=1)
            kept = 0
            for number, row in rows:
                if not any(cell.strip() for cell in row):
                    continue
                problem = reader.record({k: v for k, v in zip(header, row, strict=False) if v != ""}, number)
                if problem is None:
                    kept += 1
                else:
                    state.reject(path, number, problem)
            state.stats.keep(kept)
            return lines.raw_input()


def _category(action: str) -> str:
    """What an action is for the facts: a removal, a join, a grant, a credential, a policy, or activity."""
    if action in REMOVALS:
        return "removal"
    if action in JOINS:
        return "join"
    if action in GRANTS or action == "org.update_member":
        return "grant"
    if action in CREDENTIALS:
        return "credential"
    if action in TWO_FACTOR:
        return "two-factor"
    if action.startswith(SECURITY_SETTINGS):
        return "setting"
    return ""


class _Reader:
    def __init__(self, state: LogState, events: IdentityEvents, clock: Clock) -> None:
        self.state, self.events, self.clock = state, events, clock
        self.cover, self.act, self.epoch = state.coverage.add, state.access.activity, clock.epoch
        self.categories: dict[str, str] = {}  # a log holds few distinct actions: each is classified once

    def record(self, event: dict[str, Any], line: int) -> str | None:
        action = event.get("action")
        if type(action) is not str or not action:
            return "not a GitHub audit-log event (no action)"
        ts = None
        for key in TIME_FIELDS:
            value = event.get(key)
            if value is not None and value != "":
                ts = self.epoch(_number(value))
                break
        if ts is None:
            return "no readable time (@timestamp or created_at)"
        self.cover(ts)
        actor = event.get("actor")
        if type(actor) is not str or not actor:
            actor = None
        nameid = event.get("external_identity_nameid")
        if actor and type(nameid) is str and nameid:
            self.state.access.links.alias(actor, nameid, "sso-subject")
        category = self.categories.get(action)
        if category is None:
            category = self.categories[action] = _category(action)
        if category:
            self._apply(ts, category, action, event, actor, text(event.get("user")))
        if actor:
            address = event.get("actor_ip")
            self.act(ts, actor, address if type(address) is str and address else None)
        return None

    def _apply(
        self, ts: int, category: str, action: str, event: dict[str, Any], actor: str | None, user: str | None
    ) -> None:
        events = self.events
        if category == "removal":
            if user:
                self.state.access.disabled(ts, user, f"github {REMOVALS[action]}")
                events.account(ts, "removed")
        elif category == "join":
            events.account(ts, "created")
        elif category == "grant":
            if action != "org.update_member" or str(event.get("permission", "")).lower() == "admin":
                events.grant(ts, actor, user, action)
        elif category == "credential":
            events.credential(ts, actor, action)
        else:
            events.policy(ts, actor, action, mfa=category == "two-factor")


def _number(value: Any) -> Any:
    """A time held as text of digits (CSV exports) read as the number it is."""
    if type(value) is str and value.isdigit():
        return int(value)
    return value
