"""Checks of the cloud account's password policy, users' MFA and access-key age."""

from __future__ import annotations

from typing import Any

from evidence.controls.checks import check
from evidence.controls.context import CheckContext
from evidence.controls.settings_facts import (
    Verdicts,
    cite,
    in_terraform,
    listing,
    parse_time,
    snapshots,
)
from evidence.model.evidence import EvidenceItem
from evidence.model.results import CheckOutcome, Status

#: Policy field -> (AWS API name, Terraform attribute).
_NAMES = {
    "min_length": ("MinimumPasswordLength", "minimum_password_length"),
    "require_uppercase": ("RequireUppercaseCharacters", "require_uppercase_characters"),
    "require_lowercase": ("RequireLowercaseCharacters", "require_lowercase_characters"),
    "require_numbers": ("RequireNumbers", "require_numbers"),
    "require_symbols": ("RequireSymbols", "require_symbols"),
    "max_age_days": ("MaxPasswordAge", "max_password_age"),
    "reuse_prevention": ("PasswordReusePrevention", "password_reuse_prevention"),
}
_CLASSES = {
    "upper": "require_uppercase",
    "lower": "require_lowercase",
    "digit": "require_numbers",
    "special": "require_symbols",
}
_UNSUPPORTED = {
    "min_age_days": "a minimum password age",
    "no_username": "rejecting passwords that contain the user name",
    "lockout_after_failures": "locking an account after failed log-ins",
}


def _name(field: str, policy: dict[str, Any]) -> str:
    api, terraform = _NAMES[field]
    return terraform if in_terraform(policy) else api


def _setting(field: str, policy: dict[str, Any]) -> str:
    value = policy.get(field)
    shown = (
        "not set"
        if value is None
        else ("true" if value is True else "false" if value is False else value)
    )
    return f"{_name(field, policy)}={shown}"


def _required_classes(value: Any) -> tuple[set[str], int]:
    """Name the classes required, and how many of the four must be present ("mixed": three)."""
    text = str(value or "").lower()
    if text.strip() == "mixed":
        return set(), 3
    named = {name for name in _CLASSES if name in text}
    return named, len(named)


#: The requirement elements the password check judges one by one.
PASSWORD_PARTS = ("min_length", "char_classes", "max_age", "history")


def policy_gaps(policy: dict[str, Any], params: dict[str, Any]) -> list[tuple[str, str]]:
    """Each parameter of the control the policy fails, as (element, what is wrong and what is needed)."""
    gaps: list[tuple[str, str]] = []
    min_length = params.get("min_length")
    if min_length is not None and (policy.get("min_length") or 0) < int(min_length):
        gaps.append(("min_length", f"{_setting('min_length', policy)} (needs {min_length} or more)"))
    named, count = _required_classes(params.get("required_character_classes"))
    for name in sorted(named):
        field = _CLASSES[name]
        if not policy.get(field):
            gaps.append(("char_classes", f"{_setting(field, policy)} ({name} characters required)"))
    if not named and count:
        present = sum(1 for field in _CLASSES.values() if policy.get(field))
        if present < count:
            gaps.append(("char_classes", f"only {present} character class(es) required (needs {count} of 4)"))
    max_age = params.get("password_max_age_days")
    if max_age is not None:
        age = policy.get("max_age_days")
        if not age or age > int(max_age):
            gaps.append(
                ("max_age", f"{_setting('max_age_days', policy)} (passwords must expire within {max_age} days)")
            )
    history = params.get("history")
    if history is not None and (policy.get("reuse_prevention") or 0) < int(history):
        gaps.append(
            (
                "history",
                f"{_setting('reuse_prevention', policy)} (the last {history} passwords must be refused)",
            )
        )
    return gaps


