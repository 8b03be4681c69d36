"""`evidence verify` on real packs, and every tamper an auditor must catch, with its message."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson

from evidence.pack import layout
from evidence.pack.chain import root_hash
from evidence.pack.verify import verify_pack
from tests.pack.conftest import Packed, cli, make_key, read_members, resum, tampered


def failures(pack: Path, trust: str | None = None) -> list[str]:
    return verify_pack(pack, trust).failures


def test_untouched_packs_verify(packed: Packed) -> None:
    signed = cli("verify", packed.signed, "--trust", packed.key.fingerprint)
    assert signed.code == 0, signed.stdout
    assert "signature over SHA256SUMS verified" in signed.stdout
    assert "the signer is the trusted key (--trust)" in signed.stdout
    assert "verified: the pack is complete and unaltered" in signed.stdout
    unsigned = cli("verify", packed.unsigned)
    assert unsigned.code == 0, unsigned.stdout
    assert "the pack is not signed" in unsigned.stdout


def test_trust_accepts_the_fingerprint_with_or_without_colons(packed: Packed) -> None:
    bare = packed.key.fingerprint.replace(":", "").lower()
    assert verify_pack(packed.signed, bare).ok
    assert verify_pack(packed.signed, f"sha256 Fingerprint={packed.key.fingerprint}").ok


def test_a_byte_changed_in_a_pdf(packed: Packed, tmp_path: Path) -> None:
    members = read_members(packed.signed)
    name = next(n for n in members if n.startswith("reports/") and "amazon-dpp" in n)
    expected = hashlib.sha256(members[name]).hexdigest()

    def flip(files: dict[str, bytes]) -> dict[str, bytes]:
        pdf = bytearray(files[name])
        pdf[len(pdf) // 2] ^= 0x01
        files[name] = bytes(pdf)
        return files

    bad = tampered(packed.signed, tmp_path / "pdf.zip", flip)
    actual = hashlib.sha256(read_members(bad)[name]).hexdigest()
    assert failures(bad, packed.key.fingerprint) == [
        f"modified: {name}: sha256 is {actual}, SHA256SUMS says {expected}"
    ]
    result = cli("verify", bad)
    assert result.code == 4
    assert f"FAILED  modified: {name}" in result.stdout


def test_an_evidence_file_removed(packed: Packed, tmp_path: Path) -> None:
    members = read_members(packed.signed)
    name = next(n for n in members if n.startswith("evidence/") and n.endswith("/ir-plan-v4.md"))
    digest = name.split("/")[1]
    bad = tampered(
        packed.signed, tmp_path / "removed.zip", lambda f: {k: v for k, v in f.items() if k != name}
    )
    found = failures(bad)
    assert f"missing: {name} is listed in SHA256SUMS but not in the pack" in found
    assert any(
        line.startswith(f"missing: the redacted copy {digest} of EV-")
        and "sealed in the manifest" in line
        for line in found
    )
    # A forger who also drops it from SHA256SUMS is still caught by the sealed manifest.
    resummed = tampered(
        packed.unsigned,
        tmp_path / "removed-resummed.zip",
        lambda f: resum({k: v for k, v in f.items() if k != name}),
    )
    [only] = failures(resummed)
    assert only.startswith(f"missing: the redacted copy {digest} of EV-")


def test_an_extra_file_added(packed: Packed, tmp_path: Path) -> None:
    def add(files: dict[str, bytes]) -> dict[str, bytes]:
        files["reports/extra-findings.pdf"] = b"%PDF-1.7 not from the tool"
        return files

    bad = tampered(packed.signed, tmp_path / "extra.zip", add)
    assert failures(bad, packed.key.fingerprint) == [
        "added: reports/extra-findings.pdf is in the pack but not listed in SHA256SUMS"
    ]

    def add_evidence(files: dict[str, bytes]) -> dict[str, bytes]:
        files["evidence/" + "0" * 64 + "/planted.md"] = b"planted"
        return resum(files)

    planted = tampered(packed.unsigned, tmp_path / "planted.zip", add_evidence)
    assert failures(planted) == [
        f"added: evidence/{'0' * 64}/planted.md is not a redacted copy sealed in the manifest"
    ]


def test_the_manifest_edited(packed: Packed, tmp_path: Path) -> None:
    members = read_members(packed.signed)
    sealed = hashlib.sha256(members["manifest.json"]).hexdigest()

    def edit(files: dict[str, bytes]) -> dict[str, bytes]:
        manifest = orjson.loads(files["manifest.json"])
        manifest["evidence"][0]["facts_sha256"] = "0" * 64
        files["manifest.json"] = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS)
        return files

    bad = tampered(packed.signed, tmp_path / "manifest.zip", edit)
    edited = hashlib.sha256(read_members(bad)["manifest.json"]).hexdigest()
    found = failures(bad)
    assert f"modified: manifest.json: sha256 is {edited}, SHA256SUMS says {sealed}" in found
    assert any(
        line.startswith(
            f"manifest edited: manifest.json has sha256 {edited}, but the chain seals {sealed}"
        )
        for line in found
    )
    # Even with SHA256SUMS recomputed (an unsigned pack), the chain still catches the edit.
    resummed = tampered(
        packed.unsigned, tmp_path / "manifest-resummed.zip", lambda f: resum(edit(f))
    )
    [only] = failures(resummed)
    assert only.startswith(
        f"manifest edited: manifest.json has sha256 {edited}, "
        f"but the chain seals {sealed} for run 1"
    )


def test_a_chain_link_broken(packed: Packed, tmp_path: Path) -> None:
    def rewrite(files: dict[str, bytes]) -> dict[str, bytes]:
        chain = orjson.loads(files["chain.json"])
        link = chain["links"][-1]
        link["prev_root_hash"] = "1" * 64
        link["root_hash"] = root_hash(link["prev_root_hash"], link["manifest_sha256"])
        files["chain.json"] = orjson.dumps(chain)
        return resum(files)

    bad = tampered(packed.unsigned, tmp_path / "chain.zip", rewrite)
    evaluation_id = orjson.loads(read_members(bad)["evaluation.json"])["evaluation_id"]
    # The evaluations are sealed from the run's root hash, which the rewrite changed too.
    assert failures(bad) == [
        "chain broken at run 1 (2026-Q3): link broken: first sealed run of the chain, "
        "but its previous root hash is "
        f"{'1' * 16}…, not {'0' * 16}… (the start of a chain)",
        f"chain.json: the seal of evaluation {evaluation_id} does not chain from the run's root hash",
    ]

    def root_only(files: dict[str, bytes]) -> dict[str, bytes]:
        chain = orjson.loads(files["chain.json"])
        chain["links"][-1]["root_hash"] = "2" * 64
        files["chain.json"] = orjson.dumps(chain)
        return resum(files)

    forged = tampered(packed.unsigned, tmp_path / "root.zip", root_only)
    [link, seal] = failures(forged)
    assert link.startswith(
        f"chain broken at run 1 (2026-Q3): root hash {'2' * 16}… "
        "does not match its manifest hash and previous root hash"
    )
    assert seal == f"chain.json: the seal of evaluation {evaluation_id} does not chain from the run's root hash"


def test_the_pack_re_signed_with_another_key(packed: Packed, tmp_path: Path) -> None:
    intruder = packed.other_key

    def resign(files: dict[str, bytes]) -> dict[str, bytes]:
        files["signer-cert.pem"] = intruder.cert_pem()
        files["signer-pubkey.pem"] = intruder.pubkey_pem()
        files = resum(files)
        files["SHA256SUMS.sig"] = intruder.sign(files["SHA256SUMS"])
        return files

    bad = tampered(packed.signed, tmp_path / "resigned.zip", resign)
    # Internally consistent: only --trust can tell the keys apart.
    assert failures(bad) == []
    assert failures(bad, packed.key.fingerprint) == [
        f"untrusted signer: signer-cert.pem has fingerprint {intruder.fingerprint}, "
        "not the trusted "
        f"{packed.key.fingerprint}"
    ]
    result = cli("verify", bad, "--trust", packed.key.fingerprint.replace(":", ""))
    assert result.code == 4
    assert "untrusted signer" in result.stdout


def test_a_bad_signature_and_a_swapped_public_key(packed: Packed, tmp_path: Path) -> None:
    intruder = packed.other_key

    def edit_and_resum(files: dict[str, bytes]) -> dict[str, bytes]:
        files["evaluation.json"] = files["evaluation.json"].replace(
            b'"insufficient_evidence"', b'"met"', 1
        )
        return resum(files)

    bad = tampered(packed.signed, tmp_path / "badsig.zip", edit_and_resum)
    found = failures(bad)
    assert any(
        line.startswith("bad signature: SHA256SUMS.sig does not verify SHA256SUMS")
        for line in found
    )

    def swap_pubkey(files: dict[str, bytes]) -> dict[str, bytes]:
        # The README's openssl step reads signer-pubkey.pem: a forger signs with his own key there.
        files["signer-pubkey.pem"] = intruder.pubkey_pem()
        files = resum(files)
        files["SHA256SUMS.sig"] = intruder.sign(files["SHA256SUMS"])
        return files

    swapped = tampered(packed.signed, tmp_path / "pubkey.zip", swap_pubkey)
    found = failures(swapped)
    assert "signer-pubkey.pem is not the public key of signer-cert.pem" in found
    assert any(line.startswith("bad signature") for line in found)


def test_trust_on_an_unsigned_pack_fails(packed: Packed) -> None:
    assert failures(packed.unsigned, packed.key.fingerprint) == [
        "not signed: --trust was given, but the pack has no SHA256SUMS.sig"
    ]


def test_a_stripped_signature_is_caught(packed: Packed, tmp_path: Path) -> None:
    bad = tampered(
        packed.signed,
        tmp_path / "stripped.zip",
        lambda f: {k: v for k, v in f.items() if k != "SHA256SUMS.sig"},
    )
    assert failures(bad) == ["missing: SHA256SUMS.sig (pack.json says the pack is signed)"]


def test_statuses_that_differ_from_the_sealed_manifest(packed: Packed, tmp_path: Path) -> None:
    def upgrade(files: dict[str, bytes]) -> dict[str, bytes]:
        evaluation = orjson.loads(files["evaluation.json"])
        result = next(r for r in evaluation["results"] if r["control_id"] == "DPP-RISK-1")
        result["status"] = "met"
        files["evaluation.json"] = orjson.dumps(evaluation)
        return resum(files)

    bad = tampered(packed.unsigned, tmp_path / "status.zip", upgrade)
    found = failures(bad)
    assert (
        "control DPP-RISK-1 (amazon-dpp@2025-11): "
        "status met in evaluation.json, not_met sealed" in found
    )
    assert (
        "oscal/assessment-results.json: finding for DPP-RISK-1 (amazon-dpp@2025-11) "
        "says not_met, "
        "evaluation.json says met" in found
    )


def test_an_ec_key_signs_packs_too(packed: Packed, tmp_path: Path) -> None:
    key = make_key(tmp_path, "ec", kind="ec")
    config = packed.config.with_name("ec.toml")
    config.write_text(packed.config.read_text().replace(str(packed.key.p12), str(key.p12)))
    target = tmp_path / "ec.zip"
    made = cli("pack", "--config", config, "--out", target, "--json")
    assert made.code == 0, made.stderr
    assert orjson.loads(made.stdout)["fingerprint"] == key.fingerprint
    assert verify_pack(target, key.fingerprint).ok


def test_an_unsigned_forgery_of_a_signed_pack_with_an_edited_status_is_refused(
    packed: Packed, tmp_path: Path
) -> None:
    """Signature, certificate and key removed, signed=false, a status edited with sealed=false."""

    def forge(files: dict[str, bytes]) -> dict[str, bytes]:
        for name in (layout.SIGNATURE, layout.CERTIFICATE, layout.PUBLIC_KEY):
            del files[name]
        info = orjson.loads(files["pack.json"])
        info["signed"] = False
        files["pack.json"] = orjson.dumps(info)
        evaluation = orjson.loads(files["evaluation.json"])
        target = next(r for r in evaluation["results"] if r["status"] != "met")
        target["status"] = "met"
        evaluation["sealed"] = False
        files["evaluation.json"] = orjson.dumps(evaluation)
        return resum(files)

    forged = tampered(packed.signed, tmp_path / "forged.zip", forge)
    result = cli("verify", forged)
    assert result.code == 4, result.stdout
    assert "evaluation.json was edited after sealing" in result.stdout
    assert "it proves nothing about who made it" in result.stdout
