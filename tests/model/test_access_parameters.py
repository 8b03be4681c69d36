"""The access and logging checks' parameters are declared: a catalogue that misstates one fails to load."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.controls.catalogue import load_catalogue_file
from evidence.controls.checks import registry
from evidence.errors import PolicyError
from evidence.model.facts import FactsMismatch, canonical_facts
from evidence.resources import policies_dir
from tests.catalogue_edits import edited_catalogue, line_with

PARAMETER = "    parameters:\n      lockout_after_failures:\n        value: 10\n"
SUPPORTS = '          lockout_after_failures: "lock out after ten'
CHECK = "      - check: lockout_threshold\n"


def _catalogue(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = (policies_dir() / "amazon-dpp" / "2025-11.yaml").read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "2025-11.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line(path: Path, text: str, after: str = "") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if after in line) if after else 0
    return next(n for n, line in enumerate(lines[start:], start + 1) if text in line)


def _error(path: Path) -> str:
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    return str(caught.value)


def test_a_misspelt_lockout_parameter_fails_the_load_naming_file_line_and_control(tmp_path: Path) -> None:
    path = _catalogue(
        tmp_path,
        (PARAMETER, PARAMETER.replace("lockout_after_failures", "lockout_after_failure")),
        (SUPPORTS, SUPPORTS.replace("failures", "failure")),
    )
    message = _error(path)
    line = _line(path, "lockout_after_failure:", after="id: DPP-ACC-4")  # the misspelt parameter
    assert message.startswith(f"{path}:{line}: controls.")
    assert "(DPP-ACC-4)" in message
    assert "check lockout_threshold needs parameter 'lockout_after_failures', which the control does not state" in (
        message
    )


def test_a_lockout_parameter_misspelt_only_in_the_parameters_fails_too(tmp_path: Path) -> None:
    path = _catalogue(tmp_path, (PARAMETER, PARAMETER.replace("lockout_after_failures", "lockout_after_failure")))
    message = _error(path)
    assert message.startswith(f"{path}:{_line(path, 'id: DPP-ACC-4')}: ")
    assert "(DPP-ACC-4)" in message and "lockout_after_failures" in message


def test_an_ill_typed_or_unknown_check_argument_fails_the_load(tmp_path: Path) -> None:
    path = _catalogue(tmp_path, (CHECK, CHECK + "        with: {lockout_after_failures: ten}\n"))
    message = _error(path)
    assert message.startswith(f"{path}:{_line(path, 'lockout_after_failures: ten')}: ")
    assert "parameter 'lockout_after_failures' of check lockout_threshold" in message and "(DPP-ACC-4)" in message
    path = _catalogue(tmp_path, (CHECK, CHECK + "        with: {lockout_after: 5}\n"))
    message = _error(path)
    assert message.startswith(f"{path}:{_line(path, 'lockout_after: 5')}: ")
    assert "check lockout_threshold has no parameter 'lockout_after'" in message


@pytest.mark.parametrize(
    "name",
    [
        "unique_accounts",
        "root_account_unused",
        "lockout_threshold",
        "access_from_allowed_networks",
        "pii_store_access_restricted",
        "mfa_on_logins",
        "offboarding_within_limit",
        "logging_all_channels",
        "log_coverage_complete",
        "log_retention_span",
        "no_pii_in_logs",
        "log_integrity_validated",
        "access_review_complete",
    ],
)
def test_every_access_and_logging_check_declares_its_parameters(name: str) -> None:
    assert registry()[name].params is not None


def test_a_limit_without_a_value_in_the_catalogue_has_no_code_default() -> None:
    checks = registry()
    for name, field in (
        ("lockout_threshold", "lockout_after_failures"),
        ("offboarding_within_limit", "remove_within_hours"),
        ("log_retention_span", "log_retention_days"),
    ):
        params = checks[name].params
        assert params is not None
        assert params.model_fields[field].is_required(), f"{name} must not default {field}"


def test_access_facts_with_a_misnamed_key_are_refused() -> None:
    with pytest.raises(FactsMismatch, match="identity.leavers"):
        canonical_facts(
            "identity.leavers",
            {"leavers": [], "count": 0, "columns": {}, "files": 1, "files_read": 1, "file_read": 1},
            where="test",
        )
    with pytest.raises(FactsMismatch, match=r"'logging.pii_in_logs' model at records_scanned: Field required \(2"):
        canonical_facts(
            "logging.pii_in_logs",
            {
                "source_type": "auth-log", "channel": "host", "files": 1, "files_read": 1, "files_rejected": 0,
                "records_scaned": 3, "records_with_pii": 0, "counts": {}, "locations": [], "name_fields": [],
                "categories": [],
            },
            where="test",
        )


def test_a_reading_the_check_could_not_take_fails_the_load_naming_the_reading(tmp_path: Path) -> None:
    """A config may choose any listed reading, so each must fit the check that reads the figure."""
    block = (
        "        description: Highest number of failed log-in attempts before the account is locked.\n"
    )
    readings = block + (
        "        uncertain: true\n"
        "        reading: strict\n"
        "        readings:\n"
        "          strict: {value: 10, label: ten, text: Ten attempts.}\n"
        "          loose: {value: a dozen, label: a dozen, text: Twelve attempts written in words.}\n"
    )
    path = edited_catalogue(tmp_path, block, readings)
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line_with(path, 'loose: {value: a dozen')}: ")
    assert "(DPP-ACC-4)" in message
    assert "reading 'loose' of parameter 'lockout_after_failures' for check lockout_threshold" in message
