from pathlib import Path

import pytest

from evidence.controls.catalogue import all_catalogues, catalogue_files, load_catalogue
from evidence.controls.diff import diff_catalogues

ROOT = Path(__file__).resolve().parents[2]


def reference_ids(prefix: str) -> set[str]:
    """Control ids as the reference's catalogue tables list them (first cell of a row)."""
    text = (ROOT / "tests" / "controls" / "fixtures" / "reference-ids.txt").read_text(encoding="utf-8")
    return {line for line in text.split() if line.startswith(prefix)}


def test_every_catalogue_validates() -> None:
    refs = {c.ref for c in all_catalogues()}
    assert {"amazon-dpp@2021", "amazon-dpp@2025-11", "amazon-aup@2025-11"} <= refs
    assert load_catalogue("amazon-dpp").ref == "amazon-dpp@2025-11"


@pytest.mark.parametrize(("ref", "prefix"), [("amazon-dpp@2025-11", "DPP-"), ("amazon-aup@2025-11", "AUP-")])
def test_every_reference_requirement_is_a_control(ref: str, prefix: str) -> None:
    ids = {c.id for c in load_catalogue(ref).controls}
    assert reference_ids(prefix) - ids == set()


def test_uncertain_points_stay_marked_uncertain() -> None:
    catalogue = load_catalogue("amazon-dpp@2025-11")
    for control_id in ("DPP-NET-4", "DPP-AUD-3", "DPP-RDT-2"):
        control = catalogue.control(control_id)
        assert control.uncertain and control.uncertain_note
    scans = catalogue.control("DPP-VULN-2")
    assert scans.parameters["scan_every_days"].value == 30
    assert load_catalogue("amazon-aup@2025-11").control("AUP-PII-2").uncertain


def test_2021_numbers_follow_the_mws_era_text() -> None:
    old = load_catalogue("amazon-dpp@2021")
    assert old.control("DPP-RET-1").parameters["retention_clock"].value == "shipment"
    assert old.control("DPP-LOG-2").parameters["log_retention_days"].value == 90
    assert old.control("DPP-RET-4").parameters["deletion_on_request_hours"].value == 72
    assert old.control("DPP-RET-2").parameters["cold_offline_archive_required"].value is True
    for later in ("DPP-IR-4", "DPP-RET-3", "DPP-VULN-5"):
        with pytest.raises(KeyError):
            old.control(later)


def test_diff_shows_changed_numbers_and_added_controls() -> None:
    result = diff_catalogues(load_catalogue("amazon-dpp@2021"), load_catalogue("amazon-dpp@2025-11"))
    changes = {(c.control_id, c.parameter): (c.old, c.new) for c in result.parameters}
    assert changes[("DPP-RET-1", "retention_clock")] == ("shipment", "delivery")
    assert changes[("DPP-LOG-2", "log_retention_days")] == (90, 365)
    assert changes[("DPP-RET-4", "deletion_on_request_hours")] == (72, 720)
    assert changes[("DPP-PWD-1", "min_length")] == (8, 12)
    assert "DPP-IR-4" in {cid for cid, _ in result.added}


def test_diff_2021_to_2025_11_reports_the_scan_cadence_as_a_changed_number() -> None:
    result = diff_catalogues(load_catalogue("amazon-dpp@2021"), load_catalogue("amazon-dpp@2025-11"))
    changes = {(c.control_id, c.parameter): (c.old, c.new) for c in result.parameters}
    assert changes[("DPP-VULN-2", "scan_every_days")] == (180, 30)
    assert ("DPP-VULN-2", "every 180 days", "every 30 days") in result.cadences
    added = {cid for cid, _ in result.added}
    # In the 2021 text already: unique IDs, personal devices, end-user anti-virus, 180-day scans.
    assert added.isdisjoint({"DPP-ACC-1", "DPP-ACC-5", "DPP-NET-3", "DPP-VULN-2"})
    changed = {c.control_id: c for c in result.changed}
    assert changed["DPP-NET-3"].elements_added == ["monthly_updates", "tamper_protection"]
    assert changed["DPP-ACC-1"].elements_added == ["registration_process"]


def test_2021_vulnerability_scans_follow_the_older_guidance_page() -> None:
    scans = load_catalogue("amazon-dpp@2021").control("DPP-VULN-2")
    assert scans.parameters["scan_every_days"].value == 180
    assert scans.cadence is not None and scans.cadence.every_days == 180


