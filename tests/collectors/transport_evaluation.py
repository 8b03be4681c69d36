"""Running a collector and the real evaluator on its items, for the transport tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from evidence.collectors.base import CollectorContext
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.model.results import CheckOutcome, ControlResult
from evidence.redact import Redactor

KEY = b"transport-tests-pseudonym-key-32b"


def collector_context(base_dir: Path, as_of: datetime, source: str = "test") -> CollectorContext:
    """Build a context whose period is the 90 days up to ``as_of``, with a fixed pseudonym key."""
    start = (as_of - timedelta(days=89)).date().isoformat()
    period = parse_period(f"{start}..{as_of.date().isoformat()}")
    return CollectorContext(
        source=source, base_dir=base_dir, period=period, as_of=as_of, redactor=Redactor(KEY)
    )


def decide(
    items: Sequence[EvidenceItem],
    control_id: str,
    as_of: datetime,
    catalogue: str = "amazon-dpp@2025-11",
) -> ControlResult:
    """Evaluate one control of a real catalogue over ``items`` with the real evaluator."""
    loaded = load_catalogue(catalogue)
    start = (as_of - timedelta(days=89)).date().isoformat()
    data = EvaluationInput(
        evidence=list(items),
        period=parse_period(f"{start}..{as_of.date().isoformat()}"),
        as_of=as_of,
    )
    evaluation = evaluate([loaded], data)
    (result,) = [r for r in evaluation.results if r.control_id == control_id]
    return result


def outcome(result: ControlResult, check: str) -> CheckOutcome:
    """Return the outcome of one named check within a control's result."""
    (found,) = [o for o in result.outcomes if o.check == check]
    return found
