"""The whole report set, as `make demo` writes it.

Every report read back, byte-identical renders of one run, and PAdES signatures that poppler
validates against a test CA.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pdf_readers import (
    attachments,
    first_page_png,
    manifest,
    page_text,
    pdfa_identification,
    pdfinfo_pages,
    pdfsig,
    pdftotext,
)
from pdfa_structure import pdfa3b_faults
from pypdf import PdfReader
from report_cli import evidence
from signing_ca import SigningCA, make_ca

from tests.conftest import Demo as SharedDemo

pytestmark = pytest.mark.slow

REPORTS = {
    "dpp": "attestation-amazon-dpp-2025-11-2026-Q3.pdf",
    "aup": "attestation-amazon-aup-2025-11-2026-Q3.pdf",
    "gaps": "gap-report-2026-Q3.pdf",
    "profile": "profile-answers-2026-Q3.pdf",
}


@dataclass(frozen=True)
class Demo:
    """The sample developer's run (unsigned set) and a second render of it (signed too)."""

    config: Path
    run_out: Path
    report_out: Path
    run_json: dict[str, object]
    report_json: list[dict[str, object]]
    ca: SigningCA
    signoff_json: dict[str, Any]


@pytest.fixture(scope="session")  # the demo group's tests interleave modules on their worker
def demo(demo: SharedDemo, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The shared demo run (unsigned: samples/ without the demo key), rendered a second time.

    A copy of the demo's folder, store included, gets a test CA's key where the config names
    it; `evidence report` renders the same run again in another process (unsigned, as reports
    always are), and `evidence sign-off` signs the set with that key.
    """
    root = tmp_path_factory.mktemp("report-set")
    samples = root / "samples"
    shutil.copytree(demo.root, samples, ignore=shutil.ignore_patterns("out"))
    config = samples / "evidence.toml"
    ca = make_ca(root / "ca")
    keys = samples / ".demo-keys"
    keys.mkdir()
    shutil.copy(ca.pkcs12, keys / "demo-signer.p12")
    (keys / "demo-signer.password").write_text(ca.password + "\n", encoding="utf-8")
    report = evidence("report", "--config", config, "--out", root / "report", "--json", process=True)
    assert report.returncode == 0, report.stderr
    assert not list((root / "report").glob("*.signed.pdf")), "reports are rendered unsigned"
    signed = evidence(
        "sign-off", "--config", config, "--as", "Priya Raman", "--role", "Security Lead", "--json"
    )
    assert signed.returncode == 0, signed.stderr
    return Demo(
        config, demo.out, root / "report", demo.document, json.loads(report.stdout), ca,
        json.loads(signed.stdout),
    )


def test_run_writes_the_whole_unsigned_set_and_says_why_it_is_unsigned(demo: Demo) -> None:
    written = sorted(p.name for p in demo.run_out.iterdir())
    assert written == sorted(REPORTS.values())
    reports = demo.run_json["reports"]
    assert isinstance(reports, list)
    assert {r["kind"] for r in reports} == {
        "attestation:amazon-dpp@2025-11",
        "attestation:amazon-aup@2025-11",
        "gap-report",
        "profile-answers",
    }
    notes = demo.run_json["notes"]
    assert isinstance(notes, list)
    assert any("reports not signed" in n and "demo-signer.p12" in n for n in notes)


def test_sign_off_writes_a_signed_copy_beside_each_report(demo: Demo) -> None:
    written = sorted(p.name for p in demo.report_out.iterdir())
    signed = [name.replace(".pdf", ".signed.pdf") for name in REPORTS.values()]
    assert written == sorted([*REPORTS.values(), *signed])
    assert {r["kind"] for r in demo.report_json} == {
        "attestation:amazon-dpp@2025-11", "attestation:amazon-aup@2025-11", "gap-report",
        "profile-answers",
    }
    approved = demo.signoff_json["record"]["reports"]
    assert sorted(r["signed_name"] for r in approved) == sorted(signed)
    for report in approved:
        data = (demo.report_out / report["signed_name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == report["signed_sha256"]
    assert not list(demo.report_out.glob(".*partial"))


@pytest.mark.parametrize("name", REPORTS.values())
def test_two_renders_of_one_run_are_byte_identical(demo: Demo, name: str) -> None:
    first = (demo.run_out / name).read_bytes()
    second = (demo.report_out / name).read_bytes()
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    recorded = {r["path"]: r["sha256"] for r in demo.report_json}
    assert recorded[str(demo.report_out / name)] == hashlib.sha256(second).hexdigest()


@pytest.mark.parametrize("name", REPORTS.values())
def test_every_report_is_tagged_pdfa3b_with_page_numbers_and_a_legible_first_page(
    demo: Demo, name: str, tmp_path: Path
) -> None:
    path = demo.run_out / name
    reader = PdfReader(path)
    pages = pdfinfo_pages(path)
    assert len(reader.pages) == pages > 3
    assert pdfa_identification(path) == ("3", "B")
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert "/OutputIntents" in catalog
    assert catalog["/Lang"] == "en"
    associated = [spec.get_object() for spec in catalog["/AF"]]  # PDF/A-3 associated files
    assert {spec["/AFRelationship"] for spec in associated} == {"/Data"}
    assert len(associated) == len(attachments(path))
    assert f"Page 3 of {pages}" in page_text(path, 3)
    image = first_page_png(path, tmp_path)
    assert image.width < image.height  # A4 portrait
    dark = sum(image.convert("L").histogram()[:96])
    assert dark > 2000, "the cover should carry text in black"


@pytest.mark.parametrize("name", REPORTS.values())
@pytest.mark.parametrize("copy", ["unsigned", "signed"])
def test_unsigned_and_signed_copies_hold_the_pdfa3b_structure_at_pdf_17(
    demo: Demo, name: str, copy: str
) -> None:
    path = demo.report_out / (name if copy == "unsigned" else name.replace(".pdf", ".signed.pdf"))
    assert pdfa3b_faults(path) == []
    assert pdfa_identification(path) == ("3", "B")


@pytest.mark.parametrize("name", REPORTS.values())
def test_every_report_embeds_its_manifest_and_the_facts(demo: Demo, name: str) -> None:
    path = demo.run_out / name
    files = attachments(path)
    assert {"evidence-manifest.json", "evidence-facts.csv"} <= set(files)
    data = manifest(path)
    assert data["format"] == "dpp-evidence.report-manifest"
    evidence_items = data["evidence"]
    assert isinstance(evidence_items, list)
    assert len(evidence_items) > 10
    for item in evidence_items:
        assert re.fullmatch(r"EV-[0-9A-F]{12}", item["id"])
        assert re.fullmatch(r"[0-9a-f]{64}", item["facts_sha256"])
    companions = data["attachments"]
    assert isinstance(companions, dict)
    for companion, described in companions.items():
        assert hashlib.sha256(files[companion]).hexdigest() == described["sha256"]
    facts = files["evidence-facts.csv"].decode("utf-8").splitlines()
    assert facts[0] == "evidence_id,kind,source,subject,fact,value"
    assert {line.split(",", 1)[0] for line in facts[1:]} <= {item["id"] for item in evidence_items}


def test_attestation_reads_as_an_auditor_expects(demo: Demo) -> None:
    path = demo.run_out / REPORTS["dpp"]
    text = " ".join(pdftotext(path).split())
    for expected in (
        "ATTESTATION OF COMPLIANCE",
        "Fennel & Finch Commerce Ltd",
        "Contents",
        "Summary of results",
        "Controls by family",
        "Gaps and plan of action",
        "DPP-NET-1",
        "INSUFFICIENT EVIDENCE",
        "Sign-off",
        "Approved by the security lead",
        "Priya Raman",
        "Appendix C: evidence items",
        "Embedded files",
    ):
        assert expected in text, expected
    data = manifest(path)
    counts = data["counts"]
    assert isinstance(counts, dict)
    assert f"Met: {counts['met']} (verified " in text
    assert f"; not met: {counts['not_met']};" in text


def test_contents_page_numbers_point_at_the_control_pages(demo: Demo) -> None:
    path = demo.run_out / REPORTS["dpp"]
    contents = page_text(path, 2) + page_text(path, 3)
    found = dict(re.findall(r"(DPP-[A-Z0-9]+-\d+) .*?\.\s*(\d+)\s*$", contents, re.MULTILINE))
    results = manifest(path)["results"]
    assert isinstance(results, list)
    not_met = [r["control_id"] for r in results if r["status"] == "not_met"]
    assert sorted(found) == sorted(not_met), "the contents list each control set out in the body"
    for control_id in ("DPP-ACC-7", "DPP-LOG-4", "DPP-VULN-5"):
        page = int(found[control_id])
        assert f"{control_id} · amazon-dpp@2025-11 §" in page_text(path, page), (
            f"{control_id} on page {page}"
        )


def test_gap_report_has_owners_and_due_dates_from_the_as_of_date(demo: Demo) -> None:
    path = demo.run_out / REPORTS["gaps"]
    text = " ".join(pdftotext(path).split())
    assert "Gap report and plan of action" in text
    assert "Due dates counted from 2026-09-30" in text
    plan = attachments(path)["plan-of-action.csv"].decode("utf-8").splitlines()
    rows = plan[1:]
    assert plan[0].startswith("item,catalogue,control_id,title,severity,status,owner,due,")
    assert len(rows) > 20
    ret1 = next(r for r in rows if ",DPP-RET-1," in r)  # critical: 7 days from the as-of date
    assert "Data Protection Officer" in ret1
    assert "2026-10-07" in ret1
    vuln4 = next(r for r in rows if ",DPP-VULN-4," in r)
    assert "2026-10-30" in vuln4
    assert "DPP-VULN-5 high_fix_days" in vuln4


def test_profile_sheet_answers_yes_only_with_every_control_met(demo: Demo) -> None:
    path = demo.run_out / REPORTS["profile"]
    answers = json.loads(attachments(path)["profile-answers.json"])["answers"]
    assert len(answers) == 33
    for answer in answers:
        statuses = {c["status"] for c in answer["controls"]}
        assert answer["supported"] == (statuses == {"met"}), answer["id"]
        if answer["kind"] == "free_text":
            assert len(answer["answer"]) <= 500
        if not answer["supported"]:
            assert answer["answer"] != "Yes"
            assert answer["missing"]
    # The retention question counts from shipment: the demo measures it there, and its legacy
    # orders keep a phone number 78 days after shipment.
    retention = next(a for a in answers if a["id"] == "SPP-YN-08")
    assert (retention["supported"], retention["answer"]) == (False, "31 to 90 days")
    assert retention["measured"].startswith(
        "Measured from shipment: the oldest PII is 78 days after shipment (table orders"
    )
    impoc = next(a for a in answers if a["id"] == "SPP-FT-17")
    assert impoc["supported"]
    assert impoc["answer"] == "Priya Raman, security@fennelfinch.example"
    text = pdftotext(path)
    assert "Solution Provider Profile" in text
    assert "of 500 characters" in text


@pytest.mark.parametrize("name", REPORTS.values())
def test_signed_copy_is_valid_and_trusted_and_breaks_when_a_byte_changes(
    demo: Demo, name: str, tmp_path: Path
) -> None:
    signed = demo.report_out / name.replace(".pdf", ".signed.pdf")
    verdict = pdfsig(signed, demo.ca.nssdb)
    assert "Signature Validation: Signature is Valid." in verdict
    assert "Certificate Validation: Certificate is Trusted." in verdict
    unsigned = (demo.report_out / name).read_bytes()
    data = bytearray(signed.read_bytes())
    assert data.startswith(unsigned), "signing appends an incremental update to the unsigned bytes"
    offset = len(unsigned) // 2  # well inside the first signed range
    data[offset] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    verdict = pdfsig(tampered, demo.ca.nssdb)
    assert "Signature is Valid." not in verdict
    assert "Signature Validation: Digest Mismatch." in verdict or "Signature is Invalid" in verdict
