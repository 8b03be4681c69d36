from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from evidence.controls.checks import registry
from tests.dataflow_support import collect, collect_paths, evaluate_items, outcome

FIXTURES = Path(__file__).parent / "fixtures" / "dataflow"
REALDATA = FIXTURES / "realdata"

# Every public model in realdata/: what it imports to, or why it is rejected.
EXPECTED: dict[str, dict[str, object]] = {
    "fides_sample_systems.yml": {"format": "fides", "systems": 2, "stores": 3, "flows": 4},
    "pytm_input.json": {"format": "pytm", "systems": 2, "stores": 1, "flows": 4},
    "threagile_demo_example_threagile.yaml": {
        "format": "threagile-1.0.0",
        "systems": 11,
        "stores": 3,
        "flows": 36,
    },
    "threat-dragon_demo-threat-model.json": {
        "format": "threat-dragon-v1",
        "systems": 3,
        "stores": 4,
        "flows": 10,
    },
    "threat-dragon_example-open-threat-model.json": {
        "format": "otm-0.2.0",
        "systems": 3,
        "stores": 1,
        "flows": 2,
    },
    "threat-dragon_v2-threat-model.json": {
        "format": "threat-dragon-v2",
        "systems": 3,
        "stores": 4,
        "flows": 9,
    },
    "pytm_dfd.dot": {
        "rejected": "not a model: a Graphviz drawing (such as pytm --dfd output); it holds no data"
    },
}


