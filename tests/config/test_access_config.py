"""[access] in evidence.toml: validated once, the defaults of every log source's settings."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from evidence import pipeline
from evidence.config.load import load_config
from evidence.errors import ConfigError

BASE = """\
review_period = "2026-Q3"

[organisation]
legal_name = "Access Ltd"
developer_id = "amzn1.sp.solution.x"
applications = ["A"]

[access]
allowed_networks = ["198.51.100.0/24"]
max_gap_hours = 12

[[access.departed_users]]
name = "Pat Example"
left = 2026-08-14

[[sources]]
collector = "auth-log"
name = "ssh"
paths = ["auth.log"]

[[sources]]
collector = "access-log"
name = "web"
paths = ["access.log"]
max_gap_hours = 72

[[sources]]
collector = "documents"
name = "docs"
registers = ["register.toml"]
"""


def test_access_settings_are_defaults_of_log_sources(tmp_path: Path) -> None:
    (tmp_path / "evidence.toml").write_text(BASE)
    sources = {
        s.config.name: s.settings for s in pipeline.sources(load_config(tmp_path / "evidence.toml"))
    }
    ssh, web = sources["ssh"], sources["web"]
    assert ssh.allowed_networks == [ipaddress.ip_network("198.51.100.0/24")]  # type: ignore[attr-defined]
    assert ssh.max_gap_hours == 12  # type: ignore[attr-defined]
    assert web.max_gap_hours == 72  # type: ignore[attr-defined]  # the source's own value wins
    (departed,) = ssh.departed_users  # type: ignore[attr-defined]
    assert departed.left.isoformat() == "2026-08-14T23:59:59+00:00"  # a bare date: end of that day
    assert departed.identities() == ["Pat Example"]
    assert not hasattr(sources["docs"], "allowed_networks")


def test_bad_network_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "evidence.toml").write_text(BASE.replace('"198.51.100.0/24"', '"not-a-network"'))
    with pytest.raises(
        ConfigError, match=r"evidence.toml:\d+: access.allowed_networks: .*not a network in CIDR"
    ):
        load_config(tmp_path / "evidence.toml")


def test_unknown_access_key_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "evidence.toml").write_text(
        BASE.replace("max_gap_hours = 12", "max_gap_hours = 12\nlockout = 5")
    )
    with pytest.raises(ConfigError, match="access.lockout: unknown key"):
        load_config(tmp_path / "evidence.toml")
