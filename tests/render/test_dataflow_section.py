from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidence.collectors.dataflow.gaps import ACCESS_CROSSCHECK, PARTIES, STORES, Gap
from evidence.controls.catalogue import load_catalogue
from evidence.model.results import CheckOutcome, ControlResult, Status
from evidence.render.charts import CHARTS
from evidence.render.html import environment
from tests.conftest import Demo
from tests.dataflow_support import observed
from tests.support import pdftotext

SECTION = "sections/60-dataflow.html.j2"


def render_section(**context: Any) -> str:
    return environment().get_template(SECTION).render(charts=CHARTS, **context)


def test_section_renders_nothing_without_a_data_map() -> None:
    assert render_section(evidence_by_kind={}, sections=[]).strip() == ""


def test_crosscheck_findings_are_listed_once_and_escaped() -> None:
    finding = {
        "aspect": "encryption",
        "declared": "d",
        "observed": "o",
        "finding": "store <b>x</b> is not encrypted",
    }
    result = ControlResult(
        control_id="DPP-ENC-2",
        catalogue="amazon-dpp@2025-11",
        status=Status.NOT_MET,
        outcomes=[
            CheckOutcome(
                check="dataflow_crosscheck", status=Status.NOT_MET, detail={"findings": [finding]}
            )
        ],
    )
    item = _minimal_item()
    html = render_section(
        evidence_by_kind={"dataflow.map": [item]}, sections=[{"result": result}, {"result": result}]
    )
    assert html.count("store &lt;b&gt;x&lt;/b&gt; is not encrypted") == 1
    assert "<b>x</b>" not in html


@pytest.mark.parametrize(
    ("catalogue", "expected"),
    [
        (
            "amazon-dpp@2025-11",
            [
                "store s: backups, needed for DPP-RET-1, DPP-ENC-2: backups of PII are encrypted",
                "third party v: contract, needed for DPP-3P-1: a contract (DPA) before PII is shared",
                "map: roles, needed for DPP-ACC-6: who may access the PII stores",
                "store s: region, needed for where PII is kept",
            ],
        ),
        (
            "amazon-aup@2025-11",
            [
                "store s: backups, needed for backups of PII are encrypted",
                "third party v: contract, needed for AUP-PII-1, AUP-SHARE-1: a contract (DPA) before PII",
            ],
        ),
    ],
)
def test_a_gap_names_the_controls_of_the_report_that_run_the_checks_it_feeds(
    catalogue: str, expected: list[str]
) -> None:
    # The collector names checks, never controls: the catalogue being reported supplies the ids.
    gaps = [
        Gap("store s", "backups", "backups of PII are encrypted", STORES),
        Gap("third party v", "contract", "a contract (DPA) before PII is shared", PARTIES),
        Gap("map", "roles", "who may access the PII stores", ACCESS_CROSSCHECK),
        Gap("store s", "region", "where PII is kept"),
    ]
    sections = [
        {"control": c, "result": ControlResult(control_id=c.id, catalogue=catalogue, status=Status.MET)}
        for c in load_catalogue(catalogue).controls
    ]
    html = render_section(evidence_by_kind={"dataflow.map": [_minimal_item(gaps)]}, sections=sections)
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    for line in expected:
        assert line in text


def _minimal_item(gaps: list[Gap] | None = None) -> Any:
    facts = {
        "map": "M",
        "format": "native",
        "owner": None,
        "updated": None,
        "counts": {
            "systems": 1,
            "stores": 0,
            "pii_stores": 0,
            "flows": 0,
            "pii_flows": 0,
            "third_parties": 0,
            "roles": 0,
            "gaps": len(gaps or []),
        },
        "systems": [{"id": "a", "name": "A", "kind": None, "zone": None, "device": False}],
        "stores": [],
        "flows": [],
        "third_parties": [],
        "roles": [],
        "out_of_scope": [],
        "gaps": [g.as_fact() for g in gaps or []],
        "notes": [],
    }
    return observed("dataflow.map", facts, source="data-map", collector="dataflow")


def _page_with(pdf: Path, marker: str) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"Pages:\s+(\d+)", info)
    assert found, "pdfinfo reports the page count"
    pages = int(found[1])
    for page in range(1, pages + 1):
        if marker in pdftotext(pdf, "-f", str(page), "-l", str(page)):
            return page
    raise AssertionError(f"no page of {pdf.name} contains {marker!r}")


def _word_top(pdf: Path, page: int, word: str) -> float:
    """Top of the first occurrence of ``word`` on ``page``, as a fraction of the page height."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html)[1])  # type: ignore[index]
    match = re.search(
        rf'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">'
        rf"{re.escape(word)}</word>",
        html,
    )
    assert match, f"{word!r} not on page {page}"
    return float(match[1]) / height


def _grey_pixels(pdf: Path, page: int, out: Path) -> tuple[int, int, bytes]:
    """Render the page as 8-bit grey pixels (PGM from pdftoppm): width, height, data."""
    prefix = out / "page"
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "60", "-f", str(page), "-l", str(page), str(pdf), str(prefix)],
        check=True,
    )
    (image,) = list(out.glob("page*.pgm"))
    data = image.read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert header, "pdftoppm -gray writes binary PGM"
    width, height = int(header[1]), int(header[2])
    return width, height, data[header.end() :]


@pytest.mark.slow
def test_demo_attestation_shows_the_data_flow_diagram(demo: Demo, tmp_path: Path) -> None:
    samples = demo.root
    pdf = demo.dpp
    page = _page_with(pdf, "Data flows: ParcelPilot data map")
    text = " ".join(pdftotext(pdf, "-f", str(page), "-l", str(page)).split())
    sample = yaml.safe_load((samples / "dataflow" / "parcelpilot.yaml").read_text(encoding="utf-8"))
    for node in [*sample["systems"], *sample["stores"], *sample["third_parties"]]:
        assert node["name"] in text, f"{node['name']!r} is not text on the diagram page"

    # The diagram lies between the section heading and the legend below it: it must be drawn.
    top, bottom = _word_top(pdf, page, "ParcelPilot"), _word_top(pdf, page, "flow")
    width, height, pixels = _grey_pixels(pdf, page, tmp_path)
    rows = range(int(top * height) + 12, int(bottom * height) - 2)
    region = bytes(pixels[row * width + col] for row in rows for col in range(width))
    inked = sum(1 for value in region if value < 200)
    assert len(rows) > height // 4, "the diagram takes a good part of the page"
    assert 0.02 < inked / len(region) < 0.5, (
        f"diagram area looks blank or black: {inked} of {len(region)} pixels inked"
    )

    # The sample map's overdue reassessment shows up in DPP-3P-1 as a recommendation (the
    # yearly figure is uncertain, so it does not fail the control).
    summary = " ".join(pdftotext(pdf).split())
    assert "LedgerLoop Tax Ltd" in summary
    assert "last assessed 2025-06-18, 469 days before 2026-09-30, over the recommended 365 days" in summary
