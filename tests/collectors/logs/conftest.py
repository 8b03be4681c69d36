"""Helpers for the access-log collector tests: run a collector on files built in tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from log_builders import KEY, Collect

from evidence.collectors import registry
from evidence.collectors.base import CollectorContext
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_as_of, parse_period
from evidence.redact import Redactor


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(KEY)


@pytest.fixture
def collect(tmp_path: Path) -> Collect:
    """Run collector ``cid`` with ``settings``; returns its items by kind (failed items included)."""

    def run(
        cid: str, settings: dict[str, Any], period: str = "2026-Q3", as_of: str | None = None
    ) -> dict[str, EvidenceItem]:
        cls = registry.get(cid)
        resolved = parse_period(period)
        context = CollectorContext(
            source="test-source",
            base_dir=tmp_path,
            period=resolved,
            as_of=parse_as_of(as_of) if as_of else resolved.end_at,
            redactor=Redactor(KEY),
        )
        model = cls.settings_model().model_validate(settings)
        items = list(cls(model, context).collect())
        for item in items:
            item.seal()
        return {item.kind: item for item in items}

    return run
