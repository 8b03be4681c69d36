"""The same command `make demo` runs, on a copy of samples/, checked through its output and PDFs."""

import json
import re
from pathlib import Path

from evidence.controls.catalogue import load_catalogue
from tests.conftest import Demo
from tests.support import pdftotext, run_cli, with_store

LABELS = r"(Met|Not met|Insufficient evidence|Waived|Not applicable)"


def test_demo_run_exits_3_and_every_dpp_control_has_a_status(demo: Demo) -> None:
    assert demo.result.code == 3, demo.result.stderr
    counts = demo.document["counts"]
    assert counts["not_met"] + counts["insufficient_evidence"] > 0
    assert counts["met"] > 0, "the sample developer meets some controls"
    text = demo.text(demo.dpp.name)
    for control in load_catalogue("amazon-dpp@2025-11").controls:
        assert re.search(rf"^\s*{re.escape(control.id)}\s+.*?{LABELS}", text, re.MULTILINE | re.IGNORECASE), control.id
    assert demo.aup.is_file()
    assert {p.name for p in demo.out.glob("*.pdf")} >= {
        "attestation-amazon-dpp-2025-11-2026-Q3.pdf",
        "attestation-amazon-aup-2025-11-2026-Q3.pdf",
        "gap-report-2026-Q3.pdf",
        "profile-answers-2026-Q3.pdf",
    }


def test_collect_then_evaluate_on_both_stores(samples: Path, store_url: str) -> None:
    config = with_store(samples / "evidence.toml", store_url)
    assert run_cli("collect", "--config", config, "--quiet").code == 0
    evaluated = run_cli("evaluate", "--config", config, "--json")
    assert evaluated.code == 3
    statuses = {r["control_id"]: r["status"] for r in json.loads(evaluated.stdout)["results"]}
    assert statuses["DPP-IR-2"] == "met" and statuses["DPP-RISK-1"] == "not_met"
    again = run_cli("evaluate", "--config", config, "--json")
    assert json.loads(again.stdout)["results"] == json.loads(evaluated.stdout)["results"]


def test_report_evaluates_a_collected_run_and_renders_only_what_is_asked(samples: Path) -> None:
    config = samples / "evidence.toml"
    assert run_cli("collect", "--config", config, "--quiet").code == 0
    unknown = run_cli("report", "--config", config, "--out", samples / "out", "--only", "gaps")
    assert unknown.code == 2
    assert "no report named gaps" in unknown.stderr and "gap-report, profile-answers" in unknown.stderr
    assert not (samples / "out").exists()
    reported = run_cli(
        "report", "--config", config, "--out", samples / "out", "--only", "gap-report", "--json"
    )
    assert reported.code == 0, reported.stderr
    assert [Path(r["path"]).name for r in json.loads(reported.stdout)] == ["gap-report-2026-Q3.pdf"]
    assert sorted(p.name for p in (samples / "out").iterdir()) == ["gap-report-2026-Q3.pdf"]
    assert "DPP-RET-1" in pdftotext(samples / "out" / "gap-report-2026-Q3.pdf")


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
