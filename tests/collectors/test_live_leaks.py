"""Planted PII in what the live probes read (a certificate, a PostgreSQL server) reaches no output.

The tls collector reads a server's certificate, whose subject can name a person and carry an
e-mail address; postgres-settings reads the server's login roles and pg_hba rules, where a role can
be named after a person's e-mail address. A real `openssl s_server` and a private PostgreSQL
cluster hold the planted values; after `evidence run --json` and `evidence pack`, none of them may
be found in the store, the stored copies, the PDFs, the pack or the output.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import create_engine, text
from transport_servers import openssl_server, postgres_cluster

from tests.test_no_leaks import BUYER, EMAIL, LIVE_CONFIG_HEAD, STREET, run_and_search

HBA = ["local all all trust", "host all all 127.0.0.1/32 trust", f'host all "{EMAIL}" 127.0.0.1/32 trust']


def planted_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate whose subject names a buyer, their street and e-mail address."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"ship to {BUYER}"),
            x509.NameAttribute(NameOID.STREET_ADDRESS, STREET),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, EMAIL),
        ]
    )
    # The certificate's dates are the run's period (2026-Q3), not the clock's.
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=730))
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "planted.crt", folder / "planted.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    return cert, private


@pytest.mark.postgres
def test_planted_values_in_live_probes_reach_no_output(tmp_path: Path) -> None:
    cert, key = planted_certificate(tmp_path)
    with (
        postgres_cluster(ssl=False, hba=HBA) as cluster,
        openssl_server(cert, key, tmp_path / "s.log", "-no_tls1", "-no_tls1_1") as server,
    ):
        engine = create_engine(cluster.url)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE ROLE "{EMAIL}" LOGIN'))
        engine.dispose()
        config = tmp_path / "evidence.toml"
        config.write_text(
            f"""{LIVE_CONFIG_HEAD}[[sources]]
collector = "tls"
name = "endpoints"
endpoints = ["127.0.0.1:{server.port}"]
[[sources]]
collector = "postgres-settings"
name = "db"
url = "{cluster.url}"
""",
            encoding="utf-8",
        )
        leaks = run_and_search(config, tmp_path)
    assert not leaks, "\n".join(leaks[:40])
    # Both probes reached their servers: the handshake and the settings are in the store.
    database = (tmp_path / ".evidence" / "evidence.db").read_bytes()
    assert b"TLSv1.3" in database or b"TLSv1.2" in database
    assert b"password_encryption" in database
