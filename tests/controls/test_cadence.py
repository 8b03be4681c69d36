"""Recurring activities judged by their intervals: known answers that slots used to get wrong.

Slots anchored on the as-of date let a record on a slot boundary count for two slots, so gaps
of up to twice the cadence passed. Intervals cannot be gamed that way: every stretch without the
activity, from the last occurrence before the period through each one in it to the as-of date,
must be at most the cadence (plus grace days).
"""

from datetime import date, timedelta
from pathlib import Path

import pytest
from review_items import FORTNIGHTLY, document, judge, result

from evidence.controls.cadence import judge_cadence, uncovered_days
from evidence.controls.catalogue import catalogue_files, load_catalogue, load_catalogue_file
from evidence.errors import PolicyError
from evidence.model.period import parse_period
from evidence.model.results import Status
from evidence.resources import policies_dir

Q3 = parse_period("2026-Q3")
AS_OF = date(2026, 9, 30)


def every(start: str, days: int, count: int) -> list[str]:
    first = date.fromisoformat(start)
    return [(first + timedelta(days=days * n)).isoformat() for n in range(count)]


# ------------------------------------------------------------------ known answers from the issue


def test_scans_every_60_days_do_not_meet_a_30_day_cadence() -> None:
    scans = [document("vuln-scan-report", d) for d in every("2026-06-15", 60, 3)]
    control = result(judge(scans), "DPP-VULN-2")
    assert control.status is Status.NOT_MET, control.reasons
    assert "2026-06-15 to 2026-08-14 (60 days)" in control.reasons[0]
    assert control.figures["longest_interval_days"] == 60


def test_log_reviews_every_28_days_do_not_meet_a_14_day_cadence() -> None:
    reviews = [document("log-review-record", d) for d in every("2026-06-20", 28, 5)]
    control = result(judge(reviews, readings=FORTNIGHTLY), "DPP-LOG-4")
    assert control.status is Status.NOT_MET, control.reasons
    assert "28 days" in control.reasons[0]
    assert control.figures["intervals_over_cadence"] == 4


def test_access_reviews_180_days_apart_do_not_meet_a_quarterly_cadence() -> None:
    reviews = [document("access-review", "2026-03-05"), document("access-review", "2026-09-01")]
    control = result(judge(reviews), "DPP-ACC-2")
    assert control.status is Status.NOT_MET, control.reasons
    assert "2026-03-05 to 2026-09-01 (180 days)" in control.reasons[0]


@pytest.mark.parametrize(("days_before", "expected"), [(182, Status.MET), (183, Status.NOT_MET)])
def test_an_ir_plan_review_holds_for_exactly_its_cadence(days_before: int, expected: Status) -> None:
    day = (AS_OF - timedelta(days=days_before)).isoformat()
    control = result(judge([document("ir-plan-review", day)]), "DPP-IR-2")
    assert control.status is expected, control.reasons
    assert control.figures["longest_interval_days"] == days_before


def test_bi_weekly_is_read_as_twice_a_week_by_default() -> None:
    # "Bi-weekly" is ambiguous; the stricter reading (at most 4 days between reviews) is the
    # default, so fortnightly reviews are not met unless the config chooses the other reading.
    fortnightly = [document("log-review-record", d) for d in every("2026-06-22", 14, 8)]
    control = result(judge(fortnightly), "DPP-LOG-4")
    assert control.status is Status.NOT_MET, control.reasons
    assert control.figures["cadence_days"] == 4
    assert control.reading is not None and not control.reading.chosen
    assert control.reading.value == 4 and control.reading.label == "twice a week"
    twice_weekly = [
        document("log-review-record", d)
        for monday in every("2026-06-29", 7, 14)
        for d in (monday, (date.fromisoformat(monday) + timedelta(days=3)).isoformat())
    ]
    assert result(judge(twice_weekly), "DPP-LOG-4").status is Status.MET


