"""The moto server fixtures and helpers of the AWS tests: seeding, collecting and evaluating."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from collector_testing import collector_context, quiet_trail

from evidence.collectors.aws.live import AwsCollector, AwsSettings
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.model.results import ControlResult

REGION = "eu-west-1"


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
            f"{self.endpoint}/moto-api/{path}",
            data=body,
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return bytes(response.read())

    def enforce_auth(self) -> None:
        """Require every request from now on to be signed by a moto IAM user it allows."""
        self.api("reset-auth", b"0")

    def recorded(self) -> list[dict[str, Any]]:
        """Every request the server received while recording (moto's own recorder)."""
        lines = (
            self.recording.read_text(encoding="utf-8").splitlines()
            if self.recording.exists()
            else []
        )
        return [json.loads(line) for line in lines if line.strip()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def collect_live(moto: Moto, **settings: Any) -> list[EvidenceItem]:
    """Run the [aws] collector against the moto server, as the pipeline would."""
    context = collector_context(Path("."), "aws-test")
    values = {
        "regions": [REGION],
        "endpoint_url": moto.endpoint,
        "credential_report_wait_seconds": 5,
        **settings,
    }
    collector = AwsCollector(AwsSettings.model_validate(values), context)
    return [item.seal() for item in collector.collect()]


def evaluate_dpp(
    items: list[EvidenceItem], catalogue: str = "amazon-dpp@2025-11", *, trail: bool = True
) -> dict[str, ControlResult]:
    """Evaluate a catalogue on the items as of the end of 2026-Q3 (with a quiet trail), by control id."""
    period = parse_period("2026-Q3")
    evidence = [*items, quiet_trail(items)] if trail else items
    evaluation = evaluate(
        [load_catalogue(catalogue)],
        EvaluationInput(evidence=evidence, period=period, as_of=period.end_at),
    )
    return {r.control_id: r for r in evaluation.results}


def outcome(result: ControlResult, check: str) -> Any:
    """Return the outcome of one check within a control's result."""
    return next(o for o in result.outcomes if o.check == check)


def seed_gaps(moto: Moto) -> dict[str, str]:
    """Seed the bad resources of the acceptance test; return their names."""
    s3 = moto.client("s3")
    s3.create_bucket(
        Bucket="orders-export-plain", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    moto.client("rds").create_db_instance(
        DBInstanceIdentifier="orders-db-plain",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="app",
        MasterUserPassword="not-a-real-password-1",
        AllocatedStorage=20,
        StorageEncrypted=False,
    )
    # Rotation is off, but a key may also be rotated by hand, and moto dates keys by the wall
    # clock: the gap that decides, on any day, is a key policy that lets anyone decrypt.
    public = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}],
    }
    key = moto.client("kms").create_key(Description="label archive", Policy=json.dumps(public))[
        "KeyMetadata"
    ]["KeyId"]
    moto.client("iam").update_account_password_policy(MinimumPasswordLength=8)
    return {"bucket": "orders-export-plain", "db": "orders-db-plain", "key": key}


def seed_good_twins(moto: Moto) -> dict[str, str]:
    """Seed the good twins: encrypted bucket and database, rotating key, strong password policy."""
    kms = moto.client("kms")
    key = kms.create_key(Description="orders data")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key)
    s3 = moto.client("s3")
    s3.create_bucket(
        Bucket="orders-export-sealed", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    s3.put_bucket_encryption(
        Bucket="orders-export-sealed",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key,
                    }
                }
            ]
        },
    )
    moto.client("rds").create_db_instance(
        DBInstanceIdentifier="orders-db-sealed",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="app",
        MasterUserPassword="not-a-real-password-1",
        AllocatedStorage=20,
        StorageEncrypted=True,
        KmsKeyId=key,
    )
    moto.client("ec2").enable_ebs_encryption_by_default()
    moto.client("iam").update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=24,
    )
    return {"bucket": "orders-export-sealed", "db": "orders-db-sealed", "key": key}


# Fixtures, imported by the test modules: a nested conftest.py would shadow tests/conftest.py
# for every `from conftest import run_cli` in the suite.


@pytest.fixture(scope="session", name="moto_server")
def moto_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    """Start moto_server on a free loopback port, recording the requests it receives."""
    folder = tmp_path_factory.mktemp("moto")
    port = free_port()
    recording = folder / "recording.jsonl"
    log_path = folder / "moto.log"
    env = {**os.environ, "MOTO_RECORDER_FILEPATH": str(recording)}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"moto_server did not start on port {port}: {log_path.read_text()}")
            time.sleep(0.1)
    try:
        yield Moto(endpoint, recording)
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture(name="moto")
def moto_fixture(
    moto_server: Moto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Moto]:
    """Empty the shared server, turn authentication off and point AWS credentials at it."""
    moto_server.api("reset")
    moto_server.api("reset-auth", b"inf")
    moto_server.api("recorder/reset-recording")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield moto_server
    moto_server.api("reset-auth", b"inf")
