"""Access reviews checked for completeness against the principals the logs and IAM show.

A review given as a CSV lists each account reviewed (see
:mod:`evidence.collectors.access_review`); its accounts are keyed pseudonyms like the principals
of the log collectors. A principal active in the period before the review, or an IAM user on
record, that the review leaves out is a gap in the review: the control is not met, naming the
pseudonyms. The review itself stays attested evidence: the tool cannot see that it was done.
"""

from __future__ import annotations

from datetime import date

from evidence.controls.cadence import item_date, named
from evidence.controls.checks import check
from evidence.controls.checks.documents import describe, supporting_documents
from evidence.controls.context import CheckContext, NoParams
from evidence.controls.settings_facts import parse_time, snapshot_facts
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.access import AccessActivity, PrincipalActivity
from evidence.model.facts.cloud_account import IamCredentials
from evidence.model.facts.documents import Document
from evidence.model.results import CheckOutcome


def _active(principal: PrincipalActivity, first_day: date, last_day: date) -> bool:
    first = parse_time(principal.first_seen)
    last = parse_time(principal.last_seen)
    if first is None or last is None:
        return True
    return last.date() >= first_day and first.date() <= last_day


def population(ctx: CheckContext, reviewed_on: date) -> tuple[dict[str, str], list[EvidenceItem]]:
    """Principals active in the period up to ``reviewed_on``, and IAM users: pseudonym -> where seen."""
    seen: dict[str, str] = {}
    used: list[EvidenceItem] = []
    for item, facts in ctx.facts(AccessActivity):
        found = False
        for principal in facts.principals:
            if _active(principal, ctx.period.start, reviewed_on):
                seen.setdefault(principal.principal, f"{item.source} ({item.id})")
                found = True
        if found:
            used.append(item)
    shots = snapshot_facts(ctx, IamCredentials, "users")
    for user, item in shots.records(lambda facts: facts.users):
        name = user.user
        if name and name != "<root_account>":
            seen.setdefault(name, f"IAM ({item.id})")
            if item not in used:
                used.append(item)
    return seen, used


@check("access_review_complete", reads=(Document.kind, AccessActivity.kind, IamCredentials.kind), params=NoParams)
def access_review_complete(ctx: CheckContext) -> CheckOutcome:
    """The latest access review of the period lists every principal active in the period before it.

    A review registered as a document only (no CSV of the accounts) is taken on its register
    entry's word (population source, accounts reviewed): met on attestation at most.
    """
    as_of = ctx.as_of.date()
    in_period = [
        item
        for item in supporting_documents(ctx, ["access-review"])
        if (day := item_date(item)) is not None and ctx.period.start <= day <= as_of
    ]
    if not in_period:
        return ctx.insufficient("no complete access-review record is dated in the period")
    reviews = [item for item in in_period if item.facts_as(Document).review is not None]
    if not reviews:
        latest = max(in_period, key=lambda i: (item_date(i) or date.min, i.id))
        record = latest.facts_as(Document).record
        return ctx.met(
            f"{describe(latest)} states its population ({record.get('population_source')}) and "
            f"{record.get('accounts_reviewed')} account(s) reviewed; register it as a CSV of the accounts "
            "(account, reviewer, decision, date) to have its completeness checked against the logs",
            evidence=[latest],
        )
    review = max(reviews, key=lambda i: (item_date(i) or date.min, i.id))
    rows = review.facts_as(Document).review
    assert rows is not None  # reviews holds only documents with rows
    reviewed_on = item_date(review) or as_of
    if rows.errors:
        return ctx.insufficient(
            f"{describe(review)}: {len(rows.errors)} row(s) could not be read, first: {rows.errors[0]}",
            evidence=[review],
        )
    accounts = set(rows.accounts)
    seen, sources = population(ctx, reviewed_on)
    if not seen:
        return ctx.insufficient(
            f"{describe(review)} lists {len(accounts)} account(s), but no access log or IAM listing "
            "was collected to check it against",
            evidence=[review],
        )
    missing = sorted(set(seen) - accounts)
    figures = {
        "accounts_reviewed": len(accounts),
        "principals_active": len(seen),
        "principals_not_reviewed": len(missing),
    }
    if missing:
        return ctx.not_met(
            f"{describe(review)} leaves out {len(missing)} of the {len(seen)} principal(s) active in the "
            f"period up to {reviewed_on.isoformat()}: "
            + named([f"{p} (seen in {seen[p]})" for p in missing]),
            evidence=[review, *sources],
            **figures,
        )
    return ctx.met(
        f"{describe(review)} covers all {len(seen)} principal(s) active in the period up to "
        f"{reviewed_on.isoformat()} in {len(sources)} source(s) ({len(accounts)} account(s) reviewed)",
        evidence=[review, *sources],
        **figures,
    )
