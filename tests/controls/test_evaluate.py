"""No false pass: the evaluator's rules on real catalogue controls and constructed evidence."""

from datetime import UTC, datetime

import pytest

from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.catalogue import Catalogue, CheckRef
from evidence.model.evidence import EvidenceItem, ParseStats, Reject
from evidence.model.facts import dump_facts
from evidence.model.facts.documents import Document
from evidence.model.period import parse_period
from evidence.model.results import ControlResult, Status, Waiver

PERIOD = parse_period("2026-Q3")
AS_OF = PERIOD.end_at


def doc(
    doc_type: str,
    day: str,
    *,
    next_review: str | None = None,
    rejected: int = 0,
    kept: int = 10,
    controls: list[str] | None = None,
    ident: str = "EV-DOC",
) -> EvidenceItem:
    stats = ParseStats(
        read=kept + rejected,
        kept=kept,
        rejected=rejected,
        rejects=[Reject(location="register.toml:3", reason="bad")] if rejected else [],
    )
    return EvidenceItem(
        id=f"{ident}-{doc_type}",
        kind="document",
        collector="documents",
        source="docs",
        subject=doc_type,
        location="register.toml",
        collected_at=datetime(2026, 10, 1, tzinfo=UTC),
        facts=dump_facts(
            Document(
                doc_type=doc_type,
                title=doc_type,
                controls=controls or [],
                owner="Security Lead",
                date=day,
                next_review=next_review,
                approved_by=None,
                approved_on=None,
                file=f"{doc_type}.md",
                sha256="0" * 64,
                size=10,
                record={},
                missing_fields=[],
            )
        ),
        stats=stats,
    ).seal()


def only(control_id: str, catalogue: str = "amazon-dpp@2025-11") -> Catalogue:
    cat = load_catalogue(catalogue)
    return cat.model_copy(update={"controls": [cat.control(control_id)]})


def result_of(control_id: str, *items: EvidenceItem, as_of: datetime = AS_OF, **kw: object) -> ControlResult:
    return evaluate(
        [only(control_id)], EvaluationInput(evidence=list(items), period=PERIOD, as_of=as_of, **kw)  # type: ignore[arg-type]
    ).results[0]


def status_of(control_id: str, *items: EvidenceItem, as_of: datetime = AS_OF, **kw: object) -> tuple[Status, list[str]]:
    result = result_of(control_id, *items, as_of=as_of, **kw)
    return result.status, result.reasons


def test_every_control_gets_a_status_even_without_evidence() -> None:
    catalogue = load_catalogue("amazon-dpp@2025-11")
    evaluation = evaluate([catalogue], EvaluationInput(evidence=[], period=PERIOD, as_of=AS_OF))
    assert len(evaluation.results) == len(catalogue.controls)
    assert {r.status for r in evaluation.results} == {Status.INSUFFICIENT}
    assert all(r.reasons for r in evaluation.results)


def test_recent_document_meets_on_attestation_and_names_evidence_and_figures() -> None:
    result = result_of("DPP-IR-2", doc("ir-plan-review", "2026-04-15", next_review="2026-10-14"))
    assert result.status is Status.MET and result.on_attestation and not result.verified
    assert result.inspect == ["EV-DOC-ir-plan-review"]
    assert result.reasons[0].startswith("met on attestation")
    interval = "2026-04-15 to 2026-09-30 (as-of date) (168 days)"
    assert any("EV-DOC-ir-plan-review" in r and interval in r for r in result.reasons)


def test_stale_document_is_a_deviation_with_its_dates() -> None:
    # A register that holds the review but no renewal in time: the control did not operate.
    status, reasons = status_of("DPP-IR-2", doc("ir-plan-review", "2026-03-01"))
    assert status is Status.NOT_MET
    assert "2026-03-01 to 2026-09-30 (as-of date) (213 days)" in reasons[0]


def test_document_past_its_own_next_review_but_within_the_cadence_is_met_with_a_note() -> None:
    # The DPP's cadence decides; the organisation's own earlier review date is reported, not judged.
    status, reasons = status_of("DPP-IR-2", doc("ir-plan-review", "2026-06-01", next_review="2026-09-01"))
    assert status is Status.MET
    assert any("its own next review was due 2026-09-01" in r for r in reasons)


def test_document_current_past_its_next_review_is_not_met() -> None:
    status, reasons = status_of("DPP-IR-1", doc("ir-plan", "2026-06-01", next_review="2026-09-01"))
    assert status is Status.NOT_MET and "next review was due 2026-09-01" in reasons[0]


