r"""A sign-off: who approved which reports of a run's evaluation, when, sealed into the chain.

``sha256`` is that of the record's canonical JSON (:func:`signoff_text`); ``root_hash`` = SHA-256
of ``SIGNOFF_PREFIX\n prev_hash\n sha256\n``, where ``prev_hash`` is the root hash of the
evaluation's seal for the first sign-off of that evaluation, else the previous sign-off's root.
The signer also signs the canonical JSON with the key that signs the PDFs.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from evidence.model.canonical import canonical_json, sha256_hex

SIGNOFF_PREFIX = "dpp-evidence-signoff-v1"


class SignedReport(BaseModel):
    """One report approved: the unsigned PDF as rendered, and the signed copy made of it."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: str
    sha256: str
    signed_name: str
    signed_sha256: str


class SignOffRecord(BaseModel):
    """What the signer approved (the part that is hashed and signed)."""

    model_config = ConfigDict(frozen=True)

    run_uid: str
    period: str
    evaluation_id: int
    signer: str
    role: str
    signed_at: str
    certificate_subject: str
    certificate_sha256: str
    reports: list[SignedReport]
    #: Controls the reports judge whose family the signer owns ([owners] in the config).
    owned_controls: list[str] = []
    warnings: list[str] = []


class SignOff(BaseModel):
    """A sign-off record, its seal in the chain and the signer's signature over it."""

    record: SignOffRecord
    sha256: str
    prev_hash: str
    root_hash: str
    #: Base64 of the signature over the canonical JSON of the record.
    signature: str
    certificate_pem: str


def signoff_text(record: SignOffRecord) -> bytes:
    """The canonical JSON of a record: the bytes hashed and signed."""
    return canonical_json(record.model_dump(mode="json"))


def signoff_root(prev_hash: str, sha256: str) -> str:
    """Root hash of a sign-off seal (see the module docstring)."""
    return sha256_hex(f"{SIGNOFF_PREFIX}\n{prev_hash}\n{sha256}\n".encode("ascii"))


def record_sha256(record: SignOffRecord) -> str:
    """SHA-256 of the record's canonical JSON."""
    return sha256_hex(signoff_text(record))
