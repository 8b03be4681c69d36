"""PAdES signatures (baseline B) on rendered reports, with a PKCS#12 key the user provides.

The signed PDF is an incremental update of the unsigned one: the unsigned file stays
byte-identical run after run, and the signed copy adds a signing time and identifiers of its own.
Only this module imports pyHanko, and lazily.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.errors import ConfigError, RenderError
from evidence.model.report import RenderedReport

SIGNATURE_FIELD = "dpp-evidence-signature"


@dataclass(frozen=True)
class SigningKey:
    """A loaded signing key and certificate (a pyHanko signer) and who it names."""

    signer: Any
    subject: str
    origin: str


def load_signing_key(pkcs12: bytes, password: bytes | None, origin: str) -> SigningKey:
    """Load a PKCS#12 key and certificate; ConfigError naming ``origin`` when it cannot be opened.

    Loading happens before any report is rendered, so a wrong password fails fast.
    """
    from pyhanko.sign.signers import SimpleSigner

    try:
        signer = SimpleSigner.load_pkcs12_data(pkcs12, other_certs=[], passphrase=password)
    except ValueError:
        raise ConfigError(
            f"[signing] cannot open {origin}: not a PKCS#12 file, or the password is wrong"
        ) from None
    if signer.signing_cert is None or signer.signing_key is None:
        raise ConfigError(f"[signing] {origin} holds no private key with its certificate")
    return SigningKey(
        signer=signer, subject=signer.signing_cert.subject.human_friendly, origin=origin
    )


def signed_path(path: Path) -> Path:
    """Where the signed copy of ``path`` goes: ``report.pdf`` -> ``report.signed.pdf``."""
    return path.with_name(path.name.removesuffix(".pdf") + ".signed.pdf")


def sign_pdf(
    source: Path, target: Path, key: SigningKey, *, kind: str, pages: int, reason: str
) -> RenderedReport:
    """Write a PAdES-signed copy of ``source`` to ``target`` (an invisible, printable signature)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
    )
    output = io.BytesIO()
    try:
        with source.open("rb") as unsigned:
            writer = IncrementalPdfFileWriter(unsigned)
            signers.sign_pdf(writer, meta, signer=key.signer, output=output)
    except Exception as exc:  # pyHanko raises many types; any is a failed signature
        raise RenderError(
            f"cannot sign {source.name} with {key.origin}: {type(exc).__name__}: {exc}"
        ) from exc
    data = output.getvalue()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return RenderedReport(
        kind=f"{kind}:signed",
        path=str(target),
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
    )
