"""`evidence run` judges a period by the catalogue version in force at its end, unless pinned."""

from __future__ import annotations

import json
from pathlib import Path

from tests.small_config import small_config
from tests.support import run_cli


def _evaluate(config: Path, period: str) -> list[str]:
    collected = run_cli("collect", "--config", str(config), "--period", period, "--quiet")
    assert collected.code == 0, collected.stderr
    done = run_cli("evaluate", "--config", str(config), "--period", period, "--json")
    assert done.code in (0, 3), done.stderr
    return list(json.loads(done.stdout)["catalogues"])


def test_a_bare_catalogue_id_follows_the_period_and_a_pinned_one_does_not(tmp_path: Path) -> None:
    config = small_config(tmp_path / "cfg")
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('catalogues = ["amazon-aup@2025-11"]', 'catalogues = ["amazon-dpp"]'), encoding="utf-8"
    )
    assert _evaluate(config, "2024-Q1") == ["amazon-dpp@2022-08"]
    assert _evaluate(config, "2025-Q3") == ["amazon-dpp@2024-06"]
    assert _evaluate(config, "2026-Q3") == ["amazon-dpp@2025-11"]
    config.write_text(
        text.replace('catalogues = ["amazon-aup@2025-11"]', 'catalogues = ["amazon-dpp@2021"]'), encoding="utf-8"
    )
    assert _evaluate(config, "2026-Q3") == ["amazon-dpp@2021"]