def test_every_realdata_model_has_an_expectation() -> None:
    assert sorted(p.name for p in REALDATA.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_realdata_model_imports_or_is_rejected_with_a_reason(tmp_path: Path, name: str) -> None:
    shutil.copy(REALDATA / name, tmp_path / name)
    (item,) = collect_paths(tmp_path, [name])
    expected = EXPECTED[name]
    if "rejected" in expected:
        assert item.error is not None
        assert str(expected["rejected"]) in item.error
        return
    assert item.error is None, item.error
    facts = item.facts
    assert facts["format"] == expected["format"]
    counts = facts["counts"]
    assert (counts["systems"], counts["stores"], counts["flows"]) == (
        expected["systems"],
        expected["stores"],
        expected["flows"],
    )
    # Every import says what it lacks: no threat-modelling format states retention. A gap names
    # the checks that read the field (registered ones), never a control: reports find those.
    assert facts["gaps"], "an import without gaps would claim more than its format can say"
    named = {c.partition(":")[0] for g in facts["gaps"] for c in g["checks"]}
    assert named and named <= registry().keys()
    assert all(g["needed_for"] for g in facts["gaps"])


def test_threat_dragon_v2_maps_flags_and_notes_dangling_flows(tmp_path: Path) -> None:
    shutil.copy(REALDATA / "threat-dragon_v2-threat-model.json", tmp_path / "td.json")
    facts = collect_paths(tmp_path, ["td.json"])[0].facts
    stores = {s["name"]: s for s in facts["stores"]}
    assert stores["Database"]["kind"] == "log"  # isALog
    assert stores["Database"]["encrypted_at_rest"] is False
    flows = {(f["from"], f["to"]): f for f in facts["flows"]}
    response = flows[("web-application", "browser")]
    assert (response["protocol"], response["encrypted"], response["tls"]) == ("HTTP/S", True, None)
    assert (
        flows[("web-application", "message-queue")]["tls"] == "none"
    )  # not encrypted, no protocol
    assert ("flow web-application->browser", "tls") in {
        (g["element"], g["field"]) for g in facts["gaps"]
    }
    assert any("'Web Request' skipped" in n for n in facts["notes"])


def test_otm_yaml_imports_like_otm_json(tmp_path: Path) -> None:
    source = REALDATA / "threat-dragon_example-open-threat-model.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    shutil.copy(source, tmp_path / "model.json")
    as_yaml, as_json = collect_paths(tmp_path, ["model.yaml", "model.json"])
    assert as_yaml.facts == as_json.facts
    flow = next(f for f in as_json.facts["flows"] if f["to"] == "customer-database")
    assert flow["unclassified"] == ["Credit Card Data"]  # OTM has no PII flag: a gap, not a guess
    assert flow["bidirectional"] is True


def test_fides_systems_and_datasets_form_one_map(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "fides_orders_dataset.yml", tmp_path / "dataset.yml")
    shutil.copy(REALDATA / "fides_sample_systems.yml", tmp_path / "systems.yml")
    (item,) = collect_paths(tmp_path, ["dataset.yml", "systems.yml"])
    assert item.subject == "dataset.yml, systems.yml"
    assert len(item.raw_inputs) == 2
    store = next(s for s in item.facts["stores"] if s["id"] == "orders-database")
    assert store["pii_fields"] == [
        "user.contact",
        "orders.buyer_name",
        "orders.shipping.street",
        "orders.shipping.postal_code",
    ]
    assert store["amazon_data"] == ["orders.order_id", "order_items.sku", "order_items.quantity"]
    assert store["unclassified"] == ["orders.notes"]
    assert store["tables"] == ["orders", "order_items"]
    flow = next(f for f in item.facts["flows"] if f["from"] == "label-service")
    assert flow["pii_fields"] == ["user.contact.address"]


def test_pytm_dump_feeds_the_checks(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "pytm_dump.json", tmp_path / "model.json")
    (item,) = collect_paths(tmp_path, ["model.json"])
    stores = {s["name"]: s for s in item.facts["stores"]}
    assert stores["Orders DB"]["encrypted_at_rest"] is True
    assert stores["Orders DB"]["encryption_algorithm"] == "AES-256"
    assert stores["Orders DB"]["pii_fields"] == ["shipping address"]
    assert stores["Debug dump"]["pii"] == "no"
    results = evaluate_items([item])
    enc1 = outcome(results["DPP-ENC-1"], "dataflow_pii_flows_tls")
    assert enc1.status == "not_met"
    assert (
        "order-service -> orders-db carries PII (shipping address) over PostgreSQL with no TLS"
        in enc1.reasons[0]
    )
    assert results["DPP-ENC-1"].status == "not_met"


def test_a_drawing_is_rejected_whatever_its_name(tmp_path: Path) -> None:
    (item,) = collect(tmp_path, {"flows.puml": "@startuml\nA -> B\n@enduml\n"})
    assert item.error is not None
    assert "not a model: a PlantUML drawing" in item.error


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"m.json": '{"a": 1,\n "b": }'}, "m.json:2: malformed JSON: Expecting value"),
        ({"m.json": '{"nodes": []}'}, "unrecognised model: expected Threat Dragon, OTM or pytm"),
        (
            {"m.yaml": "name: x\nstores: []\n"},
            "looks like a native data map but has no `version: 1` line",
        ),
        ({"m.txt": "hello"}, "unsupported file type: expected .yaml, .yml or .json"),
    ],
)
def test_unreadable_models_say_why(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    (item,) = collect(tmp_path, files)
    assert item.error is not None
    assert expected in item.error


def test_a_forced_format_must_match_the_file(tmp_path: Path) -> None:
    shutil.copy(REALDATA / "threat-dragon_v2-threat-model.json", tmp_path / "td.json")
    (item,) = collect_paths(tmp_path, ["td.json"], fmt="otm")
    assert item.error is not None
    assert "the source sets format = 'otm', but the file is a threat-dragon model" in item.error


def test_a_folder_is_read_for_yaml_and_json_maps(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    maps.mkdir()
    shutil.copy(REALDATA / "threat-dragon_v2-threat-model.json", maps / "td.json")
    shutil.copy(REALDATA / "pytm_input.json", maps / "pytm.json")
    (maps / "README.txt").write_text("not a map", encoding="utf-8")
    items = collect_paths(tmp_path, ["maps"])
    assert sorted(i.facts["format"] for i in items) == ["pytm", "threat-dragon-v2"]
