"""The auditor workbook (workbook.xlsx), read back with openpyxl from a real pack."""

from __future__ import annotations

import io
import re

import orjson
from openpyxl import load_workbook

from evidence.pack.workbook import (
    CONTROL_COLUMNS,
    EVIDENCE_COLUMNS,
    REQUEST_COLUMNS,
    SAMPLE_COLUMNS,
    SHEETS,
)
from tests.pack.conftest import Packed, read_members
from tests.support import pdftotext


def _rows(members: dict[str, bytes], sheet: str) -> list[dict[str, object]]:
    book = load_workbook(io.BytesIO(members["workbook.xlsx"]), read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_the_workbook_has_four_sheets_with_their_columns(packed: Packed) -> None:
    members = read_members(packed.signed)
    book = load_workbook(io.BytesIO(members["workbook.xlsx"]), read_only=True)
    assert book.sheetnames == list(SHEETS) == ["controls", "evidence", "samples", "requests"]
    for sheet, columns in zip(
        SHEETS, (CONTROL_COLUMNS, EVIDENCE_COLUMNS, SAMPLE_COLUMNS, REQUEST_COLUMNS), strict=True
    ):
        assert next(book[sheet].iter_rows(values_only=True)) == columns


def test_one_row_per_control_with_status_elements_evidence_and_pdf_page(packed: Packed) -> None:
    members = read_members(packed.signed)
    evaluation = orjson.loads(members["evaluation.json"])
    rows = _rows(members, "controls")
    assert len(rows) == len(evaluation["results"]) > 50
    by_control = {(r["catalogue"], r["control"]): r for r in rows}
    for result in evaluation["results"]:
        row = by_control[(result["catalogue"], result["control_id"])]
        assert str(row["status"]).lower().startswith(result["status"].replace("_", " "))
        assert row["deciding evidence"] == (", ".join(result["evidence_ids"]) or None)
        assert len(str(row["elements"]).splitlines()) == len(result["elements"])
    row = by_control[("amazon-dpp@2025-11", "DPP-ACC-3")]
    page = row["PDF page"]
    assert isinstance(page, int)
    pdf = packed.root / "out" / str(row["PDF"]).removeprefix("reports/")
    text = pdftotext(pdf, "-f", str(page), "-l", str(page))
    assert "DPP-ACC-3" in text


def test_one_row_per_evidence_item_with_its_hash_and_file(packed: Packed) -> None:
    members = read_members(packed.signed)
    manifest = orjson.loads(members["manifest.json"])
    rows = _rows(members, "evidence")
    assert sorted(str(r["evidence id"]) for r in rows) == sorted(e["id"] for e in manifest["evidence"])
    with_files = [r for r in rows if r["file in the pack"]]
    assert with_files
    for row in with_files:
        names = str(row["file in the pack"]).splitlines()
        if names[-1].startswith("and "):  # a long list ends by pointing to pack.json
            assert names[-1].endswith("more: pack.json lists every file by evidence id")
            names = names[:-1]
        for name in names:
            assert name in members
            digest = name.split("/")[1]
            assert re.fullmatch(r"[0-9a-f]{64}", digest)


def test_one_row_per_sampled_item_with_empty_columns_for_the_auditor(packed: Packed) -> None:
    members = read_members(packed.signed)
    draws = orjson.loads(members["samples.json"])["draws"]
    rows = _rows(members, "samples")
    assert len(rows) == sum(len(d["chosen"]) for d in draws) == 3
    assert [r["item"] for r in rows] == draws[0]["chosen"]
    assert {r["seed"] for r in rows} == {"2026-10-05"}
    for row in rows:
        assert row["tickmark"] is None and row["exception"] is None and row["notes"] is None


def test_one_request_per_insufficient_element_with_owner_and_due_date(packed: Packed) -> None:
    members = read_members(packed.signed)
    evaluation = orjson.loads(members["evaluation.json"])
    wanted = [
        (r["control_id"], e["id"])
        for r in evaluation["results"]
        for e in r["elements"]
        if e["status"] == "insufficient_evidence"
    ]
    rows = _rows(members, "requests")
    assert len(rows) == len(wanted) > 0
    assert sorted((str(r["control"]), str(r["element"]).split(":")[0]) for r in rows) == sorted(wanted)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(r["due date"])) for r in rows)
    assert any(r["owner"] for r in rows)
    # What is needed is the to-do list's step (as `evidence todo` and the gap report give it).
    needed = {str(r["what is needed"]) for r in rows}
    assert any(re.match(r"add an? `[a-z-]+` source", text) for text in needed), sorted(needed)[:5]
    assert any(re.match(r"register an? `[a-z-]+` document", text) for text in needed), sorted(needed)[:5]


def test_the_workbook_is_the_same_bytes_in_two_packs_of_one_run(packed: Packed) -> None:
    signed = read_members(packed.signed)["workbook.xlsx"]
    unsigned = read_members(packed.unsigned)["workbook.xlsx"]
    assert signed == unsigned
