import os
import signal
import subprocess
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from evidence.model.evidence import EvidenceItem, ParseStats, RawInput
from evidence.model.period import parse_period
from evidence.model.results import ControlResult, Evaluation, Status
from evidence.store import Store
from tests.support import EVIDENCE, run_cli, with_store


def item(n: int) -> EvidenceItem:
    return EvidenceItem(
        id=f"EV-{n:012d}",
        kind="document",
        collector="documents",
        source="docs",
        subject=f"doc-{n}",
        location=f"/tmp/doc-{n}",
        collected_at=datetime(2026, 9, 1, tzinfo=UTC),
        raw_inputs=[RawInput(location=f"/tmp/doc-{n}", sha256="ab" * 32, size=10)],
        facts={"n": n, "nested": {"date": "2026-01-01"}},
        stats=ParseStats(read=1, kept=1),
    ).seal()


def new_run(store: Store, label: str = "2026-Q3"):  # type: ignore[no-untyped-def]
    period = parse_period(label)
    return store.new_run(
        organisation="Org",
        developer_id="dev",
        period=period,
        as_of=period.end_at,
        catalogues=["amazon-dpp@2025-11"],
        config_sha256="00" * 32,
        tool_version="test",
        started_at=datetime(2026, 10, 1, 8, 0, tzinfo=UTC),
    )


def test_round_trip_and_append_only_runs(store_url: str, tmp_path: Path) -> None:
    store = Store(store_url, tmp_path / "copies")
    for _ in range(2):
        with new_run(store) as writer:
            writer.add_evidence(item(1))
            writer.add_evidence(item(2))
            evaluation = Evaluation(
                as_of=datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC),
                catalogues=["amazon-dpp@2025-11"],
                results=[
                    ControlResult(
                        control_id="DPP-IR-1",
                        catalogue="amazon-dpp@2025-11",
                        status=Status.MET,
                        reasons=["r"],
                        evidence_ids=["EV-000000000001"],
                    )
                ],
            )
            writer.add_evaluation(evaluation, datetime(2026, 10, 1, tzinfo=UTC))
    runs = store.runs("2026-Q3")
    assert [r.id for r in runs] == sorted(r.id for r in runs) and len(runs) == 2
    assert runs[0].period.start == date(2026, 7, 1)
    assert runs[0].as_of.tzinfo is not None
    loaded = store.evidence(runs[1].id)
    assert [i.id for i in loaded] == ["EV-000000000001", "EV-000000000002"]
    assert loaded[0] == item(1).model_copy(update={"collected_at": loaded[0].collected_at})
    _, evaluation = store.latest_evaluation(runs[1].id) or (None, None)
    assert evaluation is not None and evaluation.results[0].status is Status.MET
    assert store.count_rows()["runs"] == 2
    store.close()


def test_failed_run_leaves_no_rows(store_url: str, tmp_path: Path) -> None:
    store = Store(store_url, tmp_path / "copies")
    def fail_midway() -> None:
        with new_run(store) as writer:
            writer.add_evidence(item(1))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_midway()
    assert all(count == 0 for count in store.count_rows().values())
    store.close()


def test_copies_are_content_addressed_and_strays_swept(store_url: str, tmp_path: Path) -> None:
    store = Store(store_url, tmp_path / "copies")
    stray: list[str] = []

    def fail_after_copy() -> None:
        with new_run(store) as writer:
            stray.append(writer.copy([b"stray ", b"bytes"])[1])
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        fail_after_copy()
    relative = stray[0]
    assert (tmp_path / "copies" / relative).is_file()
    with new_run(store) as writer:
        kept_sha, kept_path, _ = writer.copy([b"kept"])
        raw = RawInput(location="x", sha256="cd" * 32, size=4, stored_sha256=kept_sha, stored_path=kept_path)
        writer.add_evidence(item(3).model_copy(update={"raw_inputs": [raw]}))
    assert not (tmp_path / "copies" / relative).exists(), "stray copy of the failed run was not swept"
    with new_run(store):
        pass
    assert (tmp_path / "copies" / kept_path).read_bytes() == b"kept"
    store.close()


def test_a_second_concurrent_run_is_refused(tmp_path: Path) -> None:
    from evidence.errors import StoreError

    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "copies")
    with new_run(store), pytest.raises(StoreError, match="another run"), new_run(store):
        pass
    store.close()


def test_unreachable_store_is_a_store_error(tmp_path: Path) -> None:
    from evidence.errors import StoreError

    with pytest.raises(StoreError, match="cannot open store"):
        Store("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path)


def test_run_killed_midway_leaves_no_rows(store_url: str, samples: Path) -> None:
    """Kill -9 a real `evidence run` while it is blocked inside its transaction."""
    config = with_store(samples / "evidence.toml", store_url)
    fifo = samples / "blocked-register.toml"
    os.mkfifo(fifo)
    with config.open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[sources]]\ncollector = "documents"\nname = "blocked"\nregisters = ["blocked-register.toml"]\n'
        )
    proc = subprocess.Popen(
        [str(EVIDENCE), "run", "--config", str(config), "--out", str(samples / "out"), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    objects = samples / ".evidence" / "objects"
    deadline = time.monotonic() + 120
    # The first sources' copies are written inside the transaction before the FIFO blocks it.
    while time.monotonic() < deadline and not (objects.is_dir() and any(objects.glob("*/*"))):
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(0.1)
    time.sleep(1.0)
    assert proc.poll() is None
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    strays = list(objects.glob("*/*"))
    assert strays, "expected copies written before the kill"

    store = Store(store_url, samples / ".evidence")
    try:
        assert store.count_rows() == dict.fromkeys(
            ["runs", "evidence_items", "raw_inputs", "evaluations", "control_results", "reports"], 0
        )
    finally:
        store.close()
    assert not list((samples / "out").glob("*.pdf")), "a killed run must not leave finished reports"

    # The next run succeeds and sweeps the strays it does not reference.
    fifo.unlink()
    config.write_text(
        config.read_text(encoding="utf-8").replace('name = "blocked"', 'name = "blocked"\nenabled = false'),
        encoding="utf-8",
    )
    result = run_cli("collect", "--config", config, "--quiet")
    assert result.code == 0, result.stderr
    store = Store(store_url, samples / ".evidence")
    try:
        assert store.count_rows()["runs"] == 1
        referenced = {r.stored_sha256 for i in store.evidence(store.runs()[0].id) for r in i.raw_inputs}
    finally:
        store.close()
    assert {p.name for p in objects.glob("*/*")} == referenced
