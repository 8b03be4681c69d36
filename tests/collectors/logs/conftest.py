"""Helpers for the access-log collector tests: run a collector on files built in tmp_path."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evidence.collectors import registry
from evidence.collectors.base import CollectorContext
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_as_of, parse_period
from evidence.redact import Redactor

KEY = b"access-log tests key, 32 bytes!!"


def _realdata() -> Path:
    """shared/realdata beside the checkout (or an ancestor of it), or $EVIDENCE_REALDATA."""
    if os.environ.get("EVIDENCE_REALDATA"):
        return Path(os.environ["EVIDENCE_REALDATA"])
    for folder in Path(__file__).resolve().parents:
        if (folder / "shared" / "realdata").is_dir():
            return folder / "shared" / "realdata"
    return Path("shared/realdata")  # absent: the tests that need it fail, naming this path


REALDATA = _realdata()


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(KEY)


Collect = Callable[..., dict[str, EvidenceItem]]


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
