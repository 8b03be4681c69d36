"""The to-do computation: open elements filed under the steps that would decide them, most first."""

from __future__ import annotations

from datetime import UTC, datetime

from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.controls.todo import StepKind, open_elements, todo_steps
from evidence.model.period import parse_period
from evidence.model.results import ControlResult, ElementResult, Evaluation, EvidenceNeeded, Status

PRODUCERS = {
    "access.activity": ["access-log", "auth-log"],
    "settings.changes": ["aws-config", "cloudtrail"],
    "iam.password_policy": ["aws"],
    "dataflow.map": ["dataflow"],
    "organisation.profile": ["organisation"],
}


def element(control: str, eid: str, status: Status, *needs: EvidenceNeeded) -> ControlResult:
    return ControlResult(
        control_id=control,
        catalogue="test@1",
        status=status,
        elements=[ElementResult(id=eid, text=f"{control} {eid}", status=status, needed=list(needs))],
    )


def test_steps_are_ordered_by_elements_decided_and_supplementary_kinds_make_no_step() -> None:
    activity = EvidenceNeeded(check="unique_accounts", kinds=["access.activity"])
    policy = EvidenceNeeded(check="password_policy_strength", kinds=["iam.password_policy", "settings.changes"])
    crosscheck = EvidenceNeeded(check="dataflow_crosscheck", kinds=["dataflow.map", "access.activity"])
    review = EvidenceNeeded(check="cadence_covered", kinds=["document"], doc_types=["log-review-record"])
    later = EvidenceNeeded(check="not_built", kinds=[], planned=True)
    evaluation = Evaluation(
        as_of=datetime(2026, 9, 30, tzinfo=UTC),
        catalogues=["test@1"],
        results=[
            element("C-ONE-1", "a", Status.INSUFFICIENT, activity),
            element("C-ONE-2", "a", Status.INSUFFICIENT, activity, policy),
            element("C-ONE-3", "a", Status.INSUFFICIENT, crosscheck),
            element("C-ONE-4", "a", Status.INSUFFICIENT, review),
            element("C-ONE-5", "a", Status.INSUFFICIENT, later),
            element("C-ONE-6", "a", Status.NOT_MET),
            element("C-ONE-7", "a", Status.MET),
            element("C-ONE-8", "a", Status.WAIVED),
        ],
    )
    steps = todo_steps(evaluation, [], {"auth-log": ["bastion"]}, producers=PRODUCERS)
    summary = [(s.kind, s.target, len(s.elements)) for s in steps]
    assert summary == [
        (StepKind.SOURCE, "access-log", 2),
        (StepKind.SOURCE, "auth-log", 2),
        (StepKind.FIX, "C-ONE-6", 1),
        (StepKind.SOURCE, "aws", 1),
        (StepKind.SOURCE, "dataflow", 1),  # the cross-check needs the map, not more activity
        (StepKind.DOCUMENT, "log-review-record", 1),
        (StepKind.PLANNED, "not_built", 1),
    ]
    assert steps[0].summary() == "add an `access-log` source: decides 2 elements of 2 controls"
    assert steps[1].action.startswith("complete the `auth-log` source (bastion)")
    assert steps[5].fields and set(steps[5].fields) == {"reviewer", "covers", "follow_up"}
    assert len(open_elements(steps)) == 6  # every open element once, the met and waived ones not


def test_a_fresh_evaluation_without_evidence_starts_with_the_step_that_decides_most() -> None:
    catalogue = load_catalogue("amazon-dpp@2025-11")
    period = parse_period("2026-Q3")
    evaluation = evaluate([catalogue], EvaluationInput(evidence=[], period=period, as_of=period.end_at))
    steps = todo_steps(evaluation, [catalogue])
    actionable = [len(s.elements) for s in steps if s.kind is not StepKind.PLANNED]
    assert actionable == sorted(actionable, reverse=True) and actionable[0] > 1
    undecided = {
        (r.control_id, e.id) for r in evaluation.results for e in r.elements if e.status is Status.INSUFFICIENT
    }
    assert {(e.control_id, e.element_id) for e in open_elements(steps)} == undecided
    assert [s.summary() for s in steps] == [s.summary() for s in todo_steps(evaluation, [catalogue])]
