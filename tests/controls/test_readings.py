"""Readings of ambiguous figures: the stricter default, a chosen reading only with a justification."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from evidence.config.schema import ReadingConfig
from evidence.controls.catalogue import load_catalogue
from evidence.controls.readings import ReadingChoice, apply_reading
from evidence.errors import ConfigError


def test_the_default_is_the_stricter_reading_and_the_choice_moves_value_and_cadence() -> None:
    control = load_catalogue("amazon-dpp@2025-11").control("DPP-LOG-4")
    parameter = control.parameters["review_every_days"]
    assert parameter.uncertain and parameter.reading == "twice_a_week"
    assert {name: r.value for name, r in parameter.readings.items()} == {"twice_a_week": 4, "every_two_weeks": 14}
    same, used = apply_reading(control, None)
    assert same is control and used is not None and used.value == 4 and used.justification is None
    chosen, used = apply_reading(control, ReadingChoice("every_two_weeks", "our reviewer accepted it in 2026"))
    assert chosen.parameters["review_every_days"].value == 14
    assert chosen.cadence is not None and chosen.cadence.every_days == 14
    assert used is not None and used.chosen and "our reviewer accepted it in 2026" in used.describe()


def test_an_unknown_reading_or_a_control_without_readings_is_a_config_error() -> None:
    catalogue = load_catalogue("amazon-dpp@2025-11")
    with pytest.raises(ConfigError, match="no reading 'monthly' of review_every_days"):
        apply_reading(catalogue.control("DPP-LOG-4"), ReadingChoice("monthly", "x" * 30))
    with pytest.raises(ConfigError, match="DPP-VULN-2: the control has no figure with several readings"):
        apply_reading(catalogue.control("DPP-VULN-2"), ReadingChoice("monthly", "x" * 30))


def test_a_chosen_reading_needs_a_written_justification() -> None:
    with pytest.raises(ValidationError):
        ReadingConfig.model_validate({"reading": "every_two_weeks"})
    with pytest.raises(ValidationError):
        ReadingConfig.model_validate({"reading": "every_two_weeks", "justification": "because"})
    ok = ReadingConfig.model_validate(
        {"reading": "every_two_weeks", "justification": "the reviewer accepted fortnightly reviews"}
    )
    assert ok.reading == "every_two_weeks"


def test_a_reading_of_another_catalogues_control_is_kept_and_an_unknown_control_is_refused() -> None:
    from datetime import UTC, datetime

    from evidence.controls.evaluate import EvaluationInput, evaluate
    from evidence.model.period import parse_period

    aup = load_catalogue("amazon-aup@2025-11")
    period = parse_period("2026-Q3")
    choice = ReadingChoice("every_two_weeks", "the reviewer accepted fortnightly reviews")
    # One config serves DPP and AUP runs: its DPP-LOG-4 reading does not stop an AUP evaluation.
    evaluation = evaluate(
        [aup], EvaluationInput(evidence=[], period=period, as_of=period.end_at, readings={"DPP-LOG-4": choice})
    )
    assert len(evaluation.results) == len(aup.controls)
    with pytest.raises(ConfigError, match="no catalogue holds: DPP-LOG-44"):
        evaluate(
            [aup],
            EvaluationInput(
                evidence=[], period=period, as_of=datetime(2026, 9, 30, tzinfo=UTC), readings={"DPP-LOG-44": choice}
            ),
        )
