from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evidence.collectors import registry
from tests.dataflow_support import MINIMAL, collect, collect_paths, redactor

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "dataflow" / "parcelpilot.yaml"


def test_registered_under_its_id() -> None:
    cls = registry.get("dataflow")
    assert cls.id == "dataflow"
    assert cls.produces == ("dataflow.map",)
    assert cls.paths_setting == "maps"


def test_sample_map_covers_the_sample_developers_systems(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "parcelpilot.yaml")
    (item,) = collect_paths(tmp_path, ["parcelpilot.yaml"])
    facts = item.facts
    assert item.error is None
    assert facts["format"] == "native"
    ids = {n["id"] for n in [*facts["systems"], *facts["stores"], *facts["third_parties"]]}
    # Systems of samples/evidence.toml [scope], SP-API itself and the ShipCo third party.
    assert {
        "parcelpilot-api",
        "orders-db",
        "label-archive",
        "order-exports",
        "tax-archive",
        "admin-dashboard",
        "sp-api",
        "shipco-labels",
    } <= ids
    # orders-db, label-archive, the VAT order exports and the tax-invoice archive.
    assert facts["counts"]["pii_stores"] == 4
    assert facts["gaps"] == []
    assert item.subject == "parcelpilot.yaml"
    assert item.raw_inputs[0].sha256
    assert item.facts_sha256


def test_mixed_store_is_a_pii_store_and_principals_are_pseudonymised(tmp_path: Path) -> None:
    (item,) = collect(tmp_path, {"map.yaml": MINIMAL})
    (store,) = item.facts["stores"]
    assert store["pii"] == "yes"
    assert store["mixed"] is True
    (role,) = item.facts["roles"]
    assert role["principals"] == [
        {"name": "svc-orders", "pseudonym": redactor().principal("svc-orders")}
    ]
    flows = item.facts["flows"]
    assert [f["tls"] for f in flows] == ["1.2", "1.3"]  # YAML reads 1.2 as a number
    assert flows[0]["id"] == "sp-api->api"


def test_same_input_gives_the_same_item(tmp_path: Path) -> None:
    first = collect(tmp_path, {"map.yaml": MINIMAL})[0]
    second = collect_paths(tmp_path, ["map.yaml"])[0]
    assert (first.id, first.facts_sha256) == (second.id, second.facts_sha256)


def test_free_text_is_redacted_and_counted(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "name: Order API", "name: Order API (owner jane.doe@fennelfinch.example)"
    )
    (item,) = collect(tmp_path, {"map.yaml": text})
    name = next(s["name"] for s in item.facts["systems"] if s["id"] == "api")
    assert "jane.doe" not in name
    assert "email:" in name
    assert item.redactions.get("email") == 1


@pytest.mark.parametrize(
    ("change", "line", "expected"),
    [
        (
            ("kind: service", "kindd: service"),
            5,
            "systems[1].kindd: unknown field (did you mean 'kind'?",
        ),
        (
            ("pii_days: 30", "pii_days: -1"),
            11,
            "stores[0].retention.pii_days: Input should be greater than or equal to 0",
        ),
        (
            ("protocol: HTTPS, tls: 1.2", "protocol: HTTPS, tls: 0.9"),
            17,
            "flows[0].tls: Input should be",
        ),
        (
            ("{from: api, to: orders-db", "{from: api, to: orders-dbx"),
            19,
            "flows[1].to: names 'orders-dbx', which is no",
        ),
        (
            ("access: {orders-db: read-write}", "access: {orders-db: own}"),
            22,
            "roles[0].access.orders-db: Input should be",
        ),
    ],
)
def test_schema_errors_name_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, expected: str
) -> None:
    assert change[0] in MINIMAL
    (item,) = collect(tmp_path, {"map.yaml": MINIMAL.replace(*change)})
    assert item.error is not None
    assert f"map.yaml:{line}: {expected}" in item.error


def test_duplicate_ids_are_errors(tmp_path: Path) -> None:
    text = MINIMAL.replace("{id: api, name: Order API", "{id: orders-db, name: Order API")
    (item,) = collect(tmp_path, {"map.yaml": text})
    assert item.error is not None
    assert (
        "map.yaml:7: stores[0].id: id 'orders-db' is already used by one of the systems"
        in item.error
    )
    # Every problem is reported at once, each at its own line.
    assert (
        "map.yaml:19: flows[1].from: names 'api', which is no system, store or third party"
        in item.error
    )


def test_malformed_yaml_names_the_line_without_quoting_it(tmp_path: Path) -> None:
    (item,) = collect(
        tmp_path,
        {"map.yaml": MINIMAL.replace("  - id: orders-db\n", "  - id: orders-db\n   bad: [\n")},
    )
    assert item.error is not None
    assert "map.yaml:" in item.error
    assert "malformed YAML" in item.error
    assert "bad: [" not in item.error


def test_a_bad_file_fails_alone_and_good_maps_are_kept(tmp_path: Path) -> None:
    items = collect(tmp_path, {"a.yaml": MINIMAL, "b.yaml": "version: 1\nname: x\nstores: 3\n"})
    by_subject = {i.subject: i for i in items}
    assert by_subject["a.yaml"].error is None
    assert (
        by_subject["b.yaml"].error
        == f"{tmp_path / 'b.yaml'}:3: stores: Input should be a valid list"
    )


def test_missing_file_is_a_failed_item(tmp_path: Path) -> None:
    (item,) = collect_paths(tmp_path, ["nowhere.yaml"])
    assert item.error is not None
    assert "file not found" in item.error


def test_gaps_list_what_the_map_does_not_say(tmp_path: Path) -> None:
    text = """\
version: 1
name: Partial
systems: [{id: api}]
stores:
  - {id: cache, holds: {pii: [buyer_name]}}
  - {id: blobs}
third_parties: [{id: mailer}]
flows:
  - {from: api, to: cache, carries: {pii: [buyer_name]}}
  - {from: api, to: mailer}
"""
    (item,) = collect(tmp_path, {"map.yaml": text})
    gaps = {(g["element"], g["field"]) for g in item.facts["gaps"]}
    assert {
        ("store cache", "encryption_at_rest"),
        ("store cache", "retention"),
        ("store blobs", "holds"),
        ("flow api->cache", "tls"),
        ("flow api->mailer", "carries"),
        ("flow api->mailer", "tls"),
        ("third party mailer", "purpose"),
        ("third party mailer", "last_assessment"),
        ("third party mailer", "contract"),
        ("map", "roles"),
    } <= gaps


def test_each_configured_path_fails_alone_and_files_are_read_once(tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text(MINIMAL, encoding="utf-8")
    items = collect_paths(tmp_path, ["map.yaml", "missing-folder", "map.yaml", "."])
    assert [(i.subject, i.error is None) for i in items] == [
        ("missing-folder", False),
        ("map.yaml", True),
    ]


def test_type_errors_speak_yaml_not_class_names(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "encryption_at_rest: {enabled: true, algorithm: AES-256}", "encryption_at_rest: 3"
    )
    (item,) = collect(tmp_path, {"map.yaml": text})
    assert item.error is not None
    assert item.error.endswith(
        "map.yaml:10: stores[0].encryption_at_rest: Input should be a valid dictionary"
    )