@check("password_policy_strength", reads=("iam.password_policy",), parts=PASSWORD_PARTS)
def password_policy_strength(ctx: CheckContext) -> CheckOutcome:
    """Each password policy on record meets every parameter of the control it can express."""
    shots = snapshots(ctx, "iam.password_policy", "policies")
    verdicts = Verdicts()
    verdicts.notes.extend(shots.reasons(ctx))
    failing_parts: set[str] = set()
    for policy, item in shots.records("policies"):
        subject = _subject(policy, item)
        label = f"password policy of {subject}"
        if policy.get("error"):
            verdicts.add(subject, "unknown", f"{label}: {policy['error']} ({item.id})")
            continue
        if policy.get("present") is False:
            verdicts.add(
                subject,
                "bad",
                f"{label}: none is set (NoSuchEntity), so IAM's defaults apply: "
                f"8 characters, no expiry, no history ({item.id})",
            )
            failing_parts.update(PASSWORD_PARTS)
            continue
        gaps = policy_gaps(policy, ctx.params)
        if gaps:
            failing_parts.update(part for part, _ in gaps)
            verdicts.add(subject, "bad", f"{label}: {', '.join(text for _, text in gaps)} ({item.id})")
        else:
            verdicts.add(
                subject, "good", f"{label}: {', '.join(_setting(f, policy) for f in _NAMES)}"
            )
        cannot = [_UNSUPPORTED[u] for u in policy.get("unsupported") or [] if u in _UNSUPPORTED]
        if cannot:
            note = (
                f"AWS IAM has no setting for {', '.join(cannot)}; "
                "those rules of the control rest on the "
                "identity provider or the written policy"
            )
            if note not in verdicts.notes:
                verdicts.notes.append(note)
    bad, good, unknown = verdicts.bad, verdicts.good, [*shots.errors(), *verdicts.unknown]
    if bad:
        outcome = ctx.not_met(
            f"{len(bad)} password policy gap(s): {listing(bad)}",
            *unknown[:3],
            *verdicts.notes,
            evidence=shots.fresh,
            policies_failing=len(bad),
        )
        # Each element takes its own verdict: a short history does not make the length fail.
        fine = Status.INSUFFICIENT if unknown else Status.MET
        outcome.parts = {part: Status.NOT_MET if part in failing_parts else fine for part in PASSWORD_PARTS}
        return outcome
    if unknown:
        return ctx.insufficient(
            f"password policy could not be read: {listing(unknown)}",
            *verdicts.notes,
            evidence=shots.fresh,
        )
    if not good:
        return ctx.insufficient(
            "no password policy was collected", *verdicts.notes, evidence=shots.fresh
        )
    outcome = ctx.met(
        f"{listing(good)} ({cite(shots.fresh)})",
        *verdicts.notes,
        evidence=shots.fresh,
        policies_checked=len(good),
    )
    outcome.parts = dict.fromkeys(PASSWORD_PARTS, Status.MET)
    return outcome


def _subject(record: dict[str, Any], item: EvidenceItem) -> str:
    if in_terraform(record):
        return f"Terraform {record.get('origin')}"
    account = record.get("account") or item.facts.get("account")
    return f"AWS account {account}" if account else "the AWS account"


def _credential_snapshots(
    ctx: CheckContext,
) -> tuple[list[tuple[dict[str, Any], EvidenceItem]], list[str], list[str], list[EvidenceItem]]:
    shots = snapshots(ctx, "iam.credentials", "users")
    users = shots.records("users")
    for item in shots.fresh:
        root = item.facts.get("root")
        if isinstance(root, dict):
            users.append((root, item))
    return users, shots.errors(), shots.reasons(ctx), shots.fresh


