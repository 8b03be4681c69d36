"""The typed contract between collectors and checks: fact models, parameter models, generated docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence import pipeline
from evidence.config.load import load_config
from evidence.controls.catalogue import load_catalogue_file
from evidence.errors import PolicyError
from evidence.model.facts import FactsMismatch, canonical_facts, dump_facts, model_for
from evidence.model.facts.docs import render
from evidence.model.facts.organisation import OrganisationProfile
from evidence.resources import policies_dir
from tests.conftest import ROOT, Demo


def test_the_evidence_kinds_doc_is_generated_from_the_models_and_is_current() -> None:
    written = (ROOT / "docs" / "evidence-kinds.md").read_text(encoding="utf-8")
    assert written == render(), (
        "docs/evidence-kinds.md is stale: run `python -m evidence.model.facts.docs --write`"
    )


def test_every_stored_item_of_the_demo_is_the_canonical_dump_of_its_model(demo: Demo) -> None:
    """Facts survive validate-and-dump unchanged, so typing them moved no facts hash."""
    config = load_config(demo.root / "evidence.toml")
    store = pipeline.open_store(config, create=False)
    try:
        items = store.evidence(store.runs()[-1].id)
    finally:
        store.close()
    typed = 0
    for item in items:
        model = model_for(item.kind)
        if model is None or not item.usable:
            continue
        assert dump_facts(item.facts_as(model)) == item.facts, f"{item.id} ({item.kind})"
        typed += 1
    assert typed >= 1


def test_a_collector_facts_dict_that_does_not_fit_its_model_is_refused() -> None:
    good = {
        "legal_name": "Example Ltd", "developer_id": "D1", "applications": ["app"], "impoc_named": False,
        "impoc_name": None, "impoc_email": None, "privacy_policy_url": None, "systems_in_scope": [],
        "handles_pii": True, "pii_buckets": None, "non_pii_buckets": None,
    }
    assert canonical_facts("organisation.profile", good, where="test") == good
    with pytest.raises(FactsMismatch, match="impoc_nmed"):
        canonical_facts("organisation.profile", {**good, "impoc_nmed": True}, where="test")
    with pytest.raises(FactsMismatch, match="a 'organisation.profile' model given for an item of kind 'document'"):
        canonical_facts("document", OrganisationProfile.model_validate(good), where="test")


def _catalogue_with(tmp_path: Path, old: str, new: str) -> Path:
    source = (policies_dir() / "amazon-dpp" / "2025-11.yaml").read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "2025-11.yaml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_check_argument_the_check_does_not_declare_fails_the_load_with_file_and_line(tmp_path: Path) -> None:
    path = _catalogue_with(
        tmp_path, "- check: impoc_designated\n", "- check: impoc_designated\n        with: {impoc_emial: x}\n"
    )
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "impoc_emial" in text)
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: ")
    assert "check impoc_designated has no parameter 'impoc_emial'" in message
    assert "DPP-IR-" in message  # the control is named
