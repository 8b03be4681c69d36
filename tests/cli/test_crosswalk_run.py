"""`evidence run --catalogue soc2@2017` on the demo: a crosswalk attestation from the same evaluation.

The statuses are checked against the rule, not against a list: whatever criteria
policies/soc2/2017.yaml holds, each one mapped only to met DPP controls is met, each one mapped
to a not-met control is not met, and each not-covered one is listed as such and never met.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog

from evidence.controls.crosswalk import load_crosswalk
from tests.support import SAMPLES, pdftotext, run_cli

pytestmark = pytest.mark.slow

PDF = "attestation-soc2-2017-2026-Q3.pdf"
ISO_PDF = "attestation-iso27001-2022-2026-Q3.pdf"
FRAMEWORKS = [("soc2@2017", PDF), ("iso27001@2022", ISO_PDF)]


@pytest.fixture(scope="module")
def crosswalk_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One demo run with --catalogue soc2@2017 and iso27001@2022, shared by the tests of this module."""
    root = tmp_path_factory.mktemp("crosswalk") / "samples"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns(".evidence", "out", ".demo-keys"))
    done = run_cli(
        "run", "--config", root / "evidence.toml", "--out", root / "out", "--json",
        "--catalogue", "soc2@2017", "--catalogue", "iso27001@2022", cwd=root, timeout=900,
    )
    assert done.code == 3, done.stderr
    return root, json.loads(done.stdout)


def rolled_up(pdf: Path) -> dict[str, Any]:
    """The criteria roll-up embedded in the crosswalk attestation."""
    attachments = PdfReader(pdf).attachments
    assert set(attachments) == {"criteria-roll-up.json", "evidence-facts.csv"}
    parsed: dict[str, Any] = json.loads(attachments["criteria-roll-up.json"][0])
    return parsed


@pytest.mark.parametrize(("framework", "pdf"), FRAMEWORKS)
def test_criteria_follow_the_statuses_of_the_dpp_controls_they_map_to(
    crosswalk_run: tuple[Path, dict], framework: str, pdf: str
) -> None:
    root, document = crosswalk_run
    statuses = {(r["catalogue"], r["control_id"]): r["status"] for r in document["results"]}
    report = rolled_up(root / "out" / pdf)
    assert report["crosswalk"] == framework
    assert "amazon-dpp@2025-11" in report["catalogues"]
    seen = {"met": 0, "not_met": 0, "not_covered": 0}
    for criterion in report["results"]:
        mapped = [statuses[(m["catalogue"], m["control_id"])] for m in criterion["mapped"]]
        assert [m["status"] for m in criterion["mapped"]] == mapped
        if criterion["not_covered"] is not None:
            assert criterion["status"] is None and not criterion["mapped"]
            seen["not_covered"] += 1
        elif "not_met" in mapped:
            assert criterion["status"] == "not_met", criterion
            seen["not_met"] += 1
        elif mapped and all(s == "met" for s in mapped) and not criterion["reasons"][len(mapped):]:
            assert criterion["status"] == "met", criterion
            seen["met"] += 1
        else:
            assert criterion["status"] != "met" or all(s == "met" for s in mapped), criterion
        if criterion["status"] == "met":
            evidence = {e for m in criterion["mapped"] for e in m["evidence_ids"]}
            assert evidence <= set(criterion["evidence_ids"])
    assert all(seen.values()), seen  # the demo exercises each rule at least once


@pytest.mark.parametrize("name", [PDF, ISO_PDF])
def test_the_attestation_lists_not_covered_criteria_apart_and_never_as_met(
    crosswalk_run: tuple[Path, dict], name: str
) -> None:
    root, _ = crosswalk_run
    pdf = root / "out" / name
    report = rolled_up(pdf)
    text = pdftotext(pdf)
    head, _, tail = text.partition("\nNot covered\n")
    assert tail, "the attestation has no Not covered section"
    uncovered = [c for c in report["results"] if c["status"] is None]
    for criterion in uncovered:
        assert criterion["criterion_id"] in tail.split("\nEvidence cited\n")[0]
    covered = [c for c in report["results"] if c["status"] is not None]
    for criterion in covered:
        assert criterion["criterion_id"] in head
    counts = text.split("Criteria by status", 1)[1]
    assert f"Not covered by the collected evidence {len(uncovered)}" in " ".join(counts.split())
    met = sum(1 for c in covered if c["status"] == "met")
    assert f"Met {met}" in " ".join(counts.split())
    assert len(PdfReader(pdf).pages) >= 3


def test_run_json_carries_each_crosswalk_roll_up_as_the_attestation_embeds_it(
    crosswalk_run: tuple[Path, dict]
) -> None:
    root, document = crosswalk_run
    by_name = {c["crosswalk"]: c for c in document["crosswalks"]}
    assert sorted(by_name) == ["iso27001@2022", "soc2@2017"]
    for framework, pdf in FRAMEWORKS:
        assert by_name[framework]["results"] == rolled_up(root / "out" / pdf)["results"]


