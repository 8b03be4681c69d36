"""The demo's attestations read as a person reads them: short, each thing said once, plain words.

Issue 18: the DPP attestation was 102 pages, "no registered document of type" appeared 38 times,
the same encryption finding four times, and figure names such as
`lifecycle_rules_within_limit.limit_days` were printed in prose.
"""

import hashlib
import io
import re
from pathlib import Path

from pypdf import PdfReader

from tests.conftest import Demo
from tests.support import pdftotext

DPP_REF = "amazon-dpp@2025-11"


#: pypdf's text of each page by the PDF's SHA-256: two tests read the 50-page DPP attestation.
_PAGES: dict[str, list[str]] = {}


def _pages(path: Path) -> list[str]:
    data = path.read_bytes()
    key = hashlib.sha256(data).hexdigest()
    if key not in _PAGES:
        _PAGES[key] = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    return list(_PAGES[key])


def _first_page_with(pages: list[str], pattern: str) -> int:
    """1-based number of the first page whose text matches ``pattern`` at a line start."""
    return next(n for n, text in enumerate(pages, start=1) if re.search(pattern, text, re.MULTILINE))


def test_the_demo_attestations_fit_their_page_limits(demo: Demo) -> None:
    dpp = _pages(demo.dpp)
    assert len(dpp) <= 50, f"DPP attestation has {len(dpp)} pages"
    appendices = _first_page_with(dpp, r"^Appendices\s*$")
    assert appendices - 1 <= 25, f"DPP body runs to page {appendices - 1}"
    assert appendices > 5, "the body comes before the appendices"
    aup = _pages(demo.aup)
    assert len(aup) <= 15, f"AUP attestation has {len(aup)} pages"


def test_the_body_sets_out_every_control_not_met_and_lists_what_to_inspect(demo: Demo) -> None:
    pages = _pages(demo.dpp)
    body = " ".join(" ".join(pages[: _first_page_with(pages, r"^Appendices\s*$") - 1]).split())
    results = [r for r in demo.document["results"] if r["catalogue"] == DPP_REF]
    not_met = [r["control_id"] for r in results if r["status"] == "not_met"]
    assert not_met
    for control_id in not_met:
        assert f"{control_id} · {DPP_REF} §" in body, f"{control_id} has no block in the body"
    inspect = [r for r in results if r["status"] == "met" and r["inspect"]]
    assert inspect
    table = body.split("These controls are met only on documents", 1)[1].split("Controls not met", 1)[0]
    for r in inspect:
        assert r["control_id"] in table and r["inspect"][0] in table, r["control_id"]
    # Every other control is still there in full, in appendix B.
    appendix = " ".join(" ".join(pages).split()).split("Appendix B: every control in detail", 1)[1]
    for r in results:
        if r["status"] != "not_met":
            assert f"{r['control_id']} · {DPP_REF} §" in appendix, r["control_id"]


def test_repeated_text_is_printed_once_and_referred_to(demo: Demo) -> None:
    flat = " ".join(pdftotext(demo.dpp).split())
    assert flat.count("no registered document of type") <= 2
    assert "Documents not registered" in flat
    # The encryption finding shared by DPP-ENC-2 and DPP-RET-2 is printed once, whole.
    at_rest = next(o for o in demo.result_of("DPP-ENC-2")["outcomes"] if o["check"] == "storage_encrypted")
    finding = " ".join(at_rest["reasons"][0].split())
    assert flat.count(finding) == 1
    shared = re.search(r"(S\d+) \(DPP-RET-2, DPP-ENC-2\): " + re.escape(finding[:60]), flat)
    assert shared, "the shared finding names both controls"
    assert flat.count(f"Finding {shared[1]}") >= 3, "both controls and the encryption topic refer to it"
    # The inspection sentence is said once per control, not once more as a finding.
    assert "rest on documents or declarations the tool does not verify" not in flat


def test_figures_are_named_in_plain_words(demo: Demo) -> None:
    text = pdftotext(demo.dpp)
    flat = " ".join(text.split())
    assert "lifecycle_rules_within_limit.limit_days" not in flat
    # A check's name joined to a figure's (Terraform addresses such as aws_kms_key.x are evidence).
    assert not re.search(r"\b(?!aws_)[a-z]+(?:_[a-z]+)+\.[a-z]+(?:_[a-z]+)+\b", flat), "a check.figure name"
    for r in demo.document["results"]:
        for name in r["figures"]:
            assert not ("." in name and name in flat), name
    figures = flat.split("Figures:")[1:]
    assert len(figures) > 20
    for chunk in figures:
        listed = chunk.split(".", 1)[0]
        assert "_" not in listed.replace("pg_hba", ""), listed
    results = {r["control_id"]: r for r in demo.document["results"] if r["catalogue"] == DPP_REF}
    assert "days_in_period" in results["DPP-ENC-2"]["figures"]
    assert "Days in period 92" in flat