def test_catalogue_files_are_named_after_their_ref() -> None:
    for ref, path in catalogue_files().items():
        catalogue_id, version = ref.split("@")
        assert path.parent.name == catalogue_id and path.stem == version


def test_text_faults_of_the_review_stay_fixed() -> None:
    current = load_catalogue("amazon-dpp@2025-11")
    # Change management rests on the DPP clause of the older vulnerability-management page.
    change = current.control("DPP-CHG-1")
    assert change.attributes["confidence"] == "H" and change.section == "2.7"
    assert "amazon-vuln-mgmt-older" in {ref.source for ref in change.sources}
    # Section 3 (April 2025) covers information disclosed BY solution providers.
    confidentiality = current.control("DPP-AUD-3")
    assert "disclosed by solution providers" in confidentiality.requirement
    assert "discloses to the solution provider" not in confidentiality.requirement
    # The logging event list is Amazon's.
    logging = current.control("DPP-LOG-1")
    for words in ("succeeded or failed", "date and time", "access attempts", "changes to data", "system errors"):
        assert words in " ".join(logging.requirement.split())
    assert "event_fields" in {e.id for e in logging.elements}
    # Incident response: government notices and documented decision-making authority.
    assert "government_notice_procedure" in {e.id for e in current.control("DPP-IR-5").elements}
    assert "roles_and_authority" in {e.id for e in current.control("DPP-IR-1").elements}


def test_both_november_2025_dates_are_recorded_with_the_one_used() -> None:
    for ref in ("amazon-dpp@2025-11", "amazon-aup@2025-11"):
        catalogue = load_catalogue(ref)
        assert catalogue.effective.isoformat() == "2025-11-11"
        assert {d.date.isoformat() for d in catalogue.dates} >= {"2025-11-11", "2025-11-25"}
        assert catalogue.effective_note and "11 November" in catalogue.effective_note
        assert "25 November" in catalogue.effective_note


def test_the_november_2025_definitions_are_in_the_glossary() -> None:
    terms = {t.term: t for t in load_catalogue("amazon-dpp@2025-11").glossary}
    for term in ("Amazon Partners", "Service Provider", "Solution Provider"):
        assert terms[term].since == "2025-11" and terms[term].meaning


def test_the_versions_in_between_carry_their_changes_with_matching_since_dates() -> None:
    aug22 = load_catalogue("amazon-dpp@2022-08")
    jun24 = load_catalogue("amazon-dpp@2024-06")
    assert aug22.control("DPP-RET-4").parameters["deletion_on_request_hours"].value == 720
    assert "history" not in aug22.control("DPP-PWD-1").parameters
    assert aug22.control("DPP-PWD-1").parameters["min_length"].value == 12
    for later in ("DPP-ACC-3", "DPP-ACC-7", "DPP-IR-4", "DPP-RET-3"):
        with pytest.raises(KeyError):
            aug22.control(later)
    assert jun24.control("DPP-ACC-3").parameters["remove_within_hours"].value == 24
    assert jun24.control("DPP-ACC-3").attributes["since"] == "2024-06" == jun24.control("DPP-ACC-7").attributes["since"]
    assert load_catalogue("amazon-dpp@2025-11").control("DPP-ACC-3").attributes["since"] == "2024-06"
    old = diff_catalogues(load_catalogue("amazon-dpp@2021"), aug22)
    changes = {(c.control_id, c.parameter): (c.old, c.new) for c in old.parameters}
    assert changes[("DPP-RET-4", "deletion_on_request_hours")] == (72, 720)
    assert {"DPP-ACC-3", "DPP-ACC-7"} <= {cid for cid, _ in diff_catalogues(aug22, jun24).added}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2022-08-21", "amazon-dpp@2021"),
        ("2022-08-22", "amazon-dpp@2022-08"),
        ("2024-06-30", "amazon-dpp@2024-06"),
        ("2025-11-10", "amazon-dpp@2024-06"),
        ("2025-11-11", "amazon-dpp@2025-11"),
        ("2026-09-30", "amazon-dpp@2025-11"),
    ],
)
def test_a_period_is_judged_by_the_version_in_force_at_its_end(day: str, expected: str) -> None:
    from datetime import date

    from evidence.controls.catalogue import catalogue_in_force, resolve_catalogue

    assert catalogue_in_force("amazon-dpp", date.fromisoformat(day)).ref == expected
    assert resolve_catalogue("amazon-dpp", date.fromisoformat(day)).ref == expected
    assert resolve_catalogue("amazon-dpp@2021", date.fromisoformat(day)).ref == "amazon-dpp@2021"
