"""RFC 3161 trusted timestamps: getting a token from a time-stamping authority, and checking one.

When ``[signing] tsa_url`` is set, the pack's signature file ``SHA256SUMS.sig`` is timestamped:
the token (a CMS SignedData over a TSTInfo, DER) is written as ``SHA256SUMS.sig.tsr``. An
auditor checks it with ``openssl ts -verify -token_in -in SHA256SUMS.sig.tsr -data
SHA256SUMS.sig -CAfile <the TSA's CA>``; `evidence verify` checks that the token's message
imprint is the SHA-256 of ``SHA256SUMS.sig`` and that the TSA's signature over it holds.
pyHanko asks the authority (its HTTPTimeStamper), so PDFs and packs share one client.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from evidence.errors import PackError

#: Seconds to wait for the authority.
TIMEOUT = 10


def request_token(url: str, data: bytes) -> bytes:
    """Ask the authority at ``url`` for a token over SHA-256(``data``); PackError when it fails."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    stamper = HTTPTimeStamper(url, timeout=TIMEOUT)  # type: ignore[no-untyped-call]
    digest = hashlib.sha256(data).digest()
    try:
        token = asyncio.run(stamper.async_timestamp(digest, "sha256"))
    except Exception as exc:  # requests, asn1crypto and pyHanko errors alike: no timestamp
        raise PackError(
            f"[signing] tsa_url {url}: no timestamp: {type(exc).__name__}: {exc}"
        ) from None
    return bytes(token.dump())


@dataclass
class TokenCheck:
    """What checking a token found: the time, the authority, and problems (empty when good)."""

    problems: list[str] = field(default_factory=list)
    gen_time: datetime | None = None
    authority: str | None = None
    authority_fingerprint: str | None = None


def check_token(token: bytes, data: bytes, name: str) -> TokenCheck:
    """Check that ``token`` is an intact RFC 3161 token over SHA-256(``data``) (named ``name``)."""
    from asn1crypto import cms, tsp

    found = TokenCheck()
    try:
        info = cms.ContentInfo.load(token)
        if info["content_type"].native != "signed_data":
            found.problems.append("the timestamp token is not CMS signed data")
            return found
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            found.problems.append("the timestamp token does not hold an RFC 3161 TSTInfo")
            return found
        content = encap["content"].contents
        tst = tsp.TSTInfo.load(content)
        imprint = tst["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        hashed = imprint["hashed_message"].native
        found.gen_time = tst["gen_time"].native
    except (ValueError, TypeError, KeyError) as exc:
        found.problems.append(f"the timestamp token cannot be read: {exc}")
        return found
    if algorithm != "sha256":
        found.problems.append(f"the timestamp token hashes with {algorithm}, not sha256")
    elif hashed != hashlib.sha256(data).digest():
        found.problems.append(
            f"the timestamp token does not match {name}: it stamps SHA-256 {hashed.hex()}, "
            f"but {name} hashes to {hashlib.sha256(data).hexdigest()}"
        )
    found.problems.extend(_signature_problems(signed, content, found))
    return found


def _signature_problems(signed: object, content: bytes, found: TokenCheck) -> list[str]:
    """Check the authority's CMS signature over the TSTInfo with its embedded certificate."""
    from asn1crypto import cms
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    assert isinstance(signed, cms.SignedData)
    signer_infos = signed["signer_infos"]
    if len(signer_infos) != 1:
        return ["the timestamp token must have exactly one signer"]
    signer_info = signer_infos[0]
    sid = signer_info["sid"].chosen
    certificate = None
    for choice in signed["certificates"] or []:
        candidate = choice.chosen
        if isinstance(sid, cms.IssuerAndSerialNumber):
            if (
                candidate.issuer.dump() == sid["issuer"].dump()
                and candidate.serial_number == sid["serial_number"].native
            ):
                certificate = candidate
        elif candidate.key_identifier == sid.native:
            certificate = candidate
    if certificate is None:
        return ["the timestamp token does not carry the authority's certificate"]
    cert = x509.load_der_x509_certificate(certificate.dump())
    found.authority = cert.subject.rfc4514_string()
    found.authority_fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    hash_types: dict[str, hashes.HashAlgorithm] = {
        "sha256": hashes.SHA256(),
        "sha384": hashes.SHA384(),
        "sha512": hashes.SHA512(),
    }
    if digest_name not in hash_types:
        return [f"the timestamp token is signed with an unsupported digest {digest_name}"]
    algorithm = hash_types[digest_name]
    signed_attrs = signer_info["signed_attrs"]
    message = content
    if signed_attrs:
        digests = [a for a in signed_attrs if a["type"].native == "message_digest"]
        expected = hashlib.new(digest_name, content).digest()
        if not digests or digests[0]["values"][0].native != expected:
            return ["the timestamp token's signed digest is not that of its TSTInfo (edited)"]
        message = signed_attrs.untag().dump()
    signature = signer_info["signature"].native
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            scheme = signer_info["signature_algorithm"].signature_algo
            if scheme == "rsassa_pss":
                key.verify(
                    signature,
                    message,
                    padding.PSS(mgf=padding.MGF1(algorithm), salt_length=padding.PSS.AUTO),
                    algorithm,
                )
            else:
                key.verify(signature, message, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(algorithm))
        else:
            return ["the timestamp authority's key type is not supported"]
    except InvalidSignature:
        return ["the timestamp authority's signature over the token does not verify"]
    return []
