"""Retention controls decided from job runs, PII age, deletion requests and S3 lifecycle rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from review_items import document

from evidence.collectors.base import CollectorContext
from evidence.collectors.job_history.collector import JobHistoryCollector, JobHistorySettings
from evidence.controls.catalogue import load_catalogue, load_catalogue_file
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.errors import PolicyError
from evidence.model.catalogue import Catalogue
from evidence.model.evidence import EvidenceItem, stable_evidence_id
from evidence.model.facts import dump_facts
from evidence.model.facts.cloud_storage import StorageLifecycle
from evidence.model.facts.organisation import OrganisationProfile
from evidence.model.facts.retention import DeletionRequest, DeletionRequests, PiiAge, TableAge
from evidence.model.period import parse_period
from evidence.model.results import CheckOutcome, ControlResult, Status
from evidence.redact import Redactor
from tests.catalogue_edits import edited_catalogue, line_with
from tests.dataflow_support import collect as collect_map

PERIOD = parse_period("2026-Q3")
AS_OF = PERIOD.end_at


def item(kind: str, facts: dict[str, Any], source: str = "src") -> EvidenceItem:
    return EvidenceItem(
        id=stable_evidence_id(source, kind, str(sorted(facts))),
        kind=kind,
        collector="test",
        source=source,
        subject=kind,
        location=kind,
        collected_at=AS_OF,
        facts=facts,
    ).seal()


def schedule_doc() -> EvidenceItem:
    return document("retention-schedule", "2026-02-10", title="Retention schedule", next_review="2027-02-10")


def table(
    rows: int = 0,
    *,
    category: str = "pii",
    limit: int = 30,
    clock: str = "delivery",
    oldest: int | None = None,
    held: int = 0,
    error: str | None = None,
) -> TableAge:
    return TableAge.model_validate(
        {
            "table": "orders",
            "category": category,
            "columns": ["buyer_name"] if category == "pii" else [],
            "timestamp_column": "delivered_at",
            "clock": clock,
            "limit_days": limit,
            "cutoff": "2026-08-31T23:59:59Z",
            "rows_past_limit": rows,
            "oldest": None,
            "oldest_age_days": oldest if rows else None,
            "legal_hold_column": "legal_hold",
            "rows_on_legal_hold": held,
            "oldest_held_age_days": 45 if held else None,
            "error": error,
        }
    )


def pii_age(*tables: TableAge, as_of: str = "2026-09-30T23:59:59Z") -> EvidenceItem:
    facts = PiiAge(
        database="sqlite:///app.db",
        dialect="sqlite",
        as_of=as_of,
        read_only=True,
        statements=len(tables),
        tables=list(tables),
    )
    return item(PiiAge.kind, dump_facts(facts), source="db")


def job_runs(
    tmp_path: Path, rows: list[str], jobs: list[dict[str, Any]], covers: str | None = "2026-Q3"
) -> EvidenceItem:
    path = tmp_path / "runs.csv"
    path.write_text("job,started,status\n" + "\n".join(rows) + "\n", encoding="utf-8")
    settings = JobHistorySettings.model_validate(
        {"paths": [str(path)], "jobs": jobs, "covers": covers}
    )
    context = CollectorContext(
        source="jobs", base_dir=tmp_path, period=PERIOD, as_of=AS_OF, redactor=Redactor(b"k" * 32)
    )
    (result,) = JobHistoryCollector(settings, context).collect()
    return result.seal()


def weekly_rows(
    name: str = "purge", skip: tuple[int, ...] = (), fail: tuple[int, ...] = ()
) -> list[str]:
    first = datetime(2026, 7, 5, 3, 0, tzinfo=UTC)
    return [
        f"{name},{(first + timedelta(weeks=w)).isoformat()},{'failed' if w in fail else 'success'}"
        for w in range(13)
        if w not in skip
    ]


WEEKLY_PII = [{"name": "purge", "purges": "pii", "schedule": "0 3 * * 0"}]


def decide(
    control: str,
    evidence: list[EvidenceItem],
    catalogue: str = "amazon-dpp@2025-11",
    settings: dict[str, list[str] | None] | None = None,
) -> ControlResult:
    if settings is not None:
        evidence = [*evidence, profile(**settings)]
    data = EvaluationInput(evidence=evidence, period=PERIOD, as_of=AS_OF)
    evaluation = evaluate([load_catalogue(catalogue)], data)
    return next(r for r in evaluation.results if r.control_id == control)


def outcome(result: ControlResult, check: str) -> CheckOutcome:
    return next(o for o in result.outcomes if o.check == check)


# --- the acceptance case -------------------------------------------------------------------------


def test_missed_and_failed_runs_make_pii_retention_not_met_with_dates(tmp_path: Path) -> None:
    runs = job_runs(tmp_path, weekly_rows(skip=(5,), fail=(10,)), WEEKLY_PII)
    result = decide("DPP-RET-1", [schedule_doc(), pii_age(table()), runs])
    assert result.status is Status.NOT_MET
    adherence = outcome(result, "retention_job_adherence")
    assert adherence.status is Status.NOT_MET
    text = "\n".join(adherence.reasons)
    assert "missed 1 of 13 scheduled runs: 2026-08-09" in text
    assert "1 scheduled run(s) failed: 2026-09-13" in text
    assert (
        "PII could have been kept up to 44 days, over the 30-day limit plus the job's "
        "7-day interval" in text
    )
    assert adherence.figures["missed_runs"] == 1
    assert adherence.figures["failed_runs"] == 1
    assert runs.id in result.evidence_ids


MAP = """
version: 1
name: Test map
systems:
  - {id: app, name: App, kind: service}
