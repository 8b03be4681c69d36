"""`evidence pack`: what it refuses to pack (and why), and how it packs a later evaluation."""

from __future__ import annotations

import zipfile
from pathlib import Path

import orjson
import pytest
from sqlalchemy import create_engine, text

from evidence import pipeline
from evidence.config import load_config
from evidence.config.schema import Config
from evidence.errors import PackError, StoreError
from evidence.pack.verify import verify_pack
from tests.support import run_cli


def aup_only(samples: Path) -> Config:
    """Use the samples with one small catalogue, so rendering stays quick."""
    path = samples / "evidence.toml"
    path.write_text(
        path.read_text().replace(
            'catalogues = ["amazon-dpp@2025-11", "amazon-aup@2025-11"]',
            'catalogues = ["amazon-aup@2025-11"]',
        )
    )
    return load_config(path)


def test_nothing_to_pack_yet(samples: Path, tmp_path: Path) -> None:
    config = aup_only(samples)
    timing = pipeline.resolve_timing(config, None, None)
    with pytest.raises(StoreError, match="no evidence store at .*: run `evidence collect`"):
        pipeline.write_pack(config, timing, tmp_path / "p.zip")
    pipeline.full_run(config, pipeline.resolve_timing(config, "2026-Q2", None), None, evaluate_too=False)
    with pytest.raises(StoreError, match="no run for period 2026-Q3"):
        pipeline.write_pack(config, timing, tmp_path / "p.zip")
    pipeline.full_run(config, timing, None, evaluate_too=False)
    with pytest.raises(
        PackError, match=r"run 2 has no evaluation; run `evidence evaluate --period 2026-Q3` first"
    ):
        pipeline.write_pack(config, timing, tmp_path / "p.zip")
    pipeline.full_run(config, timing, None)
    with pytest.raises(
        PackError, match=r"evaluation 1 of run 3 has no rendered reports; run `evidence report"
    ):
        pipeline.write_pack(config, timing, tmp_path / "p.zip")
    assert not (tmp_path / "p.zip").exists()


def test_a_broken_chain_changed_report_or_lost_copy_stops_the_pack(
    samples: Path, tmp_path: Path
) -> None:
    config = aup_only(samples)
    timing = pipeline.resolve_timing(config, None, None)
    outcome = pipeline.full_run(config, timing, tmp_path / "out")
    target = tmp_path / "pack.zip"
    pipeline.write_pack(config, timing, target)
    assert verify_pack(target).ok

    report = Path(outcome.reports[0].path)
    original = report.read_bytes()
    report.write_bytes(original + b"\n% appended")
    with pytest.raises(PackError, match="changed since the store recorded it"):
        pipeline.write_pack(config, timing, tmp_path / "changed.zip")
    report.write_bytes(original)

    store = pipeline.open_store(config)
    try:
        copy = next(
            r for i in store.evidence(outcome.run.id) for r in i.raw_inputs if r.stored_path
        )
        assert copy.stored_path is not None
        stored = store.copy_path(copy.stored_path)
    finally:
        store.close()
    kept = stored.read_bytes()
    stored.unlink()
    with pytest.raises(PackError, match=f"cannot read {stored}"):
        pipeline.write_pack(config, timing, tmp_path / "lost.zip")
    stored.write_bytes(kept)

    engine = create_engine(config.store.url.replace("sqlite:///", f"sqlite:///{samples}/", 1))
    with engine.begin() as connection:
        connection.execute(text("UPDATE evidence_items SET facts = '{}' WHERE seq = 1"))
    engine.dispose()
    result = run_cli("pack", "--config", config.path, "--out", tmp_path / "broken.zip")
    assert result.code == 4
    assert "refusing to pack: the stored evidence differs from its seals (see `evidence log`)" in result.stderr
    assert "facts changed after sealing" in result.stderr
    assert not (tmp_path / "broken.zip").exists()


def test_a_later_evaluation_is_packed_and_said_to_be_unsealed(
    samples: Path, tmp_path: Path
) -> None:
    config = aup_only(samples)
    timing = pipeline.resolve_timing(config, None, None)
    pipeline.full_run(config, timing, tmp_path / "out")
    later = pipeline.resolve_timing(config, None, "2026-12-31")
    pipeline.evaluate_stored(config, later, as_of_given=True)
    pipeline.report_stored(config, timing, tmp_path / "out")
    target = tmp_path / "later.zip"
    pipeline.write_pack(config, timing, target)
    report = verify_pack(target)
    assert report.ok, report.failures
    assert report.notes[-1] == (
        "evaluation.json is a later evaluation (as of 2026-12-31T23:59:59+00:00); "
        "the chain seals the evidence and the statuses in the manifest"
    )
    with zipfile.ZipFile(target) as archive:
        assert orjson.loads(archive.read("pack.json"))["evaluation"]["sealed"] is False
        assert "these statuses come from an evaluation made after the run was sealed" in (
            archive.read("README.txt").decode()
        )
