"""Crosswalk frameworks: loading with file:line errors, resolution, roll-up rules and coverage."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from evidence.controls.catalogue import all_catalogues, catalogue_files, crosswalk_files
from evidence.controls.crosswalk import coverage, load_crosswalk, load_crosswalk_file, resolve, roll_up
from evidence.controls.evaluate import EvaluationInput
from evidence.errors import PolicyError
from evidence.model.assurance import Assurance
from evidence.model.period import parse_period
from evidence.model.results import ControlResult, Evaluation, Status

DPP = "amazon-dpp@2025-11"

HEAD = """\
schema_version: 1
id: testfw
version: "1"
kind: crosswalk
title: A test framework
effective: 2020-01-01
status: current
summary: Test criteria.
source_note: Our own words.
families:
  - {id: A, title: Access}
criteria:
"""

CRITERIA = """\
  - id: A.1
    family: A
    title: Both mapped controls met, verified
    maps_to: [amazon-dpp:DPP-LOG-2, amazon-dpp:DPP-LOG-3]
  - id: A.2
    family: A
    title: One mapped control met on attestation
    maps_to: [amazon-dpp:DPP-LOG-2, amazon-dpp:DPP-CHG-1]
  - id: A.3
    family: A
    title: One mapped control not met
    maps_to: [amazon-dpp:DPP-LOG-2, amazon-dpp:DPP-ACC-2, amazon-dpp:DPP-ACC-1]
  - id: A.4
    family: A
    title: One mapped control lacks evidence
    maps_to: [amazon-dpp:DPP-LOG-2, amazon-dpp:DPP-ACC-1]
  - id: A.5
    family: A
    title: Nothing bears on it
    not_covered: Conduct of the board.
  - id: A.6
    family: A
    title: A mapped control this evaluation has no result for
    maps_to: [amazon-dpp:DPP-LOG-2, amazon-dpp:DPP-NET-1]
  - id: A.7
    family: A
    title: Its own check is only planned
    checks:
      - {check: board_minutes_reviewed, planned: true, decides: [minutes]}
