"""Run seals in the store (SQLite and PostgreSQL), chained per organisation.

`evidence log` names exactly which stored row was changed after sealing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from evidence import pipeline
from evidence.config import load_config
from evidence.config.schema import Config
from evidence.errors import StoreError
from evidence.pack.chain import GENESIS, root_hash
from evidence.store import Store
from tests.support import run_cli, with_store


def sealed_runs(samples: Path, store_url: str, count: int) -> Config:
    config = load_config(with_store(samples / "evidence.toml", store_url))
    timing = pipeline.resolve_timing(config, None, None)
    for _ in range(count):
        pipeline.full_run(config, timing, None)
    return config


def execute(store_url: str, statement: str, **params: object) -> None:
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text(statement), params)
    engine.dispose()


def test_each_run_is_sealed_and_chained_to_the_previous_one(samples: Path, store_url: str) -> None:
    config = sealed_runs(samples, store_url, 2)
    store = pipeline.open_store(config)
    try:
        first, second = store.chain(config.organisation.developer_id)
    finally:
        store.close()
    assert first.link is not None
    assert second.link is not None
    assert first.link.prev_root_hash == GENESIS
    assert second.link.prev_root_hash == first.link.root_hash
    for entry in (first, second):
        assert entry.link is not None
        assert entry.manifest is not None
        assert hashlib.sha256(entry.manifest.encode()).hexdigest() == entry.link.manifest_sha256
        assert entry.link.root_hash == root_hash(
            entry.link.prev_root_hash, entry.link.manifest_sha256
        )
        assert entry.sealed_evaluation_id is not None
    [log] = pipeline.chain_log(config)
    assert [row.status for row in log.rows] == ["ok", "ok"]


def test_a_tampered_root_hash_is_reported_with_the_broken_link(
    samples: Path, store_url: str
) -> None:
    config = sealed_runs(samples, store_url, 3)
    execute(store_url, "UPDATE runs SET root_hash = :forged WHERE id = 2", forged="ab" * 32)
    [log] = pipeline.chain_log(config)
    assert [row.status for row in log.rows] == ["ok", "broken", "broken"]
    # The run's own evaluation is chained to its root hash, so its seal link breaks too.
    assert log.rows[1].problems == [
        f"root hash {'ab' * 8}… does not match its manifest hash and previous root hash "
        f"(they give {log.rows[2].entry.link.prev_root_hash[:16]}…)",  # type: ignore[union-attr]
        f"evaluation 2: seal link broken: previous hash "
        f"{log.rows[2].entry.link.prev_root_hash[:16]}… is not {'ab' * 8}… "  # type: ignore[union-attr]
        "(the run's root hash or the previous evaluation's)",
    ]
    assert log.rows[2].problems == [
        f"link broken: previous root hash {log.rows[2].entry.link.prev_root_hash[:16]}… is not the "  # type: ignore[union-attr]
        f"root hash of run 2 (2026-Q3), {'ab' * 8}…"
    ]


def test_changed_facts_and_statuses_are_reported_by_evidence_id_and_control(
    samples: Path, store_url: str
) -> None:
    config = sealed_runs(samples, store_url, 1)
    store = pipeline.open_store(config)
    try:
        item = next(i for i in store.evidence(1) if i.kind == "document")
    finally:
        store.close()
    execute(
        store_url,
        "UPDATE evidence_items SET facts = :facts WHERE run_id = 1 AND evidence_id = :id",
        facts='{"doc_type": "ir-plan", "date": "2026-09-01"}',
        id=item.id,
    )
    execute(
        store_url,
        "UPDATE control_results SET status = 'met' WHERE control_id = 'DPP-RISK-1'",
    )
    [log] = pipeline.chain_log(config)
    problems = log.rows[0].problems
    assert any(
        p.startswith(f"evidence {item.id}: facts changed after sealing (sealed facts hash")
        for p in problems
    )
    # The status column changed; the result JSON the evaluation is read from did not, so the
    # row's own JSON still says what was sealed: change it too, as a careful forger would.
    execute(
        store_url,
        "UPDATE control_results SET result = :result WHERE control_id = 'DPP-RISK-1'",
        result=_result_json(store_url, "DPP-RISK-1").replace('"not_met"', '"met"'),
    )
    [log] = pipeline.chain_log(config)
    assert (
        "control DPP-RISK-1 (amazon-dpp@2025-11): "
        "status met in the store, not_met sealed" in (log.rows[0].problems)
    )


def _result_json(store_url: str, control_id: str) -> str:
    engine = create_engine(store_url)
    with engine.connect() as connection:
        value = connection.execute(
            text("SELECT result FROM control_results WHERE control_id = :c"), {"c": control_id}
        ).scalar_one()
    engine.dispose()
    import json

    return value if isinstance(value, str) else json.dumps(value)


def test_a_second_run_cannot_extend_the_same_head(samples: Path, store_url: str) -> None:
    config = sealed_runs(samples, store_url, 1)
    store = pipeline.open_store(config)
    timing = pipeline.resolve_timing(config, None, None)
    try:
        with pytest.raises(StoreError, match="extended the evidence chain at the same time"):
            with store.new_run(
                organisation=config.organisation.legal_name,
                developer_id=config.organisation.developer_id,
                period=timing.period,
                as_of=timing.as_of,
                catalogues=["amazon-dpp@2025-11"],
                config_sha256="0" * 64,
                tool_version="test",
                started_at=timing.as_of,
            ) as writer:
                # As if another process had read the head before run 1 committed.
                writer.seal("{}", "1" * 64, GENESIS, root_hash(GENESIS, "1" * 64), None)
        assert [e.run.id for e in store.chain(config.organisation.developer_id)] == [1]
    finally:
        store.close()


def test_log_cli_exits_4_and_names_the_broken_run(samples: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    config = sealed_runs(samples, url, 2)
    ok = run_cli("log", "--config", config.path)
    assert ok.code == 0, ok.stderr
    assert "chain intact: 2 sealed run(s)" in ok.stdout
    execute(url, "UPDATE runs SET manifest_sha256 = :forged WHERE id = 1", forged="cd" * 32)
    broken = run_cli("log", "--config", config.path)
    assert broken.code == 4
    assert "run 1  2026-Q3" in broken.stdout
    assert "stored manifest hashes to" in broken.stdout
    assert "link broken" not in broken.stdout  # the root hash still links run 2 to run 1
    assert "chain broken: 1 of 2 sealed run(s) fail their checks" in broken.stderr


def test_runs_made_before_sealing_stay_readable_and_the_chain_starts_after_them(
    samples: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = sealed_runs(samples, url, 1)
    # Put the store back to revision 0001 state for that run: an unsealed run.
    execute(
        url,
        "UPDATE runs SET manifest = NULL, manifest_sha256 = NULL, prev_root_hash = NULL, "
        "root_hash = NULL",
    )
    timing = pipeline.resolve_timing(config, None, None)
    pipeline.full_run(config, timing, None)
    [log] = pipeline.chain_log(config)
    assert [row.status for row in log.rows] == ["unsealed", "ok"]
    assert log.rows[1].entry.link is not None
    assert log.rows[1].entry.link.prev_root_hash == GENESIS


def test_migration_0008_upgrades_a_0001_store(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from evidence.store.database import MIGRATIONS

    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    engine = create_engine(url)
    alembic = AlembicConfig()
    alembic.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        alembic.attributes["connection"] = connection
        command.upgrade(alembic, "0001")
        connection.execute(
            text(
                "INSERT INTO runs (uid, organisation, developer_id, period_label, period_start,"
                " period_end, as_of, started_at, tool_version, catalogues, config_sha256)"
                " VALUES ('u', 'Org', 'dev', '2026-Q2', '2026-04-01', '2026-06-30',"
                " '2026-06-30 23:59:59', '2026-07-01 08:00:00',"
                " '0.0', '[]', :sha)"
            ),
            {"sha": "0" * 64},
        )
    engine.dispose()
    store = Store(url, tmp_path / "copies")
    try:
        [entry] = store.chain("dev")
        assert entry.link is None
        assert entry.run.period.label == "2026-Q2"
        assert store.samples(entry.run.id) == []
    finally:
        store.close()
