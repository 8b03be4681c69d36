"""Run an identity collector on files built in tmp_path; items come back by kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from identity_builders import Collect

from evidence.model.evidence import EvidenceItem
from evidence.redact import Redactor
from tests.collector_testing import TEST_KEY, run_collector


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(TEST_KEY)


@pytest.fixture
def collect(tmp_path: Path) -> Collect:
    """Run collector ``cid`` with ``settings`` (failed items included), keyed by evidence kind."""

    def run(
        cid: str, settings: dict[str, Any], period: str = "2026-Q3", as_of: str | None = None
    ) -> dict[str, EvidenceItem]:
        return run_collector(cid, settings, tmp_path, period=period, as_of=as_of)

    return run
