import json

from tests.support import run_cli


def test_policies_diff_shows_the_changed_numbers() -> None:
    result = run_cli("policies", "diff", "amazon-dpp@2021", "amazon-dpp@2025-11")
    assert result.code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "DPP-RET-1 │ retention_clock │ shipment │ delivery" in out
    assert "DPP-LOG-2 │ log_retention_days │ 90 days │ 365 days" in out
    assert "DPP-RET-4 │ deletion_on_request_hours │ 72 hours │ 720 hours" in out
    assert "+ DPP-IR-4" in out
    assert "DPP-VULN-2 │ scan_every_days │ 180 days │ 30 days" in out
    assert "cadence DPP-VULN-2: every 180 days → every 30 days" in out
    for kept in ("DPP-ACC-1", "DPP-ACC-5", "DPP-NET-3", "DPP-VULN-2"):
        assert f"+ {kept} " not in out
    assert "~ DPP-NET-3" in out


def test_policies_list_and_show() -> None:
    listed = run_cli("policies", "list", "--json")
    assert listed.code == 0
    assert '"amazon-dpp@2021"' in listed.stdout and '"superseded"' in listed.stdout
    shown = run_cli("policies", "show", "DPP-NET-4")
    assert shown.code == 0
    assert "Uncertain" in shown.stdout
    missing = run_cli("policies", "show", "DPP-NOPE-1")
    assert missing.code == 2 and "no control or catalogue" in missing.stderr


def test_policies_show_prints_each_source_record_with_its_address_and_phrase() -> None:
    shown = run_cli("policies", "show", "DPP-VULN-2", "--catalogue", "amazon-dpp@2021")
    assert shown.code == 0, shown.stderr
    out = " ".join(shown.stdout.split())
    assert "source: amazon-vuln-mgmt-older:" in out
    assert "https://developer-docs.amazon.com/sp-api/lang-tr_TR/docs/vulnerability-management" in out
    assert "supports scan_every_days: at least every 180 days" in out


def test_policies_show_lists_a_crosswalk_frameworks_criteria_with_what_decides_each() -> None:
    shown = run_cli("policies", "show", "soc2@2017", "--json")
    assert shown.code == 0, shown.stderr
    criteria = {c["id"]: c for c in json.loads(shown.stdout)["criteria"]}
    assert "amazon-dpp:DPP-ENC-1" in criteria["CC6.7"]["maps_to"]
    assert criteria["CC1.1"]["not_covered"]
    table = run_cli("policies", "show", "iso27001")
    assert table.code == 0, table.stderr
    assert "A.8.24" in table.stdout and "not covered" in table.stdout
