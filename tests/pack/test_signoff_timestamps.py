"""Sign-off and trusted timestamps, end to end: run (unsigned), sign-off, pack, verify.

A real RFC 3161 authority answers on loopback (tests/tsa_server.py); `openssl ts -verify` and
`evidence verify` check its tokens; poppler's pdfsig checks the PAdES signatures of sign-off.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from tests.pack.conftest import (
    PASSWORD,
    PASSWORD_ENV,
    SigningKey,
    cli,
    make_key,
    read_members,
    resum,
    tampered,
    with_signing,
)
from tests.support import SAMPLES
from tests.tsa_server import LocalTsa, local_tsa

SIGNER = "Priya Raman"
ROLE = "Security Lead"


@dataclass
class SignedOff:
    root: Path
    config: Path
    key: SigningKey
    tsa: LocalTsa
    out: Path
    before_signoff: list[str]
    signoff: dict[str, object]
    signoff_stderr: str
    pack: Path


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    with local_tsa(tmp_path_factory.mktemp("tsa")) as authority:
        yield authority


@pytest.fixture(scope="module")
def signed_off(tmp_path_factory: pytest.TempPathFactory, tsa: LocalTsa) -> SignedOff:
    """The samples run with only the gap report, signed off by the security lead, packed."""
    root = tmp_path_factory.mktemp("signoff")
    samples = root / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns(".evidence", "out", ".demo-keys"))
    key = make_key(root / "keys", "priya")
    config = with_signing(samples / "evidence.toml", key.p12)
    config.write_text(
        config.read_text(encoding="utf-8") + f'tsa_url = "{tsa.url}"\n', encoding="utf-8"
    )
    out = root / "out"
    run = cli("run", "--config", config, "--out", out, "--only", "gap-report", "--json", "--quiet")
    assert run.code == 3, run.stderr
    before = sorted(p.name for p in out.iterdir())
    signed = cli("sign-off", "--config", config, "--as", SIGNER, "--role", ROLE, "--json")
    assert signed.code == 0, signed.stderr
    plain = cli("sign-off", "--config", config, "--as", SIGNER, "--role", ROLE)
    assert plain.code == 0, plain.stderr
    sample = cli(
        "sample", "DPP-ACC-3", "--seed", "48213", "--seed-from", "A. Auditor, Example LLP",
        "--config", config,
    )
    assert sample.code == 0, sample.stderr
    pack = out / "pack.zip"
    made = cli("pack", "--config", config, "--out", pack)
    assert made.code == 0, made.stderr
    return SignedOff(
        root, config, key, tsa, out, before, orjson.loads(signed.stdout), plain.stderr, pack
    )


def test_reports_are_written_unsigned_and_signed_at_sign_off(signed_off: SignedOff) -> None:
    assert signed_off.before_signoff == ["gap-report-2026-Q3.pdf"]
    assert (signed_off.out / "gap-report-2026-Q3.signed.pdf").is_file()
    record = signed_off.signoff["record"]
    assert isinstance(record, dict)
    assert record["signer"] == SIGNER
    assert record["role"] == ROLE
    assert [r["name"] for r in record["reports"]] == ["gap-report-2026-Q3.pdf"]
    unsigned = (signed_off.out / "gap-report-2026-Q3.pdf").read_bytes()
    assert record["reports"][0]["sha256"] == hashlib.sha256(unsigned).hexdigest()


def test_the_signed_copy_names_signer_role_and_date_and_is_valid(signed_off: SignedOff) -> None:
    signed = signed_off.out / "gap-report-2026-Q3.signed.pdf"
    verdict = subprocess.run(
        ["pdfsig", str(signed)], capture_output=True, text=True, check=False
    ).stdout
    assert "Signature is Valid." in verdict
    assert "Total document signed" in verdict
    from pyhanko.pdf_utils.reader import PdfFileReader

    with signed.open("rb") as handle:
        reader = PdfFileReader(handle)
        signature = reader.embedded_signatures[0]
        reason = str(signature.sig_object["/Reason"])
        name = str(signature.sig_object["/Name"])
        # An RFC 3161 signature timestamp from the configured authority (PAdES B-T).
        assert signature.attached_timestamp_data is not None
    assert name == f"{SIGNER} ({ROLE})"
    record = signed_off.signoff["record"]
    assert isinstance(record, dict)
    assert reason.startswith(f"Signed off by {SIGNER}, {ROLE}, on {record['signed_at'][:10]}")


def test_a_signer_who_owns_judged_controls_is_warned(signed_off: SignedOff) -> None:
    # [owners] of the samples gives the logging family to the Security Lead.
    record = signed_off.signoff["record"]
    assert isinstance(record, dict)
    assert "DPP-LOG-1" in record["owned_controls"]
    assert record["warnings"] and "not independent" in record["warnings"][0]
    assert "warning:" in signed_off.signoff_stderr and "not independent" in signed_off.signoff_stderr
    signed = signed_off.out / "gap-report-2026-Q3.signed.pdf"
    from pyhanko.pdf_utils.reader import PdfFileReader

    with signed.open("rb") as handle:
        reason = str(PdfFileReader(handle).embedded_signatures[0].sig_object["/Reason"])
    assert "Warning: the signer, Priya Raman (Security Lead), owns" in reason


def test_the_pack_verifies_with_its_sign_offs_and_timestamp(signed_off: SignedOff) -> None:
    result = cli("verify", signed_off.pack, "--json")
    assert result.code == 0, result.stdout
    report = orjson.loads(result.stdout)
    assert report["timestamp_authority"] == "CN=dpp-evidence test TSA"
    assert [s["signer"] for s in report["signoffs"]] == [SIGNER, SIGNER]
    assert any("sign-off record(s)" in line for line in report["passed"])
    assert any("RFC 3161 timestamp" in line for line in report["passed"])
    members = read_members(signed_off.pack)
    assert "reports/gap-report-2026-Q3.signed.pdf" in members
    signoffs = orjson.loads(members["signoffs.json"])["signoffs"]
    chain = orjson.loads(members["chain.json"])
    # The first sign-off chains from the evaluation's seal, the second from the first.
    seal = chain["evaluation_seals"][-1]["root_hash"]
    assert signoffs[0]["prev_hash"] == seal
    assert signoffs[1]["prev_hash"] == signoffs[0]["root_hash"]


def test_openssl_checks_the_pack_timestamp(signed_off: SignedOff, tmp_path: Path) -> None:
    members = read_members(signed_off.pack)
    (tmp_path / "SHA256SUMS.sig").write_bytes(members["SHA256SUMS.sig"])
    (tmp_path / "SHA256SUMS.sig.tsr").write_bytes(members["SHA256SUMS.sig.tsr"])
    checked = subprocess.run(
        ["openssl", "ts", "-verify", "-token_in", "-in", "SHA256SUMS.sig.tsr",
         "-data", "SHA256SUMS.sig", "-CAfile", str(signed_off.tsa.ca_pem)],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "Verification: OK" in checked.stdout


def test_verify_fails_on_a_timestamp_token_that_does_not_match(
    signed_off: SignedOff, tmp_path: Path
) -> None:
    from evidence.pack.timestamp import request_token

    other = request_token(signed_off.tsa.url, b"some other signature")

    def swap(members: dict[str, bytes]) -> dict[str, bytes]:
        return {**members, "SHA256SUMS.sig.tsr": other}

    result = cli("verify", tampered(signed_off.pack, tmp_path / "t.zip", swap))
    assert result.code == 4
    assert "bad timestamp" in result.stdout
    assert "does not match SHA256SUMS.sig" in result.stdout.replace("\n", " ")


def test_verify_fails_on_an_edited_timestamp_token(signed_off: SignedOff, tmp_path: Path) -> None:
    def flip(members: dict[str, bytes]) -> dict[str, bytes]:
        token = bytearray(members["SHA256SUMS.sig.tsr"])
        token[-5] ^= 0x01  # inside the authority's signature value
        return {**members, "SHA256SUMS.sig.tsr": bytes(token)}

    result = cli("verify", tampered(signed_off.pack, tmp_path / "t.zip", flip))
    assert result.code == 4
    assert "bad timestamp" in result.stdout


def test_verify_fails_when_the_timestamp_is_removed(signed_off: SignedOff, tmp_path: Path) -> None:
    def drop(members: dict[str, bytes]) -> dict[str, bytes]:
        return {k: v for k, v in members.items() if k != "SHA256SUMS.sig.tsr"}

    result = cli("verify", tampered(signed_off.pack, tmp_path / "t.zip", drop))
    assert result.code == 4
    assert "SHA256SUMS.sig.tsr" in result.stdout


@pytest.mark.parametrize(
    ("field", "value"), [("role", "Internal Auditor"), ("signed_at", "2026-10-01T09:00:00Z")]
)
def test_verify_fails_on_an_altered_sign_off_record(
    signed_off: SignedOff, tmp_path: Path, field: str, value: str
) -> None:
    """A forger holding the pack key re-signs SHA256SUMS, yet the sealed record gives it away."""

    def alter(members: dict[str, bytes]) -> dict[str, bytes]:
        document = orjson.loads(members["signoffs.json"])
        document["signoffs"][0]["record"][field] = value
        members = {**members, "signoffs.json": orjson.dumps(document)}
        members = {k: v for k, v in members.items() if k != "SHA256SUMS.sig.tsr"}
        updated = resum(members)
        updated["SHA256SUMS.sig"] = signed_off.key.sign(updated["SHA256SUMS"])
        return updated

    pack = tampered(signed_off.pack, tmp_path / "t.zip", alter)
    result = cli("verify", pack, "--json")
    assert result.code == 4
    failures = orjson.loads(result.stdout)["failures"]
    assert any("sign-off 0" in f and "the record was altered" in f for f in failures), failures
    assert any("signature does not verify the record" in f for f in failures), failures


def test_a_wrong_password_for_the_sign_off_key_is_a_clear_error(signed_off: SignedOff) -> None:
    from tests.support import run_cli

    result = run_cli(
        "sign-off", "--config", signed_off.config, "--as", SIGNER,
        env={PASSWORD_ENV: PASSWORD + "x"},
    )
    assert result.code == 2
    assert "password is wrong" in result.stderr
    assert "Traceback" not in result.stderr


def test_sign_off_without_a_key_is_a_clear_error(signed_off: SignedOff, tmp_path: Path) -> None:
    config = tmp_path / "evidence.toml"
    shutil.copy(signed_off.config, config)
    with_signing(config, None)
    result = cli("sign-off", "--config", config, "--as", SIGNER)
    assert result.code == 2
    assert "sign-off needs the signer's key" in result.stderr


def test_the_auditors_seed_the_size_table_and_each_items_result_are_recorded(
    signed_off: SignedOff,
) -> None:
    import io

    from openpyxl import load_workbook

    members = read_members(signed_off.pack)
    draw = orjson.loads(members["samples.json"])["draws"][0]
    assert draw["seed"] == "48213"
    assert draw["seed_from"] == "A. Auditor, Example LLP"
    # One population of like items: the HR leavers (offboarding events), sized by the table.
    assert draw["kinds"] == ["identity.leavers"]
    assert draw["frequency"] == "weekly"
    assert draw["size"] == min(5, draw["population_size"])
    assert "weekly: 5-15" in draw["size_basis"] and "AICPA" in draw["size_basis"]
    assert draw["completeness"]["count"] == draw["population_size"]
    assert draw["completeness"]["sources"]
    assert [item["id"] for item in draw["items"]] == draw["chosen"]
    for item in draw["items"]:
        assert item["attributes"].startswith("leaver ")
        assert item["result"].startswith("control ")
    book = load_workbook(io.BytesIO(members["workbook.xlsx"]), read_only=True)
    rows = list(book["samples"].iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) - 1 == len(draw["chosen"])
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        assert record["seed from"] == "A. Auditor, Example LLP"
        assert record["tool's result"] and record["attributes to test"]
