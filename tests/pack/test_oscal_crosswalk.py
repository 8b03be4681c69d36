"""OSCAL for a crosswalk framework, checked by compliance-trestle: catalog and assessment results."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog

from evidence.controls.catalogue import load_catalogue
from evidence.controls.crosswalk import load_crosswalk_file, resolve, roll_up
from evidence.model.assurance import Assurance
from evidence.model.results import ControlResult, Evaluation, Status
from evidence.pack.oscal_crosswalk import crosswalk_catalog_document, crosswalk_results_document
from tests.render.report_builders import PERIOD, run_info

FRAMEWORK = """\
schema_version: 1
id: testfw
version: "2022"
kind: crosswalk
title: A test framework
effective: 2022-10-25
status: current
summary: Test criteria.
source_note: Our own words.
families:
  - {id: A.8, title: Technological controls}
  - {id: CC6, title: Access}
criteria:
  - id: A.8.24
    family: A.8
    title: Cryptography is used as planned
    maps_to: [amazon-dpp:DPP-LOG-2]
  - id: CC6.1
    family: CC6
    title: Access is restricted
    maps_to: [amazon-dpp:DPP-LOG-2, amazon-dpp:DPP-ACC-2]
    note: Judged from the access review and log retention.
  - id: CC1.1
    family: CC6
    title: Integrity and ethics
    not_covered: Conduct of the board.
"""


def documents(tmp_path: Path) -> tuple[dict, dict]:
    path = tmp_path / "2022.yaml"
    path.write_text(FRAMEWORK, encoding="utf-8")
    crosswalk = load_crosswalk_file(path)
    dpp = load_catalogue("amazon-dpp@2025-11")
    run = run_info([dpp])
    evaluation = Evaluation(
        as_of=PERIOD.end_at,
        catalogues=[dpp.ref],
        results=[
            ControlResult(control_id="DPP-LOG-2", catalogue=dpp.ref, status=Status.MET, assurance=Assurance.OBSERVED),
            ControlResult(control_id="DPP-ACC-2", catalogue=dpp.ref, status=Status.NOT_MET),
        ],
    )
    rolled = roll_up(resolve(crosswalk, date(2026, 9, 30), path), evaluation)
    catalog = crosswalk_catalog_document(crosswalk)
    results = crosswalk_results_document(run, evaluation.as_of, crosswalk, rolled, "test")
    return catalog, results


def test_the_crosswalk_catalog_loads_strictly_with_its_criteria(tmp_path: Path) -> None:
    catalog, _ = documents(tmp_path)
    loaded = Catalog.model_validate_json(json.dumps(catalog["catalog"]), strict=True)
    controls = {c.id: c for g in loaded.groups or [] for c in g.controls or []}
    assert set(controls) == {"A.8.24", "CC6.1", "CC1.1"}
    assert [g.id for g in loaded.groups or []] == ["A.8", "CC6"]
    maps = [p.value for p in controls["CC6.1"].props or [] if p.name == "maps-to"]
    assert maps == ["amazon-dpp:DPP-LOG-2", "amazon-dpp:DPP-ACC-2"]
    statement = next(p for p in controls["CC1.1"].parts or [] if p.id == "CC1.1_smt")
    assert statement.prose == "Not covered: Conduct of the board."


def test_the_crosswalk_results_give_each_criterion_its_status(tmp_path: Path) -> None:
    _, results = documents(tmp_path)
    AssessmentResults.model_validate_json(json.dumps(results["assessment-results"]), strict=True)
    [result] = results["assessment-results"]["results"]
    findings = {
        f["target"]["target-id"]: (
            {p["name"]: p["value"] for p in f["props"]}["status"],
            f["target"]["status"]["state"],
            f["target"]["status"].get("reason"),
        )
        for f in result["findings"]
    }
    assert findings == {
        "A.8.24_smt": ("met", "satisfied", "pass"),
        "CC6.1_smt": ("not_met", "not-satisfied", "fail"),
        "CC1.1_smt": ("not_covered", "not-satisfied", "other"),
    }
    # The same roll-up always gives the same document.
    assert documents(tmp_path)[1] == results
