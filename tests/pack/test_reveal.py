"""The key to the pseudonyms: sealed in the store, enveloped to the auditor, opened by openssl."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from evidence.errors import PackError
from evidence.pack import reveal

MAPPING = {"user:8cb3b58ef022": "tom.okafor", "user:0a1b2c3d4e5f": "deploy-bot"}


def _cert(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "auditor")])
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
        .serial_number(7).not_valid_before(moment).not_valid_after(moment + dt.timedelta(days=365))
        .sign(private, hashes.SHA256())
    )


def test_sealed_identities_open_only_with_the_same_key() -> None:
    sealed = reveal.seal_identities(MAPPING, b"a" * 32)
    assert "tom.okafor" not in sealed
    assert reveal.open_identities(sealed, b"a" * 32) == MAPPING
    with pytest.raises(PackError, match="cannot be opened"):
        reveal.open_identities(sealed, b"b" * 32)


def test_openssl_decrypts_the_envelope(tmp_path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _cert(private)
    (tmp_path / "key.pem").write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    content = reveal.document(MAPPING, "run-uid", "2026-Q3")
    data = reveal.envelope(content, cert)
    assert b"tom.okafor" not in data
    (tmp_path / "p.pem").write_bytes(data)
    done = subprocess.run(
        ["openssl", "cms", "-decrypt", "-inform", "PEM", "-in", "p.pem", "-inkey", "key.pem", "-recip", "cert.pem"],
        cwd=tmp_path, capture_output=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert orjson.loads(done.stdout)["pseudonyms"] == MAPPING
    key_pem = (tmp_path / "key.pem").read_bytes()
    opened = reveal.open_envelope(data, cert.public_bytes(serialization.Encoding.PEM), key_pem, None)
    assert orjson.loads(opened) == content


def test_a_certificate_without_an_rsa_key_is_refused_with_the_reason() -> None:
    cert = _cert(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(PackError, match="not RSA"):
        reveal.load_certificate(cert.public_bytes(serialization.Encoding.PEM), "auditor.pem")
