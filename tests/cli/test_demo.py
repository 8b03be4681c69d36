"""The same command `make demo` runs, on a copy of samples/, checked through its PDFs."""

import json
import re
from pathlib import Path

from evidence.controls.catalogue import load_catalogue
from tests.support import pdftotext, run_cli, with_store

LABELS = r"(Met|Not met|Insufficient evidence|Waived|Not applicable)"


def test_demo_run_exits_3_and_every_dpp_control_has_a_status(samples: Path) -> None:
    result = run_cli("run", "--config", samples / "evidence.toml", "--out", samples / "out", "--json", cwd=samples)
    assert result.code == 3, result.stderr
    document = json.loads(result.stdout)
    assert document["counts"]["not_met"] + document["counts"]["insufficient_evidence"] > 0
    assert document["counts"]["met"] > 0, "the sample developer meets some controls"
    pdf = samples / "out" / "attestation-amazon-dpp-2025-11-2026-Q3.pdf"
    text = pdftotext(pdf)
    for control in load_catalogue("amazon-dpp@2025-11").controls:
        assert re.search(rf"^\s*{re.escape(control.id)}\s+.*?{LABELS}", text, re.MULTILINE | re.IGNORECASE), control.id
    assert (samples / "out" / "attestation-amazon-aup-2025-11-2026-Q3.pdf").is_file()


def test_collect_evaluate_report_one_step_at_a_time(samples: Path, store_url: str) -> None:
    config = with_store(samples / "evidence.toml", store_url)
    assert run_cli("collect", "--config", config, "--quiet").code == 0
    evaluated = run_cli("evaluate", "--config", config, "--json")
    assert evaluated.code == 3
    statuses = {r["control_id"]: r["status"] for r in json.loads(evaluated.stdout)["results"]}
    assert statuses["DPP-IR-2"] == "met" and statuses["DPP-RISK-1"] == "insufficient_evidence"
    reported = run_cli("report", "--config", config, "--out", samples / "out", "--json")
    assert reported.code == 0, reported.stderr
    assert {Path(r["path"]).name for r in json.loads(reported.stdout)} == {
        "attestation-amazon-dpp-2025-11-2026-Q3.pdf",
        "attestation-amazon-aup-2025-11-2026-Q3.pdf",
    }


def test_inspect_prints_stats_and_facts_without_a_config(tmp_path: Path) -> None:
    samples_dir = Path(__file__).resolve().parents[2] / "samples"
    result = run_cli(
        "inspect",
        "documents",
        samples_dir / "documents" / "register.toml",
        "--period",
        "2026-Q3",
        "--json",
        cwd=tmp_path,
    )
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document["stats"]) >= {"read", "kept", "rejected", "rejects"}
    assert document["stats"]["kept"] == len(document["facts"]["document"])
    bad = run_cli("inspect", "documents", "--set", 'registers=["nope.toml"]', "--json", cwd=tmp_path)
    assert bad.code == 2 and "register not found" in bad.stdout
