"""The cloud-settings checks on hand-written facts: each boundary, no pass from missing facts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.evidence import EvidenceItem, stable_evidence_id
from evidence.model.facts import canonical_facts, dump_facts
from evidence.model.period import parse_period
from evidence.model.results import CheckOutcome, Status
from evidence.model.settings_history import CHANGES
from tests.fact_builders import data_map_facts, map_store

AS_OF = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)
CAPTURED = "2026-09-29T09:00:00+00:00"


def item(
    kind: str,
    src: str = "aws-prod",
    captured: str = CAPTURED,
    errors: list[str] | None = None,
    **facts: Any,
) -> EvidenceItem:
    body = {
        "account": "111122223333",
        "regions": ["eu-west-1"],
        "errors": errors or [],
        "captured_at": captured,
        **facts,
    }
    return EvidenceItem(
        id=stable_evidence_id(src, kind, repr(sorted(body.items()))),
        kind=kind,
        collector="aws-cli",
        source=src,
        subject="AWS account 111122223333",
        location="x",
        collected_at=AS_OF,
        facts=canonical_facts(kind, body, where="test item"),
    ).seal()


def change_log(*changes: dict[str, Any], complete: list[list[str]] | None = None) -> EvidenceItem:
    """A CloudTrail change log complete on every day of 2026-Q3 (or on ``complete``)."""
    body = {
        "source_type": "cloudtrail",
        "complete_days": complete if complete is not None else [["2026-07-01", "2026-09-30"]],
        "changes": list(changes),
        "truncated": False,
    }
    return EvidenceItem(
        id=stable_evidence_id("trail", CHANGES, repr(body)),
        kind=CHANGES,
        collector="cloudtrail",
        source="trail",
        subject="setting changes",
        location="x",
        collected_at=AS_OF,
        facts=canonical_facts(CHANGES, body, where="test change log"),
    ).seal()


def outcome(
    control: str,
    check: str,
    *items: EvidenceItem,
    catalogue: str = "amazon-dpp@2025-11",
    log: bool = True,
) -> CheckOutcome:
    """Evaluate one check; with ``log`` a change log complete all quarter carries the snapshots."""
    period = parse_period("2026-Q3")
    evidence = [*items, change_log()] if log else list(items)
    evaluation = evaluate([load_catalogue(catalogue)], EvaluationInput(evidence, period, AS_OF))
    result = next(r for r in evaluation.results if r.control_id == control)
    return next(o for o in result.outcomes if o.check == check)


def judge(
    control: str,
    check: str,
    *items: EvidenceItem,
    catalogue: str = "amazon-dpp@2025-11",
    log: bool = True,
) -> tuple[Status, str]:
    found = outcome(control, check, *items, catalogue=catalogue, log=log)
    return found.status, " ".join(found.reasons)


def data_map(*stores: tuple[str, list[tuple[str, str]]]) -> EvidenceItem:
    """A data map declaring PII stores and the cloud resources each rests on."""
    return EvidenceItem(
        id=stable_evidence_id("map", "dataflow.map", repr(stores)),
        kind="dataflow.map",
        collector="dataflow",
        source="map",
        subject="data map",
        location="map.yaml",
        collected_at=AS_OF,
        facts=dump_facts(data_map_facts([map_store(name, resources) for name, resources in stores])),
    ).seal()


def store(kind: str, ident: str, encrypted: bool | None, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "id": ident,
        "region": "eu-west-1",
        "encrypted": encrypted,
        "algorithm": "AES-256" if encrypted else None,
        "kms_key_id": None,
        "setting": f"StorageEncrypted={'true' if encrypted else 'false'}",
        "origin": "DescribeDBInstances",
        "error": None if encrypted is not None else "RDS was denied",
        **extra,
    }


# storage_encrypted --------------------------------------------------------------------------


def test_a_stale_snapshot_is_not_used() -> None:
    old = item(
        "encryption.at_rest",
        captured="2026-05-01T00:00:00+00:00",
        resources=[store("rds_instance", "db", True)],
    )
    status, reasons = judge("DPP-ENC-2", "storage_encrypted", old, log=False)
    assert status is Status.INSUFFICIENT
    assert "RDS instance db in eu-west-1: not known on 92 of 92 days (2026-07-01 to 2026-09-30" in reasons
    assert "no change log (CloudTrail, AWS Config history) was collected" in reasons


def test_sources_merge_a_resource_unknown_in_one_and_known_in_another() -> None:
    unknown = item(
        "encryption.at_rest", src="aws-live", resources=[store("rds_instance", "db", None)]
    )
    known = item(
        "encryption.at_rest", src="terraform", resources=[store("rds_instance", "db", True)]
    )
    scope = data_map(("orders", [("rds_instance", "db")]))
    status, reasons = judge("DPP-ENC-2", "storage_encrypted", unknown, known, scope)
    assert status is Status.MET
    assert "all 1 data stores" in reasons
    bad = item("encryption.at_rest", src="drift", resources=[store("rds_instance", "db", False)])
    status, reasons = judge("DPP-ENC-2", "storage_encrypted", known, bad)
    assert status is Status.NOT_MET
    assert (
        "RDS instance db in eu-west-1: not held 2026-07-01 to 2026-09-30 (92 days): not encrypted, "
        "StorageEncrypted=false" in reasons
    )


def test_weak_ciphers_and_non_pii_buckets() -> None:
    weak = store("ebs_volume", "vol-1", True, algorithm="RSA-1024")
    status, reasons = judge(
        "DPP-ENC-2", "storage_encrypted", item("encryption.at_rest", resources=[weak])
    )
    assert status is Status.NOT_MET
    assert "RSA-1024 is weaker than AES-128/RSA-2048" in reasons
    public_site = store("s3_bucket", "www-assets", False, pii=False)
    archive = store("s3_bucket", "labels", True, pii=True)
    status, reasons = judge(
        "DPP-ENC-2",
        "storage_encrypted",
        item("encryption.at_rest", resources=[public_site, archive]),
        data_map(("label archive", [("s3_bucket", "labels")])),
    )
    assert status is Status.MET
    assert "www-assets in eu-west-1 is not a PII bucket" in reasons


def test_a_pii_store_of_the_data_map_that_was_not_observed_leaves_coverage_undecided() -> None:
    # The stores observed are encrypted, but the tax archive the map declares was never seen.
    archive = store("s3_bucket", "labels", True, pii=True)
    scope = data_map(("label archive", [("s3_bucket", "labels")]), ("tax archive", [("s3_bucket", "tax")]))
    found = outcome("DPP-ENC-2", "storage_encrypted", item("encryption.at_rest", resources=[archive]), scope)
    assert found.status is Status.INSUFFICIENT
    assert found.parts == {"stores_encrypted": Status.MET, "every_pii_store_observed": Status.INSUFFICIENT}
    assert any("s3_bucket tax of PII store tax archive" in r and "was not observed" in r for r in found.reasons)
    evaluation = evaluate(
        [load_catalogue("amazon-dpp@2025-11")],
        EvaluationInput(
            [item("encryption.at_rest", resources=[archive]), scope, change_log()], parse_period("2026-Q3"), AS_OF
        ),
    )
    control = next(r for r in evaluation.results if r.control_id == "DPP-ENC-2")
    assert control.status is Status.INSUFFICIENT
    elements = {e.id: e.status for e in control.elements}
    assert elements["stores_encrypted"] is Status.MET
    assert elements["every_pii_store_observed"] is Status.INSUFFICIENT


def test_without_a_data_map_nobody_knows_whether_every_pii_store_was_observed() -> None:
    found = outcome(
        "DPP-ENC-2", "storage_encrypted", item("encryption.at_rest", resources=[store("s3_bucket", "labels", True)])
    )
    assert found.status is Status.INSUFFICIENT
    assert found.parts["every_pii_store_observed"] is Status.INSUFFICIENT
    assert "no data map declares the PII stores" in " ".join(found.reasons)


def test_a_listing_error_blocks_a_pass() -> None:
    facts = item(
        "encryption.at_rest",
        resources=[store("s3_bucket", "labels", True)],
        errors=[
            "eu-west-1: DescribeDBInstances was denied (AccessDenied): "
            "the caller lacks permission rds:DescribeDBInstances"
        ],
    )
    status, reasons = judge("DPP-ENC-2", "storage_encrypted", facts)
    assert status is Status.INSUFFICIENT
    assert "rds:DescribeDBInstances" in reasons


# kms_rotation_enabled ---------------------------------------------------------------------------


def key(ident: str, **values: Any) -> dict[str, Any]:
    base = {
        "id": ident,
        "arn": None,
        "region": "eu-west-1",
        "manager": "CUSTOMER",
        "spec": "SYMMETRIC_DEFAULT",
        "usage": "ENCRYPT_DECRYPT",
        "state": "Enabled",
        "key_origin": "AWS_KMS",
        "rotation_enabled": True,
        "rotation_supported": None,
        "rotation_period_days": 365,
        "public_decrypt": False,
        "aliases": [],
        "origin": "DescribeKey",
        "error": None,
    }
    return {**base, **values}


def test_kms_public_decrypt_and_imported_material() -> None:
    status, reasons = judge(
        "DPP-ENC-3",
        "kms_rotation_enabled",
        item("encryption.kms", keys=[key("k1", public_decrypt=True)]),
    )
    assert status is Status.NOT_MET
    assert "lets any principal (*) decrypt" in reasons
    status, reasons = judge(
        "DPP-ENC-3",
        "kms_rotation_enabled",
        item("encryption.kms", keys=[key("k2", key_origin="EXTERNAL", rotation_enabled=None)]),
    )
    assert status is Status.INSUFFICIENT
    assert "imported key material" in reasons


def test_kms_disabled_keys_are_not_judged_and_aws_managed_keys_count() -> None:
    keys = [key("off", state="Disabled", rotation_enabled=False), key("aws", manager="AWS")]
    status, reasons = judge("DPP-ENC-3", "kms_rotation_enabled", item("encryption.kms", keys=keys))
    assert status is Status.MET
    assert "1 AWS managed key(s)" in reasons


def test_a_key_rotated_by_hand_within_365_days_meets_the_policy() -> None:
    # Automatic rotation off; rotated on demand 2026-03-02, so the material is at most 212 days
    # old on any day of 2026-Q3: the DPP asks for a key lifecycle, not automatic rotation.
    by_hand = key(
        "k1",
        rotation_enabled=False,
        rotation_period_days=None,
        created="2024-01-10T09:00:00+00:00",
        rotation_dates=["2025-02-01T09:00:00+00:00", "2026-03-02T09:00:00+00:00"],
        rotations_complete=True,
    )
    status, reasons = judge("DPP-ENC-3", "kms_rotation_enabled", item("encryption.kms", keys=[by_hand]))
    assert status is Status.MET, reasons
    assert "rotated by hand or created within 365 days" in reasons
    assert "material at most 212 days old; last made 2026-03-02" in reasons


def test_a_replacement_key_created_within_365_days_meets_the_policy() -> None:
    fresh = key("k2", rotation_enabled=False, created="2026-01-15T00:00:00+00:00", rotation_dates=[])
    status, reasons = judge("DPP-ENC-3", "kms_rotation_enabled", item("encryption.kms", keys=[fresh]))
    assert status is Status.MET, reasons


def test_a_key_last_rotated_over_365_days_before_a_day_of_the_period_is_not_met() -> None:
    stale = key(
        "k3",
        rotation_enabled=False,
        created="2024-01-10T09:00:00+00:00",
        rotation_dates=["2025-08-01T09:00:00+00:00"],
        rotations_complete=True,
    )
    status, reasons = judge("DPP-ENC-3", "kms_rotation_enabled", item("encryption.kms", keys=[stale]))
    assert status is Status.NOT_MET
    assert "its material was 425 days old on 2026-09-30, over the 365-day limit" in reasons
    assert "no automatic rotation" in reasons


def test_rotation_off_with_no_history_is_undecided_not_failed() -> None:
    unknown = key("k4", rotation_enabled=False)
    status, reasons = judge("DPP-ENC-3", "kms_rotation_enabled", item("encryption.kms", keys=[unknown]))
    assert status is Status.INSUFFICIENT
    assert "a rotation by hand within 365 days cannot be shown" in reasons


def decrypt_outcome(keys: list[dict[str, Any]], roles: list[str] | None) -> CheckOutcome:
    period = parse_period("2026-Q3")
    data = EvaluationInput(
        [item("encryption.kms", keys=keys), change_log()],
        period,
        AS_OF,
        settings={"kms_decrypt_roles": roles},
    )
    evaluation = evaluate([load_catalogue("amazon-dpp@2025-11")], data)
    result = next(r for r in evaluation.results if r.control_id == "DPP-ENC-3")
    return next(o for o in result.outcomes if o.check == "kms_decrypt_limited")


APP_ROLE = "arn:aws:iam::111122223333:role/parcelpilot-app"


def test_decrypt_rights_limited_to_the_declared_roles() -> None:
    own = key("k1", decrypt_principals=[APP_ROLE])
    met = decrypt_outcome([own], [APP_ROLE])
    assert met.status is Status.MET, met.reasons
    assert met.parts.get("decrypt_limited", met.status) is Status.MET

    other = key("k1", decrypt_principals=[APP_ROLE, "arn:aws:iam::999988887777:role/partner"])
    failed = decrypt_outcome([other], [APP_ROLE])
    assert failed.status is Status.NOT_MET
    assert "outside the declared roles decrypt: arn:aws:iam::999988887777:role/partner" in " ".join(
        failed.reasons
    )

    by_name = decrypt_outcome([own], ["parcelpilot-app"])
    assert by_name.status is Status.MET


def test_decrypt_through_iam_or_undeclared_roles_is_undecided() -> None:
    delegated = key("k1", decrypt_principals=["arn:aws:iam::111122223333:root", APP_ROLE])
    undecided = decrypt_outcome([delegated], [APP_ROLE])
    assert undecided.status is Status.INSUFFICIENT
    assert "grant decrypt through IAM" in " ".join(undecided.reasons)
    undeclared = decrypt_outcome([key("k1", decrypt_principals=[APP_ROLE])], None)
    assert undeclared.status is Status.INSUFFICIENT
    assert "[encryption] kms_decrypt_roles" in undeclared.reasons[0]
    unread = decrypt_outcome([key("k1")], [APP_ROLE])
    assert unread.status is Status.INSUFFICIENT
    assert "GetKeyPolicy missing" in " ".join(unread.reasons)


# password_policy_strength -------------------------------------------------------------------------


def policy(**values: Any) -> dict[str, Any]:
    base = {
        "source": "aws-iam",
        "account": "111122223333",
        "present": True,
        "min_length": 14,
        "require_uppercase": True,
        "require_lowercase": True,
        "require_numbers": True,
        "require_symbols": True,
        "max_age_days": 90,
        "reuse_prevention": 24,
        "unsupported": [],
        "origin": "GetAccountPasswordPolicy",
        "error": None,
    }
    return {**base, **values}


@pytest.mark.parametrize(
    ("values", "expected", "phrase"),
    [
        ({}, Status.MET, "MinimumPasswordLength=14"),
        ({"min_length": 11}, Status.NOT_MET, "MinimumPasswordLength=11 (needs 12 or more)"),
        (
            {"max_age_days": None},
            Status.NOT_MET,
            "MaxPasswordAge=not set (passwords must expire within 365 days)",
        ),
        ({"max_age_days": 400}, Status.NOT_MET, "MaxPasswordAge=400"),
        (
            {"reuse_prevention": 5},
            Status.NOT_MET,
            "PasswordReusePrevention=5 (the last 10 passwords must be refused)",
        ),
        (
            {"require_symbols": False},
            Status.NOT_MET,
            "RequireSymbols=false (special characters required)",
        ),
        ({"present": False}, Status.NOT_MET, "none is set (NoSuchEntity)"),
        ({"error": "GetAccountPasswordPolicy was denied"}, Status.INSUFFICIENT, "was denied"),
    ],
)
def test_password_policy_parameters(values: dict[str, Any], expected: Status, phrase: str) -> None:
    status, reasons = judge(
        "DPP-PWD-1",
        "password_policy_strength",
        item("iam.password_policy", policies=[policy(**values)]),
    )
    assert status is expected
    assert phrase in reasons


def test_password_policy_2021_mixed_classes_and_terraform_names() -> None:
    two = policy(
        min_length=8,
        require_uppercase=False,
        require_symbols=False,
        origin="aws_iam_account_password_policy.x",
    )
    status, reasons = judge(
        "DPP-PWD-1",
        "password_policy_strength",
        item("iam.password_policy", policies=[two]),
        catalogue="amazon-dpp@2021",
    )
    assert status is Status.NOT_MET
    assert "only 2 character class(es) required (needs 3 of 4)" in reasons
    three = policy(min_length=8, require_symbols=False, max_age_days=90)
    status, _ = judge(
        "DPP-PWD-1",
        "password_policy_strength",
        item("iam.password_policy", policies=[three]),
        catalogue="amazon-dpp@2021",
    )
    assert status is Status.MET
    short = policy(min_length=10, origin="aws_iam_account_password_policy.x")
    _, reasons = judge(
        "DPP-PWD-1", "password_policy_strength", item("iam.password_policy", policies=[short])
    )
    assert "minimum_password_length=10" in reasons


# iam.credentials --------------------------------------------------------------------------------


def user(name: str, console: bool | None, mfa: bool | None, keys: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {
        "user": name,
        "account": "111122223333",
        "console": console,
        "mfa": mfa,
        "access_keys": [
            {"slot": n + 1, "active": True, "last_rotated": k, "last_used": None}
            for n, k in enumerate(keys)
        ],
    }


ROOT_OK = {"user": "<root_account>", "console": None, "mfa": True, "access_keys": []}


def creds(*users: dict[str, Any], root: dict[str, Any] | None = ROOT_OK) -> EvidenceItem:
    return item(
        "iam.credentials",
        users=list(users),
        root=root,
        report_generated=CAPTURED,
        source="credential report",
    )


def test_mfa_console_users_root_and_missing_root_row() -> None:
    status, reasons = judge(
        "DPP-ACC-7",
        "iam_users_mfa",
        creds(user("user:a", True, False), user("user:b", False, False)),
    )
    assert status is Status.NOT_MET
    assert "IAM user user:a: not held 2026-07-01 to 2026-09-30 (92 days): console password, no MFA device" in reasons
    status, reasons = judge(
        "DPP-ACC-7", "iam_users_mfa", creds(user("user:a", True, True), root=None)
    )
    assert status is Status.INSUFFICIENT
    assert "no <root_account> row" in reasons
    status, reasons = judge(
        "DPP-ACC-7",
        "iam_users_mfa",
        creds(user("user:a", True, True), user("user:b", False, False)),
    )
    assert status is Status.MET
    assert "1 API-only user(s)" in reasons
    no_root_mfa = dict(ROOT_OK, mfa=False)
    status, reasons = judge(
        "DPP-ACC-7", "iam_users_mfa", creds(user("user:a", True, True), root=no_root_mfa)
    )
    assert status is Status.NOT_MET
    assert "root account: not held 2026-07-01 to 2026-09-30 (92 days): no MFA device" in reasons


@pytest.mark.parametrize(
    ("rotated", "expected"),
    [
        ("2025-09-30T23:59:59+00:00", Status.MET),
        ("2025-09-29T23:00:00+00:00", Status.NOT_MET),
        ("2026-10-02T00:00:00+00:00", Status.INSUFFICIENT),
    ],
)
def test_access_key_age_limit(rotated: str, expected: Status) -> None:
    status, reasons = judge(
        "DPP-CRED-1", "access_key_age", creds(user("user:ci", False, False, [rotated]))
    )
    assert status is expected, reasons


# secret_rotation --------------------------------------------------------------------------------


def secret(name: str, **values: Any) -> dict[str, Any]:
    base = {
        "name": name,
        "region": "eu-west-1",
        "rotation_enabled": False,
        "rotation_days": None,
        "last_rotated": None,
        "current_version_created": None,
        "last_changed": None,
        "created": "2024-01-01T00:00:00+00:00",
        "tags": {},
        "error": None,
    }
    return {**base, **values}


def test_lwa_secret_found_by_tag_and_judged_against_180_days() -> None:
    lwa = secret(
        "prod/app-client",
        tags={"purpose": "lwa-client-secret"},
        current_version_created="2026-04-02T00:00:00+00:00",
    )
    status, reasons = judge(
        "DPP-CRED-2", "secret_rotation", item("secrets.rotation", secrets=[lwa])
    )
    assert status is Status.NOT_MET
    assert "181 days before 2026-09-30" in reasons
    assert "180-day limit" in reasons
    status, _ = judge("DPP-CRED-1", "secret_rotation", item("secrets.rotation", secrets=[lwa]))
    assert status is Status.MET  # the same age is within the yearly limit for API keys


def test_last_changed_date_never_counts_as_rotation() -> None:
    touched = secret("prod/carrier-api-key", last_changed="2026-09-01T00:00:00+00:00")
    status, reasons = judge(
        "DPP-CRED-1", "secret_rotation", item("secrets.rotation", secrets=[touched])
    )
    assert status is Status.NOT_MET
    assert "CreatedDate (never rotated)" in reasons


def test_no_lwa_secret_on_record_is_insufficient() -> None:
    status, reasons = judge(
        "DPP-CRED-2", "secret_rotation", item("secrets.rotation", secrets=[secret("prod/db")])
    )
    assert status is Status.INSUFFICIENT
    assert "no secrets named like 'lwa-client-secret' found among 1 secret(s)" in reasons


# network and transport ------------------------------------------------------------------------


def group(ident: str, *rules: tuple[str, int, int, str]) -> dict[str, Any]:
    return {
        "id": ident,
        "name": ident,
        "region": "eu-west-1",
        "rules": len(rules),
        "origin": "DescribeSecurityGroups",
        "world_open": [
            {"protocol": p, "from_port": a, "to_port": b, "cidr": c} for p, a, b, c in rules
        ],
    }


@pytest.mark.parametrize(
    ("rules", "expected", "phrase"),
    [
        ([("all", 0, 65535, "::/0")], Status.NOT_MET, "allows ::/0 on all traffic"),
        ([("tcp", 3000, 3400, "0.0.0.0/0")], Status.NOT_MET, "3306 (MySQL), 3389 (RDP)"),
        (
            [("tcp", 443, 443, "0.0.0.0/0"), ("icmp", 0, 65535, "0.0.0.0/0")],
            Status.MET,
            "2 rule(s) open other ports",
        ),
    ],
)
def test_world_open_ports(
    rules: list[tuple[str, int, int, str]], expected: Status, phrase: str
) -> None:
    status, reasons = judge(
        "DPP-NET-1",
        "no_world_open_admin_ports",
        item("network.exposure", security_groups=[group("sg-1", *rules)], buckets=[]),
    )
    assert status is expected
    assert phrase in reasons


def listener(port: int, protocol: str, **values: Any) -> dict[str, Any]:
    return {
        "listener": f"arn:listener/{port}",
        "load_balancer": "api",
        "region": "eu-west-1",
        "port": port,
        "protocol": protocol,
        "ssl_policy": None,
        "protocols": None,
        "default_action": "forward",
        "redirects_to_https": False,
        **values,
    }


def test_load_balancer_policies() -> None:
    old = listener(
        443,
        "HTTPS",
        ssl_policy="ELBSecurityPolicy-TLS13-1-0-2021-06",
        protocols=["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"],
    )
    status, reasons = judge(
        "DPP-ENC-1", "load_balancer_tls_policy", item("transport.config", listeners=[old])
    )
    assert status is Status.NOT_MET
    assert "allows TLSv1, TLSv1.1 (minimum TLSv1.2)" in reasons
    plain = listener(80, "HTTP")
    good = listener(
        443,
        "HTTPS",
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        protocols=["TLSv1.2", "TLSv1.3"],
    )
    status, reasons = judge(
        "DPP-ENC-1", "load_balancer_tls_policy", item("transport.config", listeners=[good, plain])
    )
    assert status is Status.NOT_MET
    assert "accepts plain HTTP and forwards it" in reasons
    redirect = listener(80, "HTTP", default_action="redirect", redirects_to_https=True)
    status, _ = judge(
        "DPP-ENC-1",
        "load_balancer_tls_policy",
        item("transport.config", listeners=[good, redirect]),
    )
    assert status is Status.MET
    custom = listener(443, "HTTPS", ssl_policy="my-custom-policy")
    status, reasons = judge(
        "DPP-ENC-1", "load_balancer_tls_policy", item("transport.config", listeners=[custom])
    )
    assert status is Status.INSUFFICIENT
    assert "my-custom-policy is not a known policy" in reasons


def test_other_collectors_transport_facts_are_left_alone() -> None:
    setting = {
        "resource": "nginx server api.example.com",
        "location": "nginx.conf:3",
        "setting": "ssl_protocols TLSv1",
        "protocols": ["TLSv1"],
        "default": False,
        "note": None,
    }
    nginx = item("transport.config", src="host", server="nginx", files=["nginx.conf"], tls_settings=[setting])
    status, reasons = judge("DPP-ENC-1", "load_balancer_tls_policy", nginx)
    assert status is Status.INSUFFICIENT
    assert "no HTTPS or TLS load balancer listener" in reasons


# logging ----------------------------------------------------------------------------------------


def trail(**values: Any) -> dict[str, Any]:
    base = {
        "name": "main",
        "home_region": "eu-west-1",
        "multi_region": True,
        "log_file_validation": True,
        "is_logging": True,
        "management_events": True,
        "s3_bucket": "trail-logs",
        "s3_lifecycle_known": True,
        "s3_retention_days": None,
        "origin": "DescribeTrails",
        "error": None,
    }
    return {**base, **values}


def test_cloudtrail_configuration() -> None:
    status, reasons = judge(
        "DPP-LOG-1", "cloudtrail_configured", item("logging.config", trails=[], log_groups=[])
    )
    assert status is Status.NOT_MET
    assert "111122223333 has no CloudTrail trail" in reasons
    status, reasons = judge(
        "DPP-LOG-1",
        "cloudtrail_configured",
        item("logging.config", trails=[trail(multi_region=False)], log_groups=[]),
    )
    assert status is Status.NOT_MET
    assert "logs one region only (IsMultiRegionTrail=false)" in reasons
    status, reasons = judge(
        "DPP-LOG-1",
        "cloudtrail_configured",
        item("logging.config", trails=[trail(is_logging=None)], log_groups=[]),
    )
    assert status is Status.INSUFFICIENT
    assert "IsLogging not known" in reasons
    status, _ = judge(
        "DPP-LOG-1",
        "cloudtrail_configured",
        item("logging.config", trails=[trail()], log_groups=[]),
    )
    assert status is Status.MET


def test_log_retention() -> None:
    groups = [
        {
            "name": "/app",
            "region": "eu-west-1",
            "retention_days": 90,
            "origin": "DescribeLogGroups",
        },
        {
            "name": "/audit",
            "region": "eu-west-1",
            "retention_days": None,
            "origin": "DescribeLogGroups",
        },
    ]
    status, reasons = judge(
        "DPP-LOG-2", "log_group_retention", item("logging.config", trails=[], log_groups=groups)
    )
    assert status is Status.NOT_MET
    assert "keeps events 90 days (retentionInDays=90), under 365" in reasons
    status, _ = judge(
        "DPP-LOG-2",
        "log_group_retention",
        item("logging.config", trails=[], log_groups=groups),
        catalogue="amazon-dpp@2021",
    )
    assert status is Status.MET  # 90 days was enough under the 2021 policy
    short_bucket = trail(s3_retention_days=30)
    status, reasons = judge(
        "DPP-LOG-2",
        "log_group_retention",
        item("logging.config", trails=[short_bucket], log_groups=[]),
    )
    assert status is Status.NOT_MET
    assert "expires logs after 30 days" in reasons