def test_the_every_two_weeks_reading_is_used_only_when_chosen_and_carries_its_justification() -> None:
    reviews = [document("log-review-record", d) for d in every("2026-06-22", 14, 8)]
    control = result(judge(reviews, readings=FORTNIGHTLY), "DPP-LOG-4")
    assert control.status is Status.MET, control.reasons
    assert control.reading is not None and control.reading.chosen
    assert control.reading.justification == "tests of the cadence logic on a 14-day interval"
    assert "instead of the default stricter reading 'twice a week' (4 days)" in control.reading.describe()


def test_fortnightly_reviews_meet_the_cadence_with_the_interval_figures() -> None:
    reviews = [document("log-review-record", d) for d in every("2026-06-22", 14, 8)]
    control = result(judge(reviews, readings=FORTNIGHTLY), "DPP-LOG-4")
    assert control.status is Status.MET, control.reasons
    assert control.figures["longest_interval_days"] == 14
    assert control.figures["next_due"] == "2026-10-12"


# ------------------------------------------------------------------ deviation versus missing


def test_a_late_review_in_a_kept_register_is_a_deviation_not_missing_evidence() -> None:
    reviews = [document("log-review-record", d) for d in ("2026-07-07", "2026-07-21", "2026-08-04", "2026-09-22")]
    control = result(judge(reviews, readings=FORTNIGHTLY), "DPP-LOG-4")
    assert control.status is Status.NOT_MET
    assert "2026-08-04 to 2026-09-22 (49 days)" in control.reasons[0]


def test_no_record_of_the_activity_at_all_is_insufficient() -> None:
    control = result(judge([]), "DPP-VULN-2")
    assert control.status is Status.INSUFFICIENT
    assert "no registered document of type vuln-scan-report supports DPP-VULN-2" in control.reasons[0]


def test_a_record_older_than_the_cadence_is_a_deviation() -> None:
    control = result(judge([document("risk-assessment", "2025-06-30")]), "DPP-RISK-1")
    assert control.status is Status.NOT_MET
    assert "2025-06-30 to 2026-09-30 (as-of date) (457 days)" in control.reasons[0]


def test_a_late_occurrence_on_the_first_day_of_the_period_is_a_breach_of_both_periods() -> None:
    # The June scan ran on 1 July: 58 days after the May scan, late in 2026-Q2 and still late on
    # the first day of 2026-Q3.
    days = ("2026-05-04", "2026-07-01", "2026-07-30", "2026-08-28", "2026-09-26")
    scans = [document("vuln-scan-report", d) for d in days]
    q3 = result(judge(scans), "DPP-VULN-2")
    assert q3.status is Status.NOT_MET
    assert "2026-05-04 to 2026-07-01 (58 days)" in q3.reasons[0]
    assert result(judge(scans, period="2026-Q2"), "DPP-VULN-2").status is Status.NOT_MET


def test_one_day_late_is_late() -> None:
    scans = [document("vuln-scan-report", d) for d in ("2026-07-01", "2026-08-01", "2026-08-31", "2026-09-29")]
    control = result(judge(scans), "DPP-VULN-2")
    assert control.status is Status.NOT_MET
    assert "2026-07-01 to 2026-08-01 (31 days)" in control.reasons[0]


def test_a_document_dated_after_the_as_of_date_counts_for_nothing() -> None:
    control = result(judge([document("access-review", "2026-10-02")]), "DPP-ACC-2")
    assert control.status is Status.INSUFFICIENT
    assert "after the as-of date 2026-09-30" in control.reasons[0]


# ------------------------------------------------------------------ covered ranges


def test_reviews_covering_ranges_must_leave_no_due_day_uncovered() -> None:
    reviews = [
        document("log-review-record", "2026-07-07", covers=("2026-06-23", "2026-07-06")),
        document("log-review-record", "2026-07-21", covers=("2026-07-07", "2026-07-20")),
        document("log-review-record", "2026-08-04", covers=("2026-07-21", "2026-08-03")),
        document("log-review-record", "2026-09-22", covers=("2026-09-08", "2026-09-21")),
    ]
    control = result(judge(reviews, readings=FORTNIGHTLY), "DPP-LOG-4")
    assert control.status is Status.NOT_MET
    assert any("2026-08-04 to 2026-09-07 (35 days)" in r for r in control.reasons)
    assert control.figures["days_uncovered"] == 35


