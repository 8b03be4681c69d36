"""MFA decided where sign-in happens: per access path, per person, from sign-in records.

Each log source counts successful sign-ins per access path (``access_paths`` in
``access.activity``): an identity-provider session into an application, or the login method
of a system that is itself signed in to (SSH, the AWS console, an application). A judged path
with a sign-in without MFA makes the check not met, naming the people and their counts; a
path whose second factor the log does not show makes it insufficient. With ``[access].pii_apps``
declared, IdP paths into other applications are reported but not judged. AWS console logins of
federated role sessions are decided at the identity provider when its sign-ins were collected.
Policy settings (MFA required, 2-step enforced) and factors removed are listed as support:
they never decide "met" without sign-in records.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from typing import Any

from evidence.collectors.access_paths import SIGN_IN_ONLY, THROUGH_IDP
from evidence.controls.checks import check
from evidence.controls.checks.access import INTERACTIVE, KIND, Activity, active_items, label, no_activity, plural
from evidence.controls.checks.people import People
from evidence.controls.context import CheckContext, NoParams
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.access import AccessActivity, AccessPath
from evidence.model.facts.identity import IdentityLeavers
from evidence.model.results import CheckOutcome

#: How many people the report's table lists (most sign-ins without MFA first).
MAX_PEOPLE = 50


def _judged(path: AccessPath, pii_apps: list[str]) -> bool:
    if path.method.split("-")[0] != "idp" or not pii_apps:
        return True
    return any(fnmatch.fnmatch(path.path.lower(), pattern.lower()) for pattern in pii_apps)


def _where(path: AccessPath, count: int) -> str:
    """``2 IdP sign-ins into 'AWS IAM Identity Center'``, ``3 ssh-publickey logins``."""
    if path.method != "idp":
        return plural(count, f"{path.method} login")
    if path.path == SIGN_IN_ONLY:
        return f"{plural(count, 'IdP sign-in')} reaching no application"
    return f"{plural(count, 'IdP sign-in')} into {path.path!r}"


def _without(path: AccessPath, item: EvidenceItem, people: People) -> str:
    """``3 ssh-publickey logins without MFA by 2 principals (source): user:a ×2, user:b ×1``."""
    counts: Counter[str] = Counter()
    for entry in path.without_mfa_by_principal:
        counts[people.label(entry.principal)] += entry.logins
    named = ", ".join(f"{p} ×{n}" for p, n in sorted(counts.items(), key=lambda x: (-x[1], x[0])))
    if path.method == "idp":
        who = plural(len(counts), "person")
    else:
        who = plural(path.principals_without_mfa or len(counts), "principal")
    return f"{_where(path, path.without_mfa)} without MFA by {who} ({label(item)})" + (f": {named}" if named else "")


@check("mfa_on_logins", reads=(KIND,), params=NoParams)
def mfa_on_logins(ctx: CheckContext) -> CheckOutcome:
    """Every successful interactive sign-in on a path to PII (IdP, console, SSH, application) used MFA.

    Per access path (an IdP session into an application; console, SSH and application logins by
    method): not met when any sign-in on a judged path succeeded without MFA, naming the people
    and counts ("1 IdP sign-in into 'AWS IAM Identity Center' without MFA by 1 person", "3
    console logins without MFA by 2 principals"); IdP paths into applications outside
    `[access].pii_apps` are reported, not judged; federated console logins are decided at the
    identity provider when its sign-ins were collected; insufficient when the log cannot show the
    second factor or there were no logins; MFA policy settings are support only, never met
    without sign-ins.
    """
    items, empty = active_items(ctx)
    if not items:
        return no_activity(ctx, empty)
    people = People(ctx.facts(AccessActivity), ctx.facts(IdentityLeavers))
    pii_apps = sorted({a for _, f in items for a in f.pii_apps})
    idps = [i for i, f in items if any(p.method == "idp" and p.logins for p in f.access_paths)]
    without, unknown, unjudged, through_idp = [], [], [], 0
    culprits: set[str] = set()
    with_mfa = without_total = 0
    deciding: list[EvidenceItem] = []
    for item, facts in items:
        for path in facts.access_paths:
            if path.method.split("-")[0] not in INTERACTIVE:
                continue
            if not _judged(path, pii_apps):
                if path.without_mfa or path.mfa_unknown:
                    unjudged.append(f"{path.path!r} ({plural(path.without_mfa, 'sign-in')} without MFA)")
                continue
            with_mfa += path.with_mfa
            if path.without_mfa:
                without_total += path.without_mfa
                without.append(_without(path, item, people))
                culprits.update(people.label(e.principal) for e in path.without_mfa_by_principal)
                deciding.append(item)
            if path.mfa_unknown:
                if path.path == THROUGH_IDP and idps:
                    through_idp += path.mfa_unknown
                elif path.path == THROUGH_IDP:
                    unknown.append(
                        f"{plural(path.mfa_unknown, path.method + ' login')} through an identity provider "
                        f"whose sign-ins were not collected, so their second factor is unknown ({label(item)})"
                    )
                else:
                    unknown.append(
                        f"{_where(path, path.mfa_unknown)} whose second factor the log does not show ({label(item)})"
                    )
            if path.with_mfa and item not in deciding:
                deciding.append(item)
    notes = _support(items, unjudged, through_idp, idps)
    figures = {
        "logins_with_mfa": with_mfa,
        "logins_without_mfa": without_total,
        "people_without_mfa": len(culprits),
    }
    every = [i for i, _ in items]
    outcome: CheckOutcome
    if without:
        outcome = ctx.not_met(*without, *unknown, *notes, evidence=deciding, **figures)
    elif unknown:
        outcome = ctx.insufficient(*unknown, *notes, evidence=every, **figures)
    elif not with_mfa:
        outcome = ctx.insufficient(
            "no interactive logins in the period, so MFA use cannot be shown"
            + ("; policy settings alone never show that sign-ins used MFA" if notes else ""),
            *notes,
            evidence=every,
        )
    else:
        outcome = ctx.met(
            f"all {plural(with_mfa, 'interactive login')} in the period used MFA", *notes, evidence=deciding, **figures
        )
    outcome.detail["people"] = _people_table(people)
    return outcome


def _support(items: list[Activity], unjudged: list[str], through_idp: int, idps: list[EvidenceItem]) -> list[str]:
    """Reasons that inform but do not decide: unjudged paths, federated logins, policy changes."""
    notes = []
    if unjudged:
        notes.append("not judged (the IdP paths lead to no application in [access].pii_apps): " + "; ".join(unjudged))
    if through_idp:
        notes.append(
            f"{plural(through_idp, 'console login')} through the identity provider: MFA decided by its sign-ins ("
            + ", ".join(label(i) for i in idps)
            + ")"
        )
    for item, facts in items:
        identity = facts.identity
        if identity is None:
            continue
        changes = [p for p in identity.policy_changes if p.mfa]
        if changes:
            last = changes[-1]
            notes.append(
                f"supporting only: {plural(identity.mfa_policy_changes, 'MFA policy change')} "
                f"(last: {last.what} at {last.at}) in {label(item)}"
            )
        if identity.mfa_removed_total:
            notes.append(
                f"supporting only: second factors removed or reset {plural(identity.mfa_removed_total, 'time')} "
                f"in {label(item)}"
            )
    return notes


def _people_table(people: People) -> list[dict[str, Any]]:
    """Per person: linked accounts and interactive sign-ins with and without MFA (for the report).

    With and without MFA count the logins whose second factor the logs show; a database login,
    whose factor no log shows, is in neither.
    """
    rows: list[dict[str, Any]] = []
    for person in people.everyone():
        signed = sum(a.logins for a in person.accounts)
        if not signed:
            continue
        rows.append(
            {
                "person": person.label,
                "accounts": person.linked(),
                "linked_accounts": len(person.principals()),
                "sign_ins": signed,
                "with_mfa": sum(a.with_mfa for a in person.accounts),
                "without_mfa": sum(a.without_mfa for a in person.accounts),
            }
        )
    rows.sort(key=lambda r: (-r["without_mfa"], -r["linked_accounts"], r["person"]))
    return rows[:MAX_PEOPLE]
