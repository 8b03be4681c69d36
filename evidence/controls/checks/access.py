"""Checks decided by access in logs: accounts, root, lockout, networks, stores.

They read ``access.activity`` facts (:class:`evidence.model.facts.access.AccessActivity`), one
item per log source, and name every source and figure behind their verdict. A source with no
events in the period cannot make a check met. MFA (``mfa.py``) and offboarding (``offboarding.py``) have modules of
their own: they judge people across sources.
"""

from __future__ import annotations

from collections.abc import Sequence

from evidence.controls.checks import check
from evidence.controls.context import CheckContext, NoParams, Params
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.access import AccessActivity, PiiStoreDeclared
from evidence.model.results import CheckOutcome

KIND = AccessActivity.kind
#: An item of ``access.activity`` with its typed facts.
Activity = tuple[EvidenceItem, AccessActivity]
INTERACTIVE = ("console", "ssh", "application", "idp")


def label(item: EvidenceItem) -> str:
    """``cloudtrail source 'aws-prod' (EV-...)``: how reasons name a source."""
    return f"{item.collector} source {item.source!r} ({item.id})"


def active_items(ctx: CheckContext) -> tuple[list[Activity], list[EvidenceItem]]:
    """Access items (with their facts) with events in the period, and the items without any."""
    items = ctx.facts(AccessActivity)
    return [(i, f) for i, f in items if f.events_in_period], [i for i, f in items if not f.events_in_period]


def no_activity(ctx: CheckContext, empty: Sequence[EvidenceItem]) -> CheckOutcome:
    """Insufficient evidence: name the sources without events in the period, or say none was collected."""
    if empty:
        names = ", ".join(label(i) for i in empty)
        return ctx.insufficient(
            f"the access logs hold no events in the period: {names}", evidence=empty
        )
    return ctx.insufficient(
        "no access logs were collected (cloudtrail, access-log, auth-log, postgres-log, "
        "app-audit-log or an identity provider's log)"
    )


def plural(n: int, word: str) -> str:
    """``3 logins``, ``1 access``, ``2 accesses``: a count with its noun."""
    if n == 1:
        return f"{n:,} {word}"
    return f"{n:,} {word}es" if word.endswith(("s", "sh", "ch", "x")) else f"{n:,} {word}s"


@check("unique_accounts", reads=(KIND,), params=NoParams)
def unique_accounts(ctx: CheckContext) -> CheckOutcome:
    """Check that no generic or shared account, nor a service account logging in, acted.

    Not met when a generic, shared or default account (`generic_accounts`, default: root, admin,
    ubuntu, postgres, ...) acted, or a declared service account logged in interactively; met when
    sources with events in the period show neither.
    """
    items, empty = active_items(ctx)
    if not items:
        return no_activity(ctx, empty)
    findings, culprits = [], []
    for item, facts in items:
        for entry in facts.generic_accounts:
            findings.append(
                f"generic account '{entry.account}' used in {label(item)}: "
                f"{plural(entry.events, 'action')}, "
                f"{plural(entry.logins, 'login')}"
            )
            culprits.append(item)
        for entry in facts.service_accounts_interactive:
            findings.append(
                f"service account '{entry.account}' logged in interactively in {label(item)}: "
                f"{plural(entry.interactive_logins, 'interactive login')}"
            )
            culprits.append(item)
    principals = sum(f.principal_count for _, f in items)
    if findings:
        return ctx.not_met(
            *findings,
            evidence=culprits,
            generic_accounts_in_use=len(findings),
            principals=principals,
        )
    return ctx.met(
        f"{plural(principals, 'principal')} active in {plural(len(items), 'log source')}, none "
        "of them a generic, "
        "shared or default account, and no service account logged in interactively",
        evidence=[i for i, _ in items],
        principals=principals,
        generic_accounts_in_use=0,
    )