"""


def write(tmp_path: Path, criteria: str = CRITERIA) -> Path:
    path = tmp_path / "1.yaml"
    path.write_text(HEAD + criteria, encoding="utf-8")
    return path


def result(control_id: str, status: Status, assurance: Assurance | None = None, *evidence: str) -> ControlResult:
    return ControlResult(
        control_id=control_id, catalogue=DPP, status=status, assurance=assurance, evidence_ids=list(evidence)
    )


EVALUATION = Evaluation(
    as_of=datetime(2026, 9, 30, 23, 59, tzinfo=UTC),
    catalogues=[DPP],
    results=[
        result("DPP-LOG-2", Status.MET, Assurance.OBSERVED, "EV-1"),
        result("DPP-LOG-3", Status.MET, Assurance.EXPORTED, "EV-2"),
        result("DPP-CHG-1", Status.MET, Assurance.ATTESTED, "EV-3"),
        result("DPP-ACC-2", Status.NOT_MET, None, "EV-4"),
        result("DPP-ACC-1", Status.INSUFFICIENT),
    ],
)


@pytest.fixture
def rolled(tmp_path: Path) -> dict[str, object]:
    path = write(tmp_path)
    crosswalk = load_crosswalk_file(path)
    done = roll_up(resolve(crosswalk, date(2026, 9, 30), path), EVALUATION)
    return {r.criterion_id: r for r in done.results}


def test_a_criterion_is_met_only_when_every_mapped_control_is_met(rolled: dict) -> None:
    verified = rolled["A.1"]
    assert (verified.status, verified.assurance) == (Status.MET, Assurance.EXPORTED)
    assert verified.status_label == "Met (verified)"
    assert verified.evidence_ids == ["EV-1", "EV-2"]
    assert verified.reasons == [f"DPP-LOG-2 ({DPP}): Met (verified)", f"DPP-LOG-3 ({DPP}): Met (verified)"]
    attested = rolled["A.2"]
    assert (attested.status, attested.status_label) == (Status.MET, "Met on attestation")


def test_a_not_met_control_makes_the_criterion_not_met_and_missing_evidence_insufficient(rolled: dict) -> None:
    assert rolled["A.3"].status is Status.NOT_MET
    assert f"DPP-ACC-2 ({DPP}): Not met" in rolled["A.3"].reasons
    assert rolled["A.3"].assurance is None
    assert rolled["A.4"].status is Status.INSUFFICIENT
    # A control the evaluation did not judge never counts as met.
    assert rolled["A.6"].status is Status.INSUFFICIENT
    assert f"DPP-NET-1 ({DPP}): Insufficient evidence (not evaluated in this run)" in rolled["A.6"].reasons


def test_a_not_covered_criterion_is_never_met(rolled: dict) -> None:
    criterion = rolled["A.5"]
    assert criterion.status is None
    assert (criterion.status_value, criterion.status_label) == ("not_covered", "Not covered")
    assert criterion.not_covered == "Conduct of the board."
    # Without evidence its planned check cannot decide A.7 either.
    assert rolled["A.7"].status is Status.INSUFFICIENT


def test_coverage_separates_what_the_evidence_can_decide(tmp_path: Path) -> None:
    path = write(tmp_path)
    rows = {r.criterion.id: r for r in coverage(resolve(load_crosswalk_file(path), None, path))}
    assert rows["A.1"].decidable and rows["A.1"].why == "decided by DPP-LOG-2, DPP-LOG-3"
    assert not rows["A.5"].decidable and rows["A.5"].why == "not covered: Conduct of the board."
    assert not rows["A.7"].decidable
    assert rows["A.7"].why == "only planned checks: own checks (minutes only planned)"


def test_an_unknown_mapped_control_names_the_file_line_and_criterion(tmp_path: Path) -> None:
    path = write(tmp_path, CRITERIA.replace("amazon-dpp:DPP-ACC-1]", "amazon-dpp:DPP-NOPE-9]", 1))
    with pytest.raises(PolicyError) as caught:
        resolve(load_crosswalk_file(path), date(2026, 9, 30), path)
    line = HEAD.count("\n") + CRITERIA.splitlines().index(
        "    maps_to: [amazon-dpp:DPP-LOG-2, amazon-dpp:DPP-ACC-2, amazon-dpp:DPP-ACC-1]"
    ) + 1
    assert str(caught.value) == (
        f"{path}:{line}: criterion A.3: maps_to amazon-dpp:DPP-NOPE-9: {DPP} has no control 'DPP-NOPE-9'"
    )


def test_an_unknown_catalogue_is_a_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, CRITERIA.replace("amazon-dpp:DPP-ACC-2", "amazon-ppd:DPP-ACC-2", 1))
    with pytest.raises(PolicyError, match=r"1\.yaml:\d+: criterion A\.3: maps_to amazon-ppd:DPP-ACC-2: no catalogue"):
        resolve(load_crosswalk_file(path), None, path)


def test_the_mapped_version_is_the_one_in_force_at_the_period_end(tmp_path: Path) -> None:
    path = write(tmp_path, "  - id: C.1\n    family: A\n    title: Scope\n    maps_to: [amazon-dpp:DPP-SCOPE-1]\n")
    old = resolve(load_crosswalk_file(path), date(2022, 1, 1), path)
    assert [c.ref for c in old.catalogues] == ["amazon-dpp@2021"]
    assert [c.ref for c in resolve(load_crosswalk_file(path), date(2026, 9, 30), path).catalogues] == [DPP]
    # A control the version in force lacks is refused, naming that version.
    with pytest.raises(PolicyError, match="amazon-dpp@2021 has no control 'DPP-LOG-3'"):
        resolve(load_crosswalk_file(write(tmp_path)), date(2022, 1, 1), tmp_path / "1.yaml")


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        (
            "  - id: B.1\n    family: A\n    title: Decided by nothing\n",
            "criteria.0 (criterion B.1): Value error, a criterion needs maps_to and/or checks, or not_covered",
        ),
        (
            "  - id: B.1\n    family: A\n    title: T\n    not_covered: x\n    maps_to: [amazon-dpp:DPP-LOG-2]\n",
            "criteria.0 (criterion B.1): Value error, a not_covered criterion maps to nothing",
        ),
        (
            "  - id: B.1\n    family: A\n    title: T\n    maps_to: [DPP-LOG-2]\n",
            "criteria.0 (criterion B.1): Value error, maps_to 'DPP-LOG-2': write <catalogue id>:<control id>",
        ),
        (
            "  - id: B.1\n    family: Z\n    title: T\n    maps_to: [amazon-dpp:DPP-LOG-2]\n",
            "criterion B.1: family 'Z' is not declared in families",
        ),
        (
            "  - id: B.1\n    family: A\n    title: T\n    not_covered: x\n"
            "  - id: B.1\n    family: A\n    title: U\n    not_covered: y\n",
            "criterion B.1 is listed twice",
        ),
        (
            "  - id: B.1\n    family: A\n    title: T\n    checks:\n"
            "      - {check: document_current, with: {doc_typs: [ir-plan]}, decides: [plan]}\n",
            "criteria.0.checks.0.with.doc_typs (criterion B.1): check document_current has no parameter 'doc_typs'",
        ),
        (
            "  - id: B.1\n    family: A\n    title: T\n    checks:\n"
            "      - {check: document_current, decides: [plan]}\n",
            "criteria.0.checks.0 (criterion B.1): check document_current needs parameter 'doc_types', "
            "which its with: does not give",
        ),
    ],
)
def test_a_malformed_criterion_names_file_and_line(tmp_path: Path, criteria: str, message: str) -> None:
    path = write(tmp_path, criteria)
    with pytest.raises(PolicyError) as caught:
        load_crosswalk_file(path)
    text = str(caught.value)
    assert text.startswith(f"{path}:"), text
    line = int(text[len(str(path)) + 1 :].split(":", 1)[0])
    assert line >= HEAD.count("\n"), text
    assert message in text


@pytest.mark.parametrize("ref", sorted(crosswalk_files()))
def test_every_shipped_crosswalk_loads_and_resolves(ref: str) -> None:
    crosswalk = load_crosswalk(ref)
    assert crosswalk.kind == "crosswalk" and crosswalk.ref == ref
    for day in (None, date(2026, 9, 30)):
        resolved = resolve(crosswalk, day)
        assert {c.ref for c in resolved.catalogues} <= {DPP, "amazon-aup@2025-11"}
    assert any(not c.covered for c in crosswalk.criteria)


def test_crosswalks_are_kept_apart_from_the_catalogues() -> None:
    assert "soc2@2017" in crosswalk_files()
    assert not set(crosswalk_files()) & set(catalogue_files())
    assert "soc2@2017" not in {c.ref for c in all_catalogues()}


def test_a_criterions_own_checks_are_run_on_the_evidence_and_decide_nothing_without_it(tmp_path: Path) -> None:
    own = (
        "  - id: D.1\n    family: A\n    title: An incident plan is kept\n    maps_to: [amazon-dpp:DPP-LOG-2]\n"
        "    checks:\n      - {check: document_current, with: {doc_types: [ir-plan]}, decides: [plan]}\n"
    )
    path = write(tmp_path, own)
    resolved = resolve(load_crosswalk_file(path), date(2026, 9, 30), path)
    period = parse_period("2026-Q3")
    data = EvaluationInput(evidence=[], period=period, as_of=period.end_at)
    [criterion] = roll_up(resolved, EVALUATION, data).results
    # DPP-LOG-2 is met, but no registered ir-plan document decides the criterion's own element.
    assert criterion.status is Status.INSUFFICIENT
    assert criterion.reasons[:2] == [f"DPP-LOG-2 ({DPP}): Met (verified)", "own checks of D.1: Insufficient evidence"]
    assert any("ir-plan" in r for r in criterion.reasons[2:])
