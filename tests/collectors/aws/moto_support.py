"""Helpers of the AWS tests: the moto server handle, seeding, collecting and evaluating."""

from __future__ import annotations

import json
import os
import socket
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from evidence.collectors.aws.live import AwsCollector, AwsSettings
from evidence.collectors.base import CollectorContext
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.model.results import ControlResult
from evidence.redact import Redactor

REGION = "eu-west-1"


def realdata(*parts: str) -> Path:
    """A folder of the shared real inputs (../shared/realdata beside the checkout, or EVIDENCE_REALDATA)."""
    root = Path(__file__).resolve().parents[3]
    candidates = [Path(p) for p in [os.environ.get("EVIDENCE_REALDATA", "")] if p]
    candidates += [root.parent / "shared" / "realdata", root.parent.parent / "shared" / "realdata"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.joinpath(*parts)
    raise FileNotFoundError(f"shared/realdata not found beside {root}; set EVIDENCE_REALDATA")
MOTO_SERVER = Path(sys.executable).parent / "moto_server"


@dataclass
class Moto:
    """A running moto server: its endpoint, a seeding session, and the request recording."""

    endpoint: str
    recording: Path

    def client(self, service: str, **credentials: str) -> Any:
        keys = credentials or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION, **keys)

    def api(self, path: str, body: bytes = b"") -> bytes:
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/{path}", data=body, method="POST", headers={"Content-Type": "text/plain"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return bytes(response.read())

    def enforce_auth(self) -> None:
        """From now on every request must be signed by a moto IAM user and allowed by its policies."""
        self.api("reset-auth", b"0")

    def recorded(self) -> list[dict[str, Any]]:
        """Every request the server received while recording (moto's own recorder)."""
        lines = self.recording.read_text(encoding="utf-8").splitlines() if self.recording.exists() else []
        return [json.loads(line) for line in lines if line.strip()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def collect_live(moto: Moto, **settings: Any) -> list[EvidenceItem]:
    """Run the [aws] collector against the moto server, as the pipeline would."""
    period = parse_period("2026-Q3")
    context = CollectorContext(
        source="aws-test", base_dir=Path("."), period=period, as_of=period.end_at,
        redactor=Redactor(b"test-pseudonym-key-0123456789abcdef"),
    )
    values = {"regions": [REGION], "endpoint_url": moto.endpoint, "credential_report_wait_seconds": 5, **settings}
    collector = AwsCollector(AwsSettings.model_validate(values), context)
    return [item.seal() for item in collector.collect()]


def evaluate_dpp(items: list[EvidenceItem], catalogue: str = "amazon-dpp@2025-11") -> dict[str, ControlResult]:
    """Evaluate a catalogue on the items as of the end of 2026-Q3, by control id."""
    period = parse_period("2026-Q3")
    evaluation = evaluate([load_catalogue(catalogue)], EvaluationInput(evidence=items, period=period, as_of=period.end_at))
    return {r.control_id: r for r in evaluation.results}


def outcome(result: ControlResult, check: str) -> Any:
    """The outcome of one check within a control's result."""
    return next(o for o in result.outcomes if o.check == check)


def seed_gaps(moto: Moto) -> dict[str, str]:
    """The bad resources of the acceptance test; returns their names."""
    s3 = moto.client("s3")
    s3.create_bucket(Bucket="orders-export-plain", CreateBucketConfiguration={"LocationConstraint": REGION})
    moto.client("rds").create_db_instance(
        DBInstanceIdentifier="orders-db-plain", DBInstanceClass="db.t3.micro", Engine="postgres",
        MasterUsername="app", MasterUserPassword="not-a-real-password-1", AllocatedStorage=20, StorageEncrypted=False,
    )
    key = moto.client("kms").create_key(Description="label archive")["KeyMetadata"]["KeyId"]
    moto.client("iam").update_account_password_policy(MinimumPasswordLength=8)
    return {"bucket": "orders-export-plain", "db": "orders-db-plain", "key": key}


def seed_good_twins(moto: Moto) -> dict[str, str]:
    """The good twins: encrypted bucket and database, a rotating key, a strong password policy."""
    kms = moto.client("kms")
    key = kms.create_key(Description="orders data")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key)
    s3 = moto.client("s3")
    s3.create_bucket(Bucket="orders-export-sealed", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_encryption(
        Bucket="orders-export-sealed",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]
        },
    )
    moto.client("rds").create_db_instance(
        DBInstanceIdentifier="orders-db-sealed", DBInstanceClass="db.t3.micro", Engine="postgres",
        MasterUsername="app", MasterUserPassword="not-a-real-password-1", AllocatedStorage=20,
        StorageEncrypted=True, KmsKeyId=key,
    )
    moto.client("ec2").enable_ebs_encryption_by_default()
    moto.client("iam").update_account_password_policy(
        MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True, RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True, MaxPasswordAge=90, PasswordReusePrevention=24,
    )
    return {"bucket": "orders-export-sealed", "db": "orders-db-sealed", "key": key}
