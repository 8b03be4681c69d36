"""The contract between policies/ and the code: kinds, checks and document types all resolve."""

import yaml

from evidence.collectors import registry as collectors
from evidence.controls.catalogue import all_catalogues
from evidence.controls.checks import registry as checks
from evidence.resources import policies_dir


def produced_kinds() -> set[str]:
    return {kind for cls in collectors.available().values() for kind in cls.produces}


def test_every_named_evidence_kind_is_produced_or_planned() -> None:
    produced = produced_kinds()
    missing = {
        (c.id, need.kind)
        for catalogue in all_catalogues()
        for c in catalogue.controls
        for need in c.evidence
        if not need.planned and need.kind not in produced
    }
    assert missing == set(), f"kinds named as available but produced by no collector: {missing}"


def test_every_built_check_is_registered_and_reads_produced_kinds() -> None:
    registered = checks()
    produced = produced_kinds()
    for catalogue in all_catalogues():
        for control in catalogue.controls:
            for ref in control.checks:
                if ref.planned:
                    continue
                assert ref.check in registered, f"{catalogue.ref} {control.id}: unknown check {ref.check}"
                assert set(registered[ref.check].reads) & produced, ref.check


def test_every_collector_feeds_some_control() -> None:
    needed = {
        need.kind
        for catalogue in all_catalogues()
        for c in catalogue.controls
        for need in c.evidence
        if not need.planned
    }
    for cid, cls in collectors.available().items():
        assert set(cls.produces) & needed, f"collector {cid} feeds no control"


def test_every_document_type_named_is_known() -> None:
    known = set(yaml.safe_load((policies_dir() / "doc-types.yaml").read_text())["doc_types"])
    named = set()
    for catalogue in all_catalogues():
        for control in catalogue.controls:
            for need in control.evidence:
                named |= set(need.doc_types)
            for ref in control.checks:
                named |= set(ref.with_.get("doc_types", []))
    assert named - known == set()


def test_document_checks_name_doc_types() -> None:
    for catalogue in all_catalogues():
        for control in catalogue.controls:
            for ref in control.checks:
                if ref.check == "document_current":
                    assert ref.with_.get("doc_types"), f"{control.id}: document_current without doc_types"
