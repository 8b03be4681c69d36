from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import boto3
import pytest
from moto.server import ThreadedMotoServer

from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem
from evidence.model.facts import dump_facts
from evidence.model.facts.access import StoreAccess
from evidence.model.facts.retention import JobAdherence, JobRuns, PiiAge, TableAge
from evidence.model.results import Status
from tests.dataflow_support import MINIMAL, collect, evaluate_items, observed, outcome, redactor
from tests.fact_builders import activity_facts


def resource(
    id_: str, encrypted: bool | None, setting: str, type_: str = "rds_instance", **extra: Any
) -> dict[str, Any]:
    return {
        "type": type_,
        "id": id_,
        "encrypted": encrypted,
        "algorithm": None,
        "kms_key_id": None,
        "setting": setting,
        **extra,
    }


def pii_ages(table: str) -> EvidenceItem:
    """A pii-age item that measured PII in ``table`` and found nothing past the limit."""
    measured = TableAge(
        table=table,
        category="pii",
        columns=["buyer_name"],
        timestamp_column="delivered_at",
        clock="delivery",
        limit_days=30,
        cutoff="2026-08-31T23:59:59Z",
        rows_past_limit=0,
        oldest=None,
        oldest_age_days=None,
        legal_hold_column=None,
        rows_on_legal_hold=0,
        oldest_held_age_days=None,
        error=None,
    )
    facts = PiiAge(
        database="sqlite:///app.db",
        dialect="sqlite",
        as_of="2026-09-30T23:59:59Z",
        read_only=True,
        statements=1,
        tables=[measured],
    )
    return observed(PiiAge.kind, dump_facts(facts), source="pii-age", collector="pii-age")


def job_history(job: str, purges: Literal["pii", "non-pii", "backups"]) -> EvidenceItem:
    """A job-history item with one daily job that ran every time."""
    adherence = JobAdherence.model_validate(
        {
            "job": job, "purges": purges, "schedule": "daily at 03:00", "interval_hours": 24.0,
            "tolerance_hours": 2.0, "expected": 92, "actual": 92, "ran": 92, "succeeded": 92,
            "outcome_unknown": 0, "unknown_runs": [], "failed_runs": 0, "missed": [], "failed": [],
            "unknown": [], "skipped": [], "uncovered": [], "unscheduled": 0, "longest_gap_hours": 25.0,
            "longest_gap": None, "gaps_over_interval": [], "rows_affected": None, "first_run": None,
            "last_run": None, "runs": [], "runs_truncated": False,
        }
    )
    facts = JobRuns.model_validate(
        {
            "window": {"from": "2026-07-01T00:00:00Z", "to": "2026-09-30T23:59:59Z"},
            "covers": {"from": "2026-07-01T00:00:00Z", "to": "2026-09-30T23:59:59Z", "declared": False},
            "formats": {"csv": 1},
            "jobs": [adherence],
            "seen": [],
            "unreadable": [],
        }
    )
    return observed(JobRuns.kind, dump_facts(facts), source="jobs", collector="job-history")


def at_rest(*resources: dict[str, Any]) -> Any:
    return observed("encryption.at_rest", {"resources": list(resources)})


def test_store_declared_encrypted_but_found_unencrypted_names_both(tmp_path: Path) -> None:
    (data_map,) = collect(tmp_path, {"map.yaml": MINIMAL})
    aws = at_rest(resource("orders", False, "StorageEncrypted=false"))
    found = evaluate_items([data_map, aws])
    check = outcome(found["DPP-ENC-2"], "dataflow_crosscheck")
    assert check.status == Status.NOT_MET
    assert check.reasons[0] == (
        "store orders-db is declared encrypted at rest in data map 'Minimal map' "
        f"({data_map.id}), but "
        f"rds_instance orders is not encrypted: StorageEncrypted=false (aws {aws.id})"
    )
    assert {data_map.id, aws.id} <= set(check.evidence_ids)
    assert check.detail["findings"][0]["aspect"] == "encryption"
    assert found["DPP-ENC-2"].status == Status.NOT_MET


def test_matching_encryption_rests_on_the_map_so_it_is_attested(tmp_path: Path) -> None:
    (data_map,) = collect(tmp_path, {"map.yaml": MINIMAL})
    check = outcome(
        evaluate_items([data_map, at_rest(resource("orders", True, "StorageEncrypted=true"))])[
            "DPP-ENC-2"
        ],
        "dataflow_crosscheck",
    )
    assert check.status == Status.MET and check.assurance is Assurance.ATTESTED
    assert "agrees with the collected evidence (1 encryption comparison(s))" in check.reasons[0]


