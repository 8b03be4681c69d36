"""Settings judged on every day of the period: snapshots carried by a change log, windows, unknown days."""

from __future__ import annotations

from typing import Any

from test_cloud_checks import AS_OF, change_log, item, judge, outcome, store

from evidence.model.evidence import EvidenceItem
from evidence.model.results import Status

BUCKET = "orders"


def bucket(encrypted: bool) -> dict[str, Any]:
    return store("s3_bucket", BUCKET, encrypted, setting="SSEAlgorithm=aws:kms" if encrypted else "none")


def snapshot(when: str, encrypted: bool = True, src: str = "aws-prod") -> EvidenceItem:
    return item("encryption.at_rest", src=src, captured=when, resources=[bucket(encrypted)])


def change(at: str, event: str, encrypted: bool, who: str = "user:1a2b") -> dict[str, Any]:
    return {
        "at": at,
        "event": event,
        "kind": "encryption.at_rest",
        "section": "resources",
        "key": f"s3_bucket:{BUCKET}",
        "label": f"S3 bucket {BUCKET}",
        "identity": {"type": "s3_bucket", "id": BUCKET},
        "set": {
            "encrypted": encrypted,
            "algorithm": "AES-256" if encrypted else None,
            "setting": "SSEAlgorithm=aws:kms" if encrypted else "default encryption configuration deleted",
        },
        "principal": who,
        "event_id": f"{event}-{at}",
    }


REMOVED = change("2026-08-03T10:41:00Z", "DeleteBucketEncryption", False, "user:tom")
RESTORED = change("2026-08-11T15:02:00Z", "PutBucketEncryption", True, "user:priya")


def encryption(*evidence: EvidenceItem) -> tuple[Status, str]:
    """The at-rest element of the check (whether every PII store was observed is judged apart)."""
    found = outcome("DPP-ENC-2", "storage_encrypted", *evidence, log=False)
    return found.parts.get("stores_encrypted", found.status), " ".join(found.reasons)


def test_a_window_without_encryption_is_not_met_naming_days_and_principals() -> None:
    status, reasons = encryption(
        snapshot("2026-06-30T06:00:00+00:00"),
        snapshot("2026-09-29T09:00:00+00:00"),
        change_log(REMOVED, RESTORED, complete=[["2026-06-30", "2026-09-30"]]),
    )
    assert status is Status.NOT_MET
    assert "S3 bucket orders in eu-west-1: not held 2026-08-03 to 2026-08-11 (9 days): not encrypted" in reasons
    assert "since DeleteBucketEncryption by user:tom at 2026-08-03 10:41Z" in reasons
    assert "restored by PutBucketEncryption by user:priya at 2026-08-11 15:02Z" in reasons
    assert "held 83 of 92 days" in reasons
    assert "not known" not in reasons


def test_the_same_events_without_a_snapshot_before_them_leave_the_days_before_unknown() -> None:
    status, reasons = encryption(snapshot("2026-09-29T09:00:00+00:00"), change_log(REMOVED, RESTORED))
    assert status is Status.NOT_MET
    assert "not held 2026-08-03 to 2026-08-11 (9 days)" in reasons
    assert "not known on 33 day(s) (2026-07-01 to 2026-08-02 (33 days))" in reasons


def test_without_a_change_log_only_the_snapshot_day_is_known() -> None:
    status, reasons = encryption(snapshot("2026-09-29T09:00:00+00:00"))
    assert status is Status.INSUFFICIENT
    assert (
        "S3 bucket orders in eu-west-1: not known on 91 of 92 days "
        "(2026-07-01 to 2026-09-28 (90 days), 2026-09-30 (1 day))" in reasons
    )
    assert "held 1 of 92 days" in reasons


def test_a_complete_change_log_carries_one_snapshot_over_the_period() -> None:
    status, reasons = encryption(snapshot("2026-09-29T09:00:00+00:00"), change_log())
    assert status is Status.MET
    assert "held 92 of 92 days" in reasons


