"""[aws-cli] on real AWS CLI documentation outputs, botocore examples, samples, saved errors."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import pytest
from collector_testing import collector_context, realdata

from evidence.collectors.aws.cli_outputs import AwsCliCollector, AwsCliSettings
from evidence.errors import InputError
from evidence.model.evidence import EvidenceItem

ROOT = Path(__file__).resolve().parents[3]
REALDATA = realdata("config")
SAMPLES = ROOT / "samples" / "aws"
KEY = b"test-pseudonym-key-0123456789abcdef"

#: What each real file must give: "kept" (read into facts), "skipped" (a valid output of a command
#: this collector does not read) or "rejected" (with file:line: reason).
EXPECTED = {
    "acm__describe-certificate__output1.json": "skipped",
    "backup__list-backup-jobs__output1.json": "skipped",
    "backup__list-backup-jobs__output2.json": "skipped",
    "cloudtrail__describe-trails__output1.json": "kept",
    "cloudtrail__get-event-selectors__output1.json": "kept",
    "cloudtrail__get-trail-status__output1.json": "kept",
    "cloudtrail__lookup-events__output1.json": "skipped",
    "dynamodb__describe-continuous-backups__output1.json": "skipped",
    "dynamodb__describe-table__output1.json": "kept",
    "ec2__describe-volumes__output1.INVALID-JSON.txt": "rejected",
    "ec2__describe-volumes__output2.json": "kept",
    "ec2__get-ebs-encryption-by-default__output1.json": "kept",
    "ec2__get-ebs-encryption-by-default__output2.json": "kept",
    "elbv2__describe-listeners__output1.json": "kept",
    "elbv2__describe-listeners__output2.json": "kept",
    "elbv2__describe-ssl-policies__output1.json": "skipped",
    "elbv2__describe-ssl-policies__output2.json": "skipped",
    "elbv2__describe-ssl-policies__output3.json": "skipped",
    "iam__get-account-password-policy__output1.json": "kept",
    "iam__get-credential-report__output1.json": "rejected",
    "iam__list-mfa-devices__output1.json": "kept",
    "kms__describe-key__output1.INVALID-JSON.txt": "rejected",
    "kms__describe-key__output2.json": "kept",
    "kms__describe-key__output3.json": "kept",
    "kms__describe-key__output4.json": "kept",
    "kms__get-key-rotation-status__output1.json": "kept",
    "logs__describe-log-groups__output1.json": "kept",
    "rds__create-db-instance__output1.json": "skipped",
    "rds__describe-db-clusters__output1.json": "kept",
    "rds__describe-db-clusters__output2.INVALID-JSON.txt": "rejected",
    "rds__describe-db-clusters__output3.json": "kept",
    "rds__describe-db-instances__output1.INVALID-JSON.txt": "rejected",
    "s3api__get-bucket-encryption__output1.json": "kept",
    "s3api__get-bucket-lifecycle-configuration__output1.json": "kept",
    "s3api__get-bucket-logging__output1.json": "skipped",
    "s3api__get-bucket-versioning__output1.json": "skipped",
    "s3api__get-public-access-block__output1.json": "kept",
    "secretsmanager__describe-secret__output1.json": "kept",
    "botocore_iam_examples-1.json": "kept",
    "botocore_kms_examples-1.json": "kept",
    "botocore_rds_examples-1.json": "skipped",
    "botocore_s3_examples-1.json": "kept",
}
#: Files of realdata/config that belong to the host-config and Terraform collectors.
OUT_OF_SCOPE = re.compile(r"^(debian12_|h5bp-nginx_|driftctl_|terraform-compliance_)")


def collect(paths: list[Path], tmp_path: Path, **settings: object) -> list[EvidenceItem]:
    context = collector_context(tmp_path, "aws-cli-test")
    collector = AwsCliCollector(
        AwsCliSettings.model_validate({"paths": paths, **settings}), context
    )
    return [item.seal() for item in collector.collect()]


def real_files() -> list[Path]:
    return sorted(p for p in REALDATA.rglob("*") if p.is_file())


def test_every_realdata_config_file_is_classified() -> None:
    names = {p.name for p in real_files()}
    ours = {n for n in names if not OUT_OF_SCOPE.match(n)}
    assert ours == set(EXPECTED), f"unclassified: {sorted(ours ^ set(EXPECTED))}"


@pytest.mark.parametrize(
    "path", [p for p in real_files() if p.name in EXPECTED], ids=lambda p: p.name
)
def test_realdata_cli_output_is_read_skipped_or_rejected_with_file_line(
    path: Path, tmp_path: Path
) -> None:
    expected = EXPECTED[path.name]
    if expected == "kept":
        items = collect([path], tmp_path)
        assert items, path.name
        assert all(not i.error for i in items)
        assert any(r.location == str(path) for i in items for r in i.raw_inputs)
        assert all(i.stats.rejected == 0 for i in items)
        return
    with pytest.raises(InputError) as raised:
        collect([path], tmp_path)
    message = str(raised.value)
    if expected == "skipped":
        assert "1 skipped" in message, message
        assert "0 kept" in message, message
    else:
        assert "1 rejected" in message, message
        if "INVALID-JSON" in path.name:
            assert re.search(rf"{re.escape(str(path))}:\d+: invalid JSON: ", message), message
        else:
            assert "holds no Content" in message


def test_a_host_config_file_given_by_mistake_is_rejected_not_crashed(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nginx.conf:1: invalid JSON: Expecting value"):
        collect([REALDATA / "debian12_nginx-common_nginx.conf"], tmp_path)


def test_whole_realdata_folder_keeps_good_files_and_counts_rejects_per_kind(tmp_path: Path) -> None:
    items = collect([REALDATA / "awscli-examples"], tmp_path)
    by_kind = {i.kind: i for i in items}
    assert set(by_kind) == {
        "encryption.at_rest",
        "encryption.kms",
        "storage.lifecycle",
        "iam.password_policy",
        "iam.credentials",
        "secrets.rotation",
        "transport.config",
        "network.exposure",
        "logging.config",
    }
    # A rejected kms describe-key counts against encryption.kms only; so it cannot be met.
    assert by_kind["encryption.kms"].stats.rejected == 1
    assert by_kind["secrets.rotation"].stats.rejected == 0
    listeners = by_kind["transport.config"].facts["listeners"]
    https = next(x for x in listeners if x["port"] == 443)
    assert https["ssl_policy"] == "ELBSecurityPolicy-2015-05"
    assert https["protocols"] == ["TLSv1", "TLSv1.1", "TLSv1.2"]
    assert https["protocols_from"] == "predefined policy table"
    policy = by_kind["iam.password_policy"].facts["policies"][0]
    assert policy["min_length"] == 8
    assert policy["require_symbols"] is True
    cut = next(
        r for r in by_kind["encryption.at_rest"].facts["resources"] if r["id"] == "pg2-cluster"
    )
    assert cut["encrypted"] is None
    assert "--query" in cut["error"]


def test_samples_facts_show_the_deliberate_gaps(tmp_path: Path) -> None:
    items = collect(
        [SAMPLES],
        tmp_path,
        pii_buckets=["parcelpilot-label-archive", "parcelpilot-order-exports"],
        captured_at="2026-09-29T09:30:00Z",
    )
    by_kind = {i.kind: i for i in items}
    assert all(i.stats.rejected == 0 for i in items)
    lifecycle = {b["bucket"]: b for b in by_kind["storage.lifecycle"].facts["buckets"]}
    assert (
        lifecycle["parcelpilot-label-archive"]["rules"] == []
    )  # saved NoSuchLifecycleConfiguration error
    assert lifecycle["parcelpilot-label-archive"]["pii"] is True
    assert lifecycle["parcelpilot-order-exports"]["rules"][0]["expiration_days"] == 30
    keys = {k["aliases"][0]: k for k in by_kind["encryption.kms"].facts["keys"]}
    assert keys["alias/label-archive"]["rotation_enabled"] is False
    assert keys["alias/parcelpilot-data"]["rotation_enabled"] is True
    users = by_kind["iam.credentials"].facts["users"]
    assert sum(1 for u in users if u["console"] and not u["mfa"]) == 1
    assert all(u["user"].startswith("user:") for u in users)
    assert by_kind["iam.credentials"].facts["root"]["mfa"] is True
    assert by_kind["encryption.at_rest"].facts["captured_at"] == "2026-09-29T09:30:00+00:00"


def test_saved_access_denied_names_the_missing_permission(tmp_path: Path) -> None:
    folder = tmp_path / "outputs"
    folder.mkdir()
    shutil.copy(SAMPLES / "s3api__list-buckets.json", folder)
    (folder / "s3api__get-bucket-encryption__parcelpilot-label-archive.txt").write_text(
        "\nAn error occurred (AccessDenied) when calling the GetBucketEncryption operation: "
        "User: arn:aws:iam::111122223333:user/tomasz.wojcik is not authorized to perform: "
        "s3:GetEncryptionConfiguration\n"
    )
    items = collect([folder], tmp_path)
    at_rest = next(i for i in items if i.kind == "encryption.at_rest")
    resources = {r["id"]: r for r in at_rest.facts["resources"]}
    denied = resources["parcelpilot-label-archive"]
    assert denied["encrypted"] is None
    assert "lacks permission s3:GetEncryptionConfiguration" in denied["error"]
    never_saved = resources["parcelpilot-order-exports"]
    assert never_saved["encrypted"] is None
    assert "no GetBucketEncryption result" in never_saved["error"]
    assert "tomasz" not in json.dumps(at_rest.facts)


def test_stored_copies_pseudonymise_user_names(tmp_path: Path) -> None:
    collector = AwsCliCollector(AwsCliSettings(paths=[SAMPLES]), collector_context(tmp_path))
    list(collector.collect())
    report = b"".join(
        collector.redacted_copy(str(SAMPLES / "iam__get-credential-report.json")) or []
    )
    original = base64.b64decode(
        json.loads((SAMPLES / "iam__get-credential-report.json").read_text())["Content"]
    )
    assert b"tomasz.wojcik" in original
    assert b"tomasz.wojcik" not in report
    assert b"priya.raman" not in report
    assert b"<root_account>" in report
    assert b"user:" in report
    policy = b"".join(
        collector.redacted_copy(str(next(SAMPLES.glob("kms__get-key-policy__2b9e*")))) or []
    )
    assert b"tomasz.wojcik" not in policy
    assert b"role/label-renderer" in policy


def test_inspect_command_reads_one_saved_output(tmp_path: Path) -> None:
    from tests.support import run_cli

    target = SAMPLES / "s3api__get-bucket-encryption__parcelpilot-label-archive.json"
    result = run_cli("inspect", "aws-cli", target, "--json", "--period", "2026-Q3")
    assert result.code == 0, result.stderr
    resources = json.loads(result.stdout)["facts"]["encryption.at_rest"]["resources"]
    assert resources[0]["id"] == "parcelpilot-label-archive"
    assert resources[0]["setting"].startswith("SSEAlgorithm=aws:kms, KMSMasterKeyID=")
