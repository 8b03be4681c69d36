"""The auditor README's steps, run as real commands (bash, sha256sum, openssl) on real packs."""

from __future__ import annotations

import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.pack.conftest import Packed, read_members, tampered


def readme_commands(pack: Path) -> list[str]:
    """Return the command lines of README.txt (those it prefixes with "$ ")."""
    with zipfile.ZipFile(pack) as archive:
        text = archive.read("README.txt").decode()
    return [line.strip()[2:] for line in text.splitlines() if line.strip().startswith("$ ")]


@dataclass
class Steps:
    """What each README command did: its exit code and output."""

    results: list[subprocess.CompletedProcess[str]]

    @property
    def ok(self) -> bool:
        return all(r.returncode == 0 for r in self.results)

    @property
    def stdout(self) -> list[str]:
        return [line for r in self.results for line in r.stdout.splitlines()]

    @property
    def stderr(self) -> str:
        return "".join(r.stderr for r in self.results)


def run_steps(pack: Path, folder: Path) -> Steps:
    """Unzip with unzip(1) as the README says, then run each step in its own bash."""
    folder.mkdir()
    subprocess.run(["unzip", "-q", str(pack), "-d", str(folder)], check=True)
    return Steps(
        [
            subprocess.run(
                ["bash", "-o", "pipefail", "-c", command],
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
            )
            for command in readme_commands(pack)
        ]
    )


def test_signed_pack_steps_pass_with_sha256sum_and_openssl(packed: Packed, tmp_path: Path) -> None:
    commands = readme_commands(packed.signed)
    assert any(
        c.startswith("openssl dgst -sha256 -verify signer-pubkey.pem -signature SHA256SUMS.sig")
        for c in commands
    )
    result = run_steps(packed.signed, tmp_path / "pack")
    assert result.ok, result.stdout + [result.stderr]
    lines = result.stdout
    files = len(read_members(packed.signed)) - 2  # all but SHA256SUMS and its signature
    assert sum(1 for line in lines if line.endswith(": OK")) == files + 1  # + the manifest check
    assert f"sha256 Fingerprint={packed.key.fingerprint}" in lines
    for expected in (
        "file list matches",
        "public key matches the certificate",
        "Verified OK",
        "manifest.json: OK",
        "root hash OK",
    ):
        assert expected in lines


def test_unsigned_pack_steps_pass(packed: Packed, tmp_path: Path) -> None:
    commands = readme_commands(packed.unsigned)
    assert not any("openssl" in c for c in commands)
    result = run_steps(packed.unsigned, tmp_path / "pack")
    assert result.ok, result.stderr
    assert "root hash OK" in result.stdout


def test_the_same_steps_fail_on_a_tampered_pack(packed: Packed, tmp_path: Path) -> None:
    def flip(files: dict[str, bytes]) -> dict[str, bytes]:
        name = next(n for n in files if n.startswith("reports/"))
        files[name] = files[name][:-10] + b"0123456789"
        return files

    bad = tampered(packed.signed, tmp_path / "bad.zip", flip)
    result = run_steps(bad, tmp_path / "pack")
    checksums, file_list, *_ = result.results
    assert checksums.returncode == 1
    assert any(
        line.startswith("reports/") and line.endswith(": FAILED")
        for line in checksums.stdout.splitlines()
    )
    assert "WARNING: 1 computed checksum did NOT match" in checksums.stderr
    assert file_list.returncode == 0
    # The signature still verifies: SHA256SUMS itself was not touched, a file was.
    assert "Verified OK" in result.stdout


def test_an_added_file_fails_the_file_list_step(packed: Packed, tmp_path: Path) -> None:
    def add(files: dict[str, bytes]) -> dict[str, bytes]:
        files["evidence/extra.txt"] = b"planted"
        return files

    result = run_steps(tampered(packed.unsigned, tmp_path / "bad.zip", add), tmp_path / "pack")
    checksums, file_list, *_ = result.results
    assert checksums.returncode == 0  # sha256sum -c alone cannot see an added file
    assert file_list.returncode == 1
    assert "< evidence/extra.txt" in file_list.stdout
    assert "file list matches" not in file_list.stdout
