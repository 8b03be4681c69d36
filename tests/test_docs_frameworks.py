"""docs/frameworks.md: the third framework it prints in full is one YAML file that loads and renders.

The block is taken from the doc as a reader would copy it, saved where a framework lives
(``<policies>/<id>/<version>.yaml``), loaded by the same loader as the shipped crosswalks, rolled
up from an evaluation of the real DPP catalogue and rendered to a PDF that is read back.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from evidence.controls.catalogue import load_catalogue
from evidence.controls.crosswalk import coverage, load_crosswalk_file, resolve, roll_up
from evidence.model.assurance import Assurance
from evidence.model.results import Status
from evidence.render.crosswalk import render_crosswalk_attestation
from tests.crosswalk_format import crosswalk_problems
from tests.render.report_builders import evaluation_for, report_set
from tests.support import pdftotext

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "frameworks.md"
DPP = "amazon-dpp@2025-11"


def framework_block() -> str:
    """The one YAML block of the doc that declares a crosswalk."""
    blocks = re.findall(r"^```yaml\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    found = [b for b in blocks if re.search(r"^kind: crosswalk$", b, re.MULTILINE)]
    assert len(found) == 1, "docs/frameworks.md prints exactly one framework in full"
    return str(found[0])


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    """The block saved as <policies>/<id>/<version>.yaml, named from what it declares."""
    text = framework_block()
    data = yaml.safe_load(text)
    path = tmp_path / "policies" / data["id"] / f"{data['version']}.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_doc_shows_how_to_run_and_check_a_framework() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "evidence run --config evidence.toml --catalogue soc2@2017" in text
    assert "evidence policies coverage soc2@2017" in text


def test_the_example_framework_loads_as_one_file(saved: Path) -> None:
    crosswalk = load_crosswalk_file(saved)
    assert (crosswalk.id, crosswalk.version) == (saved.parent.name, saved.stem)
    assert [c.id for c in crosswalk.criteria] == ["EB-A1", "EB-A2", "EB-D1", "EB-D2", "EB-G1"]
    assert crosswalk_problems(yaml.safe_load(saved.read_text(encoding="utf-8")), re.compile(r"EB-[ADG][0-9]")) == []
    # Every way of deciding a criterion is shown: mapped controls, an own check, not covered.
    rows = {r.criterion.id: r for r in coverage(resolve(crosswalk, None, saved))}
    assert rows["EB-A1"].decidable and rows["EB-D2"].decidable
    assert not rows["EB-G1"].decidable and rows["EB-G1"].why == "not covered: Board minutes are not collected."


def test_the_example_framework_rolls_up_and_renders(saved: Path, tmp_path: Path) -> None:
    crosswalk = load_crosswalk_file(saved)
    dpp = load_catalogue(DPP)
    evaluation, evidence = evaluation_for([dpp], 1, status_of=lambda _: Status.MET)
    # Everything met and observed, except the leavers' control: proven not met.
    results = [
        r.model_copy(update={"status": Status.NOT_MET, "assurance": None})
        if r.control_id == "DPP-ACC-3"
        else r.model_copy(update={"assurance": Assurance.OBSERVED})
        for r in evaluation.results
    ]
    evaluation = evaluation.model_copy(update={"results": results})
    rolled = roll_up(resolve(crosswalk, date(2026, 9, 30), saved), evaluation)
    by_id = {r.criterion_id: r for r in rolled.results}
    assert by_id["EB-A1"].status is Status.MET and by_id["EB-A1"].assurance is Assurance.OBSERVED
    assert by_id["EB-A2"].status is Status.NOT_MET
    assert by_id["EB-A2"].reasons == [f"DPP-ACC-3 ({DPP}): Not met"]
    # Its own check was not run (no evidence passed to the roll-up): never met on nothing.
    assert by_id["EB-D2"].status is Status.INSUFFICIENT
    assert by_id["EB-G1"].status is None and by_id["EB-G1"].status_label == "Not covered"

    data = report_set(catalogues=[dpp], evaluation=(evaluation, evidence))
    target = tmp_path / "out" / "attestation-example-baseline-1-2026-Q3.pdf"
    target.parent.mkdir()
    render_crosswalk_attestation(data, crosswalk, rolled, target)
    text = " ".join(pdftotext(target).split())
    assert "Example security baseline for small sellers' tools" in text
    for criterion in crosswalk.criteria:
        assert criterion.id in text
    assert "Board minutes are not collected." in text
