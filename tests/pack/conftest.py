"""Fixtures for the pack stage: throwaway keys, a real sealed run, real packs, zip surgery."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from tests.support import SAMPLES, Result, run_cli, run_process

PASSWORD_ENV = "EVIDENCE_TEST_SIGNING_PASSWORD"
PASSWORD = "correct horse battery staple"


@dataclass
class SigningKey:
    """A throwaway key in a PKCS#12 file, with what an auditor would be told about it."""

    p12: Path
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def fingerprint(self) -> str:
        digest = self.certificate.fingerprint(hashes.SHA256()).hex().upper()
        return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def pubkey_pem(self) -> bytes:
        return self.certificate.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def make_key(directory: Path, name: str, kind: str = "rsa") -> SigningKey:
    """Make a self-signed certificate and key, stored as a password-protected PKCS#12 file."""
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{name} evidence signing"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fennel & Finch Commerce Ltd"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2028, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    path = directory / f"{name}.p12"
    directory.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer",
            key,
            certificate,
            None,
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        )
    )
    return SigningKey(p12=path, key=key, certificate=certificate)


def with_signing(config: Path, p12: Path | None) -> Path:
    """Replace the config's [signing] table (if any) with one naming ``p12`` (or none)."""
    text = re.sub(r"(?ms)^\[signing\]\n.*?(?=^\[|\Z)", "", config.read_text(encoding="utf-8"))
    if p12 is not None:
        text += f'\n[signing]\npkcs12 = "{p12}"\npassword = {{ env = "{PASSWORD_ENV}" }}\n'
    config.write_text(text, encoding="utf-8")
    return config


def cli(*args: str | Path, cwd: Path | None = None, process: bool = False) -> Result:
    """Run the real CLI with the signing password in its environment.

    ``process=True`` runs the installed console script in a process of its own: a test that
    two runs give the same bytes then compares two processes (hash seeds and all), not one.
    """
    run = run_process if process else run_cli
    return run(*args, cwd=cwd, env={PASSWORD_ENV: PASSWORD})


@dataclass
class Packed:
    """A real sealed run of the samples with PDFs, and packs of it."""

    root: Path
    config: Path
    unsigned_config: Path
    key: SigningKey
    other_key: SigningKey
    signed: Path
    unsigned: Path
    run_json: dict[str, object]


@pytest.fixture(scope="session")
def packed(tmp_path_factory: pytest.TempPathFactory) -> Packed:
    """Run `evidence run`, `sample` and `pack` (signed and unsigned) on the samples."""
    root = tmp_path_factory.mktemp("packed")
    samples = root / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns(".evidence", "out"))
    key = make_key(root / "keys", "fennel")
    other = make_key(root / "keys", "intruder")
    config = with_signing(samples / "evidence.toml", key.p12)
    unsigned_config = _unsigned_copy(config)
    run = cli("run", "--config", config, "--out", root / "out", "--json", "--quiet")
    assert run.code == 3, run.stderr
    sample = cli("sample", "DPP-ACC-3", "--size", "3", "--seed", "2026-10-05", "--config", config)
    assert sample.code == 0, sample.stderr
    signed = root / "out" / "signed.zip"
    unsigned = root / "out" / "unsigned.zip"
    for target, cfg, process in ((signed, config, False), (unsigned, unsigned_config, True)):
        made = cli("pack", "--config", cfg, "--out", target, process=process)  # two processes' packs
        assert made.code == 0, made.stderr
    return Packed(
        root, config, unsigned_config, key, other, signed, unsigned, orjson.loads(run.stdout)
    )


def _unsigned_copy(config: Path) -> Path:
    """Write a second config on the same store and inputs, without [signing]."""
    target = config.with_name("unsigned.toml")
    shutil.copy(config, target)
    return with_signing(target, None)


def read_members(pack: Path) -> dict[str, bytes]:
    """Read every file of a pack, by name."""
    with zipfile.ZipFile(pack) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def resum(members: Mapping[str, bytes]) -> dict[str, bytes]:
    """Recompute SHA256SUMS over every other file, as a forger would."""
    updated = dict(members)
    lines = [
        f"{hashlib.sha256(content).hexdigest()}  {name}\n"
        for name, content in sorted(updated.items())
        if name not in ("SHA256SUMS", "SHA256SUMS.sig")
    ]
    updated["SHA256SUMS"] = "".join(lines).encode()
    return updated


def write_members(target: Path, members: Mapping[str, bytes]) -> Path:
    """Write a zip of ``members`` (regular files, deflated)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(members.items()):
            archive.writestr(name, content)
    return target


def tampered(
    source: Path, target: Path, change: Callable[[dict[str, bytes]], dict[str, bytes]]
) -> Path:
    """Copy the pack at ``source`` with ``change`` applied to its files."""
    return write_members(target, change(read_members(source)))
