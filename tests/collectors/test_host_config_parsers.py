"""The host-config parsers on hand-written configs: nginx, Apache, sshd and PostgreSQL files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from transport_evaluation import KEY, collector_context, decide, outcome

from evidence.collectors.host_config.collector import HostConfigCollector, HostConfigSettings
from evidence.model.evidence import EvidenceItem
from evidence.model.results import Status
from evidence.redact import Redactor

NOW = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def collect(base: Path, **settings: Any) -> list[EvidenceItem]:
    model = HostConfigSettings.model_validate(settings)
    return list(HostConfigCollector(model, collector_context(base, NOW, "hosts")).collect())


def one(base: Path, **settings: Any) -> EvidenceItem:
    (item,) = collect(base, **settings)
    assert item.error is None, item.error
    return item


# --- nginx -------------------------------------------------------------------------------


def test_nginx_server_inherits_http_protocols_and_redirect_is_sound(tmp_path: Path) -> None:
    write(
        tmp_path,
        "conf.d/tls.conf",
        "ssl_protocols TLSv1.2 TLSv1.3;\nssl_ciphers 'ECDHE+AESGCM:!aNULL';\n",
    )
    write(
        tmp_path,
        "nginx.conf",
        "events {}\nhttp {\n  include conf.d/*.conf;\n"
        "  server { listen 80; server_name shop.example.com;\n"
        "    return 301 https://$host$request_uri; }\n"
        "  server {\n    listen 443 ssl http2;\n    listen [::]:443 ssl;\n"
        "    server_name shop.example.com;\n  }\n}\n",
    )
    item = one(tmp_path, nginx=["nginx.conf"])
    facts = item.facts
    assert facts["files"] == ["nginx.conf", "conf.d/tls.conf"]
    assert facts["tls_settings"][0]["location"] == "conf.d/tls.conf:1"
    assert facts["plaintext_listeners"] == [
        {
            "resource": "nginx server shop.example.com",
            "location": "nginx.conf:4",
            "port": 80,
            "setting": "listen 80",
            "action": "redirects",
            "carries": "http",
        }
    ]
    assert [listener["port"] for listener in facts["tls_listeners"]] == [443, 443]
    check = outcome(decide([item], "DPP-ENC-1", NOW), "transport_config_min_tls")
    assert check.status is Status.MET
    assert any("plain HTTP on port 80 only redirects to HTTPS" in r for r in check.reasons)


def test_nginx_tls_server_without_ssl_protocols_is_undecided(tmp_path: Path) -> None:
    write(tmp_path, "site.conf", "server {\n  listen 443 ssl;\n  ssl_ciphers RC4-SHA:HIGH;\n}\n")
    item = one(tmp_path, nginx=["site.conf"])
    (entry,) = item.facts["tls_settings"]
    assert entry["protocols"] is None
    assert entry["default"] is True
    check = outcome(decide([item], "DPP-ENC-1", NOW), "transport_config_min_tls")
    # The weak cipher decides it; the unknown default is named too.
    assert check.status is Status.NOT_MET
    assert any("enables weak ciphers (RC4-SHA)" in r for r in check.reasons)
    assert any("ssl_protocols is not set" in r for r in check.reasons)


def test_nginx_stream_proxy_without_tls_is_an_unencrypted_channel(tmp_path: Path) -> None:
    write(
        tmp_path,
        "nginx.conf",
        "stream {\n  server {\n    listen 5432;\n    proxy_pass db:5432;\n  }\n}\n",
    )
    item = one(tmp_path, nginx=["nginx.conf"])
    assert item.facts["plaintext_listeners"][0]["carries"] == "tcp"
    check = outcome(decide([item], "DPP-ENC-1", NOW), "transport_config_min_tls")
    assert check.status is Status.NOT_MET
    assert (
        f"nginx.conf:3 ({item.id}): `listen 5432` serves unencrypted TCP on port 5432"
        in check.reasons[0]
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("http {\n server {\n listen 80;\n}\n", 1, "expecting '}' for the block opened here"),
        ("http {\n}\n}\n", 3, "unexpected '}'"),
        ("server {\n  listen 80\n}\n", 2, "directive is not terminated by ';'"),
        ("server_name 'unterminated;\n", 1, "unterminated quoted string"),
    ],
)
def test_nginx_syntax_errors_name_the_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    write(tmp_path, "bad.conf", text)
    (item,) = collect(tmp_path, nginx=["bad.conf"])
    assert item.error is not None
    assert item.error.startswith(f"{tmp_path / 'bad.conf'}:{line}: ")
    assert message in item.error


def test_nginx_circular_include_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.conf", "include b.conf;\n")
    write(tmp_path, "b.conf", "include a.conf;\n")
    (item,) = collect(tmp_path, nginx=["a.conf"])
    assert item.error
    assert "circular include" in item.error


def test_nginx_unknown_protocol_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "x.conf", "ssl_protocols TLSv1.2 TLSv9;\nssl_protocols TLSv1.3;\n")
    item = one(tmp_path, nginx=["x.conf"])
    assert item.stats.rejected == 1
    assert str(item.stats.rejects[0]) == "x.conf:1: ssl_protocols names an unknown protocol"


# --- Apache ------------------------------------------------------------------------------


def test_apache_vhosts_default_protocol_and_redirect(tmp_path: Path) -> None:
    write(
        tmp_path,
        "apache2/sites/shop.conf",
        "<VirtualHost *:80>\n  ServerName shop.example.com\n  Redirect permanent / https://shop.example.com/\n"
        "</VirtualHost>\n<VirtualHost *:8080>\n  DocumentRoot /srv\n</VirtualHost>\n"
        "<IfModule mod_ssl.c>\n<VirtualHost *:443>\n  SSLEngine on\n</VirtualHost>\n</IfModule>\n",
    )
    write(tmp_path, "apache2/apache2.conf", "ServerRoot .\nIncludeOptional sites/*.conf\n")
    item = one(tmp_path, apache=["apache2/apache2.conf"])
    facts = item.facts
    plain = {(p["port"], p["action"]) for p in facts["plaintext_listeners"]}
    assert plain == {(80, "redirects"), (8080, "serves")}
    (default,) = facts["tls_settings"]
    assert default["default"] is True
    assert default["protocols"] == [
        "TLSv1.0",
        "TLSv1.1",
        "TLSv1.2",
        "TLSv1.3",
    ]
    check = outcome(decide([item], "DPP-ENC-1", NOW), "transport_config_min_tls")
    assert check.status is Status.NOT_MET
    assert any(
        "`SSLProtocol all -SSLv3` (apache <VirtualHost *:443>) allows TLSv1.0, TLSv1.1" in r
        and "built-in default" in r
        for r in check.reasons
    )
    assert any(
        "apache2/sites/shop.conf:5" in r and "serves plain HTTP on port 8080" in r
        for r in check.reasons
    )


def test_apache_listen_without_a_virtual_host_is_the_main_server(tmp_path: Path) -> None:
    write(
        tmp_path,
        "httpd.conf",
        "Listen 80\nListen 443 https\nSSLProtocol TLSv1.2\nDocumentRoot /srv\n",
    )
    item = one(tmp_path, apache=["httpd.conf"])
    (plain,) = item.facts["plaintext_listeners"]
    assert (plain["port"], plain["setting"], plain["action"]) == (80, "Listen 80", "serves")
    assert [t["port"] for t in item.facts["tls_listeners"]] == [443]


def test_apache_explicit_protocols(tmp_path: Path) -> None:
    write(
        tmp_path,
        "ssl.conf",
        "SSLProtocol -all +TLSv1.2 +TLSv1.3\nSSLCipherSuite HIGH:!aNULL:!MD5\n",
    )
    item = one(tmp_path, apache=["ssl.conf"])
    assert item.facts["tls_settings"][0]["protocols"] == ["TLSv1.2", "TLSv1.3"]
    check = outcome(decide([item], "DPP-ENC-1", NOW), "transport_config_min_tls")
    assert check.status is Status.MET


def test_apache_unclosed_section_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "bad.conf", "<VirtualHost *:443>\nSSLEngine on\n")
    (item,) = collect(tmp_path, apache=["bad.conf"])
    assert item.error
    assert item.error.endswith("bad.conf:1: <VirtualHost> section is never closed")


# --- sshd --------------------------------------------------------------------------------


def test_sshd_first_value_wins_includes_and_match_blocks(tmp_path: Path) -> None:
    write(
        tmp_path,
        "etc/ssh/sshd_config.d/10-hardening.conf",
        "PasswordAuthentication no\nMACs -hmac-sha1*,umac-64*\n",
    )
    write(
        tmp_path,
        "etc/ssh/sshd_config",
        "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\nPermitRootLogin=no\n"
        "Ciphers +aes256-cbc\nMatch User deploy Address 203.0.113.7\n  PasswordAuthentication yes\n"
        "Match all\nX11Forwarding no\n",
    )
    item = one(tmp_path, sshd=["etc/ssh/sshd_config"], include_root=".")
    facts = item.facts
    assert facts["settings"]["PasswordAuthentication"] == {
        "value": "no",
        "location": "etc/ssh/sshd_config.d/10-hardening.conf:1",
        "default": False,
    }
    assert facts["settings"]["PermitRootLogin"]["value"] == "no"
    assert "hmac-sha1" not in facts["algorithms"]["MACs"]["value"]
    assert facts["algorithms"]["Ciphers"]["value"][-1] == "aes256-cbc"
    redactor = Redactor(KEY)
    (block,) = facts["match_blocks"]
    assert (
        block["criteria"]
        == f"User {redactor.principal('deploy')} Address {redactor.address('203.0.113.7')}"
    )
    assert block["settings"]["PasswordAuthentication"]["value"] == "yes"
    check = outcome(decide([item], "DPP-ENC-1", NOW), "host_transport_settings")
    assert check.status is Status.NOT_MET
    assert check.reasons[0] == (
        f"etc/ssh/sshd_config:4 ({item.id}): `Ciphers +aes256-cbc` enables aes256-cbc, "
        "which OpenSSH "
        "no longer enables by default"
    )


def test_sshd_protocol_1_is_not_met(tmp_path: Path) -> None:
    write(tmp_path, "sshd_config", "Protocol 2,1\n")
    item = one(tmp_path, paths=["sshd_config"])
    check = outcome(decide([item], "DPP-ENC-1", NOW), "host_transport_settings")
    assert check.status is Status.NOT_MET
    assert "`Protocol 2,1` enables SSH version 1" in check.reasons[0]


def test_sshd_keyword_without_value_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "sshd_config", "PermitRootLogin\nPasswordAuthentication no\n")
    item = one(tmp_path, sshd=["sshd_config"])
    assert str(item.stats.rejects[0]) == "sshd_config:1: keyword has no value"


# --- PostgreSQL files --------------------------------------------------------------------


def test_postgresql_conf_last_value_wins_with_includes(tmp_path: Path) -> None:
    write(tmp_path, "conf.d/tls.conf", "ssl = on\nssl_min_protocol_version = 'TLSv1.3'\n")
    write(
        tmp_path,
        "postgresql.conf",
        "ssl = off\npassword_encryption = 'scram-sha-256'  # modern\ninclude_dir 'conf.d'\n"
        "log_connections = yes\nlog_disconnections = tr\nlisten_addresses = '*'\nbogus line here\n",
    )
    item, logging = collect(tmp_path, postgresql=["postgresql.conf"])
    settings = item.facts["settings"]
    assert settings["ssl"] == {"value": "on", "location": "conf.d/tls.conf:1", "default": False}
    assert settings["ssl_min_protocol_version"]["value"] == "TLSv1.3"
    assert settings["log_connections"]["value"] == "on"
    assert settings["log_disconnections"]["value"] == "on"
    assert str(item.stats.rejects[0]) == "postgresql.conf:7: expected `name = value` with one value"
    assert logging.kind == "logging.config"
    check = outcome(decide([item, logging], "DPP-LOG-1", NOW), "db_connection_logging")
    assert check.status is Status.INSUFFICIENT
    assert check.figures["database_logging_settings_off"] == 0


def test_postgresql_conf_bad_boolean_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "postgresql.conf", "ssl = maybe\n")
    item, _ = collect(tmp_path, postgresql=["postgresql.conf"])
    assert item.stats.rejected == 1
    assert item.facts["settings"]["ssl"]["default"] is True


def test_pg_hba_fields_netmasks_quotes_and_continuations(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pg_hba.conf",
        'local all postgres peer\nhostssl "app db" app_rw 192.0.2.0 255.255.255.0 scram-sha-256\n'
        "host all all 0.0.0.0/0 \\\n  md5\nhostnossl all all ::/0 reject\n"
        "host all all .example.com md5\n"
        "host all all 127.0.0.1/32 bogus\n",
    )
    item = one(tmp_path, pg_hba=["pg_hba.conf"])
    rules = item.facts["hba_rules"]
    redactor = Redactor(KEY)
    assert [(r["location"], r["type"], r["scope"], r["method"], r["encrypted"]) for r in rules] == [
        ("pg_hba.conf:1", "local", "local", "peer", False),
        ("pg_hba.conf:2", "hostssl", "private", "scram-sha-256", True),
        ("pg_hba.conf:3", "host", "any", "md5", False),
        ("pg_hba.conf:5", "hostnossl", "any", "reject", False),
        ("pg_hba.conf:6", "host", "hostname", "md5", False),
    ]
    assert rules[0]["user"] == redactor.principal("postgres")
    assert rules[1]["database"] == "app db"
    assert rules[1]["address"] == redactor.address("192.0.2.0") + "/24"
    assert str(item.stats.rejects[0]) == "pg_hba.conf:7: unknown authentication method"
    check = outcome(decide([item], "DPP-ENC-1", NOW), "db_transport_settings")
    assert check.status is Status.NOT_MET
    assert check.figures["hba_rules_without_tls"] == 2
    assert check.reasons[0].startswith(
        f"pg_hba.conf:3 ({item.id}): `host all all 0.0.0.0/0 md5` admits any network"
    )
