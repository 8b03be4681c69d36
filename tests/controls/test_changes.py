from datetime import UTC, date, datetime

from review_items import FORTNIGHTLY, document, judge

from evidence.controls.catalogue import load_catalogue
from evidence.controls.changes import PeriodState, compare
from evidence.model.evidence import EvidenceItem
from evidence.model.results import Evaluation, Status, Waiver
from evidence.model.review import PeriodRef

FORTNIGHTS_Q2 = [
    "2026-04-06",
    "2026-04-20",
    "2026-05-04",
    "2026-05-18",
    "2026-06-01",
    "2026-06-15",
    "2026-06-29",
]


def state(label: str, evaluation: Evaluation, evidence: list[EvidenceItem]) -> PeriodState:
    start, end = {
        "2026-Q2": (date(2026, 4, 1), date(2026, 6, 30)),
        "2026-Q3": (date(2026, 7, 1), date(2026, 9, 30)),
    }[label]
    ref = PeriodRef(
        label=label, start=start, end=end, as_of=evaluation.as_of, run_uid=f"run-{label}"
    )
    return PeriodState(ref, evaluation, evidence)


def two_quarters() -> tuple[PeriodState, PeriodState]:
    shared = [
        document(
            "risk-assessment", "2025-06-30", title="Risk assessment 2025", next_review="2026-06-30"
        )
    ]
    q2 = shared + [document("log-review-record", d) for d in FORTNIGHTS_Q2]
    q3 = shared + [
        document("log-review-record", "2026-09-22"),
        document("access-review", "2026-08-28", covers=("2026-07-01", "2026-09-30")),
    ]
    return (
        state("2026-Q2", judge(q2, "2026-Q2", readings=FORTNIGHTLY), q2),
        state("2026-Q3", judge(q3, "2026-Q3", readings=FORTNIGHTLY), q3),
    )


def test_status_changes_new_and_resolved_gaps() -> None:
    old, new = two_quarters()
    diff = compare(old, new, [load_catalogue("amazon-dpp@2025-11")])
    changes = {c.control_id: (c.old, c.new, c.direction) for c in diff.status_changes}
    assert changes == {
        "DPP-ACC-2": (Status.INSUFFICIENT, Status.MET, "better"),
        "DPP-LOG-4": (Status.MET, Status.NOT_MET, "worse"),
        "DPP-RISK-1": (Status.MET, Status.NOT_MET, "worse"),
    }
    assert [c.control_id for c in diff.new_gaps] == ["DPP-LOG-4", "DPP-RISK-1"]
    assert [c.control_id for c in diff.resolved_gaps] == ["DPP-ACC-2"]
    assert diff.old_counts[Status.MET] + 1 == diff.new_counts[Status.MET] + 2


def test_figures_that_moved_and_ages_that_only_grew() -> None:
    old, new = two_quarters()
    diff = compare(old, new, [load_catalogue("amazon-dpp@2025-11")])
    moved = {(f.control_id, f.figure): (f.old, f.new) for f in diff.moved_figures}
    assert moved[("DPP-LOG-4", "longest_interval_days")] == (14, 83)
    ageing = [f for f in diff.figures if f.ageing]
    assert [(f.control_id, f.figure, f.old, f.new) for f in ageing] == [
        ("DPP-RISK-1", "document_age_days", 365, 457)
    ]


def test_evidence_that_went_stale_names_its_controls_and_the_day_it_expired() -> None:
    old, new = two_quarters()
    (stale,) = compare(old, new, [load_catalogue("amazon-dpp@2025-11")]).stale
    assert stale.title == "Risk assessment 2025"
    assert stale.controls == ["DPP-RISK-1"]
    assert stale.reason == (
        "365 days old on 2026-06-30, 457 days old on 2026-09-30: "
        "past the 365-day limit since 2026-07-01"
    )


def test_a_source_that_produced_evidence_before_and_none_now_is_listed() -> None:
    old, new = two_quarters()
    failed = document("ir-plan", "2026-01-01").model_copy(
        update={"error": "register not found", "facts": {}}
    )
    broken = PeriodState(new.ref, new.evaluation, [failed])
    (missing,) = compare(old, broken, [load_catalogue("amazon-dpp@2025-11")]).missing
    assert (missing.source, missing.kind, missing.before, missing.error) == (
        "documents",
        "document",
        8,
        "register not found",
    )


def test_the_same_evaluations_give_the_same_diff() -> None:
    old, new = two_quarters()
    catalogues = [load_catalogue("amazon-dpp@2025-11")]
    assert (
        compare(old, new, catalogues).model_dump_json()
        == compare(old, new, catalogues).model_dump_json()
    )


def test_a_waived_gap_is_a_change_but_not_a_resolved_gap() -> None:
    old, new = two_quarters()
    waiver = Waiver(
        id="WV-0000000001",
        control_id="DPP-NET-3",
        reason="EDR rollout",
        approver="CISO",
        created_by="lead",
        created_at=datetime(2026, 7, 1, tzinfo=UTC),
        expires=datetime(2026, 12, 31, tzinfo=UTC),
    )
    waived = judge(list(new.evidence), "2026-Q3", waivers=[waiver])
    diff = compare(
        old, PeriodState(new.ref, waived, new.evidence), [load_catalogue("amazon-dpp@2025-11")]
    )
    (change,) = [c for c in diff.status_changes if c.control_id == "DPP-NET-3"]
    assert (change.old, change.new, change.direction) == (
        Status.INSUFFICIENT,
        Status.WAIVED,
        "waived",
    )
    assert "DPP-NET-3" not in {c.control_id for c in diff.resolved_gaps}
    assert "DPP-NET-3" not in {c.control_id for c in diff.new_gaps}
