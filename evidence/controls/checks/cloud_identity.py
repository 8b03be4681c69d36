"""Checks of the cloud account's password policy, users' MFA and access-key age."""

from __future__ import annotations

from typing import Any

from evidence.controls.checks import check
from evidence.controls.context import CheckContext, NoParams, Params
from evidence.controls.settings_facts import (
    Verdicts,
    cite,
    in_terraform,
    listing,
    parse_time,
    snapshot_facts,
)
from evidence.controls.settings_timeline import Judge, Judgement, over_period
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.cloud_account import IamCredentials, IamUser, PasswordPolicies, PasswordPolicy
from evidence.model.results import CheckOutcome, Status
from evidence.model.settings_history import CHANGES

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


def _name(field: str, policy: PasswordPolicy) -> str:
    api, terraform = _NAMES[field]
    return terraform if in_terraform(policy) else api


def _setting(field: str, policy: PasswordPolicy) -> str:
    value = getattr(policy, field)
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


class PasswordParams(Params):
    """The password rules of the control; a rule the control does not state is not judged."""

    min_length: int | None = None
    required_character_classes: str | None = None
    password_max_age_days: int | None = None
    history: int | None = None


def policy_gaps(policy: PasswordPolicy, params: PasswordParams) -> list[tuple[str, str]]:
    """Each parameter of the control the policy fails, as (element, what is wrong and what is needed)."""
    gaps: list[tuple[str, str]] = []
    min_length = params.min_length
    if min_length is not None and (policy.min_length or 0) < min_length:
        gaps.append(("min_length", f"{_setting('min_length', policy)} (needs {min_length} or more)"))
    named, count = _required_classes(params.required_character_classes)
    for name in sorted(named):
        field = _CLASSES[name]
        if not getattr(policy, field):
            gaps.append(("char_classes", f"{_setting(field, policy)} ({name} characters required)"))
    if not named and count:
        present = sum(1 for field in _CLASSES.values() if getattr(policy, field))
        if present < count:
            gaps.append(("char_classes", f"only {present} character class(es) required (needs {count} of 4)"))
    max_age = params.password_max_age_days
    if max_age is not None:
        age = policy.max_age_days
        if not age or age > max_age:
            gaps.append(
                ("max_age", f"{_setting('max_age_days', policy)} (passwords must expire within {max_age} days)")
            )
    history = params.history
    if history is not None and (policy.reuse_prevention or 0) < history:
        gaps.append(
            (
                "history",
                f"{_setting('reuse_prevention', policy)} (the last {history} passwords must be refused)",
            )
        )
    return gaps


def _policy_judge(params: PasswordParams, failing: set[str]) -> Judge[PasswordPolicy]:
    """Judge one state of a password policy; the elements it fails are added to ``failing``."""

    def judge(policy: PasswordPolicy, item: EvidenceItem) -> Judgement:
        label = f"password policy of {_subject(policy, item)}"
        if policy.error:
            return Judgement("unknown", f"{policy.error} ({item.id})", label)
        if policy.present is False:
            failing.update(PASSWORD_PARTS)
            return Judgement(
                "bad",
                "none is set (NoSuchEntity), so IAM's defaults apply: 8 characters, no expiry, no history "
                f"({item.id})",
                label,
            )
        if policy.present is None and policy.min_length is None:
            return Judgement("unknown", f"the policy is not known ({item.id})", label)
        gaps = policy_gaps(policy, params)
        if gaps:
            failing.update(part for part, _ in gaps)
            return Judgement("bad", f"{', '.join(text for _, text in gaps)} ({item.id})", label)
        return Judgement("good", f"{label}: {', '.join(_setting(f, policy) for f in _NAMES)}", label)

    return judge


@check(
    "password_policy_strength",
    reads=(PasswordPolicies.kind, CHANGES),
    parts=PASSWORD_PARTS,
    params=PasswordParams,
)
def password_policy_strength(ctx: CheckContext) -> CheckOutcome:
    """Each password policy on record met every parameter of the control, on every day of the period.

    Each element the control makes of the policy (length, classes, maximum age, history) gets
    its own status, so a short history does not make the length fail. Parameters:
    ``min_length``, ``required_character_classes`` (names, or ``mixed`` = three of four),
    ``password_max_age_days`` and ``history``; rules AWS IAM cannot express (minimum age, user
    name, lockout) are named in the reasons; no policy at all is not met.
    """
    failing: set[str] = set()
    params = ctx.parameters(PasswordParams)
    judged = over_period(ctx, PasswordPolicies, ("policies",), PasswordPolicy, _policy_judge(params, failing))
    verdicts = judged.verdicts
    for _, facts in ctx.facts(PasswordPolicies):
        for policy in facts.policies or []:
            cannot = [_UNSUPPORTED[u] for u in policy.unsupported if u in _UNSUPPORTED]
            if cannot:
                note = (
                    f"AWS IAM has no setting for {', '.join(cannot)}; those rules of the control rest on the "
                    "identity provider or the written policy"
                )
                if note not in verdicts.notes:
                    verdicts.notes.append(note)
    bad, good, unknown = verdicts.bad, verdicts.good, [*judged.errors, *verdicts.unknown]
    if bad:
        outcome = ctx.not_met(
            f"{len(bad)} password policy gap(s): {listing(bad)}",
            *unknown[:3],
            *verdicts.notes,
            evidence=judged.evidence,
            policies_failing=len(bad),
            days_in_period=judged.days,
        )
        fine = Status.INSUFFICIENT if unknown else Status.MET
        outcome.parts = {part: Status.NOT_MET if part in failing else fine for part in PASSWORD_PARTS}
        return outcome
    if unknown:
        return ctx.insufficient(
            f"password policy could not be established for every day of the period: {listing(unknown)}",
            *verdicts.notes,
            evidence=judged.evidence,
            days_in_period=judged.days,
        )
    if not good:
        return ctx.insufficient("no password policy was collected", *verdicts.notes, evidence=judged.evidence)
    outcome = ctx.met(
        f"{listing(good)} ({cite(judged.evidence)})",
        *verdicts.notes,
        evidence=judged.evidence,
        policies_checked=len(good),
        days_in_period=judged.days,
    )
    outcome.parts = dict.fromkeys(PASSWORD_PARTS, Status.MET)
    return outcome