@check("root_account_unused", reads=(KIND,), params=NoParams)
def root_account_unused(ctx: CheckContext) -> CheckOutcome:
    """Check that the cloud root account did nothing in the period (CloudTrail).

    CloudTrail only: not met when the root user acted in the period (actions and times named);
    met when CloudTrail events exist and none is by root.
    """
    trails = [(i, f) for i, f in ctx.facts(AccessActivity) if f.source_type == "cloudtrail"]
    active = [(i, f) for i, f in trails if f.events_in_period]
    if not active:
        return ctx.insufficient(
            "no CloudTrail events in the period, so root-account use cannot be judged",
            evidence=[i for i, _ in trails],
        )
    used = [(i, f) for i, f in active if f.root_use.events]
    if used:
        reasons = []
        for item, facts in used:
            root = facts.root_use
            actions = ", ".join(f"{name} ×{n}" for name, n in root.actions.items())
            reasons.append(
                f"the root account acted {plural(root.events, 'time')} between "
                f"{root.first} and {root.last} "
                f"({actions}) in {label(item)}"
            )
        return ctx.not_met(
            *reasons, evidence=[i for i, _ in used], root_events=sum(f.root_use.events for _, f in used)
        )
    events = sum(f.events_in_period for _, f in active)
    return ctx.met(
        f"no root-account activity among {events:,} CloudTrail events in the period ("
        + ", ".join(label(i) for i, _ in active)
        + ")",
        evidence=[i for i, _ in active],
        root_events=0,
        cloudtrail_events=events,
    )


class LockoutParams(Params):
    """The lockout threshold the catalogue states."""

    lockout_after_failures: int


@check("lockout_threshold", reads=(KIND,), params=LockoutParams)
def lockout_threshold(ctx: CheckContext) -> CheckOutcome:
    """Check that no account took more failed logins in a row than the lockout threshold.

    Not met when an account took more consecutive failed logins than `lockout_after_failures`;
    met when lockouts were logged at or below it; otherwise insufficient (logs cannot prove a
    lockout that never triggered).
    """
    threshold = ctx.parameters(LockoutParams).lockout_after_failures
    items, empty = active_items(ctx)
    if not items:
        return no_activity(ctx, empty)
    over, locked = [], []
    for item, facts in items:
        for run in facts.failure_runs:
            if run.failures > threshold:
                after = "then a successful login" if run.succeeded_after else "no lockout recorded"
                over.append(
                    (
                        item,
                        f"{run.principal} had {run.failures} consecutive failed logins "
                        f"({run.start} to {run.end}) with {after} after the {threshold}th, "
                        f"in {label(item)}",
                    )
                )
            elif run.locked:
                locked.append((item, run))
    longest = max((r.failures for _, f in items for r in f.failure_runs), default=0)
    if over:
        return ctx.not_met(
            *(text for _, text in over),
            evidence=[i for i, _ in over],
            runs_over_threshold=len(over),
            longest_failure_run=longest,
        )
    if locked:
        worst = max(r.failures for _, r in locked)
        return ctx.met(
            f"{plural(len(locked), 'lockout')} observed after at most {worst} consecutive failures "
            f"(threshold {threshold}), and no account took more than {threshold} failures in a row",
            evidence=[i for i, _ in locked],
            lockouts_observed=len(locked),
            longest_failure_run=longest,
        )
    return ctx.insufficient(
        f"no account reached {threshold} consecutive failed logins and no lockout was logged "
        "(longest run: "
        f"{longest}), so the logs cannot show that accounts lock; the identity-provider "
        "settings must",
        evidence=[i for i, _ in items],
        longest_failure_run=longest,
    )


