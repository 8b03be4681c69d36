"""A crashing check gives insufficient evidence, unless the caller asked for the traceback (reraise)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evidence.controls import checks
from evidence.controls.catalogue import load_catalogue
from evidence.controls.checks import CheckContext, CheckOutcome, check
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.catalogue import Catalogue, CheckRef
from evidence.model.period import parse_period
from evidence.model.results import Status

PERIOD = parse_period("2026-Q3")
CRASHING = "test_check_that_crashes"


@pytest.fixture
def crashing_catalogue() -> Iterator[Catalogue]:
    """A shipped control whose one check is a registered check with a bug in it."""

    @check(CRASHING, reads=("document",))
    def crashes(ctx: CheckContext) -> CheckOutcome:
        """Divides by zero, as a check with a bug might."""
        return CheckOutcome(check=CRASHING, status=Status.MET, reasons=[str(1 / len(ctx.evidence))])

    checks.registry.cache_clear()
    catalogue = load_catalogue("amazon-dpp@2025-11")
    control = catalogue.controls[0]
    ref = CheckRef(check=CRASHING, decides=[control.elements[0].id])
    try:
        yield catalogue.model_copy(update={"controls": [control.model_copy(update={"checks": [ref]})]})
    finally:
        del checks._REGISTRY[CRASHING]  # noqa: SLF001  # the registry has no public removal
        checks.registry.cache_clear()


def test_a_crashing_check_gives_insufficient_evidence_naming_the_bug(
    crashing_catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The environment no longer decides: only the caller's reraise does.
    monkeypatch.setenv("EVIDENCE_TRACEBACK", "1")
    result = evaluate([crashing_catalogue], EvaluationInput(evidence=[], period=PERIOD, as_of=PERIOD.end_at))
    (control,) = result.results
    assert control.status is Status.INSUFFICIENT
    assert any(
        f"automatic check `{CRASHING}` failed with an internal error (ZeroDivisionError: division by zero)" in r
        for r in control.reasons
    ), control.reasons


def test_reraise_lets_the_crash_through(crashing_catalogue: Catalogue) -> None:
    data = EvaluationInput(evidence=[], period=PERIOD, as_of=PERIOD.end_at, reraise=True)
    with pytest.raises(ZeroDivisionError):
        evaluate([crashing_catalogue], data)
