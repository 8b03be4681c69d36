from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from evidence.model.assurance import Assurance
from evidence.model.results import ControlResult, Status
from tests.dataflow_support import MINIMAL, collect, evaluate_items, outcome

THIRD_PARTY = """\
third_parties:
  - id: labels
    name: Label Co
    purpose: {purpose}
    last_assessment: {assessed}
    contract: {contract}
"""
TO_THIRD_PARTY = """\
  - {from: api, to: labels, carries: {pii: [shipping_address]}, protocol: HTTPS, tls: 1.2}
"""


def with_third_party(
    purpose: str = "fulfilment", assessed: str = "2026-01-12", contract: str = "DPA"
) -> str:
    text = MINIMAL.replace(
        "flows:\n",
        THIRD_PARTY.format(purpose=purpose, assessed=assessed, contract=contract) + "flows:\n",
    )
    return text.replace("roles:\n", TO_THIRD_PARTY + "roles:\n")


def results(tmp_path: Path, text: str, *refs: str) -> dict[str, ControlResult]:
    return evaluate_items(collect(tmp_path, {"map.yaml": text}), *refs)


def test_clean_map_is_a_declaration_never_verified(tmp_path: Path) -> None:
    found = results(tmp_path, MINIMAL)
    tls = outcome(found["DPP-ENC-1"], "dataflow_pii_flows_tls")
    assert tls.status == Status.MET and tls.assurance is Assurance.ATTESTED
    assert "all 2 flows carrying PII" in tls.reasons[0]
    channel = next(e for e in found["DPP-ENC-1"].elements if e.id == "no_unencrypted_channel")
    assert channel.status == Status.MET and channel.assurance is Assurance.ATTESTED
    assert found["DPP-ENC-1"].status == Status.INSUFFICIENT  # no TLS scan, no probe: endpoints undecided
    assert found["DPP-ENC-2"].status == Status.INSUFFICIENT


def test_pii_flow_without_tls_is_a_finding_naming_the_flow(tmp_path: Path) -> None:
    found = results(
        tmp_path,
        MINIMAL.replace("protocol: PostgreSQL, tls: 1.3", "protocol: PostgreSQL, tls: none"),
    )
    tls = outcome(found["DPP-ENC-1"], "dataflow_pii_flows_tls")
    assert tls.status == Status.NOT_MET
    assert "api -> orders-db carries PII (buyer_name) over PostgreSQL with no TLS" in tls.reasons[0]
    assert tls.figures["pii_flows_below_min_tls"] == 1
    assert found["DPP-ENC-1"].status == Status.NOT_MET


def test_tls_1_1_is_below_the_minimum_and_ssh_2_is_accepted(tmp_path: Path) -> None:
    text = MINIMAL.replace("tls: 1.3", "tls: TLSv1.1").replace(
        "protocol: HTTPS, tls: 1.2", "protocol: SFTP, ssh: 2"
    )
    tls = outcome(results(tmp_path, text)["DPP-ENC-1"], "dataflow_pii_flows_tls")
    assert tls.status == Status.NOT_MET
    assert len(tls.reasons) == 1
    assert "with TLS 1.1" in tls.reasons[0]
    assert "sp-api" not in tls.reasons[0]


def test_unknown_tls_on_a_pii_flow_is_insufficient(tmp_path: Path) -> None:
    tls = outcome(
        results(tmp_path, MINIMAL.replace(", tls: 1.3", ""))["DPP-ENC-1"], "dataflow_pii_flows_tls"
    )
    assert tls.status == Status.INSUFFICIENT
    assert "not stated: the TLS version of api -> orders-db" in tls.reasons[0]


