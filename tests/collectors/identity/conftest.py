"""Run an identity collector on files built in tmp_path; items come back by kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from identity_builders import Collect

from evidence.collectors import registry
from evidence.collectors.base import CollectorContext
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_as_of, parse_period
from evidence.redact import Redactor
from tests.collector_testing import TEST_KEY


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(TEST_KEY)


@pytest.fixture
def collect(tmp_path: Path) -> Collect:
    """Run collector ``cid`` with ``settings`` (failed items included), keyed by evidence kind."""

    def run(
        cid: str, settings: dict[str, Any], period: str = "2026-Q3", as_of: str | None = None
    ) -> dict[str, EvidenceItem]:
        cls = registry.get(cid)
        resolved = parse_period(period)
        context = CollectorContext(
            source=f"{cid}-test",
            base_dir=tmp_path,
            period=resolved,
            as_of=parse_as_of(as_of) if as_of else resolved.end_at,
            redactor=Redactor(TEST_KEY),
        )
        model = cls.settings_model().model_validate(settings)
        return {item.kind: item.seal() for item in cls(model, context).collect()}

    return run
