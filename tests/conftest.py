"""Shared fixtures: real SQLite and PostgreSQL stores, the samples, and running the real CLI."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support import EVIDENCE, ROOT, SAMPLES, Result, pdftotext, run_cli, with_store

__all__ = ["EVIDENCE", "ROOT", "SAMPLES", "Result", "pdftotext", "run_cli", "with_store"]


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


