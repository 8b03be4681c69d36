"""The retention topic page: the job timeline chart, the section, and the demo attestation."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from evidence.collectors.base import CollectorContext
from evidence.collectors.job_history.collector import JobHistoryCollector, JobHistorySettings
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.model.report import OrganisationSummary, ReportData
from evidence.model.run import RunInfo
from evidence.redact import Redactor
from evidence.render.attestation import attestation_context
from evidence.render.charts import registry
from evidence.render.html import render_html
from tests.conftest import Demo
from tests.support import pdftotext

PERIOD = parse_period("2026-Q3")
SVG = "{http://www.w3.org/2000/svg}"


def job(name: str = "purge-order-pii", **extra: Any) -> dict[str, Any]:
    return {
        "job": name,
        "purges": "pii",
        "interval_hours": 168.0,
        "runs": [
            {"started": "2026-07-05T03:00:00Z", "status": "succeeded"},
            {"started": "2026-07-12T03:00:00Z", "status": "unknown"},
            {"started": "2026-07-19T03:00:00Z", "status": "failed"},
        ],
        "missed": ["2026-08-09T03:00:00Z"],
        "failed": ["2026-07-19T03:00:00Z"],
        "gaps_over_interval": [
            {"from": "2026-08-02T03:00:00Z", "to": "2026-08-16T03:00:00Z", "hours": 336.0}
        ],
        **extra,
    }


def test_timeline_draws_runs_failures_misses_and_gaps() -> None:
    svg = registry()["job_timeline"]([job()], date(2026, 7, 1), date(2026, 9, 30))
    root = ET.fromstring(svg)
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "missed 2026-08-09T03:00:00Z" in titles
    assert "failed run" in titles
    assert "no working run for 14.0 days" in titles
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "08-09" in texts  # the missed week is labelled with its date
    assert "07-19" in texts  # so is the failed run
    assert {"Jul 2026", "Aug 2026", "Sep 2026"} <= set(texts)
    bars = [
        r for r in root.iter(f"{SVG}rect") if r.get("width") == "1.6" and r.get("height") == "12"
    ]
    assert {b.get("fill") for b in bars} == {"#1f4d2a", "#8a8a8a"}


def test_timeline_escapes_job_names() -> None:
    svg = registry()["job_timeline"]([job("<b>x</b>&")], date(2026, 7, 1), date(2026, 9, 30))
    assert "<b>" not in svg
    assert "&lt;b&gt;x&lt;/b&gt;&amp;" in svg
    ET.fromstring(svg)


def report(catalogue: str, evidence: list[EvidenceItem]) -> str:
    selected = load_catalogue(catalogue)
    evaluation = evaluate(
        [selected], EvaluationInput(evidence=evidence, period=PERIOD, as_of=PERIOD.end_at)
    )
    run = RunInfo(
        id=1,
        uid="run-1",
        organisation="Example Ltd",
        developer_id="dev",
        period=PERIOD,
        as_of=PERIOD.end_at,
        started_at=datetime(2026, 10, 1, tzinfo=UTC),
        finished_at=None,
        tool_version="test",
        catalogues=[selected.ref],
        config_sha256="0" * 64,
    )
    data = ReportData(
        run=run,
        organisation=OrganisationSummary(
            legal_name="Example Ltd", developer_id="dev", applications=["A"]
        ),
        catalogue=selected,
        evaluation=evaluation,
        evidence=evidence,
        tool_version="test",
        generated_at=run.started_at,
    )
    return render_html("attestation.html.j2", **attestation_context(data))


def runs_item(tmp_path: Path) -> EvidenceItem:
    """Collect a job history with the week of 9 August missed and the run of 19 July failed."""
    rows = ["job,started,status"] + [
        f"purge-order-pii,2026-{month:02d}-{day:02d}T03:00:00Z,"
        f"{'failed' if (month, day) == (7, 19) else 'ok'}"
        for month, day in SUNDAYS
        if (month, day) != (8, 9)
    ]
    path = tmp_path / "runs.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    settings = JobHistorySettings.model_validate(
        {
            "paths": [str(path)],
            "covers": "2026-Q3",
            "jobs": [{"name": "purge-order-pii", "purges": "pii", "schedule": "0 3 * * 0"}],
        }
    )
    context = CollectorContext(
        source="jobs",
        base_dir=tmp_path,
        period=PERIOD,
        as_of=PERIOD.end_at,
        redactor=Redactor(b"k" * 32),
    )
    (item,) = JobHistoryCollector(settings, context).collect()
    return item.seal()


SUNDAYS = (
    [(7, d) for d in (5, 12, 19, 26)]
    + [(8, d) for d in (2, 9, 16, 23, 30)]
    + [(9, d) for d in (6, 13, 20, 27)]
)


def test_section_shows_jobs_with_dates(tmp_path: Path) -> None:
    html = report("amazon-dpp@2025-11", [runs_item(tmp_path)])
    assert "Retention: purge jobs, age of PII, deletion requests" in html
    assert "<td>2026-08-09</td>" in html
    assert "<td>2026-07-19</td>" in html
    assert "14.0 days" in html


@pytest.mark.parametrize(
    ("catalogue", "with_evidence"),
    [("amazon-dpp@2025-11", False), ("amazon-aup@2025-11", True)],
)
def test_section_renders_nothing_without_its_evidence_or_controls(
    tmp_path: Path, catalogue: str, with_evidence: bool
) -> None:
    html = report(catalogue, [runs_item(tmp_path)] if with_evidence else [])
    assert "Retention: purge jobs" not in html


@pytest.mark.slow
def test_demo_attestation_shows_the_retention_evidence(demo: Demo) -> None:
    out = demo.out
    results = {
        r["control_id"]: r
        for r in demo.document["results"]
        if r["catalogue"] == "amazon-dpp@2025-11"
    }
    assert results["DPP-RET-1"]["status"] == "not_met"
    assert results["DPP-RET-3"]["status"] == "met"
    assert results["DPP-RET-4"]["status"] == "met"
    text = pdftotext(out / "attestation-amazon-dpp-2025-11-2026-Q3.pdf")
    flat = " ".join(text.split())
    assert "Retention: purge jobs, age of PII, deletion requests" in flat
    assert "purge-order-pii pii cron 0 3 * * 0 UTC 13 11 2026-08-09 2026-09-13 14.0 days" in flat
    assert "missed 1 of 13 scheduled runs: 2026-08-09" in flat
    assert "6 row(s) still hold PII" in flat
    assert "2 row(s) past the limit are under legal hold" in flat
    assert "DR-2026-035" in flat
    assert "Example Road" not in flat
    assert "@example.com" not in flat
