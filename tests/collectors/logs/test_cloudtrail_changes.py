"""cloudtrail: management events that change settings become settings.changes, in the snapshots' words."""

from __future__ import annotations

import json
from pathlib import Path

from log_builders import REALDATA, Collect, ct_event, delivery, iam

from evidence.collectors.logs.cloudtrail.changes import TRACKED, setting_changes
from evidence.redact import Redactor

KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/2b9e6f41-8c7d-4a3b-9e2f-1d0c5b4a3e21"


def _events() -> list[dict]:
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}}
    return [
        ct_event("2026-07-02T09:00:00Z", "DescribeInstances"),
        ct_event("2026-08-03T10:41:00Z", "DeleteBucketEncryption", iam("tom"), params={"bucketName": "labels"}),
        ct_event(
            "2026-08-11T15:02:00Z",
            "PutBucketEncryption",
            iam("priya"),
            params={"bucketName": "labels", "ServerSideEncryptionConfiguration": {"Rule": rule}},
        ),
        ct_event("2026-08-12T08:00:00Z", "DisableKeyRotation", iam("tom"), params={"keyId": KEY_ARN}),
        ct_event(
            "2026-08-13T08:00:00Z",
            "UpdateAccountPasswordPolicy",
            iam("priya"),
            params={"minimumPasswordLength": 8, "requireSymbols": False, "maxPasswordAge": 90},
        ),
        ct_event(
            "2026-08-14T08:00:00Z",
            "AuthorizeSecurityGroupIngress",
            iam("tom"),
            params={
                "groupId": "sg-0abc",
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]},
                        }
                    ]
                },
            },
        ),
        ct_event(
            "2026-08-15T08:00:00Z",
            "StopLogging",
            iam("tom"),
            params={"name": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main"},
        ),
        ct_event("2026-08-16T08:00:00Z", "StopLogging", iam("eve"), params={"name": "main"}, error="AccessDenied"),
        ct_event("2026-09-30T20:00:00Z", "DescribeInstances"),
    ]


def test_setting_changes_speak_the_snapshots_vocabulary(tmp_path: Path, collect: Collect, redactor: Redactor) -> None:
    delivery(tmp_path / "AWSLogs/f1.json.gz", _events())
    items = collect("cloudtrail", {"paths": ["AWSLogs"], "max_gap_hours": 2000})
    facts = items["settings.changes"].facts
    changes = {(c["event"], c["key"]): c for c in facts["changes"]}
    assert facts["changes_total"] == 6
    assert facts["failed_changes"] == 1  # the denied StopLogging changed nothing
    deleted = changes[("DeleteBucketEncryption", "s3_bucket:labels")]
    assert deleted["set"]["encrypted"] is False
    assert deleted["principal"] == redactor.principal("tom")
    assert deleted["at"] == "2026-08-03T10:41:00Z"
    restored = changes[("PutBucketEncryption", "s3_bucket:labels")]
    assert restored["set"]["encrypted"] is True
    assert restored["set"]["setting"] == f"SSEAlgorithm=aws:kms, KMSMasterKeyID={KEY_ARN}"
    rotation = changes[("DisableKeyRotation", "key:2b9e6f41-8c7d-4a3b-9e2f-1d0c5b4a3e21")]
    assert rotation["set"] == {"rotation_enabled": False}
    policy = changes[("UpdateAccountPasswordPolicy", "account:111122223333")]
    assert (policy["set"]["min_length"], policy["set"]["max_age_days"]) == (8, 90)
    opened = changes[("AuthorizeSecurityGroupIngress", "sg:sg-0abc")]
    assert opened["add"] == [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}]
    assert changes[("StopLogging", "trail:main")]["set"] == {"is_logging": False}
    assert facts["complete_days"] == [["2026-07-01", "2026-09-30"]]
    assert "tom" not in json.dumps(facts) and "priya" not in json.dumps(facts)


def test_a_silent_log_is_complete_only_where_it_has_no_long_gap(tmp_path: Path, collect: Collect) -> None:
    delivery(tmp_path / "AWSLogs/f1.json.gz", _events())
    facts = collect("cloudtrail", {"paths": ["AWSLogs"], "max_gap_hours": 24})["settings.changes"].facts
    # Silences over 24 hours: 07-01 to 08-11 and from 08-16 on; 08-12 to 08-15 have an event a day.
    assert facts["complete_days"] == [["2026-08-12", "2026-08-15"]]
    assert facts["days_complete_in_period"] == 4


def test_every_tracked_event_of_real_cloudtrail_records_is_read() -> None:
    """panther-analysis's CloudTrail rule tests hold real-shaped PutBucketLifecycle, DeleteBucketEncryption..."""
    records = json.loads((REALDATA / "cloudtrail/panther_cloudtrail_rule_tests_Records.json").read_text())["Records"]
    tracked = [r for r in records if r.get("eventName") in TRACKED and not r.get("errorCode")]
    assert len(tracked) >= 10
    redactor = Redactor(b"k" * 32)
    for record in tracked:
        for change in setting_changes(record, str(record.get("eventTime")), None, redactor):
            assert change.kind != "unparsed", (record.get("eventName"), change.unknown)
            assert change.key and not change.key.endswith(":None"), record.get("eventName")