@check("iam_users_mfa", reads=("iam.credentials",))
def iam_users_mfa(ctx: CheckContext) -> CheckOutcome:
    """Every IAM user with a console password, and the root account, has MFA."""
    users, errors, notes, items = _credential_snapshots(ctx)
    verdicts = Verdicts()
    api_only: set[str] = set()
    roots = 0
    for user, item in users:
        root = user.get("user") == "<root_account>"
        roots += root
        identity = str(user.get("user"))
        name = "root account" if root else f"IAM user {identity}"
        if user.get("mfa") is True:
            verdicts.add(identity, "good", name)
        elif root or user.get("console") is True:
            if user.get("mfa") is False:
                what = "no MFA device" if root else "console password, no MFA device"
                verdicts.add(identity, "bad", f"{name}: {what} (mfa_active=false) ({item.id})")
            else:
                verdicts.add(identity, "unknown", f"{name}: MFA not known ({item.id})")
        elif user.get("console") is False:
            api_only.add(identity)
        else:
            verdicts.add(
                identity,
                "unknown",
                f"{name}: no MFA device on record and console access not known ({item.id})",
            )
    unknown = [*errors, *verdicts.unknown]
    if items and not roots and any(i.facts.get("source") == "credential report" for i in items):
        unknown.append(
            "the credential report has no <root_account> row, so root MFA is not known "
            f"({cite(items)})"
        )
    bad, good = verdicts.bad, verdicts.good
    figures = {
        "accounts_with_mfa": len(good),
        "accounts_without_mfa": len(bad),
        "api_only_users": len(api_only),
    }
    if bad:
        return ctx.not_met(
            f"{len(bad)} account(s) can sign in without MFA: {listing(bad)}",
            *unknown[:3],
            *notes,
            evidence=items,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"MFA could not be established: {listing(unknown)}", *notes, evidence=items, **figures
        )
    if not users:
        return ctx.insufficient("no IAM users were collected", *notes, evidence=items)
    return ctx.met(
        f"all {len(good)} account(s) that can sign in to the console (root included) have MFA; "
        f"{len(api_only)} "
        f"API-only user(s) have no console password ({cite(items)})",
        *notes,
        evidence=items,
        **figures,
    )


@check("access_key_age", reads=("iam.credentials",))
def access_key_age(ctx: CheckContext) -> CheckOutcome:
    """Every active IAM access key was created or rotated within the limit, as of the as-of date."""
    limit = int(ctx.params.get("rotate_every_days", ctx.params.get("max_age_days", 365)))
    users, errors, notes, items = _credential_snapshots(ctx)
    verdicts = Verdicts()
    ages: dict[tuple[str, Any], tuple[int, str]] = {}
    for user, item in users:
        name = (
            "root account"
            if user.get("user") == "<root_account>"
            else f"IAM user {user.get('user')}"
        )
        for key in user.get("access_keys") or []:
            if not key.get("active"):
                continue
            identity = (str(user.get("user")), key.get("slot"))
            label = f"{name} access key {key.get('slot')}"
            rotated = parse_time(key.get("last_rotated"))
            if rotated is None:
                verdicts.add(identity, "unknown", f"{label}: creation date not known ({item.id})")
                continue
            if rotated > ctx.as_of:
                verdicts.add(
                    identity,
                    "unknown",
                    f"{label}: created {rotated.date()}, after the as-of date; the key "
                    f"it replaced is not on record ({item.id})",
                )
                continue
            age = (ctx.as_of - rotated).days
            ages[identity] = (age, label)
            text = f"{label}: last rotated {rotated.date()}, {age} days before {ctx.as_of.date()}"
            verdicts.add(
                identity,
                "bad" if age > limit else "good",
                f"{text} (limit {limit}) ({item.id})" if age > limit else text,
            )
    bad, good, unknown = verdicts.bad, verdicts.good, [*errors, *verdicts.unknown]
    oldest = max(ages.values()) if ages else None
    figures: dict[str, int | None] = {
        "active_access_keys": len(ages),
        "keys_over_limit": len(bad),
        "oldest_key_days": oldest[0] if oldest else None,
    }
    if bad:
        return ctx.not_met(
            f"{len(bad)} active access key(s) older than {limit} days: {listing(bad)}",
            *unknown[:3],
            *notes,
            evidence=items,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"access-key age could not be established: {listing(unknown)}",
            *notes,
            evidence=items,
            **figures,
        )
    if not users:
        return ctx.insufficient("no IAM users were collected", *notes, evidence=items)
    if not good or oldest is None:
        return ctx.met(
            f"the credential report lists {len({u.get('user') for u, _ in users})} account(s) "
            "and no "
            f"active access key ({cite(items)})",
            *notes,
            evidence=items,
            **figures,
        )
    return ctx.met(
        f"all {len(good)} active access key(s) are at most {limit} days old "
        f"as of {ctx.as_of.date()}; "
        f"the oldest is {oldest[1]} at {oldest[0]} days ({cite(items)})",
        *notes,
        evidence=items,
        **figures,
    )
