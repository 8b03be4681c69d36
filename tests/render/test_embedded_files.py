"""The files embedded in every report: a deterministic manifest and every fact as CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import json

from report_builders import evaluation_for, evidence_item, report_set, small_catalogue

from evidence.render.attachments import evidence_facts_csv, evidence_manifest


def test_manifest_lists_every_item_with_its_hashes_and_vouches_for_the_csv() -> None:
    data = report_set(catalogues=[small_catalogue(controls=4)], items_per_control=3)
    facts = evidence_facts_csv(data.evidence)
    first, second = (
        evidence_manifest("attestation:x", data, data.evaluation.results, [facts]) for _ in range(2)
    )
    assert first.data == second.data  # no clock, sorted keys
    loaded = json.loads(first.data)
    assert [e["id"] for e in loaded["evidence"]] == [e.id for e in data.evidence]
    assert loaded["evidence"][0]["raw_inputs"][0]["sha256"] == data.evidence[0].raw_inputs[0].sha256
    assert loaded["evidence"][0]["facts_sha256"] == data.evidence[0].facts_sha256
    assert (
        loaded["attachments"]["evidence-facts.csv"]["sha256"]
        == hashlib.sha256(facts.data).hexdigest()
    )
    assert sum(loaded["counts"].values()) == 4
    assert loaded["run"]["started_at"] == "2026-10-02T09:30:00+00:00"


def test_facts_csv_has_one_row_per_leaf_value() -> None:
    item = evidence_item(
        "DPP-NET-1", 0, resources=[{"id": "db", "encrypted": True}, {"id": "s3", "encrypted": None}]
    )
    rows = list(csv.reader(io.StringIO(evidence_facts_csv([item]).data.decode("utf-8"))))
    facts = {row[4]: row[5] for row in rows[1:]}
    assert facts["resources[0].encrypted"] == "true"
    assert facts["resources[1].encrypted"] == ""
    assert facts["resources[1].id"] == "s3"
    assert facts["control"] == "DPP-NET-1"
    assert all(row[0] == item.id for row in rows[1:])


def test_facts_csv_defuses_text_a_spreadsheet_would_run() -> None:
    item = evidence_item("DPP-LOG-3", 0, line="=cmd|'/c calc'!A1", user="@SUM(1)", count=-3)
    rows = {
        row[4]: row[5]
        for row in csv.reader(io.StringIO(evidence_facts_csv([item]).data.decode("utf-8")))
    }
    assert rows["line"] == "'=cmd|'/c calc'!A1"
    assert rows["user"] == "'@SUM(1)"
    assert rows["count"] == "-3"  # numbers stay numbers


def test_large_evidence_sets_stay_in_the_attachments() -> None:
    catalogue = small_catalogue(controls=5)
    evaluation, evidence = evaluation_for([catalogue], 200)
    csv_file = evidence_facts_csv(evidence)
    assert (
        csv_file.data.count(b"\r\n") - 1 == 200 * 5 * 4
    )  # control, index, checks[0].name, checks[0].ok
