"""The names inside an auditor pack and the SHA256SUMS format, shared by writer and verifier."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

FORMAT = "dpp-evidence-pack/1"

README = "README.txt"
SUMS = "SHA256SUMS"
SIGNATURE = "SHA256SUMS.sig"
CERTIFICATE = "signer-cert.pem"
PUBLIC_KEY = "signer-pubkey.pem"
PACK_INFO = "pack.json"
MANIFEST = "manifest.json"
CHAIN = "chain.json"
EVALUATION = "evaluation.json"
SAMPLES = "samples.json"
#: The auditor workbook: controls, evidence index, samples and request list (evidence/pack/workbook.py).
WORKBOOK = "workbook.xlsx"
#: The sign-off records of the run (who approved which reports, when), sealed in chain.json.
SIGNOFFS = "signoffs.json"
#: An RFC 3161 time-stamp token over SHA256SUMS.sig, when a time-stamping authority is configured.
TIMESTAMP = "SHA256SUMS.sig.tsr"
#: The config that drove the run, as validated: secrets are references, names as in the evidence.
CONFIG = "config/evidence.json"
#: Every CloudTrail delivery file read: its S3 key or path, original SHA-256, the copy in the pack.
CLOUDTRAIL = "cloudtrail/files.json"
#: The same in sha256sum's format, by S3 key: `sha256sum -c` it inside a copy of the trail bucket.
CLOUDTRAIL_SUMS = "cloudtrail/ORIGINAL-SHA256SUMS"
ASSESSMENT_RESULTS = "oscal/assessment-results.json"
POAM = "oscal/poam.json"
REPORTS_DIR = "reports/"
EVIDENCE_DIR = "evidence/"
#: The report set as static HTML pages (open html/index.html), linking into reports/ and evidence/.
HTML_DIR = "html/"

#: Files every pack holds (the signature files only when signed).
REQUIRED = (README, SUMS, PACK_INFO, MANIFEST, CHAIN, EVALUATION, SAMPLES, ASSESSMENT_RESULTS)
#: Files SHA256SUMS does not list: itself, the signature over it and the signature's timestamp.
UNLISTED = (SUMS, SIGNATURE, TIMESTAMP)

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def catalog_name(ref: str) -> str:
    """Path of a catalogue's OSCAL catalog inside the pack."""
    return f"oscal/catalog-{ref.replace('@', '-')}.json"


def crosswalk_results_name(ref: str) -> str:
    """Path of a crosswalk framework's OSCAL assessment results inside the pack."""
    return f"oscal/assessment-results-{ref.replace('@', '-')}.json"


def safe_file_name(name: str) -> str:
    """Reduce a file name to letters, digits, '.', '_' and '-' (never empty or dots only)."""
    cleaned = _SAFE.sub("_", name).strip("._")[:100]
    return cleaned or "copy"


def json_bytes(value: Any) -> bytes:
    """Indented JSON with sorted keys and a final newline: readable and byte-for-byte stable."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def format_sums(digests: Mapping[str, str]) -> bytes:
    """SHA256SUMS in the format ``sha256sum -c`` reads: ``<hex>  <path>``, sorted by path."""
    return "".join(f"{digests[name]}  {name}\n" for name in sorted(digests)).encode("utf-8")


def parse_sums(text: bytes) -> tuple[dict[str, str], list[str]]:
    """(path -> hex) from SHA256SUMS, and the lines that are not ``<hex>  <path>``."""
    digests: dict[str, str] = {}
    bad: list[str] = []
    for number, line in enumerate(text.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        match = _SUM_LINE.match(line)
        if match is None or match[2] in digests:
            bad.append(f"{SUMS}:{number}: not a '<sha256>  <path>' line, or a path listed twice")
            continue
        digests[match[2]] = match[1]
    return digests, bad
