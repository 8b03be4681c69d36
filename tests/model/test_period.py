from datetime import UTC, date, datetime

import pytest

from evidence.model.period import parse_as_of, parse_period


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-07-01..2026-08-15", date(2026, 7, 1), date(2026, 8, 15)),
        ("2026-07-01 to 2026-07-31", date(2026, 7, 1), date(2026, 7, 31)),
    ],
)
def test_parses_quarters_months_and_ranges(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


def test_period_end_is_last_second_of_last_day() -> None:
    assert parse_period("2026-Q3").end_at == datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "Q3", "2026-09-30..2026-07-01", "2026-02-30..2026-03-01"])
def test_rejects_bad_periods_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match="period"):
        parse_period(text)


def test_previous_period() -> None:
    assert parse_period("2026-Q1").previous().label == "2025-Q4"
    assert parse_period("2026-03").previous().label == "2026-02"
    assert parse_period("2026-07-11..2026-07-20").previous().label == "2026-07-01..2026-07-10"


def test_as_of_date_means_end_of_day() -> None:
    assert parse_as_of("2026-10-01") == datetime(2026, 10, 1, 23, 59, 59, tzinfo=UTC)
    assert parse_as_of("2026-10-01T08:00:00Z") == datetime(2026, 10, 1, 8, tzinfo=UTC)
