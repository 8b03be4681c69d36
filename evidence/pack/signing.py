"""Signing SHA256SUMS with the configured key, in a form `openssl dgst -verify` checks.

The key is the PKCS#12 file of the ``[signing]`` table (the one the PDFs are signed with). RSA
keys sign with PKCS#1 v1.5 and SHA-256, EC keys with ECDSA and SHA-256 (DER signature): both
are what ``openssl dgst -sha256 -verify pubkey.pem -signature SHA256SUMS.sig SHA256SUMS`` expects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from evidence.errors import PackError

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Signer:
    """A private key with its certificate."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` (SHA-256; PKCS#1 v1.5 for RSA, DER ECDSA for EC keys)."""
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    @property
    def certificate_pem(self) -> bytes:
        """Return the signer certificate, PEM."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def public_key_pem(self) -> bytes:
        """Return the public key as `openssl x509 -pubkey` prints it (PEM)."""
        return public_key_pem(self.certificate)


def load_signer(path: Path, password: bytes | None) -> Signer:
    """Read a PKCS#12 file; a missing file, wrong password or unsupported key is a PackError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PackError(f"signing key {path}: cannot read: {exc.strerror}") from None
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        raise PackError(
            f"signing key {path}: not a PKCS#12 file, or the password (signing.password) is wrong"
        ) from None
    if key is None or certificate is None:
        raise PackError(
            f"signing key {path}: the PKCS#12 file must hold a private key and its certificate"
        )
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise PackError(
            f"signing key {path}: {type(key).__name__} keys cannot sign packs; use an RSA or EC key"
        )
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if key.public_key().public_bytes(*spki) != certificate.public_key().public_bytes(*spki):
        raise PackError(f"signing key {path}: the certificate is not the private key's certificate")
    return Signer(key=key, certificate=certificate)


def public_key_pem(certificate: x509.Certificate) -> bytes:
    """Return a certificate's public key as PEM SubjectPublicKeyInfo."""
    return certificate.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(certificate: x509.Certificate) -> str:
    """Return the certificate's SHA-256 fingerprint as `openssl x509 -fingerprint` prints it."""
    digest = certificate.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def normalise_fingerprint(text: str) -> str:
    """Reduce a fingerprint given with or without colons (or openssl's prefix) to hex."""
    value = text.strip()
    if "=" in value:  # "sha256 Fingerprint=AB:CD:..." pasted from openssl
        value = value.split("=", 1)[1]
    value = value.replace(":", "").replace(" ", "").lower()
    if not _HEX64.match(value):
        raise PackError(
            f"--trust {text!r} is not a SHA-256 fingerprint (64 hex digits, colons optional)"
        )
    return value


def load_certificate(pem: bytes, where: str) -> x509.Certificate:
    """Parse a PEM certificate; PackError naming ``where`` when it is not one."""
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise PackError(f"{where}: not a PEM certificate") from None


def signature_valid(certificate: x509.Certificate, signature: bytes, data: bytes) -> bool:
    """Tell whether ``signature`` over ``data`` was made by the key of ``certificate``."""
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True
