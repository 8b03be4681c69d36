"""One catalogue schema for any framework: each framework's own control ids, declared attributes."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.controls.catalogue import load_catalogue, load_catalogue_file
from evidence.errors import PolicyError

HEAD = """\
schema_version: 1
id: testfw
version: "1"
title: A test framework
effective: 2020-01-01
status: current
summary: Test controls.
source_note: Our own words.
attributes:
  tier:
    description: How strict the control is.
    values: [basic, strict]
    default: basic
  owner_team:
    description: Who answers for it.
    required: true
families:
  - {id: ops, title: Operations}
controls:
"""


def control(ident: str, attributes: str = "{owner_team: ops}") -> str:
    return f"""\
  - id: {ident}
    section: "1"
    family: ops
    title: Something is done
    requirement: Something is done every quarter.
    attributes: {attributes}
    severity: low
    evidence: []
    elements:
      - {{id: done, text: Something is done}}
    checks:
      - {{check: document_current, with: {{doc_types: [ir-plan]}}, decides: [done]}}
    remediation: Do it.
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "1.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_control_ids_follow_each_frameworks_own_form(tmp_path: Path) -> None:
    text = HEAD + control("CC6.1") + control("A.8.24") + control("DPP-ACC-1")
    catalogue = load_catalogue_file(write(tmp_path, text))
    assert [c.id for c in catalogue.controls] == ["CC6.1", "A.8.24", "DPP-ACC-1"]
    # A declared default is given to the controls that do not set the attribute.
    assert catalogue.control("CC6.1").attributes == {"tier": "basic", "owner_team": "ops"}


def test_a_declared_id_pattern_refuses_other_ids_naming_file_and_line(tmp_path: Path) -> None:
    text = HEAD.replace("attributes:\n", "id_pattern: '^CC[0-9]+[.][0-9]+$'\nattributes:\n", 1)
    text += control("CC6.1") + control("A.8.24")
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    assert str(caught.value).startswith(f"{path}:{line_of(text, '  - id: A.8.24')}: controls.1 (A.8.24): ")
    assert "id 'A.8.24' does not match the catalogue's id_pattern" in str(caught.value)


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ("{owner_team: ops, confidence: H}", "attribute 'confidence' is not declared by the catalogue"),
        ("{owner_team: ops, tier: extreme}", "attribute tier = 'extreme' is not one of basic, strict"),
        ("{tier: strict}", "attribute owner_team is required"),
    ],
)
def test_attributes_must_be_declared_allowed_and_present(tmp_path: Path, attributes: str, message: str) -> None:
    text = HEAD + control("CC6.1") + control("CC6.2", attributes)
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    assert str(caught.value).startswith(f"{path}:{line_of(text, '  - id: CC6.2')}: controls.1 (CC6.2): ")
    assert message in str(caught.value)


def test_the_amazon_catalogues_declare_their_own_attributes() -> None:
    dpp = load_catalogue("amazon-dpp@2025-11")
    assert list(dpp.attributes) == ["confidence", "confidence_note", "applies_to", "since"]
    assert dpp.cites_sources and dpp.id_pattern == "^DPP(-[A-Z0-9]+)+$"
    assert dpp.control("DPP-RET-1").attributes["applies_to"] == "pii"
    assert dpp.control("DPP-SCOPE-1").attributes["applies_to"] == "all"
    assert {c.attributes["confidence"] for c in dpp.controls} <= {"H", "M", "L"}
    aup = load_catalogue("amazon-aup@2025-11")
    assert aup.id_pattern == "^AUP(-[A-Z0-9]+)+$"
