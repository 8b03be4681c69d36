from datetime import UTC, date, datetime

import pytest
from review_items import document, judge, result

from evidence.controls.waivers import MAX_WAIVER_DAYS, new_waiver
from evidence.errors import WaiverError
from evidence.model.results import Status, Waiver

GRANTED = datetime(2026, 7, 15, 9, 30, tzinfo=UTC)


def waiver(control: str = "DPP-NET-3", expires: str = "2026-12-31", **extra: object) -> Waiver:
    fields = {
        "id": "WV-TEST000001",
        "control_id": control,
        "reason": "EDR rollout to the last 4 laptops is booked for October",
        "approver": "Priya Raman",
        "created_by": "security-lead",
        "created_at": GRANTED,
        "expires": datetime.fromisoformat(f"{expires}T23:59:59+00:00"),
        **extra,
    }
    return Waiver.model_validate(fields)


def test_a_waiver_in_force_turns_a_gap_into_waived_and_keeps_the_real_status() -> None:
    control = result(judge([], waivers=[waiver()]), "DPP-NET-3")
    assert control.status is Status.WAIVED
    assert control.underlying_status is Status.INSUFFICIENT
    assert control.waiver is not None
    assert control.reasons[0].startswith("waived until 2026-12-31 by Priya Raman (WV-TEST000001")
    assert any("av-edr-report" in r for r in control.reasons[1:])


def test_an_expired_waiver_no_longer_counts_and_the_control_shows_its_real_status() -> None:
    evaluation = judge([], waivers=[waiver(expires="2026-09-29")])
    control = result(evaluation, "DPP-NET-3")
    assert control.status is Status.INSUFFICIENT
    assert control.waiver is None
    assert "does not count as of 2026-09-30: expired 2026-09-29" in control.reasons[-1]
    assert evaluation.waivers[0].id == "WV-TEST000001"


def test_the_expiry_day_itself_still_counts() -> None:
    assert (
        result(judge([], waivers=[waiver(expires="2026-09-30")]), "DPP-NET-3").status
        is Status.WAIVED
    )


def test_a_revoked_waiver_stops_counting_from_its_revocation() -> None:
    revoked = waiver(revoked_at=datetime(2026, 9, 1, tzinfo=UTC), revoked_by="ciso")
    assert result(judge([], waivers=[revoked]), "DPP-NET-3").status is Status.INSUFFICIENT
    before = judge([], as_of="2026-08-31", waivers=[revoked])
    assert result(before, "DPP-NET-3").status is Status.WAIVED


def test_a_waiver_granted_after_the_as_of_date_does_not_cover_that_date() -> None:
    control = result(judge([], as_of="2026-07-14", waivers=[waiver()]), "DPP-NET-3")
    assert control.status is Status.INSUFFICIENT
    assert "granted 2026-07-15, after the as-of date" in control.reasons[-1]


def test_a_waiver_never_touches_a_met_control() -> None:
    review = document("ir-plan-review", "2026-09-01")
    control = result(judge([review], waivers=[waiver("DPP-IR-2")]), "DPP-IR-2")
    assert control.status is Status.MET
    assert control.waiver is None


def test_the_longest_lasting_waiver_in_force_decides() -> None:
    short = waiver(expires="2026-10-31", id="WV-SHORT00001")
    long = waiver(expires="2027-01-31", id="WV-LONG000001")
    assert result(judge([], waivers=[long, short]), "DPP-NET-3").waiver == long
    assert result(judge([], waivers=[short, long]), "DPP-NET-3").waiver == long


KNOWN = {"DPP-NET-3"}


def grant(expires: date, control: str = "DPP-NET-3") -> Waiver:
    return new_waiver(
        control,
        reason="accepted",
        approver="CISO",
        created_by="me",
        created_at=GRANTED,
        expires=expires,
        known_controls=KNOWN,
    )


def test_a_waiver_of_exactly_a_year_is_accepted_and_lasts_to_the_end_of_its_day() -> None:
    made = grant(date(2027, 7, 15))
    assert made.expires == datetime(2027, 7, 15, 23, 59, 59, tzinfo=UTC)
    assert (made.expires.date() - made.created_at.date()).days == MAX_WAIVER_DAYS


def test_a_waiver_longer_than_a_year_is_refused() -> None:
    with pytest.raises(
        WaiverError, match="at most 365 days: --expires 2027-07-16 is 366 days after 2026-07-15"
    ):
        grant(date(2027, 7, 16))


def test_a_waiver_that_already_expired_or_names_no_control_is_refused() -> None:
    with pytest.raises(WaiverError, match="before today"):
        grant(date(2026, 7, 14))
    with pytest.raises(WaiverError, match="no control 'DPP-NOPE-1'"):
        grant(date(2026, 8, 1), control="DPP-NOPE-1")
