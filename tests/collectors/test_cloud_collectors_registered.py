"""The issue-5a collectors are found through their entry points, under their own ids."""

from __future__ import annotations

from evidence.collectors import registry
from tests.support import run_cli

IDS = ("aws", "aws-cli", "terraform", "scanner-findings")


def test_entry_points_load_the_collectors_under_their_ids() -> None:
    found = registry.available()
    for collector_id in IDS:
        assert found[collector_id].id == collector_id
        assert found[collector_id].description


def test_collectors_command_lists_them() -> None:
    result = run_cli("collectors")
    assert result.code == 0, result.stderr
    for collector_id in IDS:
        assert collector_id in result.stdout
