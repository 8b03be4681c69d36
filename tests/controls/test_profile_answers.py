"""Answering the Solution Provider Profile: "Yes" only when every control it rests on is met."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evidence.collectors.base import CollectorContext
from evidence.collectors.pii_age.collector import PiiAgeCollector, PiiAgeSettings
from evidence.controls.catalogue import load_catalogue
from evidence.controls.profile import answer_profile, fit_free_text, load_profile_questions
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.model.profile import FREE_TEXT_LIMIT, AgeMeasure, ProfileQuestion
from evidence.model.results import ControlResult, Evaluation, Status
from evidence.redact import Redactor

DPP = load_catalogue("amazon-dpp@2025-11")
AUP = load_catalogue("amazon-aup@2025-11")
QUESTIONS = load_profile_questions()
ORG = EvidenceItem(
    id="EV-000000000001",
    kind="organisation.profile",
    collector="organisation",
    source="organisation",
    subject="evidence.toml [organisation]",
    location="evidence.toml",
    collected_at="2026-10-01T00:00:00Z",
    facts={
        "legal_name": "Fennel & Finch Commerce Ltd",
        "applications": ["ParcelPilot"],
        "impoc_name": "Priya Raman",
        "impoc_email": "security@fennelfinch.example",
        "privacy_policy_url": "https://fennelfinch.example/privacy",
    },
).seal()
OWNERS = {"secure-coding": "Head of Engineering"}


def evaluation(status: Status, overrides: dict[str, Status] | None = None) -> Evaluation:
    results = [
        ControlResult(
            control_id=c.id,
            catalogue=cat.ref,
            status=(overrides or {}).get(c.id, status),
            reasons=[f"reason for {c.id}"],
            evidence_ids=[f"EV-{c.id}"],
        )
        for cat in (DPP, AUP)
        for c in cat.controls
    ]
    return Evaluation(as_of="2026-09-30T23:59:59Z", catalogues=[DPP.ref, AUP.ref], results=results)


def answers(evaluated: Evaluation, evidence: list[EvidenceItem] | None = None) -> dict[str, object]:
    found = answer_profile(QUESTIONS, evaluated, [DPP, AUP], evidence or [ORG], OWNERS)
    return {a.question.id: a for a in found}


def test_the_question_set_covers_the_reference_and_names_real_controls() -> None:
    kinds = [q.kind for q in QUESTIONS.questions]
    assert kinds.count("yes_no") + kinds.count("choice") == 16
    assert kinds.count("free_text") == 17
    known = {c.id for c in DPP.controls} | {c.id for c in AUP.controls}
    for question in QUESTIONS.questions:
        assert set(question.controls) <= known, question.id


SAMPLE_DB = Path(__file__).resolve().parents[2] / "samples" / "retention" / "orders.db"
#: The columns the sample's purge job clears (ship_phone, which it misses, is left out).
PURGED = ["buyer_name", "buyer_email", "ship_address_line1", "ship_city", "ship_postal_code"]


def pii_age(tmp_path: Path, clock: str, columns: list[str] = PURGED, **extra: Any) -> EvidenceItem:
    """Measure the sample orders database, read-only, with the real pii-age probe."""
    column = {"shipment": "shipped_at", "delivery": "delivered_at"}[clock]
    table = {"table": "orders", "timestamp_column": column, "clock": clock, "pii_columns": columns}
    settings = PiiAgeSettings.model_validate(
        {
            "url": f"sqlite:///{SAMPLE_DB}",
            "tables": [{**table, "legal_hold_column": "legal_hold"}],
            **extra,
        }
    )
    period = parse_period("2026-Q3")
    context = CollectorContext("orders-db", tmp_path, period, period.end_at, Redactor(b"k" * 32))
    (item,) = PiiAgeCollector(settings, context).collect()
    return item.seal()


def test_every_answer_is_yes_when_every_control_is_met(tmp_path: Path) -> None:
    shipment = pii_age(tmp_path, "shipment")
    found = answers(evaluation(Status.MET), [ORG, shipment])
    assert all(a.supported for a in found.values())
    assert found["SPP-YN-01"].answer == "Yes"
    assert found["SPP-YN-08"].answer == "Less than 31 days"
    assert found["SPP-YN-08"].measured == (
        f"Measured from shipment: no PII is older than 30 days after shipment in orders "
        f"({shipment.id}); 2 row(s) under legal hold are not counted."
    )
    assert shipment.id in found["SPP-YN-08"].evidence_ids
    assert found["SPP-FT-17"].answer == "Priya Raman, security@fennelfinch.example"
    assert "Evidence:" in found["SPP-FT-03"].answer
    assert found["SPP-FT-06"].answer == "https://fennelfinch.example/privacy"
    assert found["SPP-FT-06"].evidence_ids == ["EV-DPP-GOV-1"]  # on the sheet, not in the text
    assert "Head of Engineering owns change management" in found["SPP-FT-16"].answer


def test_one_control_short_of_met_and_the_answer_is_not_yes_and_says_what_is_missing() -> None:
    found = answers(
        evaluation(Status.MET, {"DPP-NET-3": Status.INSUFFICIENT, "DPP-ENC-1": Status.NOT_MET})
    )
    firewalls = found["SPP-YN-01"]
    assert not firewalls.supported
    assert firewalls.answer == "Not yet supported"
    assert any(
        m.startswith("DPP-NET-3 (") and "insufficient evidence" in m for m in firewalls.missing
    )
    transit = found["SPP-YN-03"]
    assert transit.answer == "No"
    assert "DPP-ENC-1" in transit.missing[0]
    assert found["SPP-YN-02"].answer == "Yes"


def test_answers_link_their_controls_and_evidence() -> None:
    found = answers(evaluation(Status.MET))
    firewalls = found["SPP-YN-01"]
    assert [b.control_id for b in firewalls.basis] == ["DPP-NET-1", "DPP-NET-2", "DPP-NET-3"]
    assert {b.status for b in firewalls.basis} == {Status.MET}
    assert firewalls.evidence_ids == ["EV-DPP-NET-1", "EV-DPP-NET-2", "EV-DPP-NET-3"]


def test_a_control_outside_the_evaluation_is_missing_not_assumed() -> None:
    only_aup = Evaluation(
        as_of="2026-09-30T23:59:59Z",
        catalogues=[AUP.ref],
        results=[r for r in evaluation(Status.MET).results if r.catalogue == AUP.ref],
    )
    found = answers(only_aup)
    assert found["SPP-YN-03"].answer == "Not yet supported"
    assert "was not evaluated" in found["SPP-YN-03"].missing[0]


def test_free_text_needs_the_config_values_it_names() -> None:
    bare = ORG.model_copy(update={"facts": {**ORG.facts, "privacy_policy_url": None}})
    found = answers(evaluation(Status.MET), [bare])
    assert not found["SPP-FT-06"].supported
    assert "privacy_policy_url" in " ".join(found["SPP-FT-06"].missing)


def test_free_text_always_fits_the_form() -> None:
    many = [f"Quarterly firewall export number {n} (EV-{n:012d})" for n in range(300)]
    text = fit_free_text("Databases sit in private subnets behind deny-by-default groups.", many)
    assert len(text) <= FREE_TEXT_LIMIT
    assert text.endswith(" more.")
    assert fit_free_text("word " * 400, []).endswith("…")
    assert len(fit_free_text("word " * 400, [])) <= FREE_TEXT_LIMIT
    long_reasons = evaluation(Status.INSUFFICIENT)
    for result in long_reasons.results:
        result.reasons = ["no registered document of type something-quite-long supports it " * 20]
    for answer in answers(long_reasons).values():
        assert len(answer.answer) <= FREE_TEXT_LIMIT


def test_a_free_text_question_must_state_its_answer() -> None:
    with pytest.raises(ValueError, match="statement"):
        ProfileQuestion(id="SPP-FT-99", kind="free_text", question="Why?", controls=["DPP-NET-1"])


# --- the retention question counts from shipment ------------------------------------------------


def test_the_retention_answer_is_never_taken_from_the_delivery_clock(tmp_path: Path) -> None:
    # DPP-RET-1 met counts from delivery; delivery comes after shipment, so "less than 31 days
    # after shipment" does not follow from it.
    retention = answers(evaluation(Status.MET))["SPP-YN-08"]
    assert (retention.supported, retention.answer) == (False, "Not yet supported")
    assert "No pii-age probe measured PII in any table" in retention.missing[0]
    delivery = pii_age(tmp_path, "delivery")
    retention = answers(evaluation(Status.MET), [ORG, delivery])["SPP-YN-08"]
    assert (retention.supported, retention.answer) == (False, "Not yet supported")
    assert retention.missing == [
        f"The question counts from shipment, but the PII age of orders ({delivery.id}, from "
        "delivery) was measured from another event only; a limit kept from that event says "
        "nothing of the age since shipment, and no shipment timestamp was collected for it (add "
        'the table to a pii-age source with clock = "shipment" and its shipment column).'
    ]


def test_the_retention_answer_is_the_option_the_oldest_pii_falls_in(tmp_path: Path) -> None:
    # The sample's purge misses ship_phone on 6 legacy orders: 78 days after shipment, 76 after
    # delivery. The truthful answer is "31 to 90 days", which Amazon does not accept.
    shipment = pii_age(tmp_path, "shipment", [*PURGED, "ship_phone"])
    retention = answers(evaluation(Status.MET), [ORG, shipment])["SPP-YN-08"]
    assert (retention.supported, retention.verdict, retention.answer) == (
        False,
        "31 to 90 days",
        "31 to 90 days",
    )
    assert retention.measured == (
        f"Measured from shipment: the oldest PII is 78 days after shipment (table orders, "
        f"{shipment.id}; 6 row(s) older than 30 days); 2 row(s) under legal hold are not counted."
    )
    assert retention.missing == [retention.measured]


def test_a_probe_that_counts_only_older_rows_cannot_choose_the_option(tmp_path: Path) -> None:
    loose = pii_age(tmp_path, "shipment", pii_limit_days=90)
    retention = answers(evaluation(Status.MET), [ORG, loose])["SPP-YN-08"]
    assert (retention.supported, retention.answer) == (False, "Not yet supported")
    assert "cannot tell 'Less than 31 days' from '31 to 90 days'" in retention.missing[0]


def test_a_measured_question_needs_one_bound_per_option() -> None:
    with pytest.raises(ValueError, match="one option_max_days per option"):
        ProfileQuestion(
            id="SPP-YN-98",
            kind="choice",
            question="How long?",
            controls=["DPP-RET-1"],
            options=["short", "long"],
            answer_when_met="short",
            measure=AgeMeasure(clock="shipment", option_max_days=[30]),
        )
    with pytest.raises(ValueError, match="must ascend"):
        AgeMeasure(clock="shipment", option_max_days=[90, 30, None])
