"""The demo's label archive loses its encryption for 9 days: DPP-ENC-2 says when and who, or what is unknown."""

from __future__ import annotations

from functools import cache

from collector_testing import ROOT, TEST_KEY, collector_context

from evidence.collectors.aws.cli_outputs import AwsCliCollector, AwsCliSettings
from evidence.collectors.logs.cloudtrail.collector import CloudTrailCollector, CloudTrailSettings
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.model.results import CheckOutcome
from evidence.model.settings_history import CHANGES
from evidence.redact import Redactor

SAMPLES = ROOT / "samples"
PII_BUCKETS = ["parcelpilot-label-archive", "parcelpilot-order-exports"]


@cache
def snapshot() -> tuple[EvidenceItem, ...]:
    """The sample's saved AWS CLI outputs, captured 2026-09-29, as `samples/evidence.toml` reads them."""
    settings = AwsCliSettings.model_validate(
        {
            "paths": [str(SAMPLES / "aws")],
            "captured_at": "2026-09-29T09:30:00Z",
            "region": "eu-west-1",
            "pii_buckets": PII_BUCKETS,
        }
    )
    return tuple(i.seal() for i in AwsCliCollector(settings, collector_context(SAMPLES, "aws-prod-cli")).collect())


@cache
def trail() -> EvidenceItem:
    """The sample trail's settings.changes item."""
    settings = CloudTrailSettings.model_validate(
        {"paths": [str(SAMPLES / "logs/cloudtrail/AWSLogs")], "max_gap_hours": 24, "workers": 1}
    )
    items = CloudTrailCollector(settings, collector_context(SAMPLES, "aws-cloudtrail")).collect()
    return next(i for i in items if i.kind == CHANGES).seal()


def storage_encrypted(*items: EvidenceItem) -> CheckOutcome:
    period = parse_period("2026-Q3")
    evaluation = evaluate([load_catalogue("amazon-dpp@2025-11")], EvaluationInput(list(items), period, period.end_at))
    result = next(r for r in evaluation.results if r.control_id == "DPP-ENC-2")
    return next(o for o in result.outcomes if o.check == "storage_encrypted")


def test_the_nine_days_without_encryption_are_named_with_who_removed_and_restored_it() -> None:
    found = storage_encrypted(*snapshot(), trail())
    assert found.status.value == "not_met"
    text = " ".join(found.reasons)
    who = Redactor(TEST_KEY).principal
    assert "S3 bucket parcelpilot-label-archive in eu-west-1: not held 2026-08-03 to 2026-08-11 (9 days)" in text
    assert f"since DeleteBucketEncryption by {who('tom.okafor')} at 2026-08-03 10:41Z" in text
    assert f"restored by PutBucketEncryption by {who('priya.raman')} at 2026-08-11 15:02Z" in text
    assert "tom.okafor" not in text
    assert found.figures["unencrypted"] == 1
    assert trail().id in found.evidence_ids


def test_without_the_change_log_the_check_says_which_days_are_unknown() -> None:
    found = storage_encrypted(*snapshot())
    assert found.status.value == "insufficient_evidence"
    text = " ".join(found.reasons)
    assert (
        "S3 bucket parcelpilot-label-archive in eu-west-1: not known on 91 of 92 days "
        "(2026-07-01 to 2026-09-28 (90 days), 2026-09-30 (1 day))" in text
    )
    assert "no change log (CloudTrail, AWS Config history) was collected" in text


def test_the_trail_without_the_two_events_shows_no_change_so_the_snapshot_holds_all_quarter() -> None:
    kept = trail().model_copy(deep=True)
    # A new facts dict, as a store would read it: the parsed facts are cached per dict.
    kept.facts = {**kept.facts, "changes": [c for c in kept.facts["changes"] if "label-archive" not in c["key"]]}
    found = storage_encrypted(*snapshot(), kept.seal())
    # The stores observed held all quarter; the tax archive of the data map was never observed,
    # which the check's coverage element says apart (no map is given here).
    assert found.parts["stores_encrypted"].value == "met", found.reasons
    assert "S3 bucket parcelpilot-label-archive in eu-west-1: AES-256" in " ".join(found.reasons)
    assert "held 92 of 92 days" in " ".join(found.reasons)
