from __future__ import annotations

import pytest

from evidence.collectors import registry as collectors
from evidence.controls.catalogue import catalogue_files, load_catalogue
from evidence.controls.checks import registry as checks
from evidence.model.assurance import Assurance

REFS = sorted(catalogue_files())


@pytest.mark.parametrize("ref", REFS)
def test_dataflow_checks_are_built_and_not_planned(ref: str) -> None:
    built = checks()
    for control in load_catalogue(ref).controls:
        for check in control.checks:
            if check.check.startswith("dataflow_"):
                assert check.check in built, f"{control.id} names unknown check {check.check}"
                assert not check.planned, f"{control.id}: {check.check} is built; drop planned"
                assert set(built[check.check].reads) >= {"dataflow.map"}
        for need in control.evidence:
            assert need.kind != "dataflow.crosscheck", (
                "cross-checks are a check, not an evidence kind"
            )
            if need.kind == "dataflow.map":
                assert not need.planned


def test_the_data_map_is_a_declaration_so_what_it_decides_is_never_verified() -> None:
    # A data-map check may decide an element, but only on attestation: the map is the
    # developer's own word, and the evaluator takes each outcome's level from its evidence.
    assert collectors.get("dataflow").assurance is Assurance.ATTESTED


def test_the_dataflow_collector_feeds_the_kind_its_checks_read() -> None:
    assert "dataflow.map" in collectors.get("dataflow").produces
    wired = {
        (ref.split("@")[0], c.id)
        for ref in REFS
        for c in load_catalogue(ref).controls
        if any(check.check.startswith("dataflow_") for check in c.checks)
    }
    expected = {
        "DPP-SCOPE-1",
        "DPP-RET-1",
        "DPP-ENC-1",
        "DPP-ENC-2",
        "DPP-ACC-6",
        "DPP-GOV-2",
        "DPP-ASSET-1",
        "DPP-3P-1",
    }
    assert {cid for cat, cid in wired if cat == "amazon-dpp"} == expected
    assert {cid for cat, cid in wired if cat == "amazon-aup"} == {"AUP-PII-1", "AUP-SHARE-1"}
