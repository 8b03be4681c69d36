"""[aws] on a real moto server: gaps, good twins, a caller without permission, read-only calls."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from collector_testing import collector_context
from moto_support import (
    REGION,
    Moto,
    collect_live,
    evaluate_dpp,
    moto_fixture,  # noqa: F401  (the fixture `moto`)
    moto_server_fixture,  # noqa: F401  (the fixture `moto_server`)
    outcome,
    seed_gaps,
    seed_good_twins,
)

from evidence.collectors.aws.live import AwsCollector, AwsSettings
from evidence.model.assurance import Assurance
from evidence.model.results import Status


def test_seeded_gaps_make_each_control_not_met_naming_the_resource(moto: Moto) -> None:
    names = seed_gaps(moto)
    results = evaluate_dpp(collect_live(moto))

    encrypted = outcome(results["DPP-ENC-2"], "storage_encrypted")
    assert results["DPP-ENC-2"].status is Status.NOT_MET
    assert encrypted.status is Status.NOT_MET
    text = " ".join(encrypted.reasons)
    assert f"S3 bucket {names['bucket']}" in text
    assert (
        "no default encryption configured (ServerSideEncryptionConfigurationNotFoundError)" in text
    )
    assert (
        f"RDS instance {names['db']} in {REGION}: not held 2026-07-01 to 2026-09-30 (92 days): not encrypted, "
        "StorageEncrypted=false" in text
    )

    rotation = outcome(results["DPP-ENC-3"], "kms_rotation_enabled")
    assert results["DPP-ENC-3"].status is Status.NOT_MET
    assert names["key"] in " ".join(rotation.reasons)
    assert "lets any principal (*) decrypt" in " ".join(rotation.reasons)

    policy = outcome(results["DPP-PWD-1"], "password_policy_strength")
    assert results["DPP-PWD-1"].status is Status.NOT_MET
    assert "MinimumPasswordLength=8 (needs 12 or more)" in " ".join(policy.reasons)
    assert "RequireSymbols=false" in " ".join(policy.reasons)


def test_good_twins_pass(moto: Moto) -> None:
    names = seed_good_twins(moto)
    results = evaluate_dpp(collect_live(moto))

    encrypted = outcome(results["DPP-ENC-2"], "storage_encrypted")
    # Every store observed is encrypted (observed, from the API); with no data map declaring
    # the PII stores, whether every one was observed stays open.
    assert encrypted.parts["stores_encrypted"] is Status.MET, encrypted.reasons
    assert encrypted.assurance is Assurance.OBSERVED
    assert encrypted.parts["every_pii_store_observed"] is Status.INSUFFICIENT
    assert results["DPP-ENC-2"].status is Status.INSUFFICIENT
    text = " ".join(encrypted.reasons)
    assert f"S3 bucket {names['bucket']}" in text
    assert "SSEAlgorithm=aws:kms" in text
    assert f"RDS instance {names['db']}" in text
    assert "StorageEncrypted=true" in text

    rotation = outcome(results["DPP-ENC-3"], "kms_rotation_enabled")
    assert rotation.status is Status.MET, rotation.reasons
    assert names["key"] in " ".join(rotation.reasons)

    policy = outcome(results["DPP-PWD-1"], "password_policy_strength")
    assert policy.status is Status.MET, policy.reasons
    assert "MinimumPasswordLength=14" in " ".join(policy.reasons)


def test_a_snapshot_read_after_the_period_alone_proves_none_of_its_days(moto: Moto) -> None:
    seed_good_twins(moto)
    results = evaluate_dpp(collect_live(moto), trail=False)
    encrypted = outcome(results["DPP-ENC-2"], "storage_encrypted")
    assert encrypted.status is Status.INSUFFICIENT
    assert "not known on 92 of 92 days (2026-07-01 to 2026-09-30 (92 days))" in " ".join(encrypted.reasons)


def test_caller_without_permission_gets_insufficient_evidence_naming_the_permission(
    moto: Moto, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_good_twins(moto)
    iam = moto.client("iam")
    iam.create_user(UserName="auditor")
    allowed = [
        "sts:GetCallerIdentity",
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "ec2:Describe*",
    ]
    iam.put_user_policy(
        UserName="auditor",
        PolicyName="too-narrow",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": allowed, "Resource": "*"}],
            }
        ),
    )
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    moto.enforce_auth()

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    items = collect_live(moto, services=["s3", "kms", "iam", "rds"])
    results = evaluate_dpp(items)

    for control, check, permission in [
        ("DPP-ENC-2", "storage_encrypted", "s3:GetEncryptionConfiguration"),
        ("DPP-ENC-3", "kms_rotation_enabled", "kms:ListKeys"),
        ("DPP-PWD-1", "password_policy_strength", "iam:GetAccountPasswordPolicy"),
    ]:
        found = outcome(results[control], check)
        assert found.status is Status.INSUFFICIENT, (control, found.reasons)
        assert permission in " ".join(found.reasons), (control, found.reasons)
        assert results[control].status is not Status.MET
    at_rest = next(i for i in items if i.kind == "encryption.at_rest")
    bucket = next(r for r in at_rest.facts["resources"] if r["id"] == "orders-export-sealed")
    assert bucket["encrypted"] is None
    assert "s3:GetEncryptionConfiguration" in bucket["error"]
    assert "rds:DescribeDBInstances" in " ".join(at_rest.facts["errors"])


def _action(request: dict[str, object]) -> str:
    """Name the action of a recorded request (X-Amz-Target, query Action, or S3 method)."""
    headers = {str(k).lower(): str(v) for k, v in dict(request["headers"]).items()}  # type: ignore[call-overload]
    if "x-amz-target" in headers:
        return headers["x-amz-target"].rsplit(".", 1)[-1]
    body = str(request.get("body") or "")
    if request.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    found = parse_qs(body).get("Action") or parse_qs(urlsplit(str(request["url"])).query).get(
        "Action"
    )
    if found:
        return found[0]
    return f"S3 {request['method']}"


def test_collector_makes_read_only_calls_only(moto: Moto) -> None:
    seed_gaps(moto)
    seed_good_twins(moto)
    moto.api("recorder/start-recording")
    collect_live(moto)
    moto.api("recorder/stop-recording")
    actions = sorted({_action(r) for r in moto.recorded()})
    assert "GetBucketEncryption" not in actions  # S3 is REST: recorded by method
    assert {
        "S3 GET",
        "ListKeys",
        "GetKeyRotationStatus",
        "DescribeDBInstances",
        "GetAccountPasswordPolicy",
    } <= set(actions)
    writes = [
        a
        for a in actions
        if not (
            a.startswith(("Get", "List", "Describe"))
            or a in {"GenerateCredentialReport", "S3 GET", "S3 HEAD"}
        )
    ]
    assert writes == [], f"non-read-only calls: {writes}"


def test_profile_and_role_from_the_standard_credential_chain(
    moto: Moto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_good_twins(moto)
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[audit]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    items = collect_live(
        moto,
        profile="audit",
        role_arn="arn:aws:iam::123456789012:role/dpp-evidence-readonly",
        services=["s3", "kms"],
    )
    kinds = {i.kind for i in items}
    assert {
        "encryption.at_rest",
        "encryption.kms",
        "storage.lifecycle",
        "network.exposure",
    } <= kinds
    assert all(i.subject == "AWS account 123456789012" for i in items)
    at_rest = next(i for i in items if i.kind == "encryption.at_rest")
    assert [r["id"] for r in at_rest.facts["resources"]] == ["orders-export-sealed"]


def test_iam_user_names_never_reach_facts_or_stored_copies(moto: Moto, tmp_path: Path) -> None:
    iam = moto.client("iam")
    iam.create_user(UserName="jane.buyer-support")
    iam.create_login_profile(UserName="jane.buyer-support", Password="Not-a-real-password-1!")
    collector = AwsCollector(
        AwsSettings(
            regions=[REGION],
            endpoint_url=moto.endpoint,
            services=["iam"],
            credential_report_wait_seconds=5,
        ),
        collector_context(tmp_path, "aws"),
    )
    items = list(collector.collect())
    credentials = next(i for i in items if i.kind == "iam.credentials")
    assert credentials.facts["users"], "the user must be in the report"
    assert credentials.facts["users"][0]["mfa"] is False
    assert credentials.facts["users"][0]["console"] is True
    for item in items:
        assert "jane.buyer-support" not in json.dumps(item.facts)
        copy = b"".join(collector.redacted_copy(item.raw_inputs[0].location) or [])
        assert copy, item.kind
        assert b"jane.buyer-support" not in copy
        assert b"Not-a-real-password" not in copy


def test_account_id_guards_against_credentials_for_another_account(moto: Moto) -> None:
    from evidence.errors import InputError

    with pytest.raises(InputError, match="reach account 123456789012, not account_id 210987654321"):
        collect_live(moto, account_id="210987654321", services=["kms"])
    items = collect_live(moto, account_id="123456789012", services=["kms"])
    assert items and all(i.subject == "AWS account 123456789012" for i in items)