@check("access_from_allowed_networks", reads=(KIND,), params=NoParams)
def access_from_allowed_networks(ctx: CheckContext) -> CheckOutcome:
    """Logins and PII-store access come only from the allowed networks.

    Successful logins and PII-store access with a source address, against
    `[access].allowed_networks`; insufficient when none are declared.
    """
    items, empty = active_items(ctx)
    if not items:
        return no_activity(ctx, empty)
    judged = [(i, f) for i, f in items if f.network.allowed_networks]
    if not judged:
        return ctx.insufficient(
            "no allowed networks are declared ([access].allowed_networks)", evidence=[i for i, _ in items]
        )
    outside, checked = [], 0
    for item, facts in judged:
        net = facts.network
        checked += net.checked
        if net.outside_logins or net.outside_store_access:
            outside.append(
                (
                    item,
                    f"{plural(net.outside_logins, 'login')} and "
                    f"{plural(net.outside_store_access, 'PII-store access')} from outside the "
                    f"allowed networks by {plural(net.outside_principals, 'principal')} from "
                    f"{plural(net.outside_addresses, 'address')} ({label(item)})",
                )
            )
    if outside:
        return ctx.not_met(
            *(t for _, t in outside), evidence=[i for i, _ in outside], addresses_checked=checked
        )
    if not checked:
        return ctx.insufficient(
            "no login or PII-store access with a source address in the period", evidence=[i for i, _ in judged]
        )
    networks = sorted({n for _, f in judged for n in f.network.allowed_networks})
    return ctx.met(
        f"all {checked:,} logins and PII-store accesses with a source address came from the "
        "allowed networks "
        f"({', '.join(networks)})",
        evidence=[i for i, _ in judged],
        addresses_checked=checked,
    )


class StoreParams(Params):
    """Which PII stores to judge: those of ``purpose`` (not given: every declared store)."""

    purpose: str | None = None


@check("pii_store_access_restricted", reads=(KIND,), params=StoreParams)
def pii_store_access_restricted(ctx: CheckContext) -> CheckOutcome:
    """Check that only each PII store's declared principals reached it (``purpose`` narrows).

    Per store in `[access].pii_stores` (`with: {purpose: ...}` narrows them): not met when a
    principal not declared for the store accessed it; insufficient when a store declares no
    principals or no access to it is logged.
    """
    purpose = ctx.parameters(StoreParams).purpose
    typed = ctx.facts(AccessActivity)
    items = [i for i, _ in typed]
    stores: dict[str, PiiStoreDeclared] = {}
    for _, facts in typed:
        for store in facts.pii_stores:
            if purpose is None or store.purpose == purpose:
                stores[store.store] = store
    if not stores:
        what = f"with purpose {purpose!r} " if purpose else ""
        return ctx.insufficient(
            f"no PII store {what}is declared in [access].pii_stores", evidence=items
        )
    problems: list[str] = []
    unknown: list[str] = []
    fine: list[str] = []
    deciding: list[EvidenceItem] = []
    for name, store in sorted(stores.items()):
        allowed = set(store.allowed_principals)
        rows = [(i, r) for i, f in typed for r in f.pii_store_access if r.store == name]
        if not allowed:
            unknown.append(f"store {name!r}: no principals are declared as allowed to reach it")
            continue
        if not rows:
            unknown.append(
                f"store {name!r}: no access to it appears in the logs, so they do not show who "
                "reads it"
            )
            continue
        strangers = [(i, r) for i, r in rows if r.principal not in allowed]
        if strangers:
            count = sum(r.count for _, r in strangers)
            who = sorted({r.principal for _, r in strangers})
            problems.append(
                f"store {name!r}: {plural(count, 'access')} by {plural(len(who), 'principal')} not "
                f"allowed ({', '.join(who)}) in "
                f"{', '.join(sorted({label(i) for i, _ in strangers}))}"
            )
            deciding.extend(i for i, _ in strangers)
        else:
            total = sum(r.count for _, r in rows)
            fine.append(
                f"store {name!r}: all {plural(total, 'access')} by the "
                f"{plural(len({r.principal for _, r in rows}), 'allowed principal')}"
            )
            deciding.extend(i for i, _ in rows)
    figures = {"stores": len(stores), "stores_with_strangers": len(problems)}
    if problems:
        return ctx.not_met(*problems, *unknown, evidence=deciding, **figures)
    if unknown:
        return ctx.insufficient(*unknown, *fine, evidence=items, **figures)
    return ctx.met(*fine, evidence=deciding, **figures)
