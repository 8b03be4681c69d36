"""Helpers shared by collector tests: where the shared real inputs are, and a collector context."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evidence.collectors import registry
from evidence.collectors.base import CollectorContext
from evidence.model.evidence import EvidenceItem, stable_evidence_id
from evidence.model.period import parse_as_of, parse_period
from evidence.model.settings_history import CHANGES
from evidence.redact import Redactor

ROOT = Path(__file__).resolve().parents[1]
TEST_KEY = b"test-pseudonym-key-0123456789abcdef"


def realdata(*parts: str) -> Path:
    """Locate the shared real inputs (../shared/realdata by the checkout, or EVIDENCE_REALDATA)."""
    candidates = [Path(p) for p in [os.environ.get("EVIDENCE_REALDATA", "")] if p]
    candidates += [ROOT.parent / "shared" / "realdata", ROOT.parent.parent / "shared" / "realdata"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.joinpath(*parts)
    raise FileNotFoundError(f"shared/realdata not found beside {ROOT}; set EVIDENCE_REALDATA")


def collector_context(base_dir: Path, source: str = "test", period: str = "2026-Q3") -> CollectorContext:
    """Build a context as the pipeline does: as-of at the period's end, a fixed pseudonym key."""
    resolved = parse_period(period)
    return CollectorContext(
        source=source,
        base_dir=base_dir,
        period=resolved,
        as_of=resolved.end_at,
        redactor=Redactor(TEST_KEY),
    )


def quiet_trail(items: list[EvidenceItem]) -> EvidenceItem:
    """A change log complete from 2026-Q3's first day to the day the settings were read, with no change.

    A live snapshot or a Terraform state without ``captured_at`` is taken today; the cloud checks
    judge every day of the period, so without a change log carrying it back they could only say
    the days are unknown. This stands for the account's CloudTrail showing that nothing changed.
    """
    captured = max((str(i.facts.get("captured_at") or "")[:10] for i in items), default="") or "2026-09-30"
    facts = {"source_type": "cloudtrail", "complete_days": [["2026-07-01", max(captured, "2026-09-30")]], "changes": []}
    return EvidenceItem(
        id=stable_evidence_id("trail", CHANGES, captured),
        kind=CHANGES,
        collector="cloudtrail",
        source="trail",
        subject="setting changes",
        location="test",
        collected_at=datetime.now(UTC),
        facts=facts,
    ).seal()


def run_collector(
    cid: str,
    settings: dict[str, Any],
    base_dir: Path,
    *,
    key: bytes = TEST_KEY,
    period: str = "2026-Q3",
    as_of: str | None = None,
) -> dict[str, EvidenceItem]:
    """Run collector ``cid`` on ``settings`` as the pipeline would; sealed items by kind (failed ones too)."""
    cls = registry.get(cid)
    resolved = parse_period(period)
    context = CollectorContext(
        source="test-source",
        base_dir=base_dir,
        period=resolved,
        as_of=parse_as_of(as_of) if as_of else resolved.end_at,
        redactor=Redactor(key),
    )
    model = cls.settings_model().model_validate(settings)
    return {item.kind: item.seal() for item in cls(model, context).collect()}
