"""A throwaway CA and signing key for the tests: the demo's own script, plus an NSS database.

The CA and key come from samples/signing/make_demo_key.py (what `make demo` runs), so these
tests also prove that the demo's signed reports validate.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "samples" / "signing"))

from make_demo_key import make_demo_key  # noqa: E402 (a script folder, not a package)


@dataclass(frozen=True)
class SigningCA:
    """A CA trusted by an NSS database, and a PKCS#12 signing key it issued."""

    pkcs12: Path
    password: str
    nssdb: Path
    ca_pem: Path


def make_ca(folder: Path) -> SigningCA:
    """Write a CA, a leaf signing certificate (PKCS#12) and an NSS database trusting the CA."""
    make_demo_key(folder)
    nssdb = folder / "nssdb"
    nssdb.mkdir()
    ca_pem = folder / "demo-ca.pem"
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{nssdb}"], check=True)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-n",
            "Test CA",
            "-t",
            "CT,C,C",
            "-i",
            str(ca_pem),
            "-d",
            f"sql:{nssdb}",
        ],
        check=True,
    )
    return SigningCA(
        pkcs12=folder / "demo-signer.p12",
        password=(folder / "demo-signer.password").read_text(encoding="utf-8").strip(),
        nssdb=nssdb,
        ca_pem=ca_pem,
    )