def test_the_run_records_the_crosswalk_report_beside_the_set(crosswalk_run: tuple[Path, dict]) -> None:
    root, document = crosswalk_run
    names = sorted(p.name for p in (root / "out").glob("*.pdf"))
    assert PDF in names
    assert ISO_PDF in names
    assert "attestation-amazon-dpp-2025-11-2026-Q3.pdf" in names
    # The crosswalk's statuses never enter the stored evaluation of the controls.
    assert {r["catalogue"] for r in document["results"]} == {"amazon-dpp@2025-11", "amazon-aup@2025-11"}


def test_a_crosswalk_in_the_config_is_reported_from_the_stored_run(crosswalk_run: tuple[Path, dict]) -> None:
    root, _ = crosswalk_run
    config = root / "evidence.toml"
    text = config.read_text(encoding="utf-8")
    old = 'catalogues = ["amazon-dpp@2025-11", "amazon-aup@2025-11"]'
    assert old in text
    second = root / "with-soc2.toml"
    second.write_text(text.replace(old, old[:-1] + ', "soc2@2017"]'), encoding="utf-8")
    first = rolled_up(root / "out" / PDF)
    # Into the same folder: the pack then holds one attestation per name (the newest).
    done = run_cli("report", "--config", second, "--out", root / "out", "--only", "soc2", "--json", cwd=root)
    assert done.code == 0, done.stderr
    assert [Path(r["path"]).name for r in json.loads(done.stdout)] == [PDF]
    again = rolled_up(root / "out" / PDF)
    assert again["run"] == first["run"]  # the same run, nothing collected again
    assert again["results"] == first["results"]


def test_the_auditor_pack_holds_the_crosswalk_as_oscal(crosswalk_run: tuple[Path, dict]) -> None:
    root, _ = crosswalk_run
    config = root / "with-soc2.toml"
    text = (root / "evidence.toml").read_text(encoding="utf-8")
    old = 'catalogues = ["amazon-dpp@2025-11", "amazon-aup@2025-11"]'
    config.write_text(text.replace(old, old[:-1] + ', "soc2@2017"]'), encoding="utf-8")
    done = run_cli("pack", "--config", config, "--out", root / "pack.zip", cwd=root)
    assert done.code == 0, done.stderr
    with zipfile.ZipFile(root / "pack.zip") as archive:
        catalog = json.loads(archive.read("oscal/catalog-soc2-2017.json"))
        results = json.loads(archive.read("oscal/assessment-results-soc2-2017.json"))
        names = archive.namelist()
    assert "oscal/catalog-amazon-dpp-2025-11.json" in names and "oscal/assessment-results.json" in names
    loaded = Catalog.model_validate_json(json.dumps(catalog["catalog"]), strict=True)
    ids = {c.id for g in loaded.groups or [] for c in g.controls or []}
    assert ids == {c.id for c in load_crosswalk("soc2@2017").criteria}
    AssessmentResults.model_validate_json(json.dumps(results["assessment-results"]), strict=True)
    [result] = results["assessment-results"]["results"]
    statuses = {
        f["target"]["target-id"]: {p["name"]: p["value"] for p in f["props"]}["status"] for f in result["findings"]
    }
    rolled = rolled_up(root / "out" / PDF)
    assert statuses == {f"{r['criterion_id']}_smt": r["status"] or "not_covered" for r in rolled["results"]}
    verified = run_cli("verify", root / "pack.zip")
    assert verified.code == 0, verified.stdout + verified.stderr


def test_coverage_lists_what_the_evidence_can_and_cannot_decide() -> None:
    done = run_cli("policies", "coverage", "soc2@2017", "--json")
    assert done.code == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["framework"] == "soc2@2017"
    assert report["decidable"] and report["undecidable"]
    assert len(report["decidable"]) + len(report["undecidable"]) == report["criteria"]
    assert all(c["maps_to"] or c["checks"] for c in report["decidable"])
    assert all(c["not_covered"] is None for c in report["decidable"])
    assert all(c["why"].startswith(("not covered: ", "only planned checks: ")) for c in report["undecidable"])
    table = run_cli("policies", "coverage", "soc2")
    assert table.code == 0 and "Cannot be decided" in table.stdout, table.stderr
    listed = {entry["ref"]: entry for entry in json.loads(run_cli("policies", "list", "--json").stdout)}
    assert listed["soc2@2017"]["kind"] == "crosswalk"
    assert listed["soc2@2017"]["criteria"] == report["criteria"]
    assert listed["amazon-dpp@2025-11"]["kind"] == "catalogue"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("amazon-dpp", "--catalogue amazon-dpp: not a crosswalk framework"),
        ("soc2@1999", "no crosswalk 'soc2@1999'"),
    ],
)
def test_a_catalogue_that_is_no_crosswalk_is_refused_before_collecting(
    samples: Path, ref: str, message: str
) -> None:
    done = run_cli("run", "--config", samples / "evidence.toml", "--out", samples / "out", "--catalogue", ref)
    assert done.code == 2
    assert message in " ".join(done.stderr.split())
    assert not (samples / ".evidence").exists()