def test_unreadable_resource_is_insufficient_with_the_reason(tmp_path: Path) -> None:
    (data_map,) = collect(tmp_path, {"map.yaml": MINIMAL})
    denied = resource(
        "orders", None, "DescribeDBInstances", error="AccessDenied: rds:DescribeDBInstances"
    )
    check = outcome(evaluate_items([data_map, at_rest(denied)])["DPP-ENC-2"], "dataflow_crosscheck")
    assert check.status == Status.INSUFFICIENT
    assert (
        "rds_instance orders could not be read (AccessDenied: rds:DescribeDBInstances)"
        in check.reasons[0]
    )


def test_endpoint_declared_tls12_accepting_tls10_names_both(tmp_path: Path) -> None:
    (data_map,) = collect(tmp_path, {"map.yaml": MINIMAL})
    probe = observed(
        "tls.endpoints",
        {
            "endpoints": [
                {
                    "target": "db.internal.example:5432",
                    "protocol": "postgres",
                    "accepted": ["TLSv1.0", "TLSv1.2", "TLSv1.3"],
                    "refused": ["TLSv1.1"],
                    "cipher": None,
                    "certificate": None,
                    "error": None,
                }
            ]
        },
        source="tls-probe",
        collector="tls",
    )
    check = outcome(evaluate_items([data_map, probe])["DPP-ENC-1"], "dataflow_crosscheck")
    assert check.status == Status.NOT_MET
    assert check.reasons[0] == (
        "flow api -> orders-db is declared TLS 1.3 or later at db.internal.example:5432 in "
        f"data map 'Minimal map' ({data_map.id}), but the TLS probe found "
        f"db.internal.example:5432 accepting TLSv1.0, TLSv1.2 (tls {probe.id})"
    )


def test_pii_store_without_age_probe_or_job_is_a_finding(tmp_path: Path) -> None:
    (data_map,) = collect(tmp_path, {"map.yaml": MINIMAL})
    ages = pii_ages("public.returns")
    jobs = job_history("purge-logs", "non-pii")
    check = outcome(evaluate_items([data_map, ages, jobs])["DPP-RET-1"], "dataflow_crosscheck")
    assert check.status == Status.NOT_MET
    reason = check.reasons[0]
    assert reason.startswith(
        f"PII store orders-db in data map 'Minimal map' ({data_map.id}) has no PII-age probe "
        "of its tables public.orders, no run history of its purge job 'purge-orders'"
    )
    assert f"tables returns ({ages.id})" in reason
    assert f"jobs purge-logs ({jobs.id})" in reason


def test_pii_store_covered_by_its_probed_table_passes(tmp_path: Path) -> None:
    (data_map,) = collect(tmp_path, {"map.yaml": MINIMAL})
    ages = pii_ages("orders")
    check = outcome(evaluate_items([data_map, ages])["DPP-RET-1"], "dataflow_crosscheck")
    assert check.status == Status.MET
    assert "1 retention comparison(s)" in check.reasons[0]


def test_bucket_lifecycle_over_the_limit_is_a_finding(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "resources: [{type: rds_instance, id: orders}]",
        "resources: [{type: s3_bucket, id: labels}]",
    )
    (data_map,) = collect(tmp_path, {"map.yaml": text})
    rules = observed(
        "storage.lifecycle",
        {
            "buckets": [
                {
                    "bucket": "labels",
                    "error": None,
                    "rules": [
                        {
                            "id": "expire-90",
                            "status": "Enabled",
                            "prefix": None,
                            "expiration_days": 90,
                            "noncurrent_expiration_days": None,
                        },
                    ],
                }
            ]
        },
    )
    check = outcome(evaluate_items([data_map, rules])["DPP-RET-1"], "dataflow_crosscheck")
    assert check.status == Status.NOT_MET
    assert (
        "purged by lifecycle rule 'expire-90', which expires objects after 90 days, over 30"
        in check.reasons[0]
    )


