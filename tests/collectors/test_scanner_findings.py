"""[scanner-findings] on real Prowler OCSF and Security Hub ASFF files, and its checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from collector_testing import collector_context, realdata

from evidence.collectors.scanner_findings import ScannerFindingsCollector, ScannerFindingsSettings
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.errors import InputError
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.model.results import ControlResult, Status

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "scanner"


REAL = realdata("scanner-findings")


def collect(paths: list[Path], tmp_path: Path) -> EvidenceItem:
    context = collector_context(tmp_path, "scanners")
    (item,) = ScannerFindingsCollector(ScannerFindingsSettings(paths=paths), context).collect()
    return item.seal()


def evaluated(
    item: EvidenceItem, when: str = "2026-09-30T23:59:59+00:00"
) -> dict[str, ControlResult]:
    period = parse_period("2026-Q3")
    result = evaluate(
        [load_catalogue("amazon-dpp@2025-11")],
        EvaluationInput([item], period, datetime.fromisoformat(when)),
    )
    return {r.control_id: r for r in result.results}


def outcome(result: ControlResult, check: str) -> tuple[Status, str]:
    found = next(o for o in result.outcomes if o.check == check)
    return found.status, " ".join(found.reasons)


@pytest.mark.parametrize("path", sorted(REAL.iterdir()), ids=lambda p: p.name)
def test_every_real_findings_file_is_read_or_rejected_with_file_line(
    path: Path, tmp_path: Path
) -> None:
    if "INVALID-JSON" in path.name:
        with pytest.raises(InputError) as raised:
            collect([path], tmp_path)
        assert f"{path}:12: invalid JSON: Expecting ':' delimiter" in str(raised.value)
        return
    item = collect([path], tmp_path)
    assert item.stats.rejected == 0
    assert item.stats.kept == len(item.facts["findings"]) > 0
    assert item.raw_inputs[0].location == str(path)


def test_folder_keeps_good_files_and_rejects_the_bad_one(tmp_path: Path) -> None:
    item = collect([REAL], tmp_path)
    assert item.stats.rejected == 1
    assert item.stats.rejects[0].location.endswith("output2.INVALID-JSON.txt:12")
    findings = item.facts["findings"]
    kubernetes = [f for f in findings if f["provider"] == "kubernetes"]
    assert len(kubernetes) == 6
    assert all(f["account"] is None for f in kubernetes)
    lower_key = [
        f for f in findings if f["file"] == "defectdojo_awssecurityhub_config_many_findings.json"
    ]
    assert {f["check_id"] for f in lower_key} == {"IAM.5", "SSM.2", "ELBv2.1"}
    guardduty = [f for f in findings if f["product"] == "GuardDuty"]
    assert len(guardduty) == 4
    assert all(f["status"] == "FAIL" for f in guardduty)
    assert len({f["key"] for f in guardduty}) == 4  # threat findings stay distinct
    suppressed = next(
        f for f in findings if f["check_id"] == "iam_role_permissive_trust_relationship"
    )
    assert suppressed["muted"] is True
    assert suppressed["active"] is False
    # Titles are scrubbed: the GuardDuty SSH brute-force title named an address.
    assert not any("1.1.1.1" in (f["title"] or "") for f in findings)
    assert any("Unusual DNS Resolver ip:" in (f["title"] or "") for f in findings)
    assert item.facts["counts"] == {"FAIL": 14, "MANUAL": 3, "PASS": 5}


def _ocsf(
    check: str, status: str, severity: str, when: datetime, resource: str = "arn:aws:s3:::orders"
) -> dict[str, Any]:
    return {
        "metadata": {"event_code": check, "product": {"name": "Prowler", "version": "5.12.1"}},
        "severity": severity,
        "status": "New",
        "status_code": status,
        "class_uid": 2004,
        "finding_info": {
            "created_time_dt": when.strftime("%Y-%m-%dT%H:%M:%S"),
            "title": check,
            "uid": check,
        },
        "resources": [{"uid": resource, "region": "eu-west-1", "type": "AwsS3Bucket"}],
        "cloud": {"provider": "aws", "account": {"uid": "111122223333"}, "region": "eu-west-1"},
    }


def _scan(tmp_path: Path, name: str, findings: list[dict[str, Any]]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(findings))
    return path


def test_a_mapped_fail_makes_the_control_not_met(tmp_path: Path) -> None:
    day = datetime(2026, 9, 20, 3, 0, tzinfo=UTC)
    item = collect(
        [
            _scan(
                tmp_path,
                "scan.ocsf.json",
                [_ocsf("s3_bucket_default_encryption", "FAIL", "Medium", day)],
            )
        ],
        tmp_path,
    )
    results = evaluated(item)
    status, reasons = outcome(results["DPP-ENC-2"], "scanner_mapped_findings")
    assert status is Status.NOT_MET
    assert results["DPP-ENC-2"].status is Status.NOT_MET
    assert "Prowler s3_bucket_default_encryption failed on arn:aws:s3:::orders" in reasons


def test_a_mapped_pass_alone_never_makes_the_control_met(tmp_path: Path) -> None:
    day = datetime(2026, 9, 20, 3, 0, tzinfo=UTC)
    item = collect(
        [
            _scan(
                tmp_path,
                "scan.ocsf.json",
                [_ocsf("s3_bucket_default_encryption", "PASS", "Medium", day)],
            )
        ],
        tmp_path,
    )
    results = evaluated(item)
    status, reasons = outcome(results["DPP-ENC-2"], "scanner_mapped_findings")
    assert status is Status.INSUFFICIENT
    assert "never proves it on its own" in reasons
    assert results["DPP-ENC-2"].status is Status.INSUFFICIENT


def test_an_unmapped_fail_does_not_touch_the_control(tmp_path: Path) -> None:
    day = datetime(2026, 9, 20, 3, 0, tzinfo=UTC)
    # Prowler's 14-character check failing says nothing about the DPP's 12 characters.
    item = collect(
        [
            _scan(
                tmp_path,
                "scan.ocsf.json",
                [_ocsf("iam_password_policy_minimum_length_14", "FAIL", "Medium", day)],
            )
        ],
        tmp_path,
    )
    status, _ = outcome(evaluated(item)["DPP-PWD-1"], "scanner_mapped_findings")
    assert status is Status.INSUFFICIENT


def test_a_later_scan_that_passes_closes_the_finding(tmp_path: Path) -> None:
    first = datetime(2026, 8, 1, 3, 0, tzinfo=UTC)
    item = collect(
        [
            _scan(
                tmp_path,
                "a.ocsf.json",
                [_ocsf("kms_key_not_publicly_accessible", "FAIL", "High", first)],
            ),
            _scan(
                tmp_path,
                "b.ocsf.json",
                [_ocsf("kms_key_not_publicly_accessible", "PASS", "High", first + timedelta(days=5))],
            ),
        ],
        tmp_path,
    )
    results = evaluated(item)
    status, _ = outcome(results["DPP-ENC-3"], "scanner_mapped_findings")
    assert status is Status.INSUFFICIENT
    status, reasons = outcome(results["DPP-VULN-5"], "scanner_findings_resolved")
    assert status is Status.MET, reasons


def test_automatic_rotation_off_is_no_gap_since_keys_may_be_rotated_by_hand(tmp_path: Path) -> None:
    day = datetime(2026, 8, 1, 3, 0, tzinfo=UTC)
    item = collect(
        [_scan(tmp_path, "a.ocsf.json", [_ocsf("kms_cmk_rotation_enabled", "FAIL", "High", day)])],
        tmp_path,
    )
    status, _ = outcome(evaluated(item)["DPP-ENC-3"], "scanner_mapped_findings")
    assert status is not Status.NOT_MET


@pytest.mark.parametrize(
    ("severity", "days_open", "expected"),
    [
        ("Critical", 6, Status.MET),
        ("Critical", 8, Status.NOT_MET),
        ("High", 30, Status.MET),
        ("High", 31, Status.NOT_MET),
        ("Medium", 200, Status.MET),
    ],
)
def test_open_findings_past_their_fix_window(
    severity: str, days_open: int, expected: Status, tmp_path: Path
) -> None:
    as_of = datetime(2026, 9, 30, 12, 0, tzinfo=UTC)
    first = as_of - timedelta(days=days_open)
    item = collect(
        [
            _scan(
                tmp_path,
                "a.ocsf.json",
                [_ocsf("ec2_ebs_volume_encryption", "FAIL", severity, first)],
            ),
            _scan(
                tmp_path,
                "b.ocsf.json",
                [_ocsf("ec2_ebs_volume_encryption", "FAIL", severity, as_of - timedelta(hours=1))],
            ),
        ],
        tmp_path,
    )
    status, reasons = outcome(
        evaluated(item, as_of.isoformat())["DPP-VULN-5"], "scanner_findings_resolved"
    )
    assert status is expected, reasons
    if expected is Status.NOT_MET:
        assert f"failing since {first.date()}, {days_open} days open" in reasons


def test_a_fix_that_came_too_late_is_not_met(tmp_path: Path) -> None:
    first = datetime(2026, 7, 2, 3, 0, tzinfo=UTC)
    item = collect(
        [
            _scan(
                tmp_path,
                "a.ocsf.json",
                [_ocsf("rds_instance_no_public_access", "FAIL", "Critical", first)],
            ),
            _scan(
                tmp_path,
                "b.ocsf.json",
                [
                    _ocsf(
                        "rds_instance_no_public_access",
                        "FAIL",
                        "Critical",
                        first + timedelta(days=12),
                    )
                ],
            ),
            _scan(
                tmp_path,
                "c.ocsf.json",
                [
                    _ocsf(
                        "rds_instance_no_public_access",
                        "PASS",
                        "Critical",
                        first + timedelta(days=20),
                    )
                ],
            ),
        ],
        tmp_path,
    )
    status, reasons = outcome(evaluated(item)["DPP-VULN-5"], "scanner_findings_resolved")
    assert status is Status.NOT_MET
    assert "still failing 12 days after 2026-07-02" in reasons


def test_scans_older_than_the_period_are_insufficient(tmp_path: Path) -> None:
    old = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    item = collect(
        [_scan(tmp_path, "a.ocsf.json", [_ocsf("ec2_ebs_volume_encryption", "PASS", "High", old)])],
        tmp_path,
    )
    status, reasons = outcome(evaluated(item)["DPP-VULN-5"], "scanner_findings_resolved")
    assert status is Status.INSUFFICIENT
    assert "before the review period began" in reasons


def test_samples_show_the_overdue_mfa_finding(tmp_path: Path) -> None:
    item = collect([SAMPLES], tmp_path)
    results = evaluated(item)
    status, reasons = outcome(results["DPP-VULN-5"], "scanner_findings_resolved")
    assert status is Status.NOT_MET
    assert "iam_user_mfa_enabled_console_access" in reasons
    assert "failing since 2026-07-15, 77 days open" in reasons
    assert "tomasz" not in json.dumps(item.facts)
    status, reasons = outcome(results["DPP-NET-1"], "scanner_mapped_findings")
    assert status is Status.INSUFFICIENT  # port 22 failed in July, passed in September
