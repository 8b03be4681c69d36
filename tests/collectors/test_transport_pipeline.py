"""End to end through the real CLI: host configs in the demo, live probes of local servers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from transport_servers import PostgresCluster, make_certificate, openssl_server, postgres_cluster

from tests.conftest import Demo
from tests.support import pdftotext, run_cli

REALDATA = Path(__file__).parent / "fixtures" / "host-config" / "realdata"
SECRET = "Tr4nsport-e2e-secret-7781"


def results_by_control(stdout: str) -> dict[str, dict[str, object]]:
    document = json.loads(stdout)
    return {
        r["control_id"]: r for r in document["results"] if r["catalogue"] == "amazon-dpp@2025-11"
    }


@pytest.mark.slow
def test_demo_attestation_shows_the_settings_that_decided_transport_encryption(
    demo: Demo,
) -> None:
    controls = results_by_control(demo.result.stdout)
    enc = controls["DPP-ENC-1"]
    assert enc["status"] == "not_met"
    reasons = enc["reasons"]
    assert isinstance(reasons, list)
    assert reasons[0].startswith("hosts/web-01/etc/ssh/sshd_config:13 (EV-")
    assert "`Ciphers +aes128-cbc` enables aes128-cbc" in reasons[0]
    assert any(
        "`ssl_protocols TLSv1.2 TLSv1.3` (nginx http block) allows only TLSv1.2, TLSv1.3" in r
        for r in reasons
    )
    assert any(
        "`ssl = on` (hosts/db-01/etc/postgresql/15/main/postgresql.conf:10" in r for r in reasons
    )
    # Database connection logging alone never makes "every channel is logged" met.
    assert controls["DPP-LOG-1"]["status"] != "met"
    text_ = pdftotext(demo.dpp)
    assert "Transport encryption: endpoints and settings" in text_
    assert "`Ciphers +aes128-cbc` enables aes128-cbc" in " ".join(text_.split())
    aup = pdftotext(demo.aup)
    assert "Transport encryption: endpoints and settings" not in aup


@pytest.fixture
def auditor_cluster() -> Iterator[PostgresCluster]:
    with postgres_cluster(
        ssl=True, hba=["local all all trust", "hostssl all all 127.0.0.1/32 scram-sha-256"]
    ) as c:
        engine = create_engine(c.url)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE ROLE auditor LOGIN PASSWORD '{SECRET}'"))
        engine.dispose()
        yield c


@pytest.mark.slow
@pytest.mark.postgres
def test_live_probes_through_the_cli_decide_and_never_leak_the_password(
    tmp_path: Path, auditor_cluster: PostgresCluster
) -> None:
    now = datetime.now(UTC)
    cert = make_certificate(tmp_path, "legacy", now - timedelta(days=10), now + timedelta(days=100))
    with openssl_server(
        *cert, tmp_path / "s.log", "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"
    ) as server:
        config = tmp_path / "evidence.toml"
        period = f"{(now - timedelta(days=6)).date().isoformat()}..{now.date().isoformat()}"
        config.write_text(
            f"""review_period = "{period}"
[organisation]
legal_name = "Example Seller Tools Ltd"
developer_id = "amzn1.sp.solution.test"
applications = ["Example"]
[store]
url = "sqlite:///.evidence/evidence.db"
[policy]
catalogues = ["amazon-dpp@2025-11"]
[[sources]]
collector = "tls"
name = "endpoints"
endpoints = ["127.0.0.1:{server.port}", "postgres://127.0.0.1:{auditor_cluster.port}"]
[[sources]]
collector = "postgres-settings"
name = "db-live"
url = "postgresql+psycopg://auditor@127.0.0.1:{auditor_cluster.port}/postgres?sslmode=require"
password = {{ env = "E2E_DB_PASSWORD" }}
[[sources]]
collector = "host-config"
name = "debian"
paths = ["{REALDATA / "debian12_nginx-common_nginx.conf"}"]
""",
            encoding="utf-8",
        )
        result = run_cli(
            "run",
            "--config",
            config,
            "--out",
            tmp_path / "out",
            "--json",
            env={"E2E_DB_PASSWORD": SECRET},
        )
    assert result.code == 3, result.stderr
    controls = results_by_control(result.stdout)
    enc = controls["DPP-ENC-1"]
    assert enc["status"] == "not_met"
    reasons = " | ".join(enc["reasons"])  # type: ignore[arg-type]
    assert f"tls endpoint 127.0.0.1:{server.port} (EV-" in reasons
    assert "accepts TLSv1.0 (minimum TLSv1.2)" in reasons
    assert f"postgres endpoint 127.0.0.1:{auditor_cluster.port}" in reasons
    assert "debian12_nginx-common_nginx.conf:33" in reasons
    assert "pg_hba rules were not checked" in reasons  # the auditor role is not a superuser
    # The attestation lists the endpoints; named, not the first a glob returns (glob order varies).
    pdf = next(iter(sorted((tmp_path / "out").glob("attestation-*.pdf"))))
    pdf_text = pdftotext(pdf)
    assert f"tls://127.0.0.1:{server.port}" in pdf_text
    assert "TLSv1.0" in pdf_text
    # The password reaches no output: not the store, its copies, the PDF, --json, or stderr.
    for blob in [result.stdout, result.stderr, pdf_text]:
        assert SECRET not in blob
    for path in (tmp_path / ".evidence").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    copies = [
        p
        for p in (tmp_path / ".evidence").rglob("*")
        if p.is_file() and b"BEGIN CERTIFICATE" in p.read_bytes()
    ]
    assert copies, "the certificate chain received should be kept as a stored copy"
