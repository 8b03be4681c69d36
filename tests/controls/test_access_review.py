"""Access reviews checked for completeness against the principals of the period."""

from __future__ import annotations

from datetime import UTC, datetime

from review_items import aws_item, document, judge, result

from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, stable_evidence_id
from evidence.model.facts import dump_facts
from evidence.model.facts.access import PrincipalActivity
from evidence.model.facts.documents import AccessReviewRows, Document
from evidence.model.results import Status
from evidence.redact import Redactor
from tests.fact_builders import activity_facts

REDACTOR = Redactor(b"k" * 32)
RECORD = {
    "reviewer": "Head of Engineering",
    "population_source": "IAM, bastion",
    "accounts_reviewed": "3",
    "changes_made": "none",
}


def who(name: str) -> str:
    return REDACTOR.principal(name)


def review(day: str, accounts: list[str], errors: list[str] | None = None) -> EvidenceItem:
    item = document("access-review", day, record=RECORD)
    rows = AccessReviewRows(accounts=sorted(who(a) for a in accounts), rows=len(accounts), errors=errors or [])
    facts = dump_facts(item.facts_as(Document).model_copy(update={"review": rows}))
    assert "review" in facts
    return item.model_copy(update={"facts": facts}).seal()


def principal(name: str, first: str, last: str) -> PrincipalActivity:
    """A principal with one login in the period, seen from ``first`` to ``last``."""
    return PrincipalActivity(
        principal=who(name), events=1, logins=1, logins_with_mfa=1, logins_without_mfa=0, logins_mfa_unknown=0,
        failed_logins=0, interactive_logins=1, addresses=1, first_seen=first, last_seen=last, last_active=last,
        generic=False, service_account=False, federated=False,
    )


def activity(*principals: tuple[str, str, str]) -> EvidenceItem:
    return EvidenceItem(
        id=stable_evidence_id("bastion", "access.activity", repr(principals)),
        kind="access.activity",
        collector="auth-log",
        source="bastion",
        subject="auth.log",
        location="auth.log",
        collected_at=datetime(2026, 10, 1, tzinfo=UTC),
        facts=dump_facts(activity_facts([principal(*p) for p in principals])),
        assurance=Assurance.EXPORTED,
    ).seal()


def test_a_principal_active_before_the_review_but_left_out_makes_it_not_met_naming_the_pseudonym() -> None:
    logs = activity(
        ("alice", "2026-07-02T09:00:00Z", "2026-09-29T09:00:00Z"),
        ("bob", "2026-07-03T09:00:00Z", "2026-08-10T09:00:00Z"),
        ("newcomer", "2026-09-10T09:00:00Z", "2026-09-29T09:00:00Z"),  # joined after the review
    )
    control = result(judge([review("2026-08-28", ["alice"]), logs]), "DPP-ACC-2")
    assert control.status is Status.NOT_MET
    outcome = next(o for o in control.outcomes if o.check == "access_review_complete")
    assert outcome.status is Status.NOT_MET
    assert f"{who('bob')} (seen in bastion" in outcome.reasons[0]
    assert who("newcomer") not in outcome.reasons[0]
    assert "bob" not in outcome.reasons[0]
    assert outcome.figures["principals_not_reviewed"] == 1


def test_iam_users_on_record_belong_to_the_population() -> None:
    iam = aws_item(
        "iam.credentials",
        {"captured_at": "2026-09-29T09:00:00+00:00", "users": [{"user": who("deploy-ci")}, {"user": "<root_account>"}]},
    )
    logs = activity(("alice", "2026-07-02T09:00:00Z", "2026-09-29T09:00:00Z"))
    outcome = next(
        o
        for o in result(judge([review("2026-08-28", ["alice"]), logs, iam]), "DPP-ACC-2").outcomes
        if o.check == "access_review_complete"
    )
    assert outcome.status is Status.NOT_MET
    assert who("deploy-ci") in outcome.reasons[0] and "<root_account>" not in outcome.reasons[0]


def test_a_complete_review_is_met_but_only_on_attestation() -> None:
    logs = activity(("alice", "2026-07-02T09:00:00Z", "2026-09-29T09:00:00Z"))
    control = result(judge([review("2026-08-28", ["alice", "bob"]), logs]), "DPP-ACC-2")
    outcome = next(o for o in control.outcomes if o.check == "access_review_complete")
    assert outcome.status is Status.MET and outcome.assurance is Assurance.ATTESTED
    assert control.status is Status.MET and control.on_attestation


def test_unreadable_rows_leave_completeness_undecided() -> None:
    logs = activity(("alice", "2026-07-02T09:00:00Z", "2026-09-29T09:00:00Z"))
    bad = review("2026-08-28", ["alice"], errors=["review.csv:4: no account"])
    outcome = next(
        o for o in result(judge([bad, logs]), "DPP-ACC-2").outcomes if o.check == "access_review_complete"
    )
    assert outcome.status is Status.INSUFFICIENT
    assert "review.csv:4: no account" in outcome.reasons[0]


def test_a_review_without_a_list_of_accounts_is_taken_on_its_record() -> None:
    plain = document("access-review", "2026-08-28", record=RECORD)
    outcome = next(
        o for o in result(judge([plain]), "DPP-ACC-2").outcomes if o.check == "access_review_complete"
    )
    assert outcome.status is Status.MET and outcome.assurance is Assurance.ATTESTED
    assert "register it as a CSV of the accounts" in outcome.reasons[0]
