"""The key to the pseudonyms, for the auditor only.

Staff and system identities (``user:…`` pseudonyms of logins, roles and accounts) are
pseudonymised so that the evidence is not personal data; an auditor re-performing a test must
still be able to say who a sampled principal is. A run keeps its map pseudonym -> name sealed
with AES-256-GCM under a key derived (HKDF-SHA256) from the configured pseudonym key, so the
store alone reveals nothing. `evidence pack --reveal-to CERT` opens it and writes it into the
pack encrypted to the auditor's certificate as CMS enveloped data (RFC 5652, PEM), which
``openssl cms -decrypt`` opens as well as `evidence reveal`. Buyer data is never in it: client
addresses and e-mail addresses are not identities the map keeps, and buyer PII is never kept.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any

import orjson
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs7

from evidence.errors import PackError

#: Where the encrypted key sits in the pack.
MEMBER = "reveal/pseudonyms.p7m.pem"
#: The certificate it was encrypted to (public), so `evidence reveal` and openssl find the recipient.
RECIPIENT = "reveal/recipient-cert.pem"
FORMAT = "dpp-evidence-pseudonyms/1"
_INFO = b"dpp-evidence identity key v1"
_PREFIX = "v1:"


def _key(pseudonym_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(pseudonym_key)


def seal_identities(mapping: Mapping[str, str], pseudonym_key: bytes) -> str:
    """Seal ``mapping`` (pseudonym -> name) for the store."""
    nonce = os.urandom(12)
    data = orjson.dumps(dict(sorted(mapping.items())))
    sealed = AESGCM(_key(pseudonym_key)).encrypt(nonce, data, _INFO)
    return _PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def open_identities(sealed: str, pseudonym_key: bytes) -> dict[str, str]:
    """Open a map sealed by :func:`seal_identities`; PackError when the key is not the one used."""
    if not sealed.startswith(_PREFIX):
        raise PackError("the run's pseudonym key is in a format this version cannot read")
    raw = base64.b64decode(sealed[len(_PREFIX) :])
    try:
        data = AESGCM(_key(pseudonym_key)).decrypt(raw[:12], raw[12:], _INFO)
    except InvalidTag:
        raise PackError(
            "the run's pseudonyms cannot be opened with the configured secrets.pseudonym_key "
            "(it was changed since the run)"
        ) from None
    found = orjson.loads(data)
    return {str(k): str(v) for k, v in found.items()}


def load_certificate(data: bytes, where: str) -> x509.Certificate:
    """The auditor's certificate (PEM or DER); it must hold an RSA key (CMS key transport)."""
    try:
        certificate = (
            x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
        )
    except ValueError as exc:
        raise PackError(f"{where}: not an X.509 certificate ({exc})") from None
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise PackError(
            f"{where}: the certificate's key is not RSA; CMS enveloped data as openssl reads it "
            "needs an RSA key to encrypt to"
        )
    return certificate


def document(mapping: Mapping[str, str], run_uid: str, period: str) -> dict[str, Any]:
    """The content encrypted for the auditor."""
    return {
        "format": FORMAT,
        "run": run_uid,
        "period": period,
        "note": (
            "pseudonym -> value of staff and system identities (logins, roles, accounts) as "
            "the evidence names them; buyer data is never kept"
        ),
        "pseudonyms": dict(sorted(mapping.items())),
    }


def envelope(content: dict[str, Any], certificate: x509.Certificate) -> bytes:
    """CMS enveloped data (PEM) of ``content`` for the holder of ``certificate``'s private key."""
    data = orjson.dumps(content, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    return (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(data)
        .add_recipient(certificate)
        .encrypt(serialization.Encoding.PEM, [pkcs7.PKCS7Options.Binary])
    )


def open_envelope(data: bytes, certificate_pem: bytes | None, key_pem: bytes, password: bytes | None) -> bytes:
    """Decrypt enveloped data with the auditor's private key (and certificate, taken from the key if absent)."""
    try:
        key = serialization.load_pem_private_key(key_pem, password)
    except (ValueError, TypeError) as exc:
        raise PackError(f"cannot read the private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PackError("the private key is not an RSA key")
    if certificate_pem is not None:
        certificate = load_certificate(certificate_pem, "certificate")
    else:
        raise PackError("the auditor's certificate is needed to find the recipient (--cert)")
    try:
        return pkcs7.pkcs7_decrypt_pem(data, certificate, key, [])
    except ValueError as exc:
        raise PackError(f"cannot decrypt the pseudonym key with this key and certificate: {exc}") from None
