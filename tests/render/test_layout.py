"""Layout that cannot break, on every report of the demo and of a large synthetic case.

Three looks at each report: WeasyPrint's layout tree (nothing outside the page or its cell, no
table without rows, running headers naming the page's section), the printed pages as PNG (no
ink in the side margins), and the text of the faults once found in the demo's reports.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from layout_audit import audit
from pdf_readers import page_text, pdfinfo_pages, pdftotext
from PIL import Image
from report_builders import evaluation_for, report_set

from evidence import pipeline
from evidence.config import load_config
from evidence.controls.catalogue import load_catalogue
from evidence.pipeline import review as pipeline_review
from evidence.render.pdf import render_document, write_pdf
from evidence.render.quarterly import prepare_quarterly
from evidence.render.report_set import prepare_report_set
from tests.conftest import Demo

pytestmark = pytest.mark.slow

DPP = "attestation-amazon-dpp-2025-11-2026-Q3.pdf"
AUP = "attestation-amazon-aup-2025-11-2026-Q3.pdf"
REPORTS = [DPP, AUP, "gap-report-2026-Q3.pdf", "profile-answers-2026-Q3.pdf"]
QUARTERLY = "quarterly-review-2026-Q3.pdf"
#: Dates of the quarterly PDFs written here (their content is what is checked, not their dates).
CREATED = datetime(2026, 10, 2, tzinfo=UTC)
#: A4 side margins of report.css (18 mm), less 1 mm of slack for anti-aliasing.
SIDE_MARGIN_MM = 17.0

#: Words no line can hold: an ARN, a path, a SHA-256 run together, as real evidence has them.
LONG_TOKEN = (
    "arn:aws:iam::111122223333:role/service-role/parcelpilot-label-renderer-"
    + "0123456789abcdef" * 6
)


@pytest.fixture(scope="session")
def demo_html(demo: Demo) -> dict[str, str]:
    """The HTML of every report of the demo run, from its store, as `evidence report` renders it."""
    config = load_config(demo.root / "evidence.toml")
    timing = pipeline.resolve_timing(config, None, None)
    store = pipeline.open_store(config)
    try:
        run = pipeline.latest_run(store, timing)
        found = store.latest_evaluation(run.id)
        assert found is not None
        evidence = store.evidence(run.id)
    finally:
        store.close()
    data = pipeline.report_set_data(config, run, found[1], evidence)
    html = {m.path.name: m.report.html() for m in prepare_report_set(data, demo.out)}
    html[QUARTERLY] = prepare_quarterly(pipeline_review.quarterly_data(config, timing)).html()
    return html


@pytest.fixture(scope="session")
def demo_quarterly(demo_html: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's quarterly review written to PDF once, for the tests that read it (read-only)."""
    target = tmp_path_factory.mktemp("layout-quarterly") / QUARTERLY
    write_pdf(demo_html[QUARTERLY], target, identifier="layout", created=CREATED)
    return target


@pytest.fixture(scope="module")
def synthetic_html() -> dict[str, str]:
    """Every DPP and AUP control decided by 15 evidence items, with unbreakable words everywhere."""
    catalogues = [load_catalogue("amazon-dpp@2025-11"), load_catalogue("amazon-aup@2025-11")]
    evaluation = evaluation_for(
        catalogues, 15, reason=lambda cid, n: f"{n} items for {cid} name {LONG_TOKEN} as the cause"
    )
    owners = {f.id: f"Owner of {f.id} {LONG_TOKEN[:60]}" for c in catalogues for f in c.families}
    data = report_set(catalogues=catalogues, evaluation=evaluation, owners=owners)
    return {m.path.name: m.report.html() for m in prepare_report_set(data, Path("."))}


@pytest.mark.parametrize("name", [*REPORTS, QUARTERLY])
def test_demo_reports_have_no_layout_fault(demo_html: dict[str, str], name: str) -> None:
    faults = audit(render_document(demo_html[name]))
    assert [str(f) for f in faults] == []


@pytest.mark.parametrize("name", REPORTS)
def test_large_synthetic_reports_with_unbreakable_words_have_no_layout_fault(
    synthetic_html: dict[str, str], name: str
) -> None:
    document = render_document(synthetic_html[name])
    assert len(document.pages) > 3
    assert [str(f) for f in audit(document)] == []


def test_no_printed_page_has_ink_in_its_side_margins(demo: Demo, demo_quarterly: Path, tmp_path: Path) -> None:
    quarterly = demo_quarterly
    for pdf in [*(demo.out / name for name in REPORTS), quarterly]:
        pages = _pngs(pdf, tmp_path / pdf.stem)
        assert len(pages) == pdfinfo_pages(pdf)
        for number, image in enumerate(pages, start=1):
            assert _side_margin_ink(image) == (0, 0), f"{pdf.name} page {number}"


