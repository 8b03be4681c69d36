from datetime import date

import pytest
from review_items import document, judge, result

from evidence.controls.cadence import Slot, cadence_slots
from evidence.model.period import parse_period
from evidence.model.results import Status

Q3 = parse_period("2026-Q3")


def test_fortnightly_slots_end_at_the_as_of_date_and_reach_back_past_the_period_start() -> None:
    slots = cadence_slots(Q3, date(2026, 9, 30), 14)
    assert slots[-1] == Slot(date(2026, 9, 16), date(2026, 9, 30))
    assert slots[0] == Slot(date(2026, 6, 24), date(2026, 7, 8))
    assert len(slots) == 7
    assert all(a.end == b.start for a, b in zip(slots, slots[1:], strict=False))


def test_a_cadence_longer_than_the_period_gives_one_slot_of_one_cadence() -> None:
    assert cadence_slots(Q3, date(2026, 9, 30), 182) == [Slot(date(2026, 4, 1), date(2026, 9, 30))]


def test_quarterly_slots_of_a_92_day_quarter_need_two_windows() -> None:
    slots = cadence_slots(Q3, date(2026, 9, 30), 90)
    assert [str(s) for s in slots] == ["2026-04-03 to 2026-07-02", "2026-07-02 to 2026-09-30"]


def test_a_cadence_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        cadence_slots(Q3, date(2026, 9, 30), 0)


def fortnightly(days: list[str]) -> list:
    return [document("log-review-record", d) for d in days]


def test_every_fortnight_reviewed_is_met_with_the_slot_figures() -> None:
    days = [
        "2026-07-06",
        "2026-07-20",
        "2026-08-03",
        "2026-08-17",
        "2026-08-31",
        "2026-09-14",
        "2026-09-28",
    ]
    control = result(judge(fortnightly(days)), "DPP-LOG-4")
    assert control.status is Status.MET
    assert control.figures["slots"] == 7
    assert control.figures["slots_missed"] == 0
    assert len(control.evidence_ids) == 7


def test_a_missed_fortnight_is_insufficient_and_named_with_its_dates() -> None:
    days = ["2026-07-06", "2026-07-20", "2026-08-03", "2026-08-31", "2026-09-14", "2026-09-28"]
    control = result(judge(fortnightly(days)), "DPP-LOG-4")
    assert control.status is Status.INSUFFICIENT
    assert control.figures["slots_missed"] == 1
    assert "1 of the 7 slots of 14 days (every two weeks)" in control.reasons[0]
    assert "2026-08-05 to 2026-08-19" in control.reasons[0]


def test_the_covered_range_of_a_record_counts_for_the_slots_it_touches() -> None:
    # One review on 22 September that covers 8-21 September fills two slots, not one.
    late = document("log-review-record", "2026-09-22", covers=("2026-09-08", "2026-09-21"))
    control = result(judge([late]), "DPP-LOG-4")
    assert control.figures["slots_missed"] == 5
    assert "2026-09-02 to 2026-09-16" not in control.reasons[0]
    assert "2026-08-19 to 2026-09-02" in control.reasons[0]


def test_a_document_dated_after_the_as_of_date_fills_no_slot() -> None:
    control = result(judge([document("access-review", "2026-10-02")]), "DPP-ACC-2")
    assert control.status is Status.INSUFFICIENT
    assert "after the as-of date 2026-09-30" in control.reasons[0]


def test_an_access_review_missing_from_one_quarterly_slot_names_that_slot() -> None:
    q1 = document("access-review", "2026-03-20", covers=("2026-01-01", "2026-03-31"))
    control = result(judge([q1], period="2026-Q2"), "DPP-ACC-2")
    assert control.status is Status.INSUFFICIENT
    assert "2026-04-01 to 2026-06-30" in control.reasons[0]
    assert control.figures["document_age_days"] == 102


def test_a_long_cadence_is_met_by_evidence_younger_than_one_cadence() -> None:
    control = result(judge([document("ir-plan-review", "2026-04-01")]), "DPP-IR-2")
    assert control.status is Status.MET, control.reasons
    assert "within the 182 days before 2026-09-30" in control.reasons[0]


def test_a_long_cadence_fails_one_day_after_one_cadence() -> None:
    control = result(judge([document("ir-plan-review", "2026-03-31")]), "DPP-IR-2")
    assert control.status is Status.INSUFFICIENT
    assert control.figures["document_age_days"] == 183
    assert "no ir-plan-review or ir-tabletop is dated within the 182 days" in control.reasons[0]


def test_an_overdue_next_review_keeps_a_covered_control_insufficient() -> None:
    review = document("risk-assessment", "2026-01-10", next_review="2026-07-10")
    control = result(judge([review]), "DPP-RISK-1")
    assert control.status is Status.INSUFFICIENT
    assert "next review was due 2026-07-10" in control.reasons[0]


def test_no_document_at_all_is_insufficient_and_says_so() -> None:
    control = result(judge([]), "DPP-VULN-2")
    assert control.status is Status.INSUFFICIENT
    assert (
        "no registered document of type vuln-scan-report supports DPP-VULN-2" in control.reasons[0]
    )


def test_controls_without_cadence_keep_the_recency_check() -> None:
    control = result(judge([document("ir-plan", "2024-01-01")]), "DPP-IR-1")
    assert control.status is Status.MET
    assert control.outcomes[0].check == "document_current"
