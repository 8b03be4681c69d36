"""The facts of ``access.activity``, built from access events of any log (docs/evidence-kinds.md).

Every log collector turns its records into calls on :class:`AccessAggregator` (an activity, a
login attempt, a lockout, an account disabled, a PII store touched); the aggregator keeps bounded
counters keyed by the raw principal names and, only when the facts are built, replaces every
name and address by its keyed pseudonym. Raw names never leave this object.

Only events inside the review period (up to the as-of instant) count, except disable events,
departed users' activity and each account's last action, which count up to the as-of instant
whatever the period (offboarding judges leavers the collectors do not know about).
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from evidence.collectors.access_paths import AccessPaths
from evidence.collectors.account_links import AccountLinks
from evidence.collectors.logs.coverage import iso
from evidence.model.access import AccessPolicy, PiiStore
from evidence.model.period import Period
from evidence.redact import Redactor

#: Consecutive failures from which a run is listed in the facts (checks apply the threshold).
RUN_FLOOR = 3
#: How many failure runs, outside-network pairs, ... the facts list (counts are always exact).
MAX_LISTED = 100
#: A disable event counts for a departure when it falls no earlier than this before leaving.
DISABLE_LEAD_SECONDS = 14 * 86400
#: Distinct principal/address pairs counted outside the allowed networks before the rest are
#: pooled as "(other)"; keeps memory bounded when a public endpoint sees millions of addresses.
MAX_PAIRS = 50_000
#: Placeholders that are not principals: a web request without a user, pooled overflow.
_LABELS = {"-": "(not logged)", "(other)": "(other)"}
#: Failure runs kept in memory (the longest ones); the facts list the first MAX_LISTED of them.
MAX_RUNS = 1_000
#: Login methods whose MFA state is meaningful (interactive logins by people); ``idp`` is a
#: sign-in at an identity provider (Okta, Google Workspace, Entra ID).
INTERACTIVE = ("console", "ssh", "application", "idp")
#: Disable events the facts list (the count is always exact).
MAX_DISABLES = 1_000


@dataclass
class _Principal:
    events: int = 0
    logins: int = 0
    logins_with_mfa: int = 0
    logins_without_mfa: int = 0
    logins_mfa_unknown: int = 0
    failed_logins: int = 0
    interactive_logins: int = 0
    first: int | None = None
    last: int | None = None
    active_last: int | None = None
    addresses: set[str] = field(default_factory=set)

    def touch(self, ts: int) -> None:
        """Count a successful action at ``ts``."""
        self.events += 1
        self.see(ts)

    def see(self, ts: int) -> None:
        """Widen first/last seen to ``ts``."""
        self.first = _earlier(self.first, ts)
        self.last = _later(self.last, ts)


@lru_cache(maxsize=256)
def _interactive(method: str) -> bool:
    """Whether logins of ``method`` are interactive (``ssh-publickey``: yes; ``database``: no)."""
    return method.split("-")[0] in INTERACTIVE


def _earlier(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _later(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


@dataclass
class _Run:
    """Consecutive failed logins of one principal."""

    failures: int
    start: int
    end: int
    locked: bool = False
    succeeded_after: bool = False


class Attempt(NamedTuple):
    """A login attempt, kept in order so failure runs can be replayed across files.

    A named tuple, not a dataclass: identity logs make millions of them, and a tuple is built
    several times faster.
    """

    ts: int
    principal: str
    success: bool
    method: str
    mfa: bool | None
    address: str | None
    invalid_user: bool = False
    lockout: bool = False
    paths: tuple[str, ...] = ()


class AccessAggregator:
    """Bounded counters of who did what, when and from where, for one log source."""

    def __init__(
        self, policy: AccessPolicy, period: Period, as_of: datetime, *, deferred: bool = False
    ) -> None:
        self.policy = policy
        self.start = int(period.start_at.timestamp())
        self.end = int(min(period.end_at, as_of).timestamp())
        self.as_of = int(as_of.timestamp())
        self.deferred = deferred
        self.attempts: list[Attempt] = []
        self.principals: dict[str, _Principal] = {}
        self.methods: dict[str, Counter[str]] = {}
        self.without_mfa: dict[str, Counter[str]] = {}
        self.root = Counter[str]()
        self.root_first: int | None = None
        self.root_last: int | None = None
        self.store_access: Counter[tuple[str, str]] = Counter()
        self.store_unattributed: Counter[str] = Counter()
        self.outside: Counter[tuple[str, str]] = Counter()
        self.outside_logins: Counter[tuple[str, str]] = Counter()
        self.checked_addresses = 0
        self.invalid_user_failures = 0
        self.lockouts: Counter[str] = Counter()
        self.disables: dict[str, list[tuple[int, str]]] = {}
        self.after_leaving: dict[str, list[int]] = {}
        self.outside_active: dict[str, int] = {}
        self.federated: set[str] = set()
        self.paths = AccessPaths()
        self.links = AccountLinks(policy.people)
        self._runs: dict[str, _Run] = {}
        self.closed_runs: list[tuple[str, _Run]] = []
        self._departed = {
            name.strip().lower(): user.left
            for user in policy.departed_users
            for name in user.identities()
        }
        self._departed_ts = {k: int(v.timestamp()) for k, v in self._departed.items()}

    # Events ---------------------------------------------------------------------------

    def activity(self, ts: int, principal: str, address: str | None = None) -> None:
        """Any action by ``principal`` at epoch second ``ts``."""
        self.activity_of(ts, principal.strip().lower(), address)

    def activity_of(self, ts: int, key: str, address: str | None = None) -> None:
        """:meth:`activity` for a name already stripped and lower-cased (the hot path)."""
        if key in self._departed_ts:
            left = self._departed_ts[key]
            if left < ts <= self.as_of:
                times = self.after_leaving.setdefault(key, [0, ts, ts])
                times[0] += 1
                times[1] = min(times[1], ts)
                times[2] = max(times[2], ts)
        if ts < self.start or ts > self.end:
            if ts <= self.as_of and ts > self.outside_active.get(key, -1):
                self.outside_active[key] = ts
            return
        stats = self.principals.get(key)
        if stats is None:
            stats = self.principals[key] = _Principal(first=ts, last=ts, active_last=ts)
        stats.events += 1
        if stats.first is not None and ts < stats.first:
            stats.first = ts
        elif stats.last is not None and ts > stats.last:
            stats.last = ts
        if stats.active_last is None or ts > stats.active_last:
            stats.active_last = ts
        if address is not None and address not in stats.addresses and len(stats.addresses) < 1000:
            stats.addresses.add(address)

    def login(
        self,
        ts: int,
        principal: str,
        *,
        success: bool,
        method: str,
        mfa: bool | None = None,
        address: str | None = None,
        invalid_user: bool = False,
        paths: tuple[str, ...] = (),
    ) -> None:
        """Record a login attempt; ``mfa`` is None where the log cannot tell.

        ``paths`` name where a successful sign-in led (the applications an IdP session reached);
        without them the login method is the path.
        """
        key = principal.strip().lower()
        if self.deferred:
            self.attempts.append(Attempt(ts, key, success, method, mfa, address, invalid_user, paths=paths))
        else:  # applied at once, without building an Attempt (identity logs make millions)
            self._apply(ts, key, success, method, mfa, address, invalid_user, paths)

    def lockout(self, ts: int, principal: str) -> None:
        """Record that the system locked ``principal`` after failed logins."""
        attempt = Attempt(ts, principal.strip().lower(), False, "lockout", None, None, lockout=True)
        if self.deferred:
            self.attempts.append(attempt)
        else:
            self.replay(attempt)

    def replay(self, attempt: Attempt) -> None:
        """Apply one login attempt or lockout, in log order."""
        key, ts = attempt.principal, attempt.ts
        if attempt.lockout:
            run = self._runs.pop(key, None)
            if self.start <= ts <= self.end:
                self.lockouts[key] += 1
            if run is not None:
                run.locked = True
                self._close(key, run)
            return
        self._apply(
            ts, key, attempt.success, attempt.method, attempt.mfa, attempt.address, attempt.invalid_user, attempt.paths
        )

    def _apply(
        self,
        ts: int,
        key: str,
        success: bool,
        method: str,
        mfa: bool | None,
        address: str | None,
        invalid_user: bool,
        paths: tuple[str, ...],
    ) -> None:
        """Apply one login attempt (not a lockout) of normalised ``key``, in log order."""
        if success:
            self.activity_of(ts, key, address)  # the key is already normalised
            if self._runs:
                run = self._runs.pop(key, None)
                if run is not None:
                    run.succeeded_after = True
                    self._close(key, run)
        elif invalid_user:
            if self.start <= ts <= self.end:
                self.invalid_user_failures += 1
            return
        else:
            run = self._runs.get(key)
            if run is None:
                self._runs[key] = _Run(1, ts, ts)
            else:
                run.failures += 1
                run.end = ts
        if not self.start <= ts <= self.end:
            return
        self._count(key, ts, success, method, mfa, address, paths)

    def _count_login(self, key: str, attempt: Attempt) -> None:
        self._count(key, attempt.ts, attempt.success, attempt.method, attempt.mfa, attempt.address, attempt.paths)

    def _count(
        self,
        key: str,
        ts: int,
        success: bool,
        method: str,
        mfa: bool | None,
        address: str | None,
        paths: tuple[str, ...],
    ) -> None:
        counts = self.methods.get(method)
        if counts is None:  # not setdefault: that would build a Counter for every login
            counts = self.methods[method] = Counter()
        stats = self.principals.get(key)
        if stats is None:
            stats = self.principals[key] = _Principal()
        if stats.first is None or ts < stats.first:  # stats.see(ts), inlined
            stats.first = ts
        if stats.last is None or ts > stats.last:
            stats.last = ts
        if not success:
            counts["failed"] += 1
            stats.failed_logins += 1
            return
        counts["succeeded"] += 1
        stats.logins += 1
        self.paths.count(method, paths, key, mfa)
        if _interactive(method):
            stats.interactive_logins += 1
        if mfa is True:
            counts["with_mfa"] += 1
            stats.logins_with_mfa += 1
        elif mfa is False:
            counts["without_mfa"] += 1
            stats.logins_without_mfa += 1
            self.without_mfa.setdefault(method, Counter())[key] += 1
        else:
            counts["mfa_unknown"] += 1
            stats.logins_mfa_unknown += 1
        if address is not None and self.policy.allowed_networks:
            self.check_network(ts, key, address, login=True)

    def _close(self, key: str, run: _Run) -> None:
        if run.failures >= RUN_FLOOR and run.end >= self.start and run.start <= self.end:
            self.closed_runs.append((key, run))
            if len(self.closed_runs) > 2 * MAX_RUNS:  # keep the longest runs, memory bounded
                self.closed_runs.sort(key=lambda kr: (-kr[1].failures, kr[1].start, kr[0]))
                del self.closed_runs[MAX_RUNS:]

    def disabled(self, ts: int, principal: str, how: str) -> None:
        """Record that an account of ``principal`` was disabled or deleted (``how`` says how)."""
        if ts <= self.as_of:
            self.disables.setdefault(principal.strip().lower(), []).append((ts, how))

    def mark_federated(self, principal: str) -> None:
        """Record that ``principal`` reaches this system through an identity provider's sign-in."""
        self.federated.add(principal.strip().lower())

    def root_use(self, ts: int, action: str) -> None:
        """Record an action of the cloud account's root user (``action``: the event name)."""
        if self.start <= ts <= self.end:
            self.root[action] += 1
            self.root_first, self.root_last = (
                _earlier(self.root_first, ts),
                _later(self.root_last, ts),
            )

    def touch_store(
        self, ts: int, principal: str | None, store: str, address: str | None = None
    ) -> None:
        """Record that ``principal`` (None: not logged) read or wrote the PII store ``store``."""
        if not self.start <= ts <= self.end:
            return
        if principal is None:
            self.store_unattributed[store] += 1
            if address is not None:
                self.check_network(ts, "-", address, login=False)
            return
        key = principal.strip().lower()
        self.store_access[(store, key)] += 1
        if address is not None:
            self.check_network(ts, key, address, login=False)

    def check_network(self, ts: int, principal: str, address: str, *, login: bool, count: int = 1) -> None:
        """Count an address of a login or PII-store access (``count`` times) against the allowed networks."""
        if not self.policy.allowed_networks:
            return
        self.checked_addresses += count
        if not _allowed(address, tuple(self.policy.allowed_networks)):
            counter = self.outside_logins if login else self.outside
            key = (principal, address)
            if key not in counter and len(counter) >= MAX_PAIRS:
                key = ("(other)", "(other)")
            counter[key] += count

    # Aggregates counted elsewhere (SQL over the events where they are) --------------------

    def absorb_activity(self, key: str, address: str | None, count: int, first: int, last: int) -> None:
        """Add ``count`` in-window actions of ``key`` from ``address`` (first and last epoch seconds)."""
        stats = self.principals.setdefault(key, _Principal())
        stats.events += count
        stats.see(first)
        stats.see(last)
        stats.active_last = _later(stats.active_last, last)
        if address is not None and len(stats.addresses) < 1000:
            stats.addresses.add(address)

    def absorb_outside(self, key: str, last: int) -> None:
        """Add an account's last action outside the window (up to the as-of instant)."""
        if last <= self.as_of and last > self.outside_active.get(key, -1):
            self.outside_active[key] = last

    def absorb_after_leaving(self, key: str, count: int, first: int, last: int) -> None:
        """Add a departed user's actions after leaving (up to the as-of instant)."""
        times = self.after_leaving.setdefault(key, [0, first, last])
        times[0] += count
        times[1], times[2] = min(times[1], first), max(times[2], last)

    def absorb_logins(self, attempt: Attempt, count: int, first: int, last: int) -> None:
        """Add ``count`` in-window login attempts alike but for their time (failure runs apart)."""
        if attempt.invalid_user:
            self.invalid_user_failures += count
            return
        for ts in (first, last)[: min(count, 2)]:  # first and last seen; counts added below
            self._count_login(attempt.principal, attempt._replace(ts=ts))
        if count > 2:
            self._repeat_login(attempt, count - 2)

    def _repeat_login(self, attempt: Attempt, times: int) -> None:
        counts = self.methods.setdefault(attempt.method, Counter())
        stats = self.principals.setdefault(attempt.principal, _Principal())
        if not attempt.success:
            counts["failed"] += times
            stats.failed_logins += times
            return
        counts["succeeded"] += times
        stats.logins += times
        self.paths.count(attempt.method, attempt.paths, attempt.principal, attempt.mfa, times)
        if _interactive(attempt.method):
            stats.interactive_logins += times
        label = {True: "with_mfa", False: "without_mfa", None: "mfa_unknown"}[attempt.mfa]
        counts[label] += times
        setattr(stats, f"logins_{label}", getattr(stats, f"logins_{label}") + times)
        if attempt.mfa is False:
            self.without_mfa.setdefault(attempt.method, Counter())[attempt.principal] += times
        if attempt.address is not None:
            self.check_network(attempt.ts, attempt.principal, attempt.address, login=True, count=times)

    def absorb_run(self, key: str, failures: int, start: int, end: int, succeeded_after: bool) -> None:
        """Add a run of consecutive failed logins found by SQL."""
        self._close(key, _Run(failures, start, end, succeeded_after=succeeded_after))

    def absorb_root(self, action: str, count: int, first: int, last: int) -> None:
        """Add ``count`` in-window actions of the root user."""
        self.root[action] += count
        self.root_first = _earlier(self.root_first, first)
        self.root_last = _later(self.root_last, last)

    def absorb_store(self, store: str, key: str | None, address: str | None, count: int, ts: int) -> None:
        """Add ``count`` in-window accesses of a PII store by ``key`` (None: not logged) from ``address``."""
        if key is None:
            self.store_unattributed[store] += count
        else:
            self.store_access[(store, key)] += count
        if address is not None:
            self.check_network(ts, key or "-", address, login=False, count=count)

    # Merging and facts ----------------------------------------------------------------

    def merge(self, other: AccessAggregator) -> None:
        """Add another file's counters, then replay its login attempts in order."""
        for key, theirs in other.principals.items():
            mine = self.principals.setdefault(key, _Principal())
            for name in (
                "events",
                "logins",
                "logins_with_mfa",
                "logins_without_mfa",
                "logins_mfa_unknown",
                "failed_logins",
                "interactive_logins",
            ):
                setattr(mine, name, getattr(mine, name) + getattr(theirs, name))
            mine.first, mine.last = (
                _earlier(mine.first, theirs.first),
                _later(mine.last, theirs.last),
            )
            mine.active_last = _later(mine.active_last, theirs.active_last)
            mine.addresses |= theirs.addresses
        for method, counts in other.methods.items():
            self.methods.setdefault(method, Counter()).update(counts)
        for method, counts in other.without_mfa.items():
            self.without_mfa.setdefault(method, Counter()).update(counts)
        self.root.update(other.root)
        self.root_first = _earlier(self.root_first, other.root_first)
        self.root_last = _later(self.root_last, other.root_last)
        self.store_access.update(other.store_access)
        self.store_unattributed.update(other.store_unattributed)
        self.outside.update(other.outside)
        self.outside_logins.update(other.outside_logins)
        self.checked_addresses += other.checked_addresses
        self.invalid_user_failures += other.invalid_user_failures
        self.lockouts.update(other.lockouts)
        for key, events in other.disables.items():
            self.disables.setdefault(key, []).extend(events)
        for key, ts in other.outside_active.items():
            self.outside_active[key] = max(ts, self.outside_active.get(key, ts))
        self.federated |= other.federated
        self.paths.merge(other.paths)
        self.links.merge(other.links)
        for key, (count, first, last) in other.after_leaving.items():
            mine_after = self.after_leaving.setdefault(key, [0, first, last])
            mine_after[0] += count
            mine_after[1], mine_after[2] = min(mine_after[1], first), max(mine_after[2], last)
        for attempt in other.attempts:
            self.replay(attempt)

    def facts(self, redactor: Redactor, source_type: str, channel: str) -> dict[str, Any]:
        """Build the ``access.activity`` facts; names and addresses become pseudonyms here."""
        for key, run in sorted(self._runs.items()):
            self._close(key, run)
        self._runs.clear()
        who = redactor.principal
        generic = {n.strip().lower() for n in self.policy.generic_accounts}
        service = {n.strip().lower() for n in self.policy.service_accounts}
        principals = []
        for key, s in self.principals.items():
            principals.append(
                {
                    "principal": who(key),
                    "events": s.events,
                    "logins": s.logins,
                    "logins_with_mfa": s.logins_with_mfa,
                    "logins_without_mfa": s.logins_without_mfa,
                    "logins_mfa_unknown": s.logins_mfa_unknown,
                    "failed_logins": s.failed_logins,
                    "interactive_logins": s.interactive_logins,
                    "addresses": len(s.addresses),
                    "first_seen": iso(s.first),
                    "last_seen": iso(s.last),
                    "last_active": iso(_later(s.active_last, self.outside_active.get(key))),
                    "generic": key in generic,
                    "service_account": key in service,
                    "federated": key in self.federated,
                }
            )
        principals.sort(key=lambda p: str(p["principal"]))
        return {
            "source_type": source_type,
            "channel": channel,
            "window_start": iso(self.start),
            "window_end": iso(self.end),
            "principals": principals,
            "principal_count": len(principals),
            "logins": self._login_facts(who),
            "failure_runs": self._run_facts(who),
            "invalid_user_failures": self.invalid_user_failures,
            "lockouts": sum(self.lockouts.values()),
            "root_use": self._root_facts(),
            "generic_accounts": self._named_accounts(generic, require_interactive=False),
            "service_accounts_interactive": self._named_accounts(service, require_interactive=True),
            "departed_users": self._departed_facts(redactor),
            "network": self._network_facts(redactor),
            "pii_stores": [_store_facts(store, redactor) for store in self.policy.pii_stores],
            "pii_store_unattributed": dict(sorted(self.store_unattributed.items())),
            "pii_store_access": [
                {"store": store, "principal": who(key), "count": count}
                for (store, key), count in sorted(
                    self.store_access.items(), key=lambda x: (x[0][0], who(x[0][1]))
                )
            ],
            **self._account_facts(who),
        }

    def _account_facts(self, who: Any) -> dict[str, Any]:
        """Facts that let checks follow a person across sources: last actions, disables, links."""
        others = sorted(
            (
                {
                    "principal": who(key),
                    "last_active": iso(ts),
                    "federated": key in self.federated,
                }
                for key, ts in self.outside_active.items()
                if key not in self.principals
            ),
            key=lambda p: str(p["principal"]),
        )
        disables = sorted(
            (
                {"principal": who(key), "at": iso(ts), "how": how}
                for key, events in self.disables.items()
                for ts, how in events
            ),
            key=lambda d: (str(d["at"]), str(d["principal"]), str(d["how"])),
        )
        seen = self.principals.keys() | self.outside_active.keys() | self.disables.keys()
        return {
            "other_principals": others,
            "disables": disables[:MAX_DISABLES],
            "disables_total": len(disables),
            "links": self.links.facts(seen | self.links.names(), who),
            "access_paths": self.paths.facts(who),
            "pii_apps": list(self.policy.pii_apps),
        }

    def _login_facts(self, who: Any) -> dict[str, Any]:
        by_method = {}
        for method in sorted(self.methods):
            counts = self.methods[method]
            by_method[method] = {
                "succeeded": counts["succeeded"],
                "failed": counts["failed"],
                "with_mfa": counts["with_mfa"],
                "without_mfa": counts["without_mfa"],
                "mfa_unknown": counts["mfa_unknown"],
                "principals_without_mfa": len(self.without_mfa.get(method, ())),
            }
        total = Counter[str]()
        for counts in self.methods.values():
            total.update(counts)
        without = sorted(
            (
                {"method": m, "principal": who(k), "logins": n}
                for m, c in self.without_mfa.items()
                for k, n in c.items()
            ),
            key=lambda x: (x["method"], x["principal"]),
        )
        return {
            "succeeded": total["succeeded"],
            "failed": total["failed"],
            "with_mfa": total["with_mfa"],
            "without_mfa": total["without_mfa"],
            "mfa_unknown": total["mfa_unknown"],
            "by_method": by_method,
            "without_mfa_by_principal": without[:MAX_LISTED],
        }

    def _run_facts(self, who: Any) -> list[dict[str, Any]]:
        runs = sorted(self.closed_runs, key=lambda kr: (-kr[1].failures, kr[1].start, kr[0]))
        return [
            {
                "principal": who(key),
                "failures": run.failures,
                "start": iso(run.start),
                "end": iso(run.end),
                "locked": run.locked,
                "succeeded_after": run.succeeded_after,
            }
            for key, run in runs[:MAX_LISTED]
        ]

    def _root_facts(self) -> dict[str, Any]:
        return {
            "events": sum(self.root.values()),
            "logins": self.root["ConsoleLogin"],
            "first": iso(self.root_first),
            "last": iso(self.root_last),
            "actions": dict(sorted(self.root.most_common(20))),
        }

    def _named_accounts(
        self, names: set[str], *, require_interactive: bool
    ) -> list[dict[str, Any]]:
        """Accounts from a config list (printable: the config declared them) that were in use."""
        found = []
        for key in sorted(names & self.principals.keys()):
            s = self.principals[key]
            if s.events <= 0 or (require_interactive and not s.interactive_logins):
                continue
            found.append(
                {
                    "account": key,
                    "events": s.events,
                    "logins": s.logins,
                    "interactive_logins": s.interactive_logins,
                }
            )
        return found

    def _departed_facts(self, redactor: Redactor) -> list[dict[str, Any]]:
        facts = []
        for index, user in enumerate(self.policy.departed_users, start=1):
            keys = sorted({n.strip().lower() for n in user.identities()})
            left = int(user.left.timestamp())
            after = [self.after_leaving[k] for k in keys if k in self.after_leaving]
            disables = sorted(
                (ts, how)
                for k in keys
                for ts, how in self.disables.get(k, [])
                if ts >= left - DISABLE_LEAD_SECONDS
            )
            last = max((a[2] for a in after), default=None)
            facts.append(
                {
                    "ref": user.ref or f"departure #{index}",
                    "principals": sorted(redactor.principal(k) for k in keys),
                    "left": iso(left),
                    "disabled_declared": iso(int(user.disabled.timestamp()))
                    if user.disabled
                    else None,
                    "disabled_logged": iso(disables[0][0]) if disables else None,
                    "disabled_how": disables[0][1] if disables else None,
                    "events_after_leaving": sum(a[0] for a in after),
                    "first_activity_after_leaving": iso(min((a[1] for a in after), default=None)),
                    "last_activity_after_leaving": iso(last),
                    "hours_active_after_leaving": round((last - left) / 3600, 2) if last else None,
                }
            )
        return facts

    def _network_facts(self, redactor: Redactor) -> dict[str, Any]:
        def rows(counter: Counter[tuple[str, str]]) -> list[dict[str, Any]]:
            """List the largest counts first, as principal/address pseudonyms."""
            listed = [
                {
                    "principal": _LABELS.get(k) or redactor.principal(k),
                    "address": redactor.address(a) if a != "(other)" else a,
                    "count": n,
                }
                for (k, a), n in counter.items()
            ]
            listed.sort(
                key=lambda r: (-int(str(r["count"])), str(r["principal"]), str(r["address"]))
            )
            return listed[:MAX_LISTED]

        return {
            "allowed_networks": [str(n) for n in self.policy.allowed_networks],
            "checked": self.checked_addresses,
            "outside_logins": sum(self.outside_logins.values()),
            "outside_store_access": sum(self.outside.values()),
            "outside_principals": len(
                {k for k, _ in self.outside_logins} | {k for k, _ in self.outside}
            ),
            "outside_addresses": len(
                {a for _, a in self.outside_logins} | {a for _, a in self.outside}
            ),
            "outside_login_list": rows(self.outside_logins),
            "outside_store_access_list": rows(self.outside),
        }


def _store_facts(store: PiiStore, redactor: Redactor) -> dict[str, Any]:
    return {
        "store": store.name,
        "purpose": store.purpose,
        "allowed_principals": sorted(redactor.principal(p) for p in store.principals),
    }


@lru_cache(maxsize=65536)
def _allowed(address: str, networks: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return True  # not an address (e.g. an AWS service name): nothing to judge
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or any(ip.version == n.version and ip in n for n in networks)
