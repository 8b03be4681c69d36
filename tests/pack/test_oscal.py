"""OSCAL export, checked by compliance-trestle, an independent implementation of NIST's models.

Every file loads strictly, the findings are the evaluation's statuses, and the same run always
gives the same files.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog
from trestle.oscal.poam import PlanOfActionAndMilestones

from evidence.controls.catalogue import load_catalogue
from tests.pack.conftest import Packed, cli, read_members
from tests.support import pdftotext

MODELS = {
    "catalog": Catalog,
    "assessment-results": AssessmentResults,
    "plan-of-action-and-milestones": PlanOfActionAndMilestones,
}


@pytest.fixture(scope="module")
def oscal_dir(packed: Packed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("oscal")
    with zipfile.ZipFile(packed.signed) as archive:
        for name in archive.namelist():
            if name.startswith("oscal/"):
                archive.extract(name, folder)
    return folder / "oscal"


def test_every_oscal_file_loads_strictly_with_trestle(oscal_dir: Path) -> None:
    files = sorted(oscal_dir.glob("*.json"))
    assert [f.name for f in files] == [
        "assessment-results.json",
        "catalog-amazon-aup-2025-11.json",
        "catalog-amazon-dpp-2025-11.json",
        "poam.json",
    ]
    for path in files:
        document = json.loads(path.read_text())
        [(root, body)] = document.items()
        model = MODELS[root]
        # oscal_read: trestle's own reader; then pydantic strict mode on the JSON text.
        assert model.oscal_read(path) is not None
        loaded = model.model_validate_json(json.dumps(body), strict=True)
        assert loaded.metadata.oscal_version.root.root == "1.1.3"


def test_catalogs_carry_every_control_with_its_statement_and_parameters(oscal_dir: Path) -> None:
    catalogue = load_catalogue("amazon-dpp@2025-11")
    catalog = Catalog.oscal_read(oscal_dir / "catalog-amazon-dpp-2025-11.json")
    assert catalog is not None
    controls = {c.id: c for g in catalog.groups or [] for c in g.controls or []}
    assert set(controls) == {c.id for c in catalogue.controls}
    retention = controls["DPP-RET-1"]
    assert retention.title == "Delete PII no later than 30 days after order delivery"
    params = {p.id: p.values for p in retention.params or []}
    assert params["DPP-RET-1_prm_pii_retention_days"] == ["30"]
    statement = next(p for p in retention.parts or [] if p.id == "DPP-RET-1_smt")
    assert statement.prose is not None
    assert "30 days after the order is delivered" in statement.prose


def test_findings_match_the_evaluation_the_attestation_shows(
    packed: Packed, oscal_dir: Path
) -> None:
    document = json.loads((oscal_dir / "assessment-results.json").read_text())
    AssessmentResults.model_validate_json(json.dumps(document["assessment-results"]), strict=True)
    [result] = document["assessment-results"]["results"]
    observations = {o["uuid"]: o for o in result["observations"]}
    shown = {(r["catalogue"], r["control_id"]): r for r in packed.run_json["results"]}  # type: ignore[index]
    assert len(result["findings"]) == len(shown)
    states = {
        "met": ("satisfied", "pass"),
        "not_met": ("not-satisfied", "fail"),
        "insufficient_evidence": ("not-satisfied", "other"),
    }
    for finding in result["findings"]:
        props = {p["name"]: p["value"] for p in finding["props"]}
        control_id = finding["target"]["target-id"].removesuffix("_smt")
        expected = shown[(props["catalogue"], control_id)]
        assert props["status"] == expected["status"]
        observed = observations[finding["related-observations"][0]["observation-uuid"]]
        observation_props = {p["name"]: p["value"] for p in observed["props"]}
        if expected["status"] == "met":
            assert observation_props["assurance"] == expected["assurance"]
        status = finding["target"]["status"]
        assert (status["state"], status["reason"]) == states[expected["status"]]
        [related] = finding["related-observations"]
        observation = observations[related["observation-uuid"]]
        cited = [p["value"] for e in observation.get("relevant-evidence", []) for p in e["props"]]
        assert cited == expected["evidence_ids"]
        assert observation["description"].split("\n") == expected["reasons"]
    # The attestation PDF's summary table shows the same status for every DPP control.
    pdf = next((packed.root / "out").glob("attestation-amazon-dpp-*.pdf"))
    text = pdftotext(pdf)
    start = text.index("Every control with its status")
    tables = text[start : re.search(r"^\s*Gaps and plan of action\s*$", text[start:], re.MULTILINE).end() + start]  # type: ignore[union-attr]
    in_pdf = {
        match[1]: "met" if match[2].startswith("MET ") else match[2].lower().replace(" ", "_")
        for match in re.finditer(SUMMARY_ROW, tables, flags=re.MULTILINE)
    }
    in_oscal = {
        finding["target"]["target-id"].removesuffix("_smt"): _status(finding)
        for finding in result["findings"]
        if finding["target"]["target-id"].startswith("DPP-")
    }
    assert len(in_pdf) == len(load_catalogue("amazon-dpp@2025-11").controls)
    assert in_pdf == in_oscal


# A row of a family table: control, title, status, assurance, reason, evidence.
SUMMARY_ROW = (
    r"^\s*(DPP-[A-Z0-9]+-\d+)\s.*?\s{2,}"
    r"(MET \(VERIFIED\)|MET ON ATTESTATION|NOT MET|INSUFFICIENT EVIDENCE|WAIVED|NOT APPLICABLE)(?:\s{2,}|\s*$)"
)


def _status(finding: dict[str, object]) -> str:
    props = {p["name"]: p["value"] for p in finding["props"]}  # type: ignore[attr-defined]
    return str(props["status"])


def test_the_poam_lists_exactly_the_gaps(packed: Packed, oscal_dir: Path) -> None:
    poam = PlanOfActionAndMilestones.oscal_read(oscal_dir / "poam.json")
    assert poam is not None
    gaps = {
        r["control_id"]
        for r in packed.run_json["results"]  # type: ignore[union-attr]
        if r["status"] in ("not_met", "insufficient_evidence", "waived")
    }
    titles = {item.title.split(":")[0] for item in poam.poam_items}
    assert titles == gaps
    risks = {r.uuid for r in poam.risks or []}
    assert all(
        item.related_risks and item.related_risks[0].risk_uuid in risks for item in poam.poam_items
    )


def test_the_same_run_exports_the_same_files(packed: Packed, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    made = cli("pack", "--config", packed.config, "--out", again, process=True)  # another process
    assert made.code == 0, made.stderr
    first, second = read_members(packed.signed), read_members(again)
    assert {n: v for n, v in first.items() if n.startswith("oscal/")} == {
        n: v for n, v in second.items() if n.startswith("oscal/")
    }
    # RSA PKCS#1 v1.5 signatures are deterministic too: the whole pack is byte-identical.
    assert again.read_bytes() == packed.signed.read_bytes()