def test_judgement_uses_as_of_not_the_clock() -> None:
    item = doc("ir-plan-review", "2026-04-15")
    assert status_of("DPP-IR-2", item, as_of=datetime(2026, 9, 30, tzinfo=UTC))[0] is Status.MET
    assert status_of("DPP-IR-2", item, as_of=datetime(2026, 12, 31, tzinfo=UTC))[0] is Status.NOT_MET


def test_document_dated_after_as_of_does_not_count() -> None:
    status, reasons = status_of("DPP-IR-2", doc("ir-plan-review", "2026-10-05"))
    assert status is Status.INSUFFICIENT and "after the as-of date" in reasons[0]


def test_document_limited_to_other_controls_does_not_count() -> None:
    status, _ = status_of("DPP-IR-2", doc("ir-plan-review", "2026-09-01", controls=["DPP-IR-1"]))
    assert status is Status.INSUFFICIENT


def test_too_many_rejects_turn_met_into_insufficient() -> None:
    status, reasons = status_of("DPP-IR-2", doc("ir-plan-review", "2026-09-01", rejected=1, kept=20))
    assert status is Status.INSUFFICIENT
    assert any("rejected 1 of 21 records (4.8%, limit 1.0%)" in r for r in reasons)
    status, _ = status_of("DPP-IR-2", doc("ir-plan-review", "2026-09-01", rejected=1, kept=20), max_reject_ratio=0.05)
    assert status is Status.MET


def test_failed_source_is_named_in_the_reason() -> None:
    failed = EvidenceItem(
        id="EV-FAILED",
        kind="document",
        collector="documents",
        source="docs",
        subject="register",
        location="register.toml",
        collected_at=datetime(2026, 10, 1, tzinfo=UTC),
        error="/srv/register.toml: register not found",
    )
    result = evaluate([only("DPP-IR-2")], EvaluationInput(evidence=[failed], period=PERIOD, as_of=AS_OF)).results[0]
    assert result.status is Status.INSUFFICIENT
    assert any("/srv/register.toml: register not found" in r for r in result.reasons)
    assert "EV-FAILED" in result.evidence_ids


def test_planned_checks_never_pass() -> None:
    catalogue = only("DPP-IR-2")
    control = catalogue.controls[0]
    planned = control.model_copy(
        update={
            "checks": [
                CheckRef(
                    check="document_current",
                    planned=True,
                    decides=["reviewed_6_months"],
                    **{"with": {"doc_types": ["ir-plan-review"]}},
                )
            ]
        }
    )
    result = evaluate(
        [catalogue.model_copy(update={"controls": [planned]})],
        EvaluationInput(evidence=[doc("ir-plan-review", "2026-09-01")], period=PERIOD, as_of=AS_OF),
    ).results[0]
    assert result.status is Status.INSUFFICIENT and "planned" in result.reasons[0]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([Status.MET, Status.MET], Status.MET),
        ([Status.MET, Status.INSUFFICIENT], Status.INSUFFICIENT),
        ([Status.MET, Status.NOT_MET], Status.NOT_MET),
        ([Status.INSUFFICIENT, Status.NOT_MET], Status.NOT_MET),
        ([], Status.INSUFFICIENT),
    ],
)
def test_a_control_is_met_only_when_every_element_is_met(statuses: list[Status], expected: Status) -> None:
    from evidence.controls.evaluate import combine_elements

    assert combine_elements(statuses) is expected


def test_not_applicable_needs_and_shows_a_reason() -> None:
    status, reasons = status_of("DPP-RDT-3", not_applicable={"DPP-RDT-3": "no delegation"})
    assert status is Status.NOT_APPLICABLE and "no delegation" in reasons[0]


def test_waiver_valid_at_as_of_waives_and_expired_one_does_not() -> None:
    waiver = Waiver(
        control_id="DPP-IR-2",
        reason="new plan in review",
        approver="CISO",
        created_by="me",
        created_at=datetime(2026, 9, 1, tzinfo=UTC),
        expires=datetime(2026, 10, 31, tzinfo=UTC),
    )
    status, reasons = status_of("DPP-IR-2", waivers=[waiver])
    assert status is Status.WAIVED and "CISO" in reasons[0]
    expired = waiver.model_copy(update={"expires": datetime(2026, 9, 15, tzinfo=UTC)})
    assert status_of("DPP-IR-2", waivers=[expired])[0] is Status.INSUFFICIENT
