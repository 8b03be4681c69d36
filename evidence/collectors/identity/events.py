"""What only an identity provider records: factors used, admin grants, credentials, policy changes.

These become the ``identity`` part of a provider's ``access.activity`` facts. They support the
access controls (an MFA policy in force, who was made an administrator) but decide none of
them alone: MFA is decided by sign-ins, offboarding by disables. Only events in the review
period count; people are keyed pseudonyms, and free text the provider writes is left out
(only event names, policy types and role names are kept, scrubbed).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from evidence.collectors.logs.coverage import iso
from evidence.redact import Redactor

#: How many events of each list the facts keep (the totals are always exact).
MAX_LISTED = 100
#: Longest label kept for a role, policy or credential.
MAX_LABEL = 120


class IdentityEvents:
    """Counts and bounded lists of one provider's administrative events in the period."""

    def __init__(self, provider: str, start: int, end: int) -> None:
        self.provider = provider
        self.start, self.end = start, end
        self.factors: Counter[str] = Counter()
        self.mfa_failures = 0
        self.suspicious = 0
        self.created = 0
        self.lifecycle: Counter[str] = Counter()
        self.grants: list[tuple[int, str | None, str | None, str]] = []
        self.credentials: list[tuple[int, str | None, str]] = []
        self.policies: list[tuple[int, str | None, str, bool]] = []
        self.mfa_removed: list[tuple[int, str | None, str | None, str]] = []

    def in_period(self, ts: int) -> bool:
        """Whether ``ts`` falls in the review period (up to the as-of instant)."""
        return self.start <= ts <= self.end

    def factor(self, ts: int, name: str) -> None:
        """Count a successful sign-in by the factor it used (``password only`` for none)."""
        if self.start <= ts <= self.end:
            self.factors[name] += 1

    def grant(self, ts: int, actor: str | None, target: str | None, role: str) -> None:
        """Record an administrator role granted to ``target`` by ``actor``."""
        if self.in_period(ts):
            self.grants.append((ts, actor, target, role))

    def credential(self, ts: int, actor: str | None, what: str) -> None:
        """Record an API token, key or application secret created."""
        if self.in_period(ts):
            self.credentials.append((ts, actor, what))

    def policy(self, ts: int, actor: str | None, what: str, *, mfa: bool) -> None:
        """Record a change to a sign-in, MFA, password or code-security policy."""
        if self.in_period(ts):
            self.policies.append((ts, actor, what, mfa))

    def removed_factor(self, ts: int, actor: str | None, target: str | None, what: str) -> None:
        """Record a second factor removed, reset or disabled for one user."""
        if self.in_period(ts):
            self.mfa_removed.append((ts, actor, target, what))

    def account(self, ts: int, what: str) -> None:
        """Count an account lifecycle event (created, deactivated, suspended, deleted...)."""
        if self.in_period(ts):
            if what == "created":
                self.created += 1
            else:
                self.lifecycle[what] += 1

    def facts(self, redactor: Redactor) -> dict[str, Any]:
        """The ``identity`` facts; people as pseudonyms, labels scrubbed and shortened."""

        def who(name: str | None) -> str | None:
            return redactor.principal(name) if name else None

        def label(value: str) -> str:
            return redactor.scrub(value)[:MAX_LABEL]

        grants = sorted(self.grants, key=lambda g: (g[0], g[3]))
        credentials = sorted(self.credentials, key=lambda c: (c[0], c[2]))
        policies = sorted(self.policies, key=lambda p: (p[0], p[2]))
        removed = sorted(self.mfa_removed, key=lambda r: (r[0], r[3]))
        return {
            "provider": self.provider,
            "sign_ins_by_factor": dict(sorted(self.factors.items())),
            "mfa_failures": self.mfa_failures,
            "suspicious_sign_ins": self.suspicious,
            "accounts_created": self.created,
            "account_lifecycle": dict(sorted(self.lifecycle.items())),
            "admin_grants_total": len(grants),
            "admin_grants": [
                {"at": iso(ts), "actor": who(a), "principal": who(t), "role": label(r)}
                for ts, a, t, r in grants[:MAX_LISTED]
            ],
            "credentials_created_total": len(credentials),
            "credentials_created": [
                {"at": iso(ts), "actor": who(a), "what": label(w)} for ts, a, w in credentials[:MAX_LISTED]
            ],
            "policy_changes_total": len(policies),
            "mfa_policy_changes": sum(1 for p in policies if p[3]),
            "policy_changes": [
                {"at": iso(ts), "actor": who(a), "what": label(w), "mfa": m} for ts, a, w, m in policies[:MAX_LISTED]
            ],
            "mfa_removed_total": len(removed),
            "mfa_removed": [
                {"at": iso(ts), "actor": who(a), "principal": who(t), "what": label(w)}
                for ts, a, t, w in removed[:MAX_LISTED]
            ],
        }
