"""Make a throwaway CA and signing certificate for `make demo` (never for real attestations).

Writes into the folder given (git-ignored, e.g. samples/.demo-keys/):
  demo-signer.p12       the signer's key, certificate and the CA certificate (PKCS#12)
  demo-signer.password  a random password of that PKCS#12 file
  demo-ca.pem           the CA certificate, to trust when verifying (pdfsig -nssdir)

A private key in the repository would break the DPP's own secure-coding rule, so the demo
generates a fresh one on every run instead.
"""

from __future__ import annotations

import secrets
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

ORGANISATION = "Fennel & Finch Commerce Ltd (fictional, demo only)"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        ]
    )


def make_demo_key(folder: Path) -> None:
    """Write a fresh CA, a signer certificate it issued, and the PKCS#12 file into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("dpp-evidence demo CA (throwaway)")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("Priya Raman, Security Lead (demo signer)"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    password = secrets.token_urlsafe(24)
    bundle = pkcs12.serialize_key_and_certificates(
        b"demo signer",
        key,
        leaf,
        [ca],
        serialization.BestAvailableEncryption(password.encode()),
    )
    (folder / "demo-signer.p12").write_bytes(bundle)
    (folder / "demo-signer.password").write_text(password + "\n", encoding="utf-8")
    (folder / "demo-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for secret in ("demo-signer.p12", "demo-signer.password"):
        (folder / secret).chmod(0o600)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_demo_key.py FOLDER")
    make_demo_key(Path(sys.argv[1]))
    print(f"throwaway demo signing key written to {sys.argv[1]}/")  # noqa: T201
