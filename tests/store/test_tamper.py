"""Edits to the store after sealing are refused by every command that reads them (exit 4).

One sealed run on a copy of the samples; each case edits a copy of its SQLite store (or a stored
copy, or the run's rows) and checks that `log`, `evaluate`, `report` and `pack` exit 4 with a
line naming what differs, and that no report is written from forged data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from sqlalchemy import create_engine, text

from tests.small_config import small_config
from tests.support import run_cli


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small config with one sealed run (collected, evaluated, reported, a stored copy)."""
    root = tmp_path_factory.mktemp("tamper") / "samples"
    result = run_cli("run", "--config", small_config(root), "--out", root / "out", "--quiet", "--no-sign")
    assert result.code in (0, 3), result.stderr
    return root


@pytest.fixture
def store(sealed: Path, tmp_path: Path) -> Path:
    """A private copy of the sealed samples (store, copies and outputs included)."""
    target = tmp_path / "samples"
    shutil.copytree(sealed, target)
    return target


def sql(samples: Path, statement: str, **params: object) -> None:
    engine = create_engine(f"sqlite:///{samples / '.evidence' / 'evidence.db'}")
    with engine.begin() as connection:
        connection.execute(text(statement), params)
    engine.dispose()


def first_gap(samples: Path) -> tuple[int, str, str]:
    engine = create_engine(f"sqlite:///{samples / '.evidence' / 'evidence.db'}")
    with engine.begin() as connection:
        row = connection.execute(
            text("SELECT id, control_id, result FROM control_results WHERE status != 'met' ORDER BY id LIMIT 1")
        ).one()
    engine.dispose()
    return int(row[0]), str(row[1]), str(row[2])


def forge_status(samples: Path) -> str:
    """Edit one not-met result to met, in the JSON the reports read and in the status column."""
    row_id, control, result = first_gap(samples)
    forged = orjson.loads(result)
    forged["status"] = "met"
    sql(
        samples,
        "UPDATE control_results SET status = 'met', result = :result WHERE id = :id",
        result=orjson.dumps(forged).decode(),
        id=row_id,
    )
    return control


def cli(samples: Path, *args: str | Path) -> tuple[int, str]:
    result = run_cli(*args, "--config", samples / "evidence.toml")
    return result.code, result.stdout + result.stderr


def test_a_forged_status_is_refused_by_log_evaluate_report_and_pack(store: Path, tmp_path: Path) -> None:
    control = forge_status(store)
    before = {p.name: p.read_bytes() for p in (store / "out").glob("*.pdf")}
    for command in (("log",), ("evaluate",), ("report", "--out", store / "out", "--no-sign"),
                    ("pack", "--out", tmp_path / "p.zip")):
        code, output = cli(store, *command)
        assert code == 4, (command, output)
        assert f"control {control} (amazon-" in output, (command, output)
        assert "status met in the store, not_met sealed" in output or "insufficient_evidence sealed" in output
    assert not (tmp_path / "p.zip").exists()
    assert {p.name: p.read_bytes() for p in (store / "out").glob("*.pdf")} == before


def test_a_status_column_edited_alone_is_named(store: Path) -> None:
    row_id, control, _ = first_gap(store)
    sql(store, "UPDATE control_results SET status = 'met' WHERE id = :id", id=row_id)
    code, output = cli(store, "log")
    assert code == 4
    assert f"control {control} (amazon-" in output and "the status column says met" in output


def test_edited_facts_stop_evaluate_and_report(store: Path) -> None:
    sql(store, "UPDATE evidence_items SET facts = '{}' WHERE seq = 1")
    for command in (("evaluate",), ("report", "--out", store / "out", "--no-sign")):
        code, output = cli(store, *command)
        assert code == 4, output
        assert "facts changed after sealing" in output
        assert f"refusing to {command[0]}" in output


def test_deleting_the_newest_run_is_detected_by_log(store: Path) -> None:
    code, _ = cli(store, "run", "--out", store / "out", "--quiet", "--no-sign")
    assert code in (0, 3)
    code, output = cli(store, "log")
    assert code == 0, output
    engine = create_engine(f"sqlite:///{store / '.evidence' / 'evidence.db'}")
    with engine.begin() as connection:
        run_id, uid = connection.execute(text("SELECT id, uid FROM runs ORDER BY id DESC LIMIT 1")).one()
        evaluations = "SELECT id FROM evaluations WHERE run_id = :r"
        for statement in (
            f"DELETE FROM reports WHERE evaluation_id IN ({evaluations})",
            f"DELETE FROM control_results WHERE evaluation_id IN ({evaluations})",
            "DELETE FROM evaluation_seals WHERE run_id = :r",
            "DELETE FROM evaluations WHERE run_id = :r",
            "DELETE FROM raw_inputs WHERE run_id = :r",
            "DELETE FROM evidence_items WHERE run_id = :r",
            "DELETE FROM sample_draws WHERE run_id = :r",
            "DELETE FROM runs WHERE id = :r",
        ):
            connection.execute(text(statement), {"r": run_id})
    engine.dispose()
    code, output = cli(store, "log")
    assert code == 4, output
    assert f"run {uid} was sealed with root hash" in output
    assert "no longer holds it" in output


def test_an_edited_stored_copy_is_detected_by_log(store: Path) -> None:
    copy = next(p for p in sorted((store / ".evidence" / "objects").glob("*/*")) if p.stat().st_size > 0)
    copy.write_bytes(copy.read_bytes() + b"forged line\n")
    code, output = cli(store, "log")
    assert code == 4, output
    assert f"stored copy objects/{copy.parent.name}/{copy.name}" in output and "was edited" in output


def test_an_evaluation_without_a_seal_is_refused(store: Path) -> None:
    sql(store, "DELETE FROM evaluation_seals")
    code, output = cli(store, "report", "--out", store / "out", "--no-sign")
    assert code == 4
    assert "has no seal" in output
