"""Shared fixtures: real SQLite and PostgreSQL stores, the samples, and running the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EVIDENCE = Path(sys.executable).parent / "evidence"


def pg_admin_url() -> str:
    """The PostgreSQL server `make test` starts; its absence is a failure, never a skip."""
    url = os.environ.get("EVIDENCE_TEST_PG_URL")
    if not url:
        pytest.fail(
            "EVIDENCE_TEST_PG_URL is not set: run the suite with `make test`, which starts PostgreSQL"
        )
    return url


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A fresh database on the real PostgreSQL server for this test session (and worker)."""
    admin = make_url(pg_admin_url())
    name = f"evidence_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server must be there: say so plainly
        pytest.fail(f"cannot reach PostgreSQL at {admin.render_as_string(hide_password=True)}: {exc}")
    yield admin.set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A PostgreSQL URL whose tables are dropped after the test (tests share the session DB)."""
    yield pg_server_url
    engine = create_engine(pg_server_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every store test runs on SQLite and on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'evidence.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """A private copy of samples/ (the demo's inputs), so tests never write into the checkout."""
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES, target, ignore=shutil.ignore_patterns(".evidence", "out", ".demo-keys"))
    return target


@dataclass
class Result:
    """What a CLI invocation returned."""

    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300) -> Result:
    """Run the installed `evidence` console script as a user would."""
    merged = {**os.environ, "COLUMNS": "200", **(env or {})}
    merged.pop("EVIDENCE_TRACEBACK", None)
    proc = subprocess.run(
        [str(EVIDENCE), *map(str, args)],
        cwd=cwd,
        env=merged,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def pdftotext(path: Path, *extra: str) -> str:
    """Text of a PDF through poppler's pdftotext (installed by `make test`)."""
    return subprocess.run(
        ["pdftotext", "-layout", *extra, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def with_store(config: Path, url: str) -> Path:
    """Point a config's [store] at ``url`` (rewrites the file in place) and return it."""
    lines = config.read_text(encoding="utf-8").splitlines()
    out, in_store = [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            in_store = stripped == "[store]"
        if in_store and stripped.startswith("url"):
            line = f'url = "{url}"'
        out.append(line)
    config.write_text("\n".join(out) + "\n", encoding="utf-8")
    return config