def test_frequent_reviews_that_skip_days_are_not_met() -> None:
    # Reviews every 7 days, each covering only the 3 days before it: on time, but blind to most days.
    days = every("2026-06-28", 7, 15)
    reviews = [
        document(
            "log-review-record",
            d,
            covers=(
                (date.fromisoformat(d) - timedelta(days=3)).isoformat(),
                (date.fromisoformat(d) - timedelta(days=1)).isoformat(),
            ),
        )
        for d in days
    ]
    control = result(judge(reviews, readings=FORTNIGHTLY), "DPP-LOG-4")
    assert control.status is Status.NOT_MET
    assert control.figures["intervals_over_cadence"] == 0
    assert control.figures["days_uncovered"] > 0


def test_uncovered_days_merge_overlapping_ranges() -> None:
    ranges = [
        (date(2026, 7, 1), date(2026, 7, 10)),
        (date(2026, 7, 5), date(2026, 7, 20)),
        (date(2026, 7, 25), date(2026, 7, 31)),
    ]
    gaps = uncovered_days(date(2026, 7, 1), date(2026, 7, 31), ranges)
    assert [str(g) for g in gaps] == ["2026-07-21 to 2026-07-24 (4 days)"]


# ------------------------------------------------------------------ grace and the unit itself


def test_grace_days_widen_the_allowed_interval_and_are_reported() -> None:
    reviews = [document("log-review-record", d) for d in every("2026-06-20", 16, 7)]
    assert result(judge(reviews, readings=FORTNIGHTLY), "DPP-LOG-4").status is Status.NOT_MET
    graced = result(judge(reviews, grace_days={"DPP-LOG-4": 2}, readings=FORTNIGHTLY), "DPP-LOG-4")
    assert graced.status is Status.MET, graced.reasons
    assert graced.grace_days == 2
    assert any("plus 2 days' grace" in r for r in graced.reasons)


def test_intervals_start_at_the_period_start_when_nothing_earlier_is_known() -> None:
    judgement = judge_cadence(Q3, AS_OF, 14, [date(2026, 7, 20)])
    assert [i.days for i in judgement.intervals] == [19, 72]
    assert judgement.intervals[0].opens == "period start"
    assert judgement.next_due == date(2026, 8, 3)


def test_a_cadence_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        judge_cadence(Q3, AS_OF, 0, [])


# ------------------------------------------------------------------ the cadence a catalogue states


@pytest.mark.parametrize("ref", sorted(r for r in catalogue_files() if r.startswith("amazon-")))
def test_a_cadence_check_reads_the_cadence_block_which_agrees_with_the_printed_figure(ref: str) -> None:
    """cadence_covered judges by the control's cadence: block, the one place it is stated.

    The parameter that prints the figure with its sources (``review_every_days``, ...) is not
    what this check reads (it is marked informative unless another check of the control reads
    it), so it must agree with the block the check reads.
    """
    for control in load_catalogue(ref).controls:
        if not any(c.check == "cadence_covered" and not c.planned for c in control.checks):
            continue
        assert control.cadence is not None, f"{control.id}: cadence_covered needs a cadence: block"
        figures = {
            name: p.value for name, p in control.parameters.items() if name.endswith("_every_days")
        }
        assert control.cadence.every_days in figures.values(), (control.id, figures)


def test_a_misspelt_document_check_argument_fails_the_load_with_file_and_line(tmp_path: Path) -> None:
    source = (policies_dir() / "amazon-dpp" / "2025-11.yaml").read_text(encoding="utf-8")
    old = "with: {doc_types: [tls-scan-report], max_age_days: 90}"
    assert source.count(old) == 1
    path = tmp_path / "2025-11.yaml"
    path.write_text(source.replace(old, old.replace("max_age_days", "max_age_dyas")), encoding="utf-8")
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "max_age_dyas" in text)
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: ")
    assert "check document_current has no parameter 'max_age_dyas'" in message
    assert "(DPP-ENC-1)" in message
