"""cloudtrail from the trail's S3 bucket (a moto server on loopback): the period's days only, no local copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collector_testing import ROOT, collector_context

from evidence.collectors.logs.cloudtrail.collector import CloudTrailCollector, CloudTrailSettings
from evidence.model.evidence import EvidenceItem
from tests.collectors.aws.moto_support import (
    Moto,
    moto_fixture,  # noqa: F401  (the fixture `moto`)
    moto_server_fixture,  # noqa: F401  (the fixture `moto_server`)
)

TRAIL = ROOT / "samples/logs/cloudtrail/AWSLogs/111122223333/CloudTrail"
ORG = "o-a1b2c3d4e5"


def _upload(moto: Moto, bucket: str, prefix: str, accounts: tuple[str, ...] = ("111122223333",)) -> list[str]:
    s3 = moto.client("s3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    keys = []
    for account in accounts:
        for path in sorted(TRAIL.rglob("*.json.gz")):
            key = f"{prefix}{account}/CloudTrail/{path.relative_to(TRAIL)}"
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
            keys.append(key)
    return keys


def _collect(**settings: Any) -> dict[str, EvidenceItem]:
    model = CloudTrailSettings.model_validate({"max_gap_hours": 24, "workers": 1, **settings})
    return {i.kind: i.seal() for i in CloudTrailCollector(model, collector_context(ROOT, "trail")).collect()}


def _local(tmp_path: Path) -> dict[str, EvidenceItem]:
    """The same delivery files of the period, read from disk."""
    for path in TRAIL.rglob("*.json.gz"):
        if "/2026/" in str(path):
            target = tmp_path / path.relative_to(TRAIL)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    return _collect(paths=[str(tmp_path)])


def _facts(item: EvidenceItem) -> dict[str, Any]:
    return {k: v for k, v in item.facts.items() if k not in ("files", "files_read", "files_rejected")}


def test_the_bucket_gives_the_facts_of_the_files_reading_only_the_periods_days(moto: Moto, tmp_path: Path) -> None:
    uploaded = _upload(moto, "trail-logs", "audit/AWSLogs/")
    moto.api("recorder/start-recording")
    items = _collect(s3={"bucket": "trail-logs", "prefix": "audit", "endpoint_url": moto.endpoint, "max_parallel": 3})
    moto.api("recorder/stop-recording")
    local = _local(tmp_path)
    for kind in ("access.activity", "logging.coverage", "settings.changes"):
        assert _facts(items[kind]) == _facts(local[kind]), kind
    raws = items["access.activity"].raw_inputs
    in_period = [k for k in uploaded if "/2026/" in k]
    assert len(raws) == len(in_period) and len(in_period) < len(uploaded)  # the 2025 archive day is not read
    first = raws[0]
    assert first.location.startswith("s3://trail-logs/audit/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/07/01/")
    assert "#etag=" in first.location and len(first.sha256) == 64
    listed = [r for r in moto.recorded() if r.get("method") == "GET" and "list-type=2" in str(r.get("path"))]
    assert not any("2025%2F11" in str(r.get("path")) or "2025/11" in str(r.get("path")) for r in listed)
    collector = CloudTrailCollector(
        CloudTrailSettings.model_validate({"s3": {"bucket": "trail-logs"}}), collector_context(ROOT, "trail")
    )
    assert collector.redacted_copy(first.location) is None  # nothing of the bucket is copied to disk
    assert items["logging.integrity"].error is not None


def test_an_organisation_trail_is_read_for_every_account(moto: Moto) -> None:
    _upload(moto, "org-trail", f"AWSLogs/{ORG}/", accounts=("111122223333", "444455556666"))
    items = _collect(s3={"bucket": "org-trail", "organization_id": ORG, "endpoint_url": moto.endpoint})
    accounts = {r.location.split("/")[5] for r in items["access.activity"].raw_inputs}
    assert accounts == {"111122223333", "444455556666"}
    one = _collect(
        s3={"bucket": "org-trail", "organization_id": ORG, "accounts": ["444455556666"], "endpoint_url": moto.endpoint}
    )
    assert items["logging.coverage"].facts["events_in_period"] == 2 * one["logging.coverage"].facts["events_in_period"]


def test_a_bucket_that_cannot_be_listed_fails_the_source_naming_it(moto: Moto) -> None:
    items = _collect(s3={"bucket": "no-such-trail", "endpoint_url": moto.endpoint})
    error = items["access.activity"].error
    assert error is not None and "s3://no-such-trail/AWSLogs/: cannot list the trail bucket (NoSuchBucket)" in error