def test_days_the_change_log_misses_are_unknown() -> None:
    gap = [["2026-07-01", "2026-08-09"], ["2026-08-13", "2026-09-30"]]
    status, reasons = encryption(
        snapshot("2026-06-30T06:00:00+00:00"),
        snapshot("2026-09-29T09:00:00+00:00"),
        change_log(complete=[["2026-06-30", "2026-06-30"], *gap]),
    )
    assert status is Status.INSUFFICIENT
    assert "not known on 3 of 92 days (2026-08-10 to 2026-08-12 (3 days))" in reasons
    assert "held 89 of 92 days" in reasons


def test_daily_snapshots_without_a_change_log_hold_every_day() -> None:
    daily = [
        snapshot(f"2026-{m:02d}-{d:02d}T06:00:00+00:00")
        for m, last in ((7, 31), (8, 31), (9, 30))
        for d in range(1, last + 1)
    ]
    status, reasons = encryption(*daily)
    assert status is Status.MET
    assert "held 92 of 92 days" in reasons
    daily[40] = snapshot("2026-08-10T06:00:00+00:00", encrypted=False)
    status, reasons = encryption(*daily)
    assert status is Status.NOT_MET
    assert "not held 2026-08-10 (1 day)" in reasons


def test_a_snapshot_that_contradicts_the_log_makes_the_stretch_unknown() -> None:
    status, reasons = encryption(
        snapshot("2026-06-30T06:00:00+00:00"),
        snapshot("2026-09-29T09:00:00+00:00", encrypted=False),
        change_log(complete=[["2026-06-30", "2026-09-30"]]),
    )
    assert status is Status.NOT_MET
    assert "differs from the state after snapshot" in reasons
    assert "not held 2026-09-29 to 2026-09-30 (2 days)" in reasons


def test_a_change_whose_effect_is_unknown_blocks_the_days_after_it() -> None:
    group = {"id": "sg-1", "name": "web", "region": "eu-west-1", "world_open": []}
    revoked = {
        "at": "2026-08-20T12:00:00Z", "event": "RevokeSecurityGroupIngress", "kind": "network.exposure",
        "section": "security_groups", "key": "sg:sg-1", "label": "security group sg-1",
        "unknown": "RevokeSecurityGroupIngress named rules by id, not by port and range",
    }  # fmt: skip
    status, reasons = judge(
        "DPP-NET-1",
        "no_world_open_admin_ports",
        item("network.exposure", captured="2026-06-30T06:00:00+00:00", security_groups=[group]),
        change_log(revoked, complete=[["2026-06-30", "2026-09-30"]]),
        log=False,
    )
    assert status is Status.INSUFFICIENT
    assert "not known on 42 of 92 days (2026-08-20 to 2026-09-30 (42 days))" in reasons
    assert "named rules by id" in reasons


def test_key_rotation_turned_off_for_a_window() -> None:
    key = {
        "id": "k1", "manager": "CUSTOMER", "state": "Enabled", "spec": "SYMMETRIC_DEFAULT",
        "usage": "ENCRYPT_DECRYPT", "key_origin": "AWS_KMS", "rotation_enabled": True, "region": "eu-west-1",
        # Last rotated 2025-09-02: with automatic rotation off over 2026-09-02 it missed its
        # yearly rotation, and no rotation by hand is on record.
        "created": "2024-09-02T00:00:00Z", "rotation_dates": ["2025-09-02T00:00:00Z"], "rotations_complete": True,
    }  # fmt: skip
    off = {"at": "2026-09-01T08:00:00Z", "event": "DisableKeyRotation", "kind": "encryption.kms",
           "section": "keys", "key": "key:k1", "label": "KMS key k1", "set": {"rotation_enabled": False},
           "principal": "user:dev"}  # fmt: skip
    on = dict(off, at="2026-09-04T08:00:00Z", event="EnableKeyRotation", set={"rotation_enabled": True})
    status, reasons = judge(
        "DPP-ENC-3",
        "kms_rotation_enabled",
        item("encryption.kms", captured="2026-06-30T06:00:00+00:00", keys=[key]),
        change_log(off, on, complete=[["2026-06-30", "2026-09-30"]]),
        log=False,
    )
    assert status is Status.NOT_MET
    assert "KMS key k1 in eu-west-1: not held 2026-09-01 to 2026-09-04 (4 days): its material was" in reasons
    assert "over the 365-day limit (no automatic rotation; last made 2025-09-02)" in reasons
    assert "since DisableKeyRotation by user:dev" in reasons
    assert AS_OF.year == 2026
