"""The postgres-settings collector against real PostgreSQL: the shared server and a throwaway."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from transport_evaluation import KEY, collector_context, decide, outcome
from transport_servers import PostgresCluster, postgres_cluster

from evidence.collectors.postgres_settings import (
    PostgresSettingsCollector,
    PostgresSettingsSettings,
)
from evidence.model.evidence import EvidenceItem
from evidence.model.results import Status
from evidence.redact import Redactor

NOW = datetime.now(UTC).replace(microsecond=0)
AUDITOR_PASSWORD = "s3cret-auditor-Pw-91"
HBA = [
    "local all all trust",
    "hostssl all all 127.0.0.1/32 md5",
    "host all all 10.0.0.0/8 md5",
    "host all all 0.0.0.0/0 trust",
    "hostnossl all all 192.0.2.0/24 reject",
]


def collect(tmp_path: Path, **settings: object) -> list[EvidenceItem]:
    model = PostgresSettingsSettings.model_validate(settings)
    return list(PostgresSettingsCollector(model, collector_context(tmp_path, NOW, "db")).collect())


@pytest.fixture(scope="module")
def weak_cluster() -> Iterator[PostgresCluster]:
    settings = {
        "password_encryption": "md5",
        "log_connections": "on",
        "ssl_min_protocol_version": "'TLSv1.2'",
    }
    with postgres_cluster(ssl=True, hba=HBA, settings=settings) as cluster:
        engine = create_engine(cluster.url)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE ROLE auditor LOGIN PASSWORD '{AUDITOR_PASSWORD}'"))
            conn.execute(text("GRANT pg_read_all_settings TO auditor"))
        engine.dispose()
        yield cluster


@pytest.mark.postgres
def test_shared_server_settings_match_what_the_server_reports(tmp_path: Path, pg_url: str) -> None:
    items = collect(tmp_path, url=pg_url)
    assert [i.kind for i in items] == ["database.settings", "logging.config"]
    facts = items[0].facts
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        ssl = conn.execute(text("SHOW ssl")).scalar_one()
        hashing = conn.execute(text("SHOW password_encryption")).scalar_one()
        rules = conn.execute(
            text("SELECT count(*) FROM pg_hba_file_rules WHERE error IS NULL")
        ).scalar_one()
    engine.dispose()
    assert facts["origin"] == "live"
    assert facts["superuser"] is True
    assert facts["session_read_only"] is True
    assert facts["settings"]["ssl"]["value"] == ssl
    assert facts["settings"]["password_encryption"]["value"] == hashing
    assert len(facts["hba_rules"]) == rules
    assert facts["roles_without_password"] is not None
    assert facts["roles_error"] is None
    result = outcome(decide(items, "DPP-ENC-1", NOW), "db_transport_settings")
    if ssl == "off":
        assert result.status is Status.NOT_MET
        assert "the server accepts no TLS connection at all" in result.reasons[0]
    else:
        assert result.status is not Status.MET


@pytest.mark.postgres
def test_weak_server_is_flagged_rule_by_rule(tmp_path: Path, weak_cluster: PostgresCluster) -> None:
    items = collect(tmp_path, url=weak_cluster.url)
    facts = items[0].facts
    assert facts["settings"]["ssl"]["value"] == "on"
    assert facts["settings"]["ssl"]["location"].endswith(
        "postgresql.conf:" + facts["settings"]["ssl"]["location"].rsplit(":", 1)[1]
    )
    by_type = [(r["type"], r["scope"], r["method"]) for r in facts["hba_rules"]]
    assert by_type == [
        ("local", "local", "trust"),
        ("hostssl", "loopback", "md5"),
        ("host", "private", "md5"),
        ("host", "any", "trust"),
        ("hostnossl", "private", "reject"),
    ]
    # Addresses other than loopback and "any" are keyed pseudonyms with their prefix length.
    assert facts["hba_rules"][2]["address"] == Redactor(KEY).address("10.0.0.0") + "/8"
    assert Redactor(KEY).principal("postgres") in facts["roles_without_password"]

    transport = outcome(decide(items, "DPP-ENC-1", NOW), "db_transport_settings")
    assert transport.status is Status.NOT_MET
    assert transport.figures["hba_rules_without_tls"] == 2
    assert any(
        "pg_hba.conf:3" in r and "admits private network clients without TLS" in r
        for r in transport.reasons
    )
    assert any(
        "pg_hba.conf:4" in r and "admits any network clients without TLS" in r
        for r in transport.reasons
    )

    auth = outcome(decide(items, "DPP-PWD-1", NOW), "db_authentication_settings")
    assert auth.status is Status.NOT_MET
    assert any("pg_hba.conf:4" in r and "with no password" in r for r in auth.reasons)
    assert any("`password_encryption = md5`" in r and "MD5" in r for r in auth.reasons)

    logging = outcome(decide(items, "DPP-LOG-1", NOW), "db_connection_logging")
    assert logging.status is Status.NOT_MET  # log_connections on, log_disconnections left at off
    assert any(
        "`log_disconnections` not" in r or "log_disconnections = off" in r for r in logging.reasons
    )
    assert not any("log_connections" in r and "not logged" in r for r in logging.reasons)


@pytest.mark.postgres
def test_non_superuser_degrades_honestly_and_password_comes_from_a_secret_ref(
    tmp_path: Path, weak_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITOR_PW", AUDITOR_PASSWORD)
    url = f"postgresql+psycopg://auditor@127.0.0.1:{weak_cluster.port}/postgres?sslmode=require"
    items = collect(tmp_path, url=url, password={"env": "AUDITOR_PW"})
    facts = items[0].facts
    assert items[0].error is None, items[0].error
    assert facts["superuser"] is False
    assert facts["hba_rules"] is None
    assert "superuser" in facts["hba_error"]
    assert facts["roles_without_password"] is None
    assert "superuser" in facts["roles_error"]
    assert facts["connection"]["ssl"] is True
    assert facts["connection"]["version"] in (
        "TLSv1.2",
        "TLSv1.3",
    )
    # pg_read_all_settings shows where each setting was made.
    assert facts["settings"]["password_encryption"]["location"]
    assert AUDITOR_PASSWORD not in str(facts)
    assert "auditor" not in facts["target"]
    transport = outcome(decide(items, "DPP-ENC-1", NOW), "db_transport_settings")
    assert transport.status is Status.INSUFFICIENT
    assert any("pg_hba rules were not checked" in r for r in transport.reasons)


@pytest.mark.postgres
def test_wrong_password_fails_the_source_without_echoing_the_secret(
    tmp_path: Path, weak_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITOR_PW", "not-the-password-123")
    url = f"postgresql+psycopg://auditor@127.0.0.1:{weak_cluster.port}/postgres?sslmode=require"
    items = collect(tmp_path, url=url, password={"env": "AUDITOR_PW"})
    assert [i.kind for i in items] == ["database.settings", "logging.config"]
    assert all(i.error and "cannot read PostgreSQL at 127.0.0.1:" in i.error for i in items)
    assert "not-the-password-123" not in items[0].error  # type: ignore[operator]
    assert "auditor" not in items[0].error  # type: ignore[operator]
    result = decide(items, "DPP-ENC-1", NOW)
    assert outcome(result, "db_transport_settings").status is Status.INSUFFICIENT


def test_a_password_in_the_url_is_refused() -> None:
    with pytest.raises(ValueError, match="the URL holds a password"):
        PostgresSettingsSettings.model_validate(
            {"url": "postgresql+psycopg://a:b@db.example.com/app"}
        )


def test_only_postgresql_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="PostgreSQL servers only"):
        PostgresSettingsSettings.model_validate({"url": "sqlite:///x.db"})
