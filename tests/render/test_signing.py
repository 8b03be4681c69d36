"""PAdES signing with a PKCS#12 key: valid and trusted for poppler, broken by any change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pdf_readers import pdfsig
from pdfa_structure import pdfa3b_faults
from report_builders import STARTED
from report_cli import SAMPLES, evidence
from signing_ca import SigningCA, make_ca

from evidence.errors import ConfigError
from evidence.render.pdf import write_pdf
from evidence.render.sign import load_signing_key, sign_pdf, signed_path


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> SigningCA:
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def unsigned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("pdf") / "note.pdf"
    write_pdf(
        '<html lang="en"><head><title>Note</title>'
        '<link rel="stylesheet" href="css/fonts.css"></head>'
        '<body style="font-family: Report Sans">A short signed note.</body></html>',
        target,
        identifier="signing-test",
        created=STARTED,
    )
    return target


def test_signed_copy_is_valid_and_trusted(ca: SigningCA, unsigned: Path, tmp_path: Path) -> None:
    key = load_signing_key(ca.pkcs12.read_bytes(), ca.password.encode(), str(ca.pkcs12))
    assert "demo signer" in key.subject
    signed = sign_pdf(
        unsigned, tmp_path / "note.signed.pdf", key, kind="note", pages=1, reason="test"
    )
    assert signed.kind == "note:signed"
    verdict = pdfsig(Path(signed.path), ca.nssdb)
    assert "Signature Validation: Signature is Valid." in verdict
    assert "Certificate Validation: Certificate is Trusted." in verdict
    assert "Signature Type: ETSI.CAdES.detached" in verdict  # PAdES
    assert "Total document signed" in verdict


def test_an_ecdsa_signature_keeps_the_pdfa3_copy_at_pdf_17(
    ca: SigningCA, unsigned: Path, tmp_path: Path
) -> None:
    # The test CA's key is ECDSA P-256, for which pyHanko would declare ISO/TS 32002 (PDF 2.0).
    key = load_signing_key(ca.pkcs12.read_bytes(), ca.password.encode(), str(ca.pkcs12))
    signed = Path(
        sign_pdf(unsigned, tmp_path / "note.signed.pdf", key, kind="n", pages=1, reason="t").path
    )
    assert signed.read_bytes().startswith(b"%PDF-1.7")
    assert pdfa3b_faults(unsigned) == []
    assert pdfa3b_faults(signed) == []


def test_an_eddsa_key_is_refused_as_pdfa3_cannot_carry_its_signature(
    unsigned: Path, tmp_path: Path
) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ed25519 signer")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(1)
        .not_valid_before(STARTED.replace(year=2025))
        .not_valid_after(STARTED.replace(year=2028))
        .sign(private, None)
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"signer", private, certificate, None, serialization.NoEncryption()
    )
    key = load_signing_key(p12, None, "ed25519.p12")
    with pytest.raises(ConfigError, match="ed25519 signatures exist only in PDF 2.0"):
        sign_pdf(unsigned, tmp_path / "x.pdf", key, kind="n", pages=1, reason="t")


def test_one_changed_byte_inside_the_signed_range_invalidates_it(
    ca: SigningCA, unsigned: Path, tmp_path: Path
) -> None:
    key = load_signing_key(ca.pkcs12.read_bytes(), ca.password.encode(), str(ca.pkcs12))
    signed = Path(
        sign_pdf(unsigned, tmp_path / "note.signed.pdf", key, kind="note", pages=1, reason="t").path
    )
    data = bytearray(signed.read_bytes())
    data[unsigned.stat().st_size // 2] ^= 0x01  # inside the first signed range: the unsigned bytes
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    verdict = pdfsig(tampered, ca.nssdb)
    assert "Signature is Valid." not in verdict
    assert "Digest Mismatch" in verdict or "Invalid" in verdict


def test_a_wrong_password_or_a_file_that_is_no_pkcs12_is_a_clear_config_error(
    ca: SigningCA,
) -> None:
    with pytest.raises(ConfigError, match="password is wrong"):
        load_signing_key(ca.pkcs12.read_bytes(), b"not the password", "signer.p12")
    with pytest.raises(ConfigError, match="not a PKCS#12 file"):
        load_signing_key(ca.ca_pem.read_bytes(), None, "ca.pem")


def test_signed_copies_sit_beside_the_unsigned_ones() -> None:
    assert signed_path(Path("out/gap-report-2026-Q3.pdf")) == Path(
        "out/gap-report-2026-Q3.signed.pdf"
    )


def test_a_wrong_password_stops_the_sign_off_before_the_store_is_opened(
    ca: SigningCA, tmp_path: Path
) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(
        SAMPLES, samples, ignore=shutil.ignore_patterns(".evidence", "out", ".demo-keys")
    )
    keys = samples / ".demo-keys"
    keys.mkdir()
    shutil.copy(ca.pkcs12, keys / "demo-signer.p12")
    (keys / "demo-signer.password").write_text("wrong\n", encoding="utf-8")
    result = evidence("sign-off", "--config", samples / "evidence.toml", "--as", "Priya Raman")
    assert result.returncode == 2
    assert "[signing] cannot open" in result.stderr
    assert "password is wrong" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (samples / ".evidence").exists() or not list((samples / ".evidence").rglob("*.db"))


def test_sign_off_needs_the_configured_key_even_when_reports_may_skip_it(
    tmp_path: Path,
) -> None:
    """skip_if_missing lets `run` write unsigned reports; a sign-off without its key is an error."""
    samples = tmp_path / "samples"
    shutil.copytree(
        SAMPLES, samples, ignore=shutil.ignore_patterns(".evidence", "out", ".demo-keys")
    )
    config = samples / "evidence.toml"
    assert "skip_if_missing = true" in config.read_text(encoding="utf-8")
    result = evidence("sign-off", "--config", config, "--as", "Priya Raman")
    assert result.returncode == 2
    assert "[signing] pkcs12" in result.stderr
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr
