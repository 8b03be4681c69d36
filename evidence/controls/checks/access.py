"""Checks decided by access in logs: accounts, root, lockout, networks, stores.

They read ``access.activity`` facts (docs/evidence-kinds.md), one item per log source, and
name every source and figure behind their verdict. A source with no events in the period
cannot make a check met. MFA (``mfa.py``) and offboarding (``offboarding.py``) have modules of
their own: they judge people across sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evidence.controls.checks import check
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.results import CheckOutcome

KIND = "access.activity"
INTERACTIVE = ("console", "ssh", "application", "idp")


def label(item: EvidenceItem) -> str:
    """``cloudtrail source 'aws-prod' (EV-...)``: how reasons name a source."""
    return f"{item.collector} source {item.source!r} ({item.id})"


def active_items(ctx: CheckContext) -> tuple[list[EvidenceItem], list[EvidenceItem]]:
    """Access items with events in the period, and those without any."""
    items = ctx.items(KIND)
    return [i for i in items if i.facts.get("events_in_period")], [
        i for i in items if not i.facts.get("events_in_period")
    ]


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


@check("unique_accounts", reads=(KIND,))
def unique_accounts(ctx: CheckContext) -> CheckOutcome:
    """Check that no generic or shared account, nor a service account logging in, acted."""
    items, empty = active_items(ctx)
    if not items:
        return no_activity(ctx, empty)
    findings, culprits = [], []
    for item in items:
        for entry in item.facts.get("generic_accounts", []):
            findings.append(
                f"generic account '{entry['account']}' used in {label(item)}: "
                f"{plural(entry['events'], 'action')}, "
                f"{plural(entry['logins'], 'login')}"
            )
            culprits.append(item)
        for entry in item.facts.get("service_accounts_interactive", []):
            findings.append(
                f"service account '{entry['account']}' logged in interactively in {label(item)}: "
                f"{plural(entry['interactive_logins'], 'interactive login')}"
            )
            culprits.append(item)
    principals = sum(i.facts.get("principal_count", 0) for i in items)
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
        evidence=items,
        principals=principals,
        generic_accounts_in_use=0,
    )


@check("root_account_unused", reads=(KIND,))
def root_account_unused(ctx: CheckContext) -> CheckOutcome:
    """Check that the cloud root account did nothing in the period (CloudTrail)."""
    trails = [i for i in ctx.items(KIND) if i.facts.get("source_type") == "cloudtrail"]
    active = [i for i in trails if i.facts.get("events_in_period")]
    if not active:
        return ctx.insufficient(
            "no CloudTrail events in the period, so root-account use cannot be judged",
            evidence=trails,
        )
    used = [i for i in active if i.facts["root_use"]["events"]]
    if used:
        reasons = []
        for item in used:
            root = item.facts["root_use"]
            actions = ", ".join(f"{name} ×{n}" for name, n in root["actions"].items())
            reasons.append(
                f"the root account acted {plural(root['events'], 'time')} between "
                f"{root['first']} and {root['last']} "
                f"({actions}) in {label(item)}"
            )
        return ctx.not_met(
            *reasons, evidence=used, root_events=sum(i.facts["root_use"]["events"] for i in used)
        )
    events = sum(i.facts["events_in_period"] for i in active)
    return ctx.met(
        f"no root-account activity among {events:,} CloudTrail events in the period ("
        + ", ".join(label(i) for i in active)
        + ")",
        evidence=active,
        root_events=0,
        cloudtrail_events=events,
    )


@check("lockout_threshold", reads=(KIND,))
def lockout_threshold(ctx: CheckContext) -> CheckOutcome:
    """Check that no account took more failed logins in a row than the lockout threshold."""
    threshold = int(ctx.params.get("lockout_after_failures", 10))
    items, empty = active_items(ctx)
    if not items:
        return no_activity(ctx, empty)
    over, locked = [], []
    for item in items:
        for run in item.facts.get("failure_runs", []):
            if run["failures"] > threshold:
                after = (
                    "then a successful login" if run["succeeded_after"] else "no lockout recorded"
                )
                over.append(
                    (
                        item,
                        f"{run['principal']} had {run['failures']} consecutive failed logins "
                        f"({run['start']} to {run['end']}) with {after} after the {threshold}th, "
                        f"in {label(item)}",
                    )
                )
            elif run["locked"]:
                locked.append((item, run))
    longest = max(
        (r["failures"] for i in items for r in i.facts.get("failure_runs", [])), default=0
    )
    if over:
        return ctx.not_met(
            *(text for _, text in over),
            evidence=[i for i, _ in over],
            runs_over_threshold=len(over),
            longest_failure_run=longest,
        )
    if locked:
        worst = max(r["failures"] for _, r in locked)
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
        evidence=items,
        longest_failure_run=longest,
    )


@check("access_from_allowed_networks", reads=(KIND,))
def access_from_allowed_networks(ctx: CheckContext) -> CheckOutcome:
    """Logins and PII-store access come only from the allowed networks."""
    items, empty = active_items(ctx)
    if not items:
        return no_activity(ctx, empty)
    judged = [i for i in items if i.facts["network"]["allowed_networks"]]
    if not judged:
        return ctx.insufficient(
            "no allowed networks are declared ([access].allowed_networks)", evidence=items
        )
    outside, checked = [], 0
    for item in judged:
        net = item.facts["network"]
        checked += net["checked"]
        if net["outside_logins"] or net["outside_store_access"]:
            outside.append(
                (
                    item,
                    f"{plural(net['outside_logins'], 'login')} and "
                    f"{plural(net['outside_store_access'], 'PII-store access')} from outside the "
                    f"allowed networks by {plural(net['outside_principals'], 'principal')} from "
                    f"{plural(net['outside_addresses'], 'address')} ({label(item)})",
                )
            )
    if outside:
        return ctx.not_met(
            *(t for _, t in outside), evidence=[i for i, _ in outside], addresses_checked=checked
        )
    if not checked:
        return ctx.insufficient(
            "no login or PII-store access with a source address in the period", evidence=judged
        )
    networks = sorted({n for i in judged for n in i.facts["network"]["allowed_networks"]})
    return ctx.met(
        f"all {checked:,} logins and PII-store accesses with a source address came from the "
        "allowed networks "
        f"({', '.join(networks)})",
        evidence=judged,
        addresses_checked=checked,
    )


@check("pii_store_access_restricted", reads=(KIND,))
def pii_store_access_restricted(ctx: CheckContext) -> CheckOutcome:
    """Check that only each PII store's declared principals reached it (``purpose`` narrows)."""
    purpose = ctx.params.get("purpose")
    items = ctx.items(KIND)
    stores: dict[str, dict[str, Any]] = {}
    for item in items:
        for store in item.facts.get("pii_stores", []):
            if purpose is None or store["purpose"] == purpose:
                stores[store["store"]] = store
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
        allowed = set(store["allowed_principals"])
        rows = [
            (i, r) for i in items for r in i.facts.get("pii_store_access", []) if r["store"] == name
        ]
        if not allowed:
            unknown.append(f"store {name!r}: no principals are declared as allowed to reach it")
            continue
        if not rows:
            unknown.append(
                f"store {name!r}: no access to it appears in the logs, so they do not show who "
                "reads it"
            )
            continue
        strangers = [(i, r) for i, r in rows if r["principal"] not in allowed]
        if strangers:
            count = sum(r["count"] for _, r in strangers)
            who = sorted({r["principal"] for _, r in strangers})
            problems.append(
                f"store {name!r}: {plural(count, 'access')} by {plural(len(who), 'principal')} not "
                f"allowed ({', '.join(who)}) in "
                f"{', '.join(sorted({label(i) for i, _ in strangers}))}"
            )
            deciding.extend(i for i, _ in strangers)
        else:
            total = sum(r["count"] for _, r in rows)
            fine.append(
                f"store {name!r}: all {plural(total, 'access')} by the "
                f"{plural(len({r['principal'] for _, r in rows}), 'allowed principal')}"
            )
            deciding.extend(i for i, _ in rows)
    figures = {"stores": len(stores), "stores_with_strangers": len(problems)}
    if problems:
        return ctx.not_met(*problems, *unknown, evidence=deciding, **figures)
    if unknown:
        return ctx.insufficient(*unknown, *fine, evidence=items, **figures)
    return ctx.met(*fine, evidence=deciding, **figures)
