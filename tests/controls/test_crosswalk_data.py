"""The shipped SOC 2 and ISO 27001 crosswalks: complete, well formed, mapped onto real controls."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.crosswalk_format import crosswalk_problems

POLICIES = Path(__file__).resolve().parents[2] / "policies"

SOC2_ID = re.compile(r"(CC[1-9]|C1|P4)\.[0-9]")
ISO_ID = re.compile(r"A\.[5-8]\.[1-9][0-9]?")

#: The common criteria of the 2017 Trust Services Criteria, by series: CC1.1-CC1.5 and so on.
SOC2_COMMON = {"CC1": 5, "CC2": 3, "CC3": 4, "CC4": 2, "CC5": 3, "CC6": 8, "CC7": 5, "CC8": 1, "CC9": 2}
#: Annex A of ISO/IEC 27001:2022 by theme: 37 organisational, 8 people, 14 physical, 34 technological.
ISO_THEMES = {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}


def read(ref: str) -> dict[str, object]:
    ident, version = ref.split("@")
    data = yaml.safe_load((POLICIES / ident / f"{version}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    assert (data["id"], data["version"]) == (ident, version), "the path and the declared id@version differ"
    return data


def ids(data: dict[str, object]) -> list[str]:
    criteria = data["criteria"]
    assert isinstance(criteria, list)
    return [str(c["id"]) for c in criteria]


@pytest.mark.parametrize(("ref", "form"), [("soc2@2017", SOC2_ID), ("iso27001@2022", ISO_ID)])
def test_crosswalk_keeps_the_format_and_maps_onto_existing_controls(ref: str, form: re.Pattern[str]) -> None:
    assert crosswalk_problems(read(ref), form) == []


def test_soc2_lists_every_common_criterion_and_the_c1_and_p4_ones() -> None:
    expected = [f"{series}.{n}" for series, count in SOC2_COMMON.items() for n in range(1, count + 1)]
    expected += ["C1.1", "C1.2", "P4.1", "P4.2", "P4.3"]
    assert ids(read("soc2@2017")) == expected


def test_iso27001_lists_all_93_annex_a_controls_in_order() -> None:
    expected = [f"{theme}.{n}" for theme, count in ISO_THEMES.items() for n in range(1, count + 1)]
    assert len(expected) == 93
    assert ids(read("iso27001@2022")) == expected


@pytest.mark.parametrize(
    ("ref", "criterion", "controls"),
    [
        # The brief's anchors: each criterion rests on the control whose evidence shows it.
        ("soc2@2017", "CC6.1", {"amazon-dpp:DPP-ACC-1", "amazon-dpp:DPP-ACC-7"}),
        ("soc2@2017", "CC6.7", {"amazon-dpp:DPP-ENC-1"}),
        ("soc2@2017", "CC7.2", {"amazon-dpp:DPP-LOG-1"}),
        ("soc2@2017", "C1.2", {"amazon-dpp:DPP-RET-1", "amazon-dpp:DPP-RET-4"}),
        ("iso27001@2022", "A.8.24", {"amazon-dpp:DPP-ENC-1", "amazon-dpp:DPP-ENC-2"}),
        ("iso27001@2022", "A.8.15", {"amazon-dpp:DPP-LOG-1"}),
    ],
)
def test_key_criteria_map_onto_the_controls_whose_evidence_shows_them(
    ref: str, criterion: str, controls: set[str]
) -> None:
    found = {str(c["id"]): c for c in read(ref)["criteria"]}  # type: ignore[attr-defined]
    assert controls <= set(found[criterion]["maps_to"])


@pytest.mark.parametrize("ref", ["soc2@2017", "iso27001@2022"])
def test_a_crosswalk_both_maps_and_leaves_criteria_uncovered(ref: str) -> None:
    # Neither "everything is covered" nor "nothing is": either would be a sign of a careless file.
    criteria = read(ref)["criteria"]
    assert isinstance(criteria, list)
    mapped = [c for c in criteria if c.get("maps_to")]
    uncovered = [c for c in criteria if c.get("not_covered")]
    assert mapped and uncovered
    assert len(mapped) + len(uncovered) == len(criteria)


def test_the_format_check_finds_what_it_should() -> None:
    broken = {
        "schema_version": 1, "id": "x", "version": "1", "kind": "crosswalk", "title": "X",
        "effective": "2020-01-01", "status": "current", "summary": "s", "source_note": "n",
        # An unquoted comma in a flow mapping turns the rest of a title into a key of its own.
        "families": [{"id": "F", "title": "F"}, {"id": "H", "title": "Use", "retention": None}],
        "criteria": [
            {"id": "CC1.1", "family": "F", "title": "t", "maps_to": ["amazon-dpp:DPP-NOPE-9"]},
            {"id": "CC1.2", "family": "G", "title": "t"},
            {"id": "bad", "family": "F", "title": "t", "maps_to": ["DPP-ACC-1"], "not_covered": "x"},
        ],
    }
    problems = crosswalk_problems(broken, SOC2_ID)
    assert problems == [
        "family 'H': keys ['id', 'retention', 'title'], not id and title",
        "CC1.1: maps_to 'amazon-dpp:DPP-NOPE-9': no such control in amazon-dpp",
        "CC1.2: family 'G' is not declared",
        "CC1.2: needs maps_to and/or checks, or not_covered with a reason (not both, not neither)",
        f"bad: id does not have the form {SOC2_ID.pattern}",
        "bad: needs maps_to and/or checks, or not_covered with a reason (not both, not neither)",
        "bad: maps_to 'DPP-ACC-1' is not <catalogue>:<control>",
    ]
