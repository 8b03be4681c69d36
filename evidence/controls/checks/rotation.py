"""Credential rotation judged against the cadence: managed secrets and IAM access keys.

The AWS collectors report each secret's last rotation (``secrets.rotation``) and each access
key's last rotation, i.e. its creation (``iam.credentials``); see docs/evidence-kinds.md for the
facts. A credential last rotated more than one cadence before the as-of date is "not met" (the
system itself says so); one whose date is unknown, or later than the as-of date, leaves the
control "insufficient evidence"; so do earlier cadence slots when only the latest rotation is
recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from typing import Any

from evidence.controls.cadence import cadence_slots, fact_date, name_slots
from evidence.controls.checks import check
from evidence.controls.checks.cadence import every_days
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.results import CheckOutcome


@dataclass(frozen=True)
class Credential:
    """One rotated thing: a secret or an access key, and what its evidence says about it."""

    label: str
    last_rotated: date | None
    created: date | None
    item: EvidenceItem
    error: str | None = None


@check("secret_rotation", reads=("secrets.rotation",))
def secret_rotation(ctx: CheckContext) -> CheckOutcome:
    """Every managed secret (or those matching ``secret``) was rotated within the cadence."""
    pattern = ctx.params.get("secret")
    found = [
        Credential(
            label=f"secret {entry.get('name')!r}",
            last_rotated=fact_date(entry.get("last_rotated")),
            created=fact_date(entry.get("created")),
            item=item,
            error=entry.get("error"),
        )
        for item in ctx.items("secrets.rotation")
        for entry in fact_entries(item.facts.get("secrets"))
        if pattern is None or matches_secret(str(entry.get("name", "")), str(pattern))
    ]
    items = ctx.items("secrets.rotation")
    if not items:
        return ctx.insufficient(
            "no secrets.rotation evidence (managed secrets and their last rotation)"
        )
    if not found:
        which = f"matching {pattern!r} " if pattern else ""
        return ctx.insufficient(
            f"the secrets store lists no secret {which}({', '.join(i.id for i in items)})",
            evidence=items,
            secrets_checked=0,
        )
    return _judge(ctx, found, "secrets")


@check("access_key_age", reads=("iam.credentials",))
def access_key_age(ctx: CheckContext) -> CheckOutcome:
    """No active access key is older than the cadence (its last rotation is its creation)."""
    items = ctx.items("iam.credentials")
    if not items:
        return ctx.insufficient("no iam.credentials evidence (IAM users and their access keys)")
    found = [
        Credential(
            label=f"access key {key.get('key', '?')} of {user.get('user', '?')}",
            last_rotated=fact_date(key.get("last_rotated")),
            created=fact_date(key.get("last_rotated")),
            item=item,
        )
        for item in items
        for user in fact_entries(item.facts.get("users"))
        for key in fact_entries(user.get("access_keys"))
        if key.get("active") is not False
    ]
    if not found:
        return ctx.met(
            "no active IAM access key exists, so none is overdue "
            f"({', '.join(i.id for i in items)})",
            evidence=items,
            keys_checked=0,
            keys_overdue=0,
        )
    return _judge(ctx, found, "keys")


def _judge(ctx: CheckContext, credentials: list[Credential], noun: str) -> CheckOutcome:
    every = every_days(ctx)
    as_of = ctx.as_of.date()
    slots = cadence_slots(ctx.period, as_of, every)
    overdue: list[str] = []
    unknown: list[str] = []
    ages: list[int] = []
    for cred in sorted(credentials, key=lambda c: (c.label, c.item.id)):
        where = f"({cred.item.id})"
        last = cred.last_rotated or cred.created
        if cred.error:
            unknown.append(f"{cred.label} could not be read: {cred.error} {where}")
            continue
        if last is None:
            unknown.append(f"{cred.label} has no rotation or creation date on record {where}")
            continue
        if last > as_of:
            unknown.append(
                f"{cred.label} was last rotated {last.isoformat()}, after the as-of date "
                f"{as_of.isoformat()}, so its state on that date is unknown {where}"
            )
            continue
        age = (as_of - last).days
        ages.append(age)
        if age > every:
            overdue.append(
                f"{cred.label} was last rotated {last.isoformat()}, {age} days before "
                f"{as_of.isoformat()}, over the {every}-day limit {where}"
            )
            continue
        earlier = [s for s in slots[:-1] if not (cred.created and cred.created >= s.end)]
        if earlier:
            unknown.append(
                f"{cred.label}: only its latest rotation ({last.isoformat()}) is recorded, so the "
                f"earlier slot(s) {name_slots(earlier)} cannot be shown {where}"
            )
    evidence = sorted({c.item.id: c.item for c in credentials}.values(), key=lambda i: i.id)
    figures: dict[str, int | None] = {
        f"{noun}_checked": len(credentials),
        f"{noun}_overdue": len(overdue),
        "oldest_rotation_age_days": max(ages) if ages else None,
    }
    if overdue:
        return ctx.not_met(*overdue, *unknown, evidence=evidence, **figures)
    if unknown:
        return ctx.insufficient(*unknown, evidence=evidence, **figures)
    return ctx.met(
        f"all {len(credentials)} {noun} were rotated within {every} days of {as_of.isoformat()} "
        f"(oldest {max(ages)} days)",
        evidence=evidence,
        **figures,
    )


def fact_entries(value: Any) -> list[dict[str, Any]]:
    """Return the dict entries of a list-valued fact (anything else gives none)."""
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def matches_secret(name: str, pattern: str) -> bool:
    """Match a glob (``prod/*``), or else a case-insensitive part of the name."""
    if any(ch in pattern for ch in "*?["):
        return fnmatchcase(name, pattern)
    return pattern.lower() in name.lower()