def _subject(record: PasswordPolicy, item: EvidenceItem) -> str:
    if in_terraform(record):
        return f"Terraform {record.origin}"
    account = record.account or item.facts_as(PasswordPolicies).account
    return f"AWS account {account}" if account else "the AWS account"


def _credential_snapshots(
    ctx: CheckContext,
) -> tuple[list[tuple[IamUser, EvidenceItem]], list[str], list[str], list[EvidenceItem], list[IamCredentials]]:
    shots = snapshot_facts(ctx, IamCredentials, "users")
    users = shots.records(lambda facts: facts.users)
    for item, facts in shots.typed:
        if facts.root is not None:
            users.append((facts.root, item))
    return users, shots.errors(), shots.reasons(ctx), shots.fresh, [facts for _, facts in shots.typed]


def _mfa_judge(user: IamUser, item: EvidenceItem) -> Judgement:
    root = user.user == "<root_account>"
    name = "root account" if root else f"IAM user {user.user}"
    if user.mfa is True:
        return Judgement("good", name, name)
    if root or user.console is True:
        if user.mfa is False:
            what = "no MFA device" if root else "console password, no MFA device"
            return Judgement("bad", f"{what} (mfa_active=false) ({item.id})", name)
        return Judgement("unknown", f"MFA not known ({item.id})", name)
    if user.console is False:
        return Judgement("skip", "", name)
    return Judgement("unknown", f"no MFA device on record and console access not known ({item.id})", name)


@check("iam_users_mfa", reads=(IamCredentials.kind, CHANGES), params=NoParams)
def iam_users_mfa(ctx: CheckContext) -> CheckOutcome:
    """Every IAM user with a console password, and the root account, had MFA on every day of the period.

    Insufficient when the credential report has no root row or console use is unknown.
    """
    users, _errors, _notes, items, facts = _credential_snapshots(ctx)
    judged = over_period(ctx, IamCredentials, ("users", "root"), IamUser, _mfa_judge)
    verdicts = judged.verdicts
    roots = sum(1 for user, _ in users if user.user == "<root_account>")
    api_only = {user.user for user, _ in users if user.console is False and user.mfa is not True}
    unknown = [*judged.errors, *verdicts.unknown]
    if items and not roots and any(f.source == "credential report" for f in facts):
        unknown.append(
            f"the credential report has no <root_account> row, so root MFA is not known ({cite(items)})"
        )
    bad, good = verdicts.bad, verdicts.good
    figures = {
        "accounts_with_mfa": len(good),
        "accounts_without_mfa": len(bad),
        "api_only_users": len(api_only),
        "days_in_period": judged.days,
    }
    if bad:
        return ctx.not_met(
            f"{len(bad)} account(s) could sign in without MFA: {listing(bad)}",
            *unknown[:3],
            *verdicts.notes,
            evidence=judged.evidence,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"MFA could not be established for every day of the period: {listing(unknown)}",
            *verdicts.notes,
            evidence=judged.evidence,
            **figures,
        )
    if not users:
        return ctx.insufficient("no IAM users were collected", *verdicts.notes, evidence=judged.evidence)
    return ctx.met(
        f"all {len(good)} account(s) that can sign in to the console (root included) had MFA on every day "
        f"of the period: {listing(good)}; {len(api_only)} API-only user(s) have no console password "
        f"({cite(judged.evidence)})",
        *verdicts.notes,
        evidence=judged.evidence,
        **figures,
    )


class KeyAgeParams(Params):
    """How old an active access key may be."""

    rotate_every_days: int


@check("access_key_age", reads=(IamCredentials.kind,), params=KeyAgeParams)
def access_key_age(ctx: CheckContext) -> CheckOutcome:
    """Every active IAM access key was created or rotated within ``rotate_every_days`` of the as-of date."""
    limit = ctx.parameters(KeyAgeParams).rotate_every_days
    users, errors, notes, items, _ = _credential_snapshots(ctx)
    verdicts = Verdicts()
    ages: dict[tuple[str, Any], tuple[int, str]] = {}
    for user, item in users:
        name = "root account" if user.user == "<root_account>" else f"IAM user {user.user}"
        for key in user.access_keys:
            if not key.active:
                continue
            identity = (user.user, key.slot)
            label = f"{name} access key {key.slot}"
            rotated = parse_time(key.last_rotated)
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
            f"the credential report lists {len({u.user for u, _ in users})} account(s) "
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
