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
from tests.catalogue_edits import edited_catalogue
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


def test_a_check_argument_the_check_does_not_declare_fails_the_load_with_file_and_line(tmp_path: Path) -> None:
    path = edited_catalogue(
        tmp_path, "- check: impoc_designated\n", "- check: impoc_designated\n        with: {impoc_emial: x}\n"
    )
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "impoc_emial" in text)
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: ")
    assert "check impoc_designated has no parameter 'impoc_emial'" in message
    assert "DPP-IR-" in message  # the control is named


def test_every_kind_a_collector_produces_has_a_fact_model() -> None:
    from evidence.collectors.registry import available

    produced = {kind: cid for cid, cls in available().items() for kind in cls.produces}
    untyped = sorted(f"{kind} ({cid})" for kind, cid in produced.items() if model_for(kind) is None)
    assert not untyped, f"kinds without a fact model: {', '.join(untyped)}"


def test_every_check_declares_its_parameters() -> None:
    from evidence.controls.checks import registry

    undeclared = sorted(name for name, spec in registry().items() if spec.params is None)
    assert not undeclared, f"checks without a parameter model: {', '.join(undeclared)}"


def test_checks_read_facts_and_parameters_only_through_their_models() -> None:
    """No check touches ``item.facts`` (a dict of Any) or ``ctx.params``: mypy then types every read."""
    import ast

    untyped: list[str] = []
    for path in sorted((ROOT / "evidence" / "controls" / "checks").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute):
                continue
            on_ctx = isinstance(node.value, ast.Name) and node.value.id == "ctx"
            if (node.attr == "facts" and not on_ctx) or (node.attr == "params" and on_ctx):
                untyped.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert not untyped, untyped