def test_mixed_store_unencrypted_is_a_pii_store_finding(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "encryption_at_rest: {enabled: true, algorithm: AES-256}", "encryption_at_rest: false"
    )
    found = results(tmp_path, text)
    enc = outcome(found["DPP-ENC-2"], "dataflow_pii_stores_protected")
    assert enc.status == Status.NOT_MET
    assert "PII store orders-db" in enc.reasons[0]
    assert "declared not encrypted at rest" in enc.reasons[0]
    assert enc.figures["mixed_stores"] == 1
    assert found["DPP-ENC-2"].status == Status.NOT_MET


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("algorithm: AES-256", "algorithm: AES-64"), "uses AES-64, under the AES-128 minimum"),
        (
            (
                "backups: {enabled: true, encrypted: true",
                "backups: {enabled: true, encrypted: false",
            ),
            "backups of PII store orders-db",
        ),
    ],
)
def test_weak_algorithm_and_unencrypted_backups_are_findings(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    enc = outcome(
        results(tmp_path, MINIMAL.replace(*change))["DPP-ENC-2"], "dataflow_pii_stores_protected"
    )
    assert enc.status == Status.NOT_MET
    assert expected in enc.reasons[0]


def test_retention_over_30_days_fails_and_a_legal_hold_is_accepted(tmp_path: Path) -> None:
    late = outcome(
        results(tmp_path, MINIMAL.replace("pii_days: 30", "pii_days: 45"))["DPP-RET-1"],
        "dataflow_pii_stores_protected",
    )
    assert late.status == Status.NOT_MET
    assert "keeps PII 45 days after delivery, over 30" in late.reasons[0]
    held = outcome(
        results(
            tmp_path, MINIMAL.replace("pii_days: 30,", 'legal_hold: "VAT records, VATA 1994 s.58",')
        )["DPP-RET-1"],
        "dataflow_pii_stores_protected",
    )
    assert held.status == Status.MET


def test_2021_counts_the_retention_clock_from_shipment(tmp_path: Path) -> None:
    found = results(tmp_path, MINIMAL, "amazon-dpp@2021")
    ret = outcome(found["DPP-RET-1"], "dataflow_pii_stores_protected")
    assert ret.status == Status.NOT_MET
    assert (
        "counts its 30 days from delivery; this policy version counts from shipment"
        in ret.reasons[0]
    )
    shipped = results(
        tmp_path, MINIMAL.replace("after: delivery", "after: shipment"), "amazon-dpp@2021"
    )
    assert outcome(shipped["DPP-RET-1"], "dataflow_pii_stores_protected").status == Status.MET


def test_third_party_purpose_assessment_and_contract(tmp_path: Path) -> None:
    refs = ("amazon-dpp@2025-11", "amazon-aup@2025-11")
    good = results(tmp_path, with_third_party(), *refs)
    assert (
        outcome(good["amazon-aup@2025-11:AUP-PII-1"], "dataflow_third_parties").status == Status.MET
    )
    assert (
        outcome(good["amazon-dpp@2025-11:DPP-3P-1"], "dataflow_third_parties").status == Status.MET
    )

    marketing = results(tmp_path, with_third_party(purpose="marketing"), *refs)
    pii = outcome(marketing["amazon-aup@2025-11:AUP-PII-1"], "dataflow_third_parties")
    assert pii.status == Status.NOT_MET
    assert "Label Co" in pii.reasons[0]
    assert (
        "receives PII (shipping_address) for marketing, not for fulfilment or tax" in pii.reasons[0]
    )
    assert marketing["amazon-aup@2025-11:AUP-PII-1"].status == Status.NOT_MET

    stale = results(tmp_path, with_third_party(assessed="2025-09-01"), *refs)
    # Yearly reassessment is an uncertain figure, not in the AUP: past it is a recommendation
    # that the report shows, never a failure of either control.
    assessment = outcome(stale["amazon-dpp@2025-11:DPP-3P-1"], "dataflow_third_parties")
    assert assessment.status == Status.MET
    assert (
        "recommendation (uncertain figure, does not fail the control): Label Co"
        in assessment.reasons[-1]
    )
    assert "last assessed 2025-09-01, 394 days before 2026-09-30, over the recommended 365 days" in (
        assessment.reasons[-1]
    )
    assert assessment.figures["recommendations"] == 1
    shared = outcome(stale["amazon-aup@2025-11:AUP-SHARE-1"], "dataflow_third_parties")
    assert shared.status == Status.MET
    assert stale["amazon-dpp@2025-11:DPP-3P-1"].status != Status.NOT_MET
    assert stale["amazon-aup@2025-11:AUP-SHARE-1"].status != Status.NOT_MET

    no_contract = results(tmp_path, with_third_party(contract="none"), *refs)
    share = outcome(no_contract["amazon-aup@2025-11:AUP-SHARE-1"], "dataflow_third_parties")
    assert share.status == Status.NOT_MET
    assert "receives PII with no contract (DPA) in place" in share.reasons[0]


def test_assessment_after_the_as_of_date_does_not_count(tmp_path: Path) -> None:
    items = collect(tmp_path, {"map.yaml": with_third_party(assessed="2026-06-01")})
    early = evaluate_items(items, as_of=datetime(2026, 5, 1, tzinfo=UTC))
    check = outcome(early["DPP-3P-1"], "dataflow_third_parties")
    assert check.status == Status.INSUFFICIENT
    assert "on or before 2026-05-01 (the last is dated later)" in check.reasons[0]


def test_pii_on_removable_media_is_forbidden_unless_2021_and_encrypted(tmp_path: Path) -> None:
    usb = """\
  - id: usb-exports
    kind: removable-media
    holds: {pii: [shipping_address]}
    encryption_at_rest: {enabled: true, algorithm: AES-256}
"""
    text = MINIMAL.replace("flows:\n", usb + "flows:\n")
    current = outcome(results(tmp_path, text)["DPP-ASSET-1"], "dataflow_no_pii_on_devices")
    assert current.status == Status.NOT_MET
    assert "removable-media usb-exports holds PII (shipping_address)" in current.reasons[0]
    older = outcome(
        results(tmp_path, text, "amazon-dpp@2021")["DPP-ASSET-1"], "dataflow_no_pii_on_devices"
    )
    assert older.status == Status.MET


def test_pii_sent_to_a_personal_device_is_a_finding(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "systems:\n", "systems:\n  - {id: laptop, kind: personal-device}\n"
    ).replace(
        "roles:\n",
        "  - {from: api, to: laptop, carries: {pii: [buyer_name]}, tls: 1.3}\nroles:\n",
    )
    check = outcome(results(tmp_path, text)["DPP-ASSET-1"], "dataflow_no_pii_on_devices")
    assert check.status == Status.NOT_MET
    assert "api -> laptop sends PII to a personal device or removable media" in check.reasons[0]


def test_map_without_pii_cannot_meet_pii_checks(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("pii: [buyer_name, shipping_address], amazon", "amazon")
        .replace("carries: {pii: [buyer_name, shipping_address]}", "carries: {amazon: [order_id]}")
        .replace("carries: {pii: [buyer_name]}", "carries: {amazon: [order_id]}")
    )
    found = results(tmp_path, text)
    for control, check in [
        ("DPP-GOV-2", "dataflow_map_complete"),
        ("DPP-RET-1", "dataflow_pii_stores_protected"),
    ]:
        result = outcome(found[control], check)
        assert result.status == Status.INSUFFICIENT
        assert "declares no store or flow holding PII" in result.reasons[0]


def test_unclassified_store_keeps_classification_insufficient(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "stores:\n", "stores:\n  - {id: blobs, holds: {unclassified: [exports]}}\n"
    )
    gov = outcome(results(tmp_path, text)["DPP-GOV-2"], "dataflow_map_complete")
    assert gov.status == Status.INSUFFICIENT
    assert "whether 1 data item of store blobs" in gov.reasons[0]


def test_a_failed_map_file_blocks_met(tmp_path: Path) -> None:
    items = collect(
        tmp_path, {"a.yaml": MINIMAL, "b.yaml": "version: 1\nname: broken\nstores: {}\n"}
    )
    gov = outcome(evaluate_items(items)["DPP-GOV-2"], "dataflow_map_complete")
    assert gov.status == Status.INSUFFICIENT
    assert "1 data map file(s) could not be read, so the map is incomplete" in gov.reasons[0]
    assert {i.id for i in items} <= set(gov.evidence_ids)


def test_no_map_at_all_says_how_to_add_one() -> None:
    gov = outcome(evaluate_items([])["DPP-GOV-2"], "dataflow_map_complete")
    assert gov.status == Status.INSUFFICIENT
    assert gov.reasons[0] == "no data map was collected: add a `dataflow` source to the config"