def test_principal_without_a_granted_role_names_both(tmp_path: Path) -> None:
    (data_map,) = collect(tmp_path, {"map.yaml": MINIMAL})
    stranger, service = redactor().principal("mallory"), redactor().principal("SVC-Orders")
    logs = observed(
        "access.activity",
        dump_facts(
            activity_facts(
                pii_store_access=[
                    StoreAccess(store="orders-db", principal=service, count=120),
                    StoreAccess(store="ORDERS", principal=stranger, count=3),
                ]
            )
        ),
        source="pg-log",
        collector="postgres-log",
    )
    check = outcome(evaluate_items([data_map, logs])["DPP-ACC-6"], "dataflow_crosscheck")
    assert check.status == Status.NOT_MET
    assert check.reasons == [
        f"{stranger} accessed PII store orders-db 3 time(s) according to 'pg-log' ({logs.id}), "
        "but data map "
        f"'Minimal map' ({data_map.id}) grants orders-db only to app"
    ]


def test_observed_resources_missing_from_the_map_break_the_inventory(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + "out_of_scope:\n  - {type: s3_bucket, id: cloudtrail-logs, reason: audit logs only}\n"
    )
    (data_map,) = collect(tmp_path, {"map.yaml": text})
    aws = at_rest(
        resource("orders", True, "StorageEncrypted=true"),
        resource("cloudtrail-logs", True, "SSE-S3", type_="s3_bucket"),
        resource("exports-tmp", False, "no default encryption", type_="s3_bucket"),
    )
    found = evaluate_items([data_map, aws])
    check = outcome(found["DPP-SCOPE-1"], "dataflow_crosscheck")
    assert check.status == Status.NOT_MET
    assert check.reasons[0] == (
        f"aws found s3_bucket exports-tmp ({aws.id}), which data map 'Minimal map' "
        f"({data_map.id}) neither lists "
        "as a store's resource nor declares out of scope"
    )
    assert found["DPP-SCOPE-1"].status == Status.NOT_MET
    complete = at_rest(resource("orders", True, "StorageEncrypted=true"))
    assert evaluate_items([data_map, complete])["DPP-SCOPE-1"].status == Status.MET


def test_nothing_observed_is_insufficient(tmp_path: Path) -> None:
    (data_map,) = collect(tmp_path, {"map.yaml": MINIMAL})
    check = outcome(evaluate_items([data_map])["DPP-SCOPE-1"], "dataflow_crosscheck")
    assert check.status == Status.INSUFFICIENT
    assert "nothing observed to compare data map 'Minimal map'" in check.reasons[0]


@pytest.fixture
def moto_aws() -> Iterator[dict[str, str]]:
    """Start a moto server on loopback (an ephemeral port); yield client settings for it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield {
            "endpoint_url": f"http://{host}:{port}",
            "region_name": "eu-west-1",
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
    finally:
        server.stop()


def encryption_from_aws(client_settings: dict[str, str]) -> Any:
    """``encryption.at_rest`` facts in the contract shape, read with boto3 from the (moto) account.

    Stands in for the ``aws`` collector until it is merged; the lead switches this test to it.
    """
    rds = boto3.client("rds", **client_settings)
    resources = [
        resource(
            db["DBInstanceIdentifier"],
            bool(db["StorageEncrypted"]),
            f"StorageEncrypted={str(db['StorageEncrypted']).lower()}",
            kms_key_id=db.get("KmsKeyId"),
        )
        for db in rds.describe_db_instances()["DBInstances"]
    ]
    return at_rest(*resources)


def test_moto_seeded_unencrypted_rds_against_a_map_declaring_it_encrypted(
    tmp_path: Path, moto_aws: dict[str, str]
) -> None:
    rds = boto3.client("rds", **moto_aws)
    rds.create_db_instance(
        DBInstanceIdentifier="orders",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="orders_admin",
        MasterUserPassword="not-a-real-password-1",
        AllocatedStorage=20,
        StorageEncrypted=False,
    )
    (data_map,) = collect(tmp_path, {"map.yaml": MINIMAL})
    aws = encryption_from_aws(moto_aws)
    found = evaluate_items([data_map, aws])
    assert found["DPP-ENC-2"].status == Status.NOT_MET
    reason = outcome(found["DPP-ENC-2"], "dataflow_crosscheck").reasons[0]
    assert (
        f"store orders-db is declared encrypted at rest in data map 'Minimal map' ({data_map.id})"
        in reason
    )
    assert f"rds_instance orders is not encrypted: StorageEncrypted=false (aws {aws.id})" in reason
    assert data_map.id in found["DPP-ENC-2"].evidence_ids
    assert aws.id in found["DPP-ENC-2"].evidence_ids
