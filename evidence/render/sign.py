"""PAdES signatures (baseline B, or B-T with a timestamp) on reports, with the signer's PKCS#12 key.

The signed PDF is an incremental update of the unsigned one: the unsigned file stays
byte-identical run after run, and the signed copy adds a signing time and identifiers of its own.
It stays a PDF 1.7 file, as PDF/A-3 requires (see `_pdfa3_signer`). `evidence sign-off`
(evidence/pipeline/signoff.py) calls it when a person approves the reports. pyHanko is imported lazily,
here and in evidence/pack/timestamp.py and evidence/render/pdf_pages.py.
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

#: PDF/A-3 is built on PDF 1.7 (ISO 32000-1); a signed copy must not declare a later version.
PDFA_VERSION = (1, 7)


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
    source: Path,
    target: Path,
    key: SigningKey,
    *,
    kind: str,
    pages: int,
    reason: str,
    name: str | None = None,
    tsa_url: str | None = None,
) -> RenderedReport:
    """Write a PAdES-signed copy of ``source`` to ``target`` (an invisible, printable signature).

    ``name`` and ``reason`` are what a PDF reader's signature panel shows (the sign-off puts the
    signer's name, role and the reports approved there). With ``tsa_url`` the signature carries
    an RFC 3161 signature timestamp from that authority (PAdES B-T).
    """
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        name=name,
    )
    timestamper = None
    if tsa_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(tsa_url, timeout=10)  # type: ignore[no-untyped-call]
    output = io.BytesIO()
    try:
        with source.open("rb") as unsigned:
            writer = _pdfa3_writer(unsigned)
            _pdfa3_signer(meta, key.signer, timestamper=timestamper).sign_pdf(
                writer, output=output
            )
    except ConfigError:
        raise
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


def _pdfa3_signer(meta: Any, signer: Any, *, timestamper: Any = None) -> Any:
    """A pyHanko PdfSigner that keeps the document at PDF 1.7, as PDF/A-3 requires.

    pyHanko 0.34 declares the ISO/TS 32002 extension for an ECDSA key on a NIST or Brainpool
    curve (the demo's key is P-256), and declaring it raises the catalog's /Version to 2.0, a
    version PDF/A-3 forbids (pyHanko issue #543 is the same bump for SHA-384). PAdES signatures
    in a PDF 1.7 file are declared by the ETSI extension alone, and PAdES (ETSI EN 319 142-1,
    with the algorithms of ETSI TS 119 312) covers RSA and ECDSA with SHA-256; so only that
    extension is registered. EdDSA exists in PDF only through ISO/TS 32002 (PDF 2.0): such a key
    cannot sign a PDF/A-3 document and is refused with a clear error.
    """
    from pyhanko.sign import signers
    from pyhanko.sign.signers.constants import ESIC_EXTENSION_1

    class PdfA3Signer(signers.PdfSigner):
        def register_extensions(self, pdf_out: Any, *, md_algorithm: str) -> None:
            mechanism = self.signer.get_signature_mechanism_for_digest(md_algorithm)
            algorithm = mechanism.signature_algo
            if algorithm in ("ed25519", "ed448"):
                raise ConfigError(
                    f"[signing] {algorithm} signatures exist only in PDF 2.0, which PDF/A-3 "
                    "does not allow: use an RSA or ECDSA key"
                )
            pdf_out.ensure_output_version(PDFA_VERSION)
            pdf_out.register_extension(ESIC_EXTENSION_1)

    return PdfA3Signer(meta, signer=signer, timestamper=timestamper)


def _pdfa3_writer(unsigned: Any) -> Any:
    """A pyHanko incremental writer whose document information agrees with its XMP metadata.

    PDF/A-3 requires the /Info entries to say what the XMP says. On signing, pyHanko rewrites the
    XMP with pdf:Producer "pyHanko <version>" but appends "; pyHanko <version>" to the /Info
    producer ("WeasyPrint 70.0; pyHanko 0.34.1"); this writer sets /Info to the XMP's value.
    (The pdfaid identification, the dates, title and author are carried over by pyHanko itself.)
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata.model import VENDOR

    class PdfA3Writer(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:
            super()._update_meta()  # type: ignore[no-untyped-call]  # pyHanko's is unannotated
            info: Any = self._info
            if info is not None:
                info.get_object()["/Producer"] = generic.TextStringObject(VENDOR)
                self.mark_update(info)

    return PdfA3Writer(unsigned)
