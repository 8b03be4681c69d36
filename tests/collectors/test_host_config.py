"""The host-config collector on real distribution configs, and the controls they decide."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from collector_testing import realdata
from transport_evaluation import collector_context, decide, outcome

from evidence.collectors import registry
from evidence.collectors.host_config.collector import (
    HostConfigCollector,
    HostConfigSettings,
    detect,
)
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem
from evidence.model.results import Status

REALDATA = Path(__file__).parent / "fixtures" / "host-config" / "realdata"
SHARED_REALDATA = realdata("config")
NOW = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)


def collect(base: Path, **settings: Any) -> list[EvidenceItem]:
    model = HostConfigSettings.model_validate(settings)
    return list(HostConfigCollector(model, collector_context(base, NOW, "hosts")).collect())


def host_configs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(("debian12_", "h5bp-")))


def test_entry_point_name_is_the_collector_id() -> None:
    assert registry.get("host-config") is HostConfigCollector


@pytest.mark.parametrize("path", host_configs(REALDATA), ids=lambda p: p.name)
def test_every_real_host_config_parses_or_is_rejected_clearly(path: Path) -> None:
    items = collect(REALDATA, paths=[path.name])
    assert items
    for item in items:
        if item.error:
            # Only the unprocessed pg_hba template is rejected, naming the file, a line and why.
            assert path.name == "debian12_postgresql-15_pg_hba.conf.sample"
            assert item.error.startswith(f"{path}: holds no valid pg_hba rule; 8 line(s) rejected")
            assert f"{path.name}:80: holds an @placeholder@" in item.error
        else:
            assert item.facts
            assert item.raw_inputs[0].sha256
            # The postgresql.conf sample sets nothing (every line is a comment): all defaults.
            assert item.stats.kept > 0 or path.name.endswith("postgresql.conf.sample")


def test_fixture_copies_match_the_shared_realdata() -> None:
    if not SHARED_REALDATA.is_dir():
        pytest.fail(
            f"{SHARED_REALDATA} is missing: the fixtures cannot be checked against their origin"
        )
    for path in host_configs(REALDATA):
        assert path.read_bytes() == (SHARED_REALDATA / path.name).read_bytes(), path.name


def test_debian_nginx_conf_is_flagged_naming_file_line_and_setting(tmp_path: Path) -> None:
    items = collect(REALDATA, nginx=["debian12_nginx-common_nginx.conf"])
    check = outcome(decide(items, "DPP-ENC-1", NOW), "transport_config_min_tls")
    assert check.status is Status.NOT_MET
    assert check.reasons[0].startswith("debian12_nginx-common_nginx.conf:33 ("), check.reasons
    assert (
        "`ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3` (nginx http block) allows TLSv1.0, TLSv1.1, "
        "older than TLSv1.2"
    ) in check.reasons[0]
    # The include of /etc/nginx/mime.types that is not on this machine is a reject, not ignored.
    assert items[0].stats.rejected == 1
    assert "included file not found" in items[0].stats.rejects[0].reason


def test_debian_default_site_is_flagged_for_plain_http(tmp_path: Path) -> None:
    items = collect(REALDATA, nginx=["debian12_nginx-common_sites-available_default"])
    check = outcome(decide(items, "DPP-ENC-1", NOW), "transport_config_min_tls")
    assert check.status is Status.NOT_MET
    assert check.figures["plain_http_listeners"] == 1
    assert check.reasons[0] == (
        f"debian12_nginx-common_sites-available_default:22 ({items[0].id}): "
        "`listen 80 default_server; listen [::]:80 default_server` serves plain HTTP on port 80 "
        "without redirecting to HTTPS (nginx server _)"
    )


def test_debian_tree_with_include_root_reads_the_enabled_site(tmp_path: Path) -> None:
    etc = tmp_path / "etc" / "nginx"
    (etc / "sites-enabled").mkdir(parents=True)
    shutil.copy(REALDATA / "debian12_nginx-common_nginx.conf", etc / "nginx.conf")
    shutil.copy(
        REALDATA / "debian12_nginx-common_sites-available_default",
        etc / "sites-enabled" / "default",
    )
    (etc / "mime.types").write_text("types { text/html html; }\n")
    items = collect(tmp_path, nginx=["etc/nginx/nginx.conf"], include_root=".")
    (item,) = items
    assert item.stats.rejected == 0
    assert item.facts["files"] == [
        "etc/nginx/nginx.conf",
        "etc/nginx/mime.types",
        "etc/nginx/sites-enabled/default",
    ]
    check = outcome(decide(items, "DPP-ENC-1", NOW), "transport_config_min_tls")
    assert check.status is Status.NOT_MET
    assert check.figures["settings_below_minimum"] == 1
    assert check.figures["plain_http_listeners"] == 1
    assert any(r.startswith("etc/nginx/sites-enabled/default:22 ") for r in check.reasons)


def test_postgresql_conf_sample_is_flagged_for_ssl_off() -> None:
    items = collect(REALDATA, paths=["debian12_postgresql-15_postgresql.conf.sample"])
    assert [i.kind for i in items] == ["database.settings", "logging.config"]
    check = outcome(decide(items, "DPP-ENC-1", NOW), "db_transport_settings")
    assert check.status is Status.NOT_MET
    assert check.reasons[0] == (
        "`ssl` not set in debian12_postgresql-15_postgresql.conf.sample (PostgreSQL default `off`, "
        f"commented out at debian12_postgresql-15_postgresql.conf.sample:105; {items[0].id}): "
        "the server accepts no TLS connection at all"
    )
    logging = outcome(decide(items, "DPP-LOG-1", NOW), "db_connection_logging")
    assert logging.status is Status.NOT_MET
    assert (
        "commented out at debian12_postgresql-15_postgresql.conf.sample:554" in logging.reasons[0]
    )


def test_apache_ssl_conf_allows_tls10_and_is_flagged() -> None:
    items = collect(REALDATA, paths=["debian12_apache2_mods-available_ssl.conf"])
    check = outcome(decide(items, "DPP-ENC-1", NOW), "transport_config_min_tls")
    assert check.status is Status.NOT_MET
    assert "debian12_apache2_mods-available_ssl.conf:71" in check.reasons[0]
    assert (
        "`SSLProtocol all -SSLv3` (apache server config) allows TLSv1.0, TLSv1.1"
        in check.reasons[0]
    )


def test_h5bp_policies_decide_the_endpoint_elements_but_not_the_whole_control() -> None:
    items = collect(
        REALDATA, paths=[p.name for p in host_configs(REALDATA) if p.name.startswith("h5bp-")]
    )
    result = decide(items, "DPP-ENC-1", NOW)
    check = outcome(result, "transport_config_min_tls")
    assert check.status is Status.MET and check.assurance is Assurance.EXPORTED
    assert any(
        "`ssl_protocols TLSv1.2 TLSv1.3` (nginx top level) allows only TLSv1.2, TLSv1.3" in r
        for r in check.reasons
    )
    elements = {e.id: e.status for e in result.elements}
    assert elements["external_endpoints"] is Status.MET
    # Web-server settings say nothing of SSH, internal connections or certificates.
    assert elements["ssh"] is Status.INSUFFICIENT and elements["internal_connections"] is Status.INSUFFICIENT
    assert result.status is Status.INSUFFICIENT


def test_debian_sshd_defaults_are_sound() -> None:
    items = collect(
        REALDATA, paths=["debian12_openssh-server_sshd_config"], include_root="empty-root"
    )
    (item,) = items
    settings = item.facts["settings"]
    assert settings["KbdInteractiveAuthentication"] == {
        "value": "no",
        "location": "debian12_openssh-server_sshd_config:62",
        "default": False,
    }
    assert settings["PasswordAuthentication"]["default"] is True
    assert settings["PasswordAuthentication"]["value"] == "yes"
    result = decide(items, "DPP-ENC-1", NOW)
    check = outcome(result, "host_transport_settings")
    assert check.status is Status.MET
    assert check.figures["weak_ssh_algorithms"] == 0
    assert next(e for e in result.elements if e.id == "ssh").status is Status.MET


def test_unknown_file_kind_fails_only_itself(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing to see\n")
    shutil.copy(REALDATA / "h5bp-nginx_h5bp_tls_policy_strict.conf", tmp_path)
    items = collect(
        tmp_path, paths=["notes.txt", "h5bp-nginx_h5bp_tls_policy_strict.conf", "missing.conf"]
    )
    errors = [i for i in items if i.error]
    good = [i for i in items if not i.error]
    assert len(good) == 1
    assert good[0].kind == "transport.config"
    assert any("cannot tell what kind of configuration this is" in (i.error or "") for i in errors)
    assert any("missing.conf: file not found" in (i.error or "") for i in errors)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sshd_config", "sshd"),
        ("50-cloud.conf", None),
        ("pg_hba.conf", "pg_hba"),
        ("postgresql.auto.conf", "postgresql"),
        ("nginx.conf", "nginx"),
        ("httpd.conf", "apache"),
    ],
)
def test_detection_by_name(tmp_path: Path, name: str, expected: str | None) -> None:
    path = tmp_path / name
    path.write_text("# empty\n")
    assert detect(path) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("server {\n listen 443 ssl;\n}\n", "nginx"),
        ("<VirtualHost *:443>\nSSLEngine on\n</VirtualHost>\n", "apache"),
        ("PermitRootLogin no\n", "sshd"),
        ("hostssl all all 0.0.0.0/0 scram-sha-256\n", "pg_hba"),
        ("ssl = on\n", "postgresql"),
    ],
)
def test_detection_by_content(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "site.conf"
    path.write_text(content)
    assert detect(path) == expected
