"""Exit codes come from one enum, are documented once each, and an internal error says so and exits 1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.cli.app import main
from evidence.collectors import registry
from evidence.errors import ExitCode
from tests.support import ROOT


def test_every_exit_code_is_in_docs_cli_md() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    rows = re.findall(r"(?m)^\| (\d+) \| `([A-Z_]+)` \| .+ \|$", text)
    assert rows == [(str(code.value), code.name) for code in ExitCode]


def test_every_exit_code_is_in_the_help_epilog(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    assert main(["--help"]) == ExitCode.OK
    shown = " ".join(capsys.readouterr().out.split())
    assert "Exit codes:" in shown
    for code in ExitCode:
        assert f"{code.value}: {code.meaning}" in shown, code


@pytest.fixture
def broken_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An installed third-party collector whose entry point is not a Collector: a bug, not input."""
    site = tmp_path / "site"
    info = site / "broken_evidence_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "broken_evidence_plugin.py").write_text("class NotACollector:\n    pass\n", encoding="utf-8")
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken-evidence-plugin\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[evidence.collectors]\nbroken = broken_evidence_plugin:NotACollector\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.delenv("EVIDENCE_TRACEBACK", raising=False)
    registry.available.cache_clear()
    yield
    registry.available.cache_clear()


@pytest.mark.usefixtures("broken_plugin")
def test_internal_errors_say_so_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collectors"]) == ExitCode.INTERNAL_ERROR == 1
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith(
        "internal error: TypeError: entry point broken = broken_evidence_plugin:NotACollector "
        "is not a Collector subclass"
    ), err
    assert "This is a bug in dpp-evidence; run again with --traceback and report it." in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("broken_plugin")
def test_traceback_flag_lets_an_internal_error_through() -> None:
    with pytest.raises(TypeError, match="is not a Collector subclass"):
        main(["--traceback", "collectors"])
