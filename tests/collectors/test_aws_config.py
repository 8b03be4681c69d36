"""aws-config: AWS Config history (real documented outputs) as dated setting states, judged day by day."""

from __future__ import annotations

import json
from pathlib import Path

from collector_testing import collector_context, realdata

from evidence.collectors.aws_config import AwsConfigCollector, AwsConfigSettings
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period

REAL = realdata("aws-config")


def collect(*paths: Path) -> EvidenceItem:
    settings = AwsConfigSettings.model_validate({"paths": [str(p) for p in paths]})
    (item,) = AwsConfigCollector(settings, collector_context(REAL, "config")).collect()
    return item.seal()


def test_real_history_outputs_become_dated_states() -> None:
    item = collect(
        REAL / "awsdocs_get_resource_config_history_security_group.json",
        REAL / "awsdocs_s3_config_history_file_ebs_volumes.json",
        REAL / "awsdocs_get_resource_config_history_conformance_pack.json",
    )
    changes = item.facts["changes"]
    group = next(c for c in changes if c["key"] == "sg:sg-6fbb3807")
    assert group["at"] == "2014-10-30T22:35:29Z"
    assert {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr": "0.0.0.0/0"} in group["set"]["world_open"]
    assert {"protocol": "tcp", "from_port": 1433, "to_port": 1433, "cidr": "0.0.0.0/0"} in group["set"]["world_open"]
    volumes = [c for c in changes if c["key"].startswith("ebs_volume:")]
    assert len(volumes) == 3 and all(c["origin"] == "AWS Config" for c in volumes)
    assert item.facts["complete_days"] == []  # AWS Config proves states, not the absence of changes
    assert item.stats.kept == 4 and item.stats.skipped == 2  # conformance-pack items are not settings


def test_invalid_history_is_rejected_naming_the_file() -> None:
    item = collect(REAL / "awsdocs_get_resource_config_history_resource_compliance.INVALID_JSON.txt")
    assert item.stats.rejected == 1
    assert "invalid JSON" in item.stats.rejects[0].reason


def test_a_history_item_opening_port_1433_in_the_period_is_a_deviation(tmp_path: Path) -> None:
    original = json.loads((REAL / "awsdocs_get_resource_config_history_security_group.json").read_text())
    item = original["configurationItems"][0]
    item["configurationItemCaptureTime"] = "2026-08-20T12:00:00Z"
    (tmp_path / "history.json").write_text(json.dumps(original))
    history = collect(tmp_path / "history.json")
    period = parse_period("2026-Q3")
    evaluation = evaluate([load_catalogue("amazon-dpp@2025-11")], EvaluationInput([history], period, period.end_at))
    result = next(r for r in evaluation.results if r.control_id == "DPP-NET-1")
    outcome = next(o for o in result.outcomes if o.check == "no_world_open_admin_ports")
    text = " ".join(outcome.reasons)
    assert outcome.status.value == "not_met"
    assert (
        "security group sg-6fbb3807 (default): not held 2026-08-20 (1 day): allows 0.0.0.0/0 on tcp 1433-1433" in text
    )
    assert "not known on" in text  # the days around the one item are not covered by any log
