"""Helpers for the access-log collector tests: run a collector on files built in tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from log_builders import KEY, Collect

from evidence.model.evidence import EvidenceItem
from evidence.redact import Redactor
from tests.collector_testing import run_collector


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(KEY)


@pytest.fixture
def collect(tmp_path: Path) -> Collect:
    """Run collector ``cid`` with ``settings``; returns its items by kind (failed items included)."""

    def run(
        cid: str, settings: dict[str, Any], period: str = "2026-Q3", as_of: str | None = None
    ) -> dict[str, EvidenceItem]:
        return run_collector(cid, settings, tmp_path, key=KEY, period=period, as_of=as_of)

    return run
