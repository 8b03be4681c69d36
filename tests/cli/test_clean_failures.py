"""Careless input fails cleanly: exit 2 and one line naming the problem, never a traceback."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.support import Result, run_cli, run_process, with_store


def one_line_error(result: Result, *needles: str) -> None:
    assert result.code == 2, (result.code, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--period", "9999-Q4"), "9999-Q4"),
        (("--period", ""), "--period is empty"),
        (("--as-of", ""), "--as-of is empty"),
    ],
)
def test_out_of_range_and_empty_options(samples: Path, args: tuple[str, ...], needle: str) -> None:
    one_line_error(run_cli("evaluate", "--config", samples / "evidence.toml", *args), needle)


def test_odd_out_targets(samples: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "report.pdf"
    a_file.write_text("x", encoding="utf-8")
    config = samples / "evidence.toml"
    one_line_error(run_cli("run", "--config", config, "--out", a_file, "--quiet"), "is a file, not a folder")
    one_line_error(run_cli("run", "--config", config, "--out", "/proc/evidence-out", "--quiet"), "--out /proc")
    assert not (samples / ".evidence").exists(), "nothing collected before --out is known to be usable"
    # An empty --out would mean the current folder without being asked for: refused, for pack too.
    here = tmp_path / "here"
    here.mkdir()
    one_line_error(run_cli("run", "--config", config, "--out", "", "--quiet", cwd=here), "--out is empty")
    one_line_error(run_cli("pack", "--config", config, "--out", "", cwd=here), "--out is empty")
    assert not any(here.iterdir()), "nothing written to the current folder"


def test_log_on_a_store_in_a_missing_folder_does_not_create_it(samples: Path, tmp_path: Path) -> None:
    config = with_store(samples / "evidence.toml", f"sqlite:///{tmp_path}/nowhere/evidence.db")
    one_line_error(run_cli("log", "--config", config), "no evidence store at")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.postgres
def test_concurrent_first_runs_on_empty_stores(samples: Path, pg_url: str, tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path}/fresh/evidence.db", pg_url):
        config = with_store(samples / "evidence.toml", url)
        results: list[Result] = []

        def collect(config: Path = config, results: list[Result] = results) -> None:
            # Two processes, as two users would start them: the store's lock is what is tested.
            results.append(run_process("collect", "--config", config, "--quiet"))

        threads = [threading.Thread(target=collect) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(r.code for r in results)[0] == 0, [r.stderr for r in results]
        for result in results:
            assert result.code in (0, 2), result.stderr
            assert "Traceback" not in result.stderr and "internal error" not in result.stderr
            if result.code == 2:
                assert "another run is using the store" in result.stderr
