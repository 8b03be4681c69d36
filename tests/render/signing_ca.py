"""A throwaway CA and a PKCS#12 signing certificate it issued, trusted by an NSS database."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class SigningCA:
    """A CA trusted by an NSS database, and a PKCS#12 signing key it issued."""

    pkcs12: Path
    password: str
    nssdb: Path
    ca_pem: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "dpp-evidence tests"),
        ]
    )


def make_ca(folder: Path) -> SigningCA:
    """Write a CA, a leaf signing certificate in a PKCS#12 file, and an NSS database trusting the CA."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name("Test CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("Test Signer"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    password = "correct horse battery staple"
    p12 = folder / "signer.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer", key, leaf, [ca], serialization.BestAvailableEncryption(password.encode())
        )
    )
    ca_pem = folder / "ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    nssdb = folder / "nssdb"
    nssdb.mkdir()
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{nssdb}"], check=True)
    subprocess.run(
        ["certutil", "-A", "-n", "Test CA", "-t", "CT,C,C", "-i", str(ca_pem), "-d", f"sql:{nssdb}"], check=True
    )
    return SigningCA(pkcs12=p12, password=password, nssdb=nssdb, ca_pem=ca_pem)
