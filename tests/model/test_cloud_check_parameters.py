"""The cloud, transport and TLS checks declare their parameters: a misspelt one fails the catalogue load."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from evidence.controls.catalogue import load_catalogue_file
from evidence.controls.checks.lifecycle import LifecycleParams
from evidence.errors import PolicyError
from evidence.resources import policies_dir
from tests.catalogue_edits import edited_catalogue, line_with


def test_a_misspelt_key_rotation_limit_fails_the_load_naming_file_line_and_control(tmp_path: Path) -> None:
    # Misspelt where the control states it and where its source supports it, so only the
    # check's declared parameters can catch it.
    path = edited_catalogue(tmp_path, "key_rotation_max_days:", "key_rotaton_max_days:", count=2)
    stated = line_with(path, "key_rotaton_max_days:")  # the control's parameters begin with it
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{stated}: ")
    assert "(DPP-ENC-3)" in message
    assert "check kms_rotation_enabled needs parameter 'key_rotation_max_days'" in message


def test_a_misspelt_probe_age_in_with_fails_the_load_at_its_line(tmp_path: Path) -> None:
    path = edited_catalogue(tmp_path, "with: {max_probe_age_days: 90}", "with: {max_probe_age_dys: 90}")
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line_with(path, 'max_probe_age_dys')}: ")
    assert "check tls_min_version has no parameter 'max_probe_age_dys'" in message
    assert "(DPP-ENC-1)" in message


def test_an_ill_typed_log_retention_fails_the_load(tmp_path: Path) -> None:
    source = (policies_dir() / "amazon-dpp" / "2025-11.yaml").read_text(encoding="utf-8")
    start = source.index("      log_retention_days:\n")
    value = source.index("value:", start)
    end = source.index("\n", value)
    path = tmp_path / "2025-11.yaml"
    path.write_text(source[:value] + "value: a year" + source[end:], encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    message = str(caught.value)
    assert "parameter 'log_retention_days' of check log_group_retention" in message
    assert message.startswith(f"{path}:{line_with(path, 'value: a year')}: ")


def test_the_limit_of_the_buckets_judged_must_be_stated(tmp_path: Path) -> None:
    # The non-PII limit renamed where the control states it and where its source supports it:
    # the lifecycle check judging the non-PII buckets has no limit, so the load fails.
    path = edited_catalogue(tmp_path, "non_pii_retention_days:", "non_pii_retention_dys:", count=2)
    with pytest.raises(PolicyError) as caught:
        load_catalogue_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:")
    assert "(DPP-RET-3)" in message
    # Two checks of DPP-RET-3 read the limit (the lifecycle rules and the non-PII age); the load
    # names the first that lacks it. The lifecycle check's own rule is shown on its model.
    assert "'non_pii_retention_days'" in message
    with pytest.raises(ValidationError, match="the control must state it"):
        LifecycleParams.model_validate({"buckets": "non-pii", "pii_retention_days": 30})
