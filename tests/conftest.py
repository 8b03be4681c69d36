"""Shared fixtures: real SQLite and PostgreSQL stores, the samples, and running the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support import EVIDENCE, ROOT, SAMPLES, Result, pdftotext, run_cli, with_store

__all__ = ["EVIDENCE", "ROOT", "SAMPLES", "Result", "pdftotext", "run_cli", "with_store"]


# Fixtures that run the whole job once per worker: every test that uses one goes to the same
# worker (`make test` runs `pytest -n 2 --dist loadgroup`), so the job runs once, not once per worker.
SHARED_RUNS = {"demo": "demo", "packed": "packed", "two_quarters": "two-quarters"}

#: Module- or session-scoped fixtures cheap enough, or used widely enough, to be made on both
#: workers: grouping their tests would leave one worker with most of the suite.
SHARED_EVERYWHERE = frozenset({"pg_server_url", "moto_server"})


def xdist_group_of(item: pytest.Item) -> str | None:
    """The worker group of a test: the expensive run, or else the module-scoped fixture, it shares.

    Under `--dist loadgroup` a test without a group may go to either worker, so the tests of
    one module take turns and a module-scoped fixture (a run, a PostgreSQL cluster, a browser)
    would be made once on each worker. Tests that share one are kept together instead.
    """
    names = list(getattr(item, "fixturenames", ()))
    group = next((g for fixture, g in SHARED_RUNS.items() if fixture in names), None)
    if group is not None:
        return group
    info = getattr(item, "_fixtureinfo", None)
    definitions = getattr(info, "name2fixturedefs", {})
    for name in sorted(names):
        defs = definitions.get(name) or ()
        if not defs or name in SHARED_EVERYWHERE:
            continue
        used = defs[-1]
        if used.scope in ("module", "package", "session") and used.baseid.startswith("tests/"):
            return f"{used.baseid}::{name}"
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group the tests that share an expensive fixture on one xdist worker; start slow ones first.

    xdist hands out the largest groups first and then the other tests in collection order, so
    an end-to-end test (`slow`) collected last would keep one worker busy after the other has
    finished. Moving them to the front (in their own order) lets the quick tests fill the end.
    """
    for item in items:
        group = xdist_group_of(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


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




@dataclass(frozen=True)
class Demo:
    """The demo run (`evidence run` on a copy of samples/, as `make demo` runs it), shared read-only.

    Rendering the full report set is the slowest thing the suite does, so every test that only
    reads the demo's JSON or PDFs shares one run per worker. Tests that change the samples use
    the `samples` fixture and run the CLI themselves.
    """

    root: Path
    out: Path
    result: Result

    @cached_property
    def document(self) -> dict[str, Any]:
        """The `evidence run --json` document."""
        parsed: dict[str, Any] = json.loads(self.result.stdout)
        return parsed

    def status(self, control_id: str, catalogue: str = "amazon-dpp@2025-11") -> str:
        """The status the demo gave a control."""
        return next(
            r["status"]
            for r in self.document["results"]
            if r["control_id"] == control_id and r["catalogue"] == catalogue
        )

    def result_of(self, control_id: str, catalogue: str = "amazon-dpp@2025-11") -> dict[str, Any]:
        """The whole JSON result of a control."""
        return next(
            r
            for r in self.document["results"]
            if r["control_id"] == control_id and r["catalogue"] == catalogue
        )

    def pdf(self, name: str) -> Path:
        """A report the demo wrote, by file name."""
        return self.out / name

    @property
    def dpp(self) -> Path:
        """The DPP attestation."""
        return self.pdf("attestation-amazon-dpp-2025-11-2026-Q3.pdf")

    @property
    def aup(self) -> Path:
        """The AUP attestation."""
        return self.pdf("attestation-amazon-aup-2025-11-2026-Q3.pdf")

    def text(self, name: str, *extra: str) -> str:
        """Pdftotext of a report (layout mode)."""
        return pdftotext(self.pdf(name), *extra)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """Run the demo once per test worker; tests must not change what it wrote."""
    root = tmp_path_factory.mktemp("demo") / "samples"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns(".evidence", "out", ".demo-keys"))
    result = run_cli(
        "run", "--config", root / "evidence.toml", "--out", root / "out", "--json", cwd=root, timeout=900
    )
    assert result.code == 3, f"the demo must end with its deliberate gaps (exit 3): {result.stderr}"
    return Demo(root=root, out=root / "out", result=result)