def test_the_faults_found_in_the_demo_reports_are_gone(demo: Demo) -> None:
    dpp = pdftotext(demo.out / DPP)
    # The key table: the key spec no longer runs into the rotation column.
    assert "SYMMETRIC_DEFAULT" in dpp
    assert not re.search(r"SYMMETRIC_DEFAULT(OFF|on|/)", dpp)
    # The encryption finding is printed whole, never cut at "vol-0a1b2c3d4e5f60718 in...".
    flat = " ".join(dpp.split())
    assert "in..." not in flat
    # It is printed once, whole, among the findings several controls share; the encryption
    # settings refer to it.
    at_rest = next(o for o in demo.result_of("DPP-ENC-2")["outcomes"] if o["check"] == "storage_encrypted")
    shared = _page_with(demo.out / DPP, "One check's finding that decides more than one control")
    shown = " ".join(page_text(demo.out / DPP, shared, "-raw").split())
    shown += " " + " ".join(page_text(demo.out / DPP, shared + 1, "-raw").split())
    assert " ".join(at_rest["reasons"][0].split()) in shown
    encryption = _page_with(demo.out / DPP, "Encryption settings")
    assert re.search(r"DPP-ENC-2\s+NOT MET\s+Finding S\d+", page_text(demo.out / DPP, encryption))
    # The access heatmap names each source in full and dates its axis.
    access = page_text(demo.out / DPP, _page_with(demo.out / DPP, "Log source (channel)"))
    assert "admin-dashboard-audit" in access
    assert "(application)" in access
    assert not re.search(r"\(applicati\s*$", access, re.MULTILINE)
    assert "Day of the review period (UTC)" in access
    assert re.search(r"2026-0[789]-01", access)
    # The AUP has no access or logging control: no empty table of them.
    aup = " ".join(pdftotext(demo.out / AUP).split())
    assert "Access and logging controls" not in aup
    assert "Access and logging" in aup  # the topic itself is there, from the logs collected


def test_running_headers_name_the_control_each_page_is_in(demo: Demo) -> None:
    """A page's header names the control the page begins in.

    That is the one continuing from the page before, or the one whose block opens the page:
    controls follow one another on the page.
    """
    path = demo.out / DPP
    current = None
    checked = 0
    start = re.compile(
        r"^\s*(DPP-[A-Z0-9]+-\d+)(?: · amazon-dpp@2025-11 §| .* · set out in the body)", re.MULTILINE
    )
    parts = re.compile(
        r"^\s*(Controls not met|Points to confirm against the live policy|Sign-off|Appendices"
        r"|Appendix B: every control in detail|Appendix C: evidence items)\s*$",
        re.MULTILINE,
    )
    for page in range(1, pdfinfo_pages(path) + 1):
        text = page_text(path, page)
        header = text.splitlines()[0] if text.strip() else ""
        starts = start.findall(text)
        lines = [line for line in text.splitlines()[1:] if line.strip()]
        first_line = lines[0] if lines else ""
        opening = start.match(first_line)
        if not parts.match(first_line) and (current or opening):
            allowed = [c for c in (current, opening[1] if opening else None, *starts[:1]) if c]
            assert any(header.rstrip().endswith(c) for c in allowed), f"page {page}: {header!r}, in {allowed}"
            checked += 1
        if starts:
            current = starts[-1]
        found = parts.findall(text)
        if found and (not starts or text.rfind(found[-1]) > text.rfind(starts[-1])):
            current = None
    assert checked > 15


def test_quarterly_review_header_is_one_sentence(demo_quarterly: Path) -> None:
    target = demo_quarterly
    header = page_text(target, 2).splitlines()[0]
    assert "Quarterly security review · 2026-Q3 · Fennel & Finch Commerce Ltd" in header
    assert "2026-Q3Fennel" not in pdftotext(target)


def _pngs(pdf: Path, prefix: Path) -> list[Image.Image]:
    """Every page as a greyscale PNG at 40 dpi (pdftoppm)."""
    prefix.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", str(pdf), str(prefix / "p")], check=True)
    return [Image.open(p) for p in sorted(prefix.glob("p-*.png"))]


def _side_margin_ink(image: Image.Image) -> tuple[int, int]:
    """Dark pixels in the left and right margin strips of a page image."""
    width, height = image.size
    strip = round(SIDE_MARGIN_MM / 210 * width)
    left = image.crop((0, 0, strip, height))
    right = image.crop((width - strip, 0, width, height))
    return (sum(left.histogram()[:160]), sum(right.histogram()[:160]))


def _page_with(path: Path, text: str) -> int:
    for page in range(1, pdfinfo_pages(path) + 1):
        if text in page_text(path, page):
            return page
    raise AssertionError(f"no page of {path.name} shows {text!r}")
