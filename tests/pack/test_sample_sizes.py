"""The sample-size table: sizes by control frequency, from a cadence or an event population."""

from __future__ import annotations

from datetime import date

import pytest

from evidence.controls.catalogue import load_catalogue
from evidence.model.period import Period
from evidence.pack.sample_sizes import TABLE, recommended_size, row_for

Q3 = Period(label="2026-Q3", start=date(2026, 7, 1), end=date(2026, 9, 30))
DPP = load_catalogue("amazon-dpp@2025-11")


@pytest.mark.parametrize(
    ("per_year", "frequency", "low", "high"),
    [
        (1, "annual", 1, 1),
        (4, "quarterly", 2, 2),
        (12, "monthly", 2, 5),
        (52, "weekly", 5, 15),
        (365, "daily", 20, 40),
        (2000, "many times a day", 25, 60),
    ],
)
def test_each_frequency_has_the_documented_sizes(
    per_year: float, frequency: str, low: int, high: int
) -> None:
    row = row_for(per_year)
    assert (row.frequency, row.low, row.high) == (frequency, low, high)


def test_the_table_is_ordered_and_covers_every_frequency() -> None:
    limits = [row.max_per_year for row in TABLE]
    assert limits == sorted(limits)
    assert [row.text for row in TABLE] == [
        "annual: 1", "quarterly: 2", "monthly: 2-5", "weekly: 5-15", "daily: 20-40",
        "many times a day: 25-60",
    ]


def test_an_event_driven_control_takes_its_frequency_from_the_population() -> None:
    control = DPP.control("DPP-ACC-3")
    assert control.cadence is None
    weekly = recommended_size(control, 6, Q3)  # 6 leavers in 92 days: about 24 a year
    assert (weekly.frequency, weekly.size) == ("weekly", 5)
    assert "6 in 92 days" in weekly.basis and "AICPA" in weekly.basis
    daily = recommended_size(control, 60, Q3)  # about 238 a year
    assert (daily.frequency, daily.size) == ("daily", 20)
    busy = recommended_size(control, 200, Q3)  # about 793 a year
    assert (busy.frequency, busy.size) == ("many times a day", 25)
    few = recommended_size(control, 3, Q3)  # 3 in 92 days: about 12 a year, monthly
    assert (few.frequency, few.size) == ("monthly", 2)


def test_a_control_with_a_cadence_takes_its_frequency_from_it() -> None:
    control = next(c for c in DPP.controls if c.cadence is not None)
    assert control.cadence is not None
    choice = recommended_size(control, 100, Q3)
    assert choice.frequency == row_for(365 / control.cadence.every_days).frequency
    assert control.cadence.label in choice.basis


def test_the_size_never_exceeds_the_population() -> None:
    control = DPP.control("DPP-ACC-3")
    choice = recommended_size(control, 1, Q3)
    assert choice.size == 1
