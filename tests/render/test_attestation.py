"""The attestation PDF of the demo, read back: every control with its status, a drawn first page."""

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from evidence.controls.catalogue import load_catalogue
from evidence.model.results import Status
from tests.conftest import Demo


def test_every_control_appears_with_its_status(demo: Demo) -> None:
    text = demo.text(demo.dpp.name)
    statuses = {
        r["control_id"]: Status(r["status"]) for r in demo.document["results"] if r["catalogue"] == "amazon-dpp@2025-11"
    }
    assert len(statuses) == len(load_catalogue("amazon-dpp@2025-11").controls)
    labels = "|".join(re.escape(s.label) for s in Status)
    for control_id, status in statuses.items():
        rows = re.findall(rf"^\s*{re.escape(control_id)}\s+.*?({labels})", text, re.MULTILINE | re.IGNORECASE)
        assert rows, f"{control_id} not listed with a status"
        assert rows[0].lower() == status.label.lower()
    reports = {Path(r["path"]).name: r for r in demo.document["reports"]}
    assert len(PdfReader(demo.dpp).pages) == reports[demo.dpp.name]["pages"]
    assert "Fennel & Finch Commerce Ltd" in text and "2026-Q3" in text


def test_first_page_renders_to_a_non_blank_png(demo: Demo, tmp_path: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(demo.dpp), str(tmp_path / "p")], check=True
    )
    histogram = Image.open(next(tmp_path.glob("p*.png"))).convert("L").histogram()
    assert sum(histogram[:128]) > 500, "page 1 is blank"


def test_fetcher_refuses_every_url_outside_templates(tmp_path: Path) -> None:
    from evidence.errors import RenderError
    from evidence.render.pdf import write_pdf

    when = datetime(2026, 10, 1, tzinfo=UTC)
    html = '<html><body><img src="http://169.254.169.254/latest/meta-data/"><p>x</p></body></html>'
    with pytest.raises(RenderError, match="outside the project"):
        write_pdf(html, tmp_path / "x.pdf", identifier="t", created=when)
    html = '<html><head><link rel="stylesheet" href="file:///etc/passwd"></head><body>x</body></html>'
    with pytest.raises(RenderError, match="outside the project"):
        write_pdf(html, tmp_path / "y.pdf", identifier="t", created=when)
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "y.pdf").exists()


def test_the_headline_splits_verified_from_attested_and_every_met_says_which(demo: Demo) -> None:
    text = demo.text(demo.dpp.name)
    results = [r for r in demo.document["results"] if r["catalogue"] == "amazon-dpp@2025-11"]
    met = [r for r in results if r["status"] == "met"]
    verified = [r for r in met if r["assurance"] in ("observed", "exported")]
    headline = f"Met {len(met)} (verified {len(verified)}, on attestation {len(met) - len(verified)})"
    assert headline in " ".join(text.split())
    assert verified and len(verified) < len(met), "the demo has both kinds of met"
    for r in met:
        label = "MET (VERIFIED)" if r in verified else "MET ON ATTESTATION"
        row = rf"^\s*{re.escape(r['control_id'])}\s+.*{re.escape(label)}"
        assert re.search(row, text, re.MULTILINE), r["control_id"]
        if r not in verified:
            assert r["inspect"], f"{r['control_id']} is met on attestation without documents to inspect"


def test_each_control_page_lists_its_elements_with_status_and_deciding_evidence(demo: Demo) -> None:
    text = " ".join(demo.text(demo.dpp.name).split())
    pwd = demo.result_of("DPP-PWD-1")
    assert pwd["status"] != "met" or pwd["assurance"] == "attested", "DPP-PWD-1 must not be verified met"
    elements = {e["id"]: e for e in pwd["elements"]}
    assert elements["min_age"]["status"] == "insufficient_evidence"
    assert elements["min_length"]["status"] == "met" and elements["min_length"]["assurance"] == "exported"
    assert "Requirement elements: the control is met only when every element is met" in text
    # Each row holds the element, its badge and what decided it (cells wrap, so read a window).
    assert re.search(r"A password must be at least.{0,120}?INSUFFICIENT EVIDENCE.{0,60}?not decided; needs a", text)
    decided = r"Passwords are at least 12.{0,60}?MET \((EXPORTED|OBSERVED)\).{0,60}?password_policy_strength"
    assert re.search(decided, text)


def test_the_demo_log_review_gap_is_a_deviation_with_its_dates(demo: Demo) -> None:
    log4 = demo.result_of("DPP-LOG-4")
    assert log4["status"] == "not_met"
    assert "2026-08-04 to 2026-09-22 (49 days)" in log4["reasons"][0]
    assert "2026-08-04 to 2026-09-22 (49 days)" in " ".join(demo.text(demo.dpp.name).split())


def test_the_chosen_log_review_reading_and_its_justification_are_printed(demo: Demo) -> None:
    # The sample config reads "bi-weekly" as every two weeks, overriding the stricter default
    # (twice a week); every report that uses the reading prints the choice and why.
    flat = " ".join(demo.text(demo.dpp.name).split())
    assert (
        "Reading chosen in the config: review_every_days: reading 'every two weeks' (14 days) chosen "
        "in the config instead of the default stricter reading 'twice a week' (4 days). Justification: "
        "Our Security Lead reads the profile question's bi-weekly as every two weeks" in flat
    )
    assert demo.result_of("DPP-LOG-4")["reading"]["reading"] == "every_two_weeks"
    gap = " ".join(demo.text("gap-report-2026-Q3.pdf").split())
    assert "chosen in the config instead of the default stricter reading 'twice a week'" in gap


def test_the_glossary_and_the_dates_of_the_version_are_in_the_appendix(demo: Demo) -> None:
    flat = " ".join(demo.text(demo.dpp.name).split())
    appendix = flat[flat.index("Appendix: terms and dates of this policy version") :]
    for term in ("Amazon Partners", "Service Provider", "Solution Provider"):
        assert term in appendix
    assert "25 November 2025" in appendix or "2025-11-25" in appendix
    assert "The catalogue uses 11 November" in appendix
