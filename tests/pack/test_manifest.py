"""The manifest: what it seals, canonical bytes, and the differences a changed store shows."""

from __future__ import annotations

from datetime import UTC, datetime

from evidence.model.canonical import facts_digest
from evidence.model.evidence import EvidenceItem, RawInput
from evidence.model.period import parse_period
from evidence.model.results import ControlResult, Evaluation, Status
from evidence.model.run import RunInfo
from evidence.pack.manifest import build_manifest, differences, parse_manifest, stored_copies

RUN = RunInfo(
    id=4,
    uid="6f1d3b1e-0000-4000-8000-000000000004",
    organisation="Example Ltd",
    developer_id="dev-1",
    period=parse_period("2026-Q3"),
    as_of=datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC),
    started_at=datetime(2026, 10, 2, 8, 0, tzinfo=UTC),
    finished_at=None,
    tool_version="0.1.0",
    catalogues=["amazon-dpp@2025-11"],
    config_sha256="c" * 64,
)


def item(evidence_id: str, facts: dict[str, object], stored: str | None = None) -> EvidenceItem:
    raw = RawInput(
        location=f"/in/{evidence_id}.md",
        sha256="a" * 64,
        size=10,
        stored_sha256=stored,
        stored_path=f"objects/{stored[:2]}/{stored}" if stored else None,
        stored_note=None if stored else "not copied: keep_copies = false for this source",
    )
    return EvidenceItem(
        id=evidence_id,
        kind="document",
        collector="documents",
        source="docs",
        subject=evidence_id,
        location=raw.location,
        collected_at=datetime(2026, 10, 2, 8, 0, 1, tzinfo=UTC),
        raw_inputs=[raw],
        facts=facts,
    ).seal()


EVALUATION = Evaluation(
    as_of=RUN.as_of,
    catalogues=["amazon-dpp@2025-11"],
    results=[
        ControlResult(
            control_id="DPP-ACC-2",
            catalogue="amazon-dpp@2025-11",
            status=Status.MET,
            reasons=["review 30 days old"],
            evidence_ids=["EV-B"],
        )
    ],
)


def test_the_manifest_seals_hashes_statuses_versions_and_period() -> None:
    evidence = [item("EV-B", {"title": "b"}, stored="1" * 64), item("EV-A", {"title": "a"})]
    manifest = build_manifest(RUN, evidence, EVALUATION, {"amazon-dpp@2025-11": "d" * 64}, "0.1.0")
    data = manifest.data
    assert [e["id"] for e in data["evidence"]] == [
        "EV-A",
        "EV-B",
    ]  # sorted, whatever the collection order
    assert data["evidence"][1]["facts_sha256"] == facts_digest({"title": "b"})
    assert data["evidence"][1]["raw_inputs"][0] == {
        "location": "/in/EV-B.md",
        "sha256": "a" * 64,
        "size": 10,
        "stored_sha256": "1" * 64,
        "stored_path": f"objects/11/{'1' * 64}",
        "stored_note": None,
    }
    assert data["evaluation"]["controls"] == [
        {
            "catalogue": "amazon-dpp@2025-11",
            "control_id": "DPP-ACC-2",
            "status": "met",
            "assurance": None,
            "evidence_ids": ["EV-B"],
        }
    ]
    assert data["tool"] == {"name": "dpp-evidence", "version": "0.1.0"}
    assert data["policies"] == [{"ref": "amazon-dpp@2025-11", "sha256": "d" * 64}]
    assert data["period"] == {"label": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"}
    assert data["as_of"] == "2026-09-30T23:59:59+00:00"
    assert data["counts"] == {"evidence": 2, "raw_inputs": 2, "stored_copies": 1}
    assert stored_copies(data["evidence"]) == {"1" * 64: ["EV-B"]}
    # Canonical: the same run gives the same bytes, and parsing them back gives the same hash.
    again = build_manifest(
        RUN, list(reversed(evidence)), EVALUATION, {"amazon-dpp@2025-11": "d" * 64}, "0.1.0"
    )
    assert again.text == manifest.text
    assert manifest.text.startswith('{"as_of":"2026-09-30T23:59:59+00:00","counts":{"evidence":2,')
    assert parse_manifest(manifest.text).sha256 == manifest.sha256


def test_differences_name_each_changed_item_and_status() -> None:
    evidence = [item("EV-A", {"title": "a"}), item("EV-B", {"title": "b"}, stored="1" * 64)]
    manifest = build_manifest(RUN, evidence, EVALUATION, {}, "0.1.0")
    assert differences(manifest, evidence, EVALUATION) == []
    changed = [item("EV-A", {"title": "changed"}), item("EV-C", {"title": "c"})]
    waived = EVALUATION.model_copy(
        update={"results": [EVALUATION.results[0].model_copy(update={"status": Status.NOT_MET})]}
    )
    problems = differences(manifest, changed, waived)
    assert problems[0] == "evidence EV-B is sealed in the manifest but no longer in the store"
    assert problems[1] == "evidence EV-C is in the store but was not sealed in the manifest"
    assert problems[2].startswith("evidence EV-A: facts changed after sealing (sealed facts hash")
    assert (
        problems[3]
        == "control DPP-ACC-2 (amazon-dpp@2025-11): status not_met in the store, met sealed"
    )
