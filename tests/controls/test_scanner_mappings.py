"""policies/scanner-mappings.yaml agrees with the catalogues that use it."""

from __future__ import annotations

import pytest

from evidence.controls.catalogue import load_catalogue
from evidence.controls.scanner_mappings import scanner_mappings


@pytest.mark.parametrize("ref", ["amazon-dpp@2025-11", "amazon-dpp@2021"])
def test_controls_using_scanner_findings_are_mapped_and_alternatives(ref: str) -> None:
    catalogue = load_catalogue(ref)
    mapped = scanner_mappings().controls
    users = [
        c for c in catalogue.controls if any(k.check == "scanner_mapped_findings" for k in c.checks)
    ]
    assert users
    for control in users:
        assert control.id in mapped, control.id
        # A scanner pass never meets an element, so every element it decides has another proof.
        scanner = {e for k in control.checks if k.check == "scanner_mapped_findings" for e in k.decides}
        for element in scanner:
            others = [k for k in control.checks if k.check != "scanner_mapped_findings" and element in k.decides]
            assert others, f"{control.id}: element {element} is decided by scanner findings alone"
        assert any(e.kind == "scanner.findings" and not e.planned for e in control.evidence), (
            control.id
        )


def test_every_mapped_control_exists_in_the_current_catalogue() -> None:
    current = {c.id for c in load_catalogue("amazon-dpp@2025-11").controls}
    assert set(scanner_mappings().controls) <= current


def test_mappings_leave_out_checks_whose_failure_says_nothing_about_the_dpp() -> None:
    listed = {
        check for m in scanner_mappings().controls.values() for check in m.prowler + m.securityhub
    }
    for stricter in (
        "iam_password_policy_minimum_length_14",
        "iam_password_policy_reuse_24",
        "iam_rotate_access_key_90_days",
        "s3_bucket_kms_encryption",
        "IAM.15",
        "IAM.16",
        "S3.17",
    ):
        assert stricter not in listed
