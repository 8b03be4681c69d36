"""The cloud, host, database and TLS fact models: misfits refused, given facts kept exactly."""

from __future__ import annotations

from typing import Any

import pytest

from evidence.model.facts import FactsMismatch, canonical_facts


def test_a_misspelt_record_field_is_refused_naming_where() -> None:
    facts = {"resources": [{"type": "s3_bucket", "id": "orders", "encryptd": True}]}
    with pytest.raises(FactsMismatch, match=r"encryption.at_rest' model at resources\.0\.encryptd"):
        canonical_facts("encryption.at_rest", facts, where="test")


def test_an_ill_typed_setting_is_refused() -> None:
    rule = {"protocol": "tcp", "from_port": "twenty-two", "to_port": 22, "cidr": "0.0.0.0/0"}
    facts = {"security_groups": [{"id": "sg-1", "world_open": [rule]}]}
    with pytest.raises(FactsMismatch, match=r"security_groups\.0\.world_open\.0\.from_port"):
        canonical_facts("network.exposure", facts, where="test")


@pytest.mark.parametrize(
    ("kind", "facts"),
    [
        # Fields not given stay absent (no default is written), nulls and ints stay as given.
        ("encryption.kms", {"keys": [{"id": "k1", "rotation_enabled": None, "rotation_period_days": 90}]}),
        ("settings.changes", {"complete_days": [], "changes": [], "max_gap_hours": 24, "truncated": False}),
        ("settings.changes", {"complete_days": [], "changes": [], "max_gap_hours": 24.5}),
        ("logging.config", {"database_logging": [{"server": "postgresql", "target": "db:5432"}]}),
        ("tls.endpoints", {"endpoints": [{"target": "api:443", "certificate": None, "error": "refused"}]}),
    ],
)
def test_the_facts_given_are_the_facts_stored(kind: str, facts: dict[str, Any]) -> None:
    stored = canonical_facts(kind, facts, where="test")
    assert stored == facts
    assert type(stored.get("max_gap_hours", 0)) is type(facts.get("max_gap_hours", 0))
