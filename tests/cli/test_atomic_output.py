"""A run killed at any point leaves the output folder holding one complete report set.

The run is killed with SIGKILL (by the EVIDENCE_KILL_AT fault-injection points) before its
commit, between the commit and the swap of the staging folder, and after the swap. The folder
holds exactly the previous set in the first two cases and exactly the new one in the last, never
a mix or a partial file.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
from pathlib import Path

import pytest

from tests.small_config import small_config
from tests.support import run_cli, run_process


def report_set(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}


@pytest.fixture(scope="module")
def first_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("atomic") / "samples"
    config = small_config(root)
    result = run_cli("run", "--config", config, "--out", root / "out", "--quiet", "--no-sign")
    assert result.code in (0, 3), result.stderr
    return root


@pytest.mark.parametrize(("point", "keeps"), [("before-commit", "previous"), ("committed", "previous"),
                                              ("published", "new")])
def test_a_killed_run_leaves_one_complete_set(first_set: Path, tmp_path: Path, point: str, keeps: str) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(first_set, samples)
    out = samples / "out"
    previous = report_set(out)
    assert previous and not any(name.startswith(".") for name in previous)
    killed = run_process(  # SIGKILL ends the process: a child's, never the test's
        "run", "--config", samples / "evidence.toml", "--out", out, "--quiet", "--no-sign",
        "--as-of", "2026-10-15", env={"EVIDENCE_KILL_AT": point},
    )
    assert killed.code == -signal.SIGKILL
    now = report_set(out)
    assert not any(name.endswith(".partial") or name.startswith(".") for name in now), now
    if keeps == "previous":
        assert now == previous
    else:
        assert now.keys() == previous.keys() and now != previous
    if point == "committed":  # the run is in the store; its reports were never published
        assert list(samples.glob(".out.staging-*"))
        again = run_cli("run", "--config", samples / "evidence.toml", "--out", out, "--quiet", "--no-sign")
        assert again.code in (0, 3), again.stderr
        assert not list(samples.glob(".out.staging-*")), "the next run sweeps what a killed run left"
        assert report_set(out).keys() == previous.keys()
