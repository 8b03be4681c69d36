"""The plan of action: which controls are gaps, their owners, and due dates from the as-of date."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from report_builders import PERIOD, evaluation_for, report_set

from evidence.config.schema import GapPlanConfig
from evidence.controls.catalogue import load_catalogue
from evidence.model.results import Status
from evidence.render.attestation import attestation_context
from evidence.render.gaps import plan_csv, plan_of_action, policy_deadlines

DPP = load_catalogue("amazon-dpp@2025-11")
AUP = load_catalogue("amazon-aup@2025-11")
DEFAULTS = GapPlanConfig().due_days
OWNERS = {"vulnerability": "Security Lead", "network": "Platform Engineering"}


def all_insufficient() -> tuple:
    return evaluation_for([DPP, AUP], 1, status_of=lambda i: Status.INSUFFICIENT)


def test_the_dpp_sets_its_own_vulnerability_deadlines_in_its_parameters() -> None:
    deadlines = policy_deadlines(DPP)
    assert set(deadlines) == {"vulnerability"}
    assert deadlines["vulnerability"]["critical"].days == 7
    assert deadlines["vulnerability"]["high"].days == 30
    assert deadlines["vulnerability"]["high"].control_id == "DPP-VULN-5"
    assert policy_deadlines(AUP) == {}


def test_every_gap_is_planned_and_nothing_else() -> None:
    evaluation, _ = evaluation_for([DPP], 1)  # met, not met, insufficient, met, ...
    plan = plan_of_action([DPP], evaluation, OWNERS, DEFAULTS)
    gaps = {
        r.control_id
        for r in evaluation.results
        if r.status in (Status.NOT_MET, Status.INSUFFICIENT)
    }
    assert {p.control.id for p in plan} == gaps
    assert [p.number for p in plan] == [f"POA-{n:02d}" for n in range(1, len(plan) + 1)]


def test_due_dates_count_from_the_as_of_date_by_severity() -> None:
    evaluation, _ = all_insufficient()
    plan = {p.control.id: p for p in plan_of_action([DPP, AUP], evaluation, OWNERS, DEFAULTS)}
    as_of = PERIOD.end  # 2026-09-30, never the clock
    assert plan["DPP-NET-1"].due == date(2026, 10, 7)  # critical: 7 days
    assert plan["DPP-NET-2"].due == date(2026, 10, 30)  # high: 30 days
    assert plan["DPP-NET-4"].due == date(2026, 11, 29)  # medium: 60 days
    assert plan["DPP-CRED-3"].due == date(2026, 12, 29)  # low: 90 days
    assert all((p.due - as_of).days == p.due_days for p in plan.values())
    assert "[gap_plan] due_days" in plan["DPP-NET-1"].due_basis


def test_vulnerability_gaps_follow_the_dpp_deadline_and_say_so() -> None:
    evaluation, _ = all_insufficient()
    plan = {
        p.control.id: p for p in plan_of_action([DPP], evaluation, OWNERS, {**DEFAULTS, "high": 45})
    }
    assert plan["DPP-VULN-2"].due_days == 30  # high, capped by DPP-VULN-5 high_fix_days
    assert "DPP-VULN-5 high_fix_days" in plan["DPP-VULN-2"].due_basis
    assert plan["DPP-VULN-1"].due_days == 60  # medium: the DPP sets no deadline
    assert plan["DPP-NET-2"].due_days == 45  # not a vulnerability control: the config decides


def test_a_stricter_config_wins_over_the_policy_maximum() -> None:
    evaluation, _ = all_insufficient()
    plan = {
        p.control.id: p for p in plan_of_action([DPP], evaluation, OWNERS, {**DEFAULTS, "high": 14})
    }
    assert plan["DPP-VULN-2"].due_days == 14
    assert "within the policy's 30 days" in plan["DPP-VULN-2"].due_basis


def test_owners_come_from_the_config_per_family_and_gaps_without_one_say_so() -> None:
    evaluation, _ = all_insufficient()
    plan = {p.control.id: p for p in plan_of_action([DPP], evaluation, OWNERS, DEFAULTS)}
    assert plan["DPP-VULN-2"].owner == "Security Lead"
    assert plan["DPP-NET-1"].owner == "Platform Engineering"
    assert plan["DPP-RET-1"].owner is None


def test_soonest_due_first_then_most_severe() -> None:
    evaluation, _ = all_insufficient()
    plan = plan_of_action([DPP, AUP], evaluation, OWNERS, DEFAULTS)
    keys = [(p.due, ["critical", "high", "medium", "low"].index(p.control.severity)) for p in plan]
    assert keys == sorted(keys)


def test_config_rejects_unknown_severities_and_non_positive_days() -> None:
    with pytest.raises(ValueError, match="severity must be one of"):
        GapPlanConfig(due_days={"urgent": 3})
    with pytest.raises(ValueError, match="positive"):
        GapPlanConfig(due_days={"high": 0})
    assert GapPlanConfig(due_days={"high": 20}).due_days == {**DEFAULTS, "high": 20}


def test_plan_csv_lists_every_item_and_defuses_spreadsheet_formulas() -> None:
    evaluation, _ = evaluation_for(
        [AUP],
        1,
        status_of=lambda i: Status.NOT_MET,
        reason=lambda cid, n: f'=HYPERLINK("http://x") {cid}',
    )
    plan = plan_of_action([AUP], evaluation, {}, DEFAULTS)
    rows = list(csv.DictReader(io.StringIO(plan_csv(plan).data.decode("utf-8"))))
    assert [r["control_id"] for r in rows] == [p.control.id for p in plan]
    assert all(r["finding"].startswith("'=HYPERLINK") for r in rows)
    assert rows[0]["due"] == plan[0].due.isoformat()


def test_each_attestation_numbers_its_gaps_as_the_gap_report_does() -> None:
    data = report_set()
    whole = {
        (p.catalogue.ref, p.control.id): p.number
        for p in plan_of_action(data.catalogues, data.evaluation, data.owners, data.due_days)
    }
    for catalogue in data.catalogues:
        context = attestation_context(data.for_catalogue(catalogue))
        numbers = {(catalogue.ref, s["control"].id): s["plan"].number for s in context["gaps"]}
        assert numbers
        assert numbers == {key: n for key, n in whole.items() if key[0] == catalogue.ref}