stores:
  - id: orders-db
    name: Orders database
    kind: database
    holds: {pii: [buyer_name]}
    encryption_at_rest: {enabled: true, algorithm: AES-256, key: aws-kms}
    retention: {pii_days: 30, after: delivery, job: purge}
    tables: [orders]
flows:
  - {id: write, from: app, to: orders-db, carries: {pii: [buyer_name]}, protocol: postgresql, tls: "1.3"}
"""


def test_all_runs_and_no_old_pii_is_met(tmp_path: Path) -> None:
    runs = job_runs(tmp_path, weekly_rows(), WEEKLY_PII)
    # DPP-RET-1 also needs the data map, so the probe is shown to cover every PII store.
    data_map = collect_map(tmp_path, {"map.yaml": MAP})
    result = decide("DPP-RET-1", [schedule_doc(), pii_age(table()), runs, *data_map])
    assert result.status is Status.MET, result.reasons
    assert outcome(result, "lifecycle_rules_within_limit").status is Status.NOT_APPLICABLE


# --- no false pass -------------------------------------------------------------------------------


def test_without_job_history_pii_retention_is_insufficient() -> None:
    result = decide("DPP-RET-1", [schedule_doc(), pii_age(table())])
    assert result.status is Status.INSUFFICIENT
    assert "no job history (retention.job_runs) was collected" in result.reasons


def test_without_pii_age_pii_retention_is_insufficient(tmp_path: Path) -> None:
    result = decide("DPP-RET-1", [schedule_doc(), job_runs(tmp_path, weekly_rows(), WEEKLY_PII)])
    assert result.status is Status.INSUFFICIENT
    assert outcome(result, "pii_age_within_limit").status is Status.INSUFFICIENT


def test_a_history_without_a_pii_job_is_insufficient(tmp_path: Path) -> None:
    runs = job_runs(
        tmp_path, weekly_rows(), [{"name": "purge", "purges": "non-pii", "schedule": "0 3 * * 0"}]
    )
    result = decide("DPP-RET-1", [schedule_doc(), pii_age(table()), runs])
    assert result.status is Status.INSUFFICIENT
    assert "purges pii or backups" in outcome(result, "retention_job_adherence").reasons[0]


def test_a_history_that_does_not_cover_the_period_is_insufficient(tmp_path: Path) -> None:
    runs = job_runs(tmp_path, weekly_rows()[8:], WEEKLY_PII, covers=None)
    result = decide("DPP-RET-1", [schedule_doc(), pii_age(table()), runs])
    assert result.status is Status.INSUFFICIENT
    assert (
        "8 scheduled run(s) fall outside it"
        in outcome(result, "retention_job_adherence").reasons[0]
    )


def unknown_rows(weeks: tuple[int, ...], skip: tuple[int, ...] = ()) -> list[str]:
    """Weekly rows where the runs of ``weeks`` recorded no outcome."""
    return [
        row.rsplit(",", 1)[0] + ",unknown" if w in weeks else row
        for w, row in ((w, r) for w, r in enumerate(weekly_rows()) if w not in skip)
    ]


def test_runs_without_an_outcome_never_meet_adherence(tmp_path: Path) -> None:
    # Two of 13 weekly runs recorded no outcome: they are not successful purges, so the
    # check cannot be met, and it names how many and when.
    runs = job_runs(tmp_path, unknown_rows((3, 9)), WEEKLY_PII)
    facts = runs.facts["jobs"][0]
    assert (facts["ran"], facts["unknown"]) == (
        11,
        ["2026-07-26T03:00:00Z", "2026-09-06T03:00:00Z"],
    )
    check = outcome(
        decide("DPP-RET-1", [schedule_doc(), pii_age(table()), runs]), "retention_job_adherence"
    )
    assert check.status is Status.INSUFFICIENT
    named = (
        f"purge ({runs.id}, cron 0 3 * * 0 UTC): 2 of its 13 runs in the period recorded no "
        "outcome (started 2026-07-26, 2026-09-06), so they are not known to have purged anything"
    )
    assert any(reason.startswith(named) for reason in check.reasons), check.reasons
    # Each unknown run leaves 14 days without a run known to have worked: not proven either way.
    assert sum("no run known to have worked for 14.0 days" in r for r in check.reasons) == 2
    assert check.figures["runs_outcome_unknown"] == 2
    assert check.figures["runs_ran"] == 11


def test_a_gap_filled_only_by_runs_of_unknown_outcome_is_not_proven(tmp_path: Path) -> None:
    # Weeks 4-6 recorded no outcome: 28 days without a run known to have worked, but runs did
    # start: insufficient evidence, not a proven gap.
    runs = job_runs(tmp_path, unknown_rows((4, 5, 6)), WEEKLY_PII)
    check = outcome(
        decide("DPP-RET-1", [schedule_doc(), pii_age(table()), runs]), "retention_job_adherence"
    )
    assert check.status is Status.INSUFFICIENT
    assert any(
        "no run known to have worked for 28.0 days, from 2026-07-26 to 2026-08-23; 3 run(s) in it "
        "recorded no outcome" in reason
        for reason in check.reasons
    )


def test_a_proven_miss_is_not_met_even_with_unknown_outcomes(tmp_path: Path) -> None:
    runs = job_runs(tmp_path, unknown_rows((2,), skip=(8,)), WEEKLY_PII)
    check = outcome(
        decide("DPP-RET-1", [schedule_doc(), pii_age(table()), runs]), "retention_job_adherence"
    )
    assert check.status is Status.NOT_MET
    assert "missed 1 of 13 scheduled runs: 2026-08-30" in check.reasons[0]
    assert any("1 of its 12 runs in the period recorded no outcome" in r for r in check.reasons)


def test_an_unreadable_history_file_keeps_adherence_from_being_met(tmp_path: Path) -> None:
    broken = tmp_path / "journal.json"
    broken.write_text('{"apiVersion": "v1", "kind": "List", "items": [', encoding="utf-8")
    path = tmp_path / "runs.csv"
    path.write_text("job,started,status\n" + "\n".join(weekly_rows()) + "\n", encoding="utf-8")
    settings = JobHistorySettings.model_validate(
        {"paths": [str(path), str(broken)], "jobs": WEEKLY_PII, "covers": "2026-Q3"}
    )
    context = CollectorContext(
        source="jobs", base_dir=tmp_path, period=PERIOD, as_of=AS_OF, redactor=Redactor(b"k" * 32)
    )
    (runs,) = JobHistoryCollector(settings, context).collect()
    result = decide("DPP-RET-1", [schedule_doc(), pii_age(table()), runs.seal()])
    check = outcome(result, "retention_job_adherence")
    assert check.status is Status.INSUFFICIENT
    assert "1 file(s) of the job history" in check.reasons[0]
    assert "journal.json:1: malformed JSON" in check.reasons[0]


def test_a_table_the_probe_could_not_measure_is_insufficient(tmp_path: Path) -> None:
    runs = job_runs(tmp_path, weekly_rows(), WEEKLY_PII)
    result = decide(
        "DPP-RET-1", [schedule_doc(), pii_age(table(error="table orders: no such table")), runs]
    )
    assert result.status is Status.INSUFFICIENT
    assert any("could not be measured" in r for r in result.reasons)


# --- PII age -------------------------------------------------------------------------------------


def test_pii_past_the_limit_is_not_met_and_held_rows_are_reported() -> None:
    result = decide("DPP-RET-1", [pii_age(table(2, oldest=400, held=1))])
    check = outcome(result, "pii_age_within_limit")
    assert check.status is Status.NOT_MET
    assert check.figures["rows_past_limit"] == 2
    assert check.figures["rows_on_legal_hold"] == 1
    assert check.reasons[0].endswith("the oldest is 400 days old, over the 30-day limit")
    assert "reported as held, not as violations" in check.reasons[1]


def test_only_held_rows_are_not_a_violation() -> None:
    check = outcome(decide("DPP-RET-1", [pii_age(table(0, held=3))]), "pii_age_within_limit")
    assert check.status is Status.MET
    assert check.figures["rows_on_legal_hold"] == 3


def test_2021_counts_from_shipment_so_a_delivery_probe_cannot_pass() -> None:
    clean = outcome(
        decide("DPP-RET-1", [pii_age(table())], "amazon-dpp@2021"), "pii_age_within_limit"
    )
    assert clean.status is Status.INSUFFICIENT
    assert "counts the 30 days from shipment" in clean.reasons[0]
    assert "delivery (column delivered_at)" in clean.reasons[0]
    found = outcome(
        decide("DPP-RET-1", [pii_age(table(1, oldest=40))], "amazon-dpp@2021"),
        "pii_age_within_limit",
    )
    assert found.status is Status.NOT_MET
    shipped = outcome(
        decide("DPP-RET-1", [pii_age(table(clock="shipment"))], "amazon-dpp@2021"),
        "pii_age_within_limit",
    )
    assert shipped.status is Status.MET
    assert "after shipment (column delivered_at)" in shipped.reasons[0]


def test_a_table_measured_on_two_clocks_is_judged_on_the_catalogues_own() -> None:
    # orders measured from delivery (2025: the catalogue's clock) and from shipment (for the
    # profile answer): the shipment figures neither decide DPP-RET-1 nor count the rows twice.
    both = pii_age(table(2, oldest=45), table(3, oldest=47, clock="shipment"))
    check = outcome(decide("DPP-RET-1", [both]), "pii_age_within_limit")
    assert check.status is Status.NOT_MET
    assert (check.figures["rows_past_limit"], check.figures["tables_measured"]) == (2, 1)
    assert "after delivery" in check.reasons[0]
    shipment = outcome(decide("DPP-RET-1", [both], "amazon-dpp@2021"), "pii_age_within_limit")
    assert (shipment.figures["rows_past_limit"], shipment.figures["oldest_age_days"]) == (3, 47)


def test_a_looser_probe_limit_cannot_pass_but_a_stricter_one_can() -> None:
    loose = outcome(decide("DPP-RET-1", [pii_age(table(limit=45))]), "pii_age_within_limit")
    assert loose.status is Status.INSUFFICIENT
    strict = outcome(
        decide("DPP-RET-1", [pii_age(table(3, limit=20, oldest=28))]), "pii_age_within_limit"
    )
    assert strict.status is Status.MET


def test_a_snapshot_for_another_date_is_insufficient() -> None:
    check = outcome(
        decide("DPP-RET-1", [pii_age(table(), as_of="2026-11-02T10:00:00Z")]),
        "pii_age_within_limit",
    )
    assert check.status is Status.INSUFFICIENT
    assert "measured as of 2026-11-02, not as of 2026-09-30" in check.reasons[0]


def test_non_pii_data_past_18_months() -> None:
    old = decide("DPP-RET-3", [pii_age(table(4, category="non-pii", limit=548, oldest=700))])
    assert outcome(old, "non_pii_age_within_limit").status is Status.NOT_MET
    assert old.status is Status.NOT_MET
    fine = decide("DPP-RET-3", [pii_age(table(category="non-pii", limit=548))])
    assert outcome(fine, "non_pii_age_within_limit").status is Status.MET
    none = decide("DPP-RET-3", [pii_age(table())])
    assert outcome(none, "non_pii_age_within_limit").status is Status.INSUFFICIENT


def test_non_pii_purge_jobs_count_only_when_declared(tmp_path: Path) -> None:
    measured = pii_age(table(category="non-pii", limit=548))
    without = decide("DPP-RET-3", [measured])
    assert outcome(without, "retention_job_adherence").status is Status.NOT_APPLICABLE
    runs = job_runs(
        tmp_path,
        weekly_rows(skip=(2,)),
        [{"name": "purge", "purges": "non-pii", "schedule": "0 3 * * 0"}],
    )
    missed = decide("DPP-RET-3", [measured, runs])
    assert missed.status is Status.NOT_MET
    assert "2026-07-19" in outcome(missed, "retention_job_adherence").reasons[0]


# --- deletion requests ---------------------------------------------------------------------------


def requests(*entries: tuple[str, str | None]) -> EvidenceItem:
    rows = []
    for n, (received, completed) in enumerate(entries):
        hours = None
        if completed:
            span = datetime.fromisoformat(
                completed.replace("Z", "+00:00")
            ) - datetime.fromisoformat(received.replace("Z", "+00:00"))
            hours = round(span.total_seconds() / 3600, 2)
        rows.append(
            DeletionRequest(
                id=f"DR-{n}",
                type=None,
                received=received,
                completed=completed,
                hours_to_complete=hours,
                confirmed_in_writing=None,
            )
        )
    facts = DeletionRequests.model_validate(
        {
            "register": "r.csv",
            "requests": rows,
            "received_in_period": len(rows),
            "open": sum(1 for r in rows if r.completed is None),
        }
    )
    return item(DeletionRequests.kind, dump_facts(facts), source="register")


def test_deletion_requests_on_time_late_and_overdue() -> None:
    on_time = requests(
        ("2026-07-01T09:00:00Z", "2026-07-20T09:00:00Z"), ("2026-09-25T09:00:00Z", None)
    )
    check = outcome(decide("DPP-RET-4", [on_time]), "deletion_requests_on_time")
    assert check.status is Status.MET
    assert "slowest in 19.0 days" in check.reasons[0]
    assert "is open for 5.6 days, within the limit of 30 days" in check.reasons[1]
    late = outcome(
        decide("DPP-RET-4", [requests(("2026-07-01T09:00:00Z", "2026-08-05T09:00:00Z"))]),
        "deletion_requests_on_time",
    )
    assert late.status is Status.NOT_MET
    assert "completed after 35.0 days, over the limit of 30 days" in late.reasons[0]
    overdue = outcome(
        decide("DPP-RET-4", [requests(("2026-08-01T09:00:00Z", None))]), "deletion_requests_on_time"
    )
    assert overdue.status is Status.NOT_MET
    assert "still open after 60.6 days" in overdue.reasons[0]


def test_the_2021_deadline_is_72_hours() -> None:
    check = outcome(
        decide(
            "DPP-RET-4",
            [requests(("2026-07-01T09:00:00Z", "2026-07-05T09:00:00Z"))],
            "amazon-dpp@2021",
        ),
        "deletion_requests_on_time",
    )
    assert check.status is Status.NOT_MET
    assert "over the limit of 72 hours" in check.reasons[0]


def test_an_empty_register_is_met_and_no_register_is_insufficient() -> None:
    assert (
        outcome(decide("DPP-RET-4", [requests()]), "deletion_requests_on_time").status is Status.MET
    )
    assert (
        outcome(decide("DPP-RET-4", []), "deletion_requests_on_time").status is Status.INSUFFICIENT
    )


# --- S3 lifecycle rules (storage.lifecycle, as aws/aws-cli/terraform collectors report them) ---


def lifecycle(*buckets: dict[str, Any]) -> EvidenceItem:
    facts = StorageLifecycle.model_validate({"buckets": list(buckets)})
    return item(StorageLifecycle.kind, dump_facts(facts), source="aws")


def bucket(name: str, *rules: dict[str, Any], error: str | None = None) -> dict[str, Any]:
    return {"bucket": name, "rules": list(rules), "error": error}


def rule(
    days: int | None,
    *,
    prefix: str | None = None,
    status: str = "Enabled",
    noncurrent: int | None = None,
    rule_id: str = "expire",
) -> dict[str, Any]:
    return {
        "id": rule_id,
        "status": status,
        "prefix": prefix,
        "expiration_days": days,
        "noncurrent_expiration_days": noncurrent,
    }


def profile(
    pii_buckets: list[str] | None = None, non_pii_buckets: list[str] | None = None
) -> EvidenceItem:
    """Build the organisation profile, which records the buckets [retention] declares."""
    facts = OrganisationProfile(
        legal_name="Example Ltd",
        developer_id="D1",
        applications=["app"],
        impoc_named=False,
        impoc_name=None,
        impoc_email=None,
        privacy_policy_url=None,
        systems_in_scope=[],
        handles_pii=True,
        pii_buckets=pii_buckets,
        non_pii_buckets=non_pii_buckets,
    )
    return item(OrganisationProfile.kind, dump_facts(facts), source="organisation")


PII_BUCKETS: dict[str, list[str] | None] = {"pii_buckets": ["labels"], "non_pii_buckets": None}


@pytest.mark.parametrize(
    ("rules", "status", "phrase"),
    [
        ([rule(30, noncurrent=7)], Status.MET, "rule 'expire' expires every object after 30 days"),
        ([rule(14)], Status.MET, "no rule expires old versions"),
        (
            [rule(90, rule_id="keep-90")],
            Status.NOT_MET,
            "rule 'keep-90' expires objects after 90 days, over the 30-day",
        ),
        ([rule(30, noncurrent=365)], Status.NOT_MET, "old object versions expire after 365 days"),
        ([rule(7, prefix="labels/")], Status.INSUFFICIENT, "cover only the prefixes labels/"),
        ([rule(7, status="Disabled")], Status.NOT_MET, "no enabled rule expires objects"),
        ([], Status.NOT_MET, "kept indefinitely"),
    ],
)
def test_lifecycle_rules_of_a_pii_bucket(
    rules: list[dict[str, Any]], status: Status, phrase: str
) -> None:
    result = decide(
        "DPP-RET-1", [lifecycle(bucket("labels", *rules), bucket("other"))], settings=PII_BUCKETS
    )
    check = outcome(result, "lifecycle_rules_within_limit")
    assert check.status is status
    assert phrase in check.reasons[0]
    assert check.evidence_ids


def test_lifecycle_errors_missing_buckets_and_undeclared_buckets() -> None:
    failed = outcome(
        decide(
            "DPP-RET-1",
            [lifecycle(bucket("labels", error="AccessDenied: s3:GetLifecycleConfiguration"))],
            settings=PII_BUCKETS,
        ),
        "lifecycle_rules_within_limit",
    )
    assert failed.status is Status.INSUFFICIENT
    assert "could not be read: AccessDenied" in failed.reasons[0]
    missing = outcome(
        decide("DPP-RET-1", [lifecycle(bucket("other", rule(1)))], settings=PII_BUCKETS),
        "lifecycle_rules_within_limit",
    )
    assert missing.status is Status.INSUFFICIENT
    assert missing.reasons[0] == "bucket labels: no storage.lifecycle evidence names it"
    undeclared = outcome(
        decide("DPP-RET-1", [lifecycle(bucket("labels", rule(1)))]), "lifecycle_rules_within_limit"
    )
    assert undeclared.status is Status.INSUFFICIENT
    assert "set [retention] pii_buckets" in undeclared.reasons[0]
    none: dict[str, list[str] | None] = {"pii_buckets": [], "non_pii_buckets": []}
    declared_none = outcome(
        decide("DPP-RET-1", [lifecycle(bucket("labels", rule(1)))], settings=none),
        "lifecycle_rules_within_limit",
    )
    assert declared_none.status is Status.NOT_APPLICABLE


def test_non_pii_buckets_use_the_18_month_limit() -> None:
    settings: dict[str, list[str] | None] = {"pii_buckets": None, "non_pii_buckets": ["exports"]}
    fine = outcome(
        decide("DPP-RET-3", [lifecycle(bucket("exports", rule(540)))], settings=settings),
        "lifecycle_rules_within_limit",
    )
    assert fine.status is Status.MET
    over = outcome(
        decide("DPP-RET-3", [lifecycle(bucket("exports", rule(730)))], settings=settings),
        "lifecycle_rules_within_limit",
    )
    assert over.status is Status.NOT_MET
    assert "over the 548-day limit" in over.reasons[0]


# --- not applicable checks never decide a control alone ------------------------------------------


def test_a_control_whose_checks_all_do_not_apply_is_insufficient() -> None:
    base = load_catalogue("amazon-dpp@2025-11")
    ret1 = base.control("DPP-RET-1")
    only = ret1.model_copy(
        update={
            "checks": [c for c in ret1.checks if c.check == "lifecycle_rules_within_limit"],
            "elements": [e for e in ret1.elements if e.id == "bucket_expiry"],
        }
    )
    catalogue = Catalogue.model_validate(
        {**base.model_dump(by_alias=True), "controls": [only.model_dump(by_alias=True)]}
    )
    evaluation = evaluate([catalogue], EvaluationInput(evidence=[], period=PERIOD, as_of=AS_OF))
    (result,) = evaluation.results
    assert result.outcomes[0].status is Status.NOT_APPLICABLE
    assert result.elements[0].status is Status.NOT_APPLICABLE
    assert result.status is Status.INSUFFICIENT


def test_retention_catalogue_marks_are_built() -> None:
    for ref in ("amazon-dpp@2025-11", "amazon-dpp@2021"):
        catalogue = load_catalogue(ref)
        for control in catalogue.controls:
            if control.family != "retention":
                continue
            for ref_check in control.checks:
                if ref_check.check in {
                    "pii_age_within_limit",
                    "non_pii_age_within_limit",
                    "retention_job_adherence",
                    "deletion_requests_on_time",
                    "lifecycle_rules_within_limit",
                }:
                    assert not ref_check.planned, (ref, control.id, ref_check.check)
            for need in control.evidence:
                if need.kind.startswith("retention."):
                    assert not need.planned, (ref, control.id, need.kind)


# --- declared parameters ---------------------------------------------------------------------------


def test_a_misspelt_deletion_deadline_fails_the_catalogue_load_naming_file_line_and_control(
    tmp_path: Path,
) -> None:
    # Misspelt in the parameters and in the source that supports it, as a careless rename would.
    path = edited_catalogue(tmp_path, "deletion_on_request_hours", "deletion_on_requst_hours", count=2)
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line_with(path, 'deletion_on_requst_hours:')}: ")
    assert "(DPP-RET-4)" in message
    assert "check deletion_requests_on_time needs parameter 'deletion_on_request_hours'" in message


def test_an_aspect_whose_figures_the_control_does_not_state_fails_the_load(tmp_path: Path) -> None:
    """DPP-RET-1 states the retention figures; judging encryption there needs the key sizes."""
    path = edited_catalogue(
        tmp_path,
        "      - check: dataflow_pii_stores_protected\n        with: {aspects: [retention]}\n",
        "      - check: dataflow_pii_stores_protected\n        with: {aspects: [retention, encryption]}\n",
    )
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line_with(path, 'aspects: [retention, encryption]')}: ")
    assert "(DPP-RET-1)" in message
    assert "retention, encryption needs min_aes_bits, min_rsa_bits" in message


def test_retention_checks_read_no_value_the_catalogue_does_not_state() -> None:
    """The values the checks once defaulted to are now in every catalogue that uses them."""
    for ref in ("amazon-dpp@2021", "amazon-dpp@2022-08", "amazon-dpp@2024-06", "amazon-dpp@2025-11"):
        control = next(c for c in load_catalogue(ref).controls if c.id == "DPP-RET-1")
        adherence = next(r for r in control.checks if r.check == "retention_job_adherence")
        assert adherence.with_["required"] is True, ref
        assert control.parameters["retention_clock"].value in ("delivery", "shipment"), ref
