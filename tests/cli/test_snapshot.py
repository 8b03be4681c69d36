"""`evidence collect --snapshot` appends dated settings snapshots; a later run of the period judges them all."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.support import SAMPLES, run_cli

CONFIG = """\
review_period = "2026-Q3"

[organisation]
legal_name = "Snapshot Test Ltd"
developer_id = "amzn1.sp.solution.snapshot-test"
applications = ["App"]

[store]
url = "sqlite:///store/evidence.db"
copies_dir = "store"

[policy]
catalogues = ["amazon-dpp@2025-11"]

[[sources]]
collector = "aws-cli"
name = "aws-prod-cli"
paths = ["aws"]
captured_at = {captured}
region = "eu-west-1"
pii_buckets = ["parcelpilot-label-archive", "parcelpilot-order-exports"]
"""
LABELS = "s3api__get-bucket-encryption__parcelpilot-label-archive.json"


def _config(root: Path, captured: str) -> Path:
    path = root / "evidence.toml"
    path.write_text(CONFIG.format(captured=captured), encoding="utf-8")
    return path


def test_snapshots_of_the_period_are_judged_day_by_day(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES / "aws", tmp_path / "aws")
    good = (tmp_path / "aws" / LABELS).read_text()
    # 2026-08-05: the label archive shows no default encryption; 2026-08-06: it has it again.
    (tmp_path / "aws" / LABELS).write_text("An error occurred (ServerSideEncryptionConfigurationNotFoundError) "
                                           "when calling the GetBucketEncryption operation: none\n")  # fmt: skip
    config = _config(tmp_path, "2026-08-05T06:00:00Z")
    first = run_cli("collect", "--snapshot", "--config", config, "--json", cwd=tmp_path)
    assert first.code == 0, first.stderr
    (tmp_path / "aws" / LABELS).write_text(good)
    config = _config(tmp_path, "2026-08-06T06:00:00Z")
    second = run_cli("collect", "--snapshot", "--config", config, "--json", cwd=tmp_path)
    assert second.code == 0, second.stderr
    snapshot_ids = {i["id"] for r in (first, second) for i in json.loads(r.stdout)["items"]}
    assert len(snapshot_ids) == len(json.loads(first.stdout)["items"]) * 2  # each snapshot has its own ids

    config = _config(tmp_path, "2026-09-29T09:30:00Z")
    run = run_cli("collect", "--config", config, "--json", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert snapshot_ids <= {i["id"] for i in json.loads(run.stdout)["items"]}
    evaluated = run_cli("evaluate", "--config", config, "--json", cwd=tmp_path)
    assert evaluated.code == 3, evaluated.stderr
    result = next(r for r in json.loads(evaluated.stdout)["results"] if r["control_id"] == "DPP-ENC-2")
    outcome = next(o for o in result["outcomes"] if o["check"] == "storage_encrypted")
    text = " ".join(outcome["reasons"])
    assert outcome["status"] == "not_met"
    assert "S3 bucket parcelpilot-label-archive in eu-west-1: not held 2026-08-05 (1 day)" in text
    # Without a change log the days between snapshots are unknown, and the check says which.
    assert "not known on" in text and "2026-08-07 to 2026-09-28 (53 days)" in text
    # The snapshot runs are not "the period's run": evaluate read the full run.
    assert json.loads(evaluated.stdout)["run"]["id"] == json.loads(run.stdout)["run"]["id"]


def test_a_config_without_settings_sources_has_nothing_to_snapshot(tmp_path: Path) -> None:
    config = tmp_path / "evidence.toml"
    config.write_text(CONFIG.split("[[sources]]")[0], encoding="utf-8")
    result = run_cli("collect", "--snapshot", "--config", config, cwd=tmp_path)
    assert result.code == 2
    assert "nothing to snapshot" in result.stderr
    assert "Traceback" not in result.stderr
