"""Framework knowledge lives in policies/ only: no DPP or AUP control id under evidence/ or templates/.

Report sections select what they show by evidence kind or check, the data-map gaps name the
checks that need a field, and the starter config reads its example ids from the catalogues.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from evidence.cli.starter import starter_config

ROOT = Path(__file__).resolve().parent.parent
CONTROL_ID = re.compile(r"\b(DPP|AUP)-[A-Z0-9]+(-[A-Z0-9]+)*\b")


def control_ids_in(folder: Path) -> list[str]:
    """``path:line: id`` for every control id in the files under ``folder`` (caches left out)."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            found += [f"{path.relative_to(ROOT)}:{number}: {m[0]}" for m in CONTROL_ID.finditer(line)]
    return found


def test_the_pattern_finds_control_ids_and_nothing_else() -> None:
    text = "DPP-ENC-1, DPP-3P-1 and AUP-SHARE-1 from amazon-dpp@2025-11; the DPP's own deadlines"
    assert [m[0] for m in CONTROL_ID.finditer(text)] == ["DPP-ENC-1", "DPP-3P-1", "AUP-SHARE-1"]


def test_no_control_id_under_evidence_or_templates() -> None:
    assert control_ids_in(ROOT / "evidence") + control_ids_in(ROOT / "templates") == []


def test_the_scan_reads_the_shipped_files() -> None:
    # A scan that reads nothing would pass the test above: the catalogues must be full of ids.
    assert len(control_ids_in(ROOT / "policies" / "amazon-dpp")) > 100


def test_the_starter_config_takes_its_control_ids_from_the_catalogues() -> None:
    text = starter_config()
    assert "{" + "controls running" not in text and "{not_applicable example}" not in text
    assert tomllib.loads(text)["policy"]["catalogues"] == ["amazon-dpp", "amazon-aup"]
    # The controls that run the named checks in the current DPP, and the example of policies/starter.yaml.
    assert "may let decrypt (DPP-ENC-3)." in text
    assert "# Transport encryption (DPP-ENC-1):" in text
    assert '# not_applicable = { "DPP-RDT-3" = "We do not delegate PII access to other applications." }' in text
    # Uncommented, the example is valid TOML.
    line = next(ln for ln in text.splitlines() if ln.startswith("# not_applicable"))
    assert tomllib.loads(line.removeprefix("# "))["not_applicable"] == {
        "DPP-RDT-3": "We do not delegate PII access to other applications."
    }
