"""The encryption topic section: deciding settings, escaped, and nothing without evidence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.model.evidence import EvidenceItem, stable_evidence_id
from evidence.model.period import parse_period
from evidence.model.report import OrganisationSummary, ReportData
from evidence.model.run import RunInfo
from evidence.render.attestation import attestation_context
from evidence.render.html import render_html
from tests.conftest import Demo
from tests.support import pdftotext

SECTION = "sections/50-encryption.html.j2"
AS_OF = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)


def at_rest(bucket: str) -> EvidenceItem:
    facts: dict[str, Any] = {
        "account": "111122223333",
        "regions": ["eu-west-1"],
        "errors": [],
        "captured_at": "2026-09-29T00:00:00+00:00",
        "resources": [
            {
                "type": "s3_bucket",
                "id": bucket,
                "region": "eu-west-1",
                "encrypted": False,
                "algorithm": None,
                "kms_key_id": None,
                "setting": "no default encryption configured",
                "origin": "GetBucketEncryption",
                "error": None,
                "pii": True,
            }
        ],
    }
    return EvidenceItem(
        id=stable_evidence_id("aws", "encryption.at_rest", bucket),
        kind="encryption.at_rest",
        collector="aws",
        source="aws",
        subject="AWS account",
        location="aws://x",
        collected_at=AS_OF,
        facts=facts,
    ).seal()


def section_html(items: list[EvidenceItem], catalogue: str = "amazon-dpp@2025-11") -> str:
    period = parse_period("2026-Q3")
    loaded = load_catalogue(catalogue)
    evaluation = evaluate([loaded], EvaluationInput(items, period, AS_OF))
    run = RunInfo(
        id=1,
        uid="run-1",
        organisation="Fennel & Finch Commerce Ltd",
        developer_id="dev",
        period=period,
        as_of=AS_OF,
        started_at=AS_OF,
        finished_at=None,
        tool_version="test",
        catalogues=[loaded.ref],
        config_sha256="0" * 64,
    )
    data = ReportData(
        run=run,
        organisation=OrganisationSummary(legal_name="F&F", developer_id="dev", applications=["P"]),
        catalogue=loaded,
        evaluation=evaluation,
        evidence=items,
        tool_version="test",
        generated_at=AS_OF,
    )
    return render_html(SECTION, **attestation_context(data))


def test_section_shows_the_deciding_setting_and_escapes_names() -> None:
    html = section_html([at_rest("labels<script>alert(1)</script>")])
    assert "Encryption settings" in html
    assert "no default encryption configured" in html
    assert "<script>" not in html
    assert "labels&lt;script&gt;" in html
    assert "NO" in html


def test_section_renders_nothing_without_its_evidence_or_in_the_aup_attestation() -> None:
    assert section_html([]).strip() == ""
    assert section_html([at_rest("labels")], catalogue="amazon-aup@2025-11").strip() == ""


@pytest.mark.slow
def test_demo_attestation_shows_the_settings_that_decided_each_encryption_control(
    demo: Demo,
) -> None:
    out = demo.out
    text = pdftotext(demo.dpp)
    flat = " ".join(text.split())
    assert "Encryption settings" in flat
    # DPP-ENC-2 from each store's setting on every day (not met: the label archive went 9 days
    # without default encryption), DPP-ENC-3 not met from the label-archive key, DPP-ENC-1 from
    # the ELB policy.
    assert "SSEAlgorithm=aws:kms" in flat
    assert "StorageEncrypted=true" in flat
    # The label-archive key: no automatic rotation and none by hand since it was made.
    assert "its material was 972 days old on 2026-09-30, over the 365-day limit" in flat
    assert "(no automatic rotation; last made 2024-02-01)" in flat
    assert "ELBSecurityPolicy-TLS13-1-2-2021-06" in flat
    assert "NO lifecycle rule" in flat  # the PII bucket without a lifecycle rule
    assert "77 days open (limit 30)" in flat  # the overdue scanner finding (DPP-VULN-5)
    assert "Sample-Only-Plaintext-Pa55!" not in flat
    aup = " ".join(pdftotext(out / "attestation-amazon-aup-2025-11-2026-Q3.pdf").split())
    assert "Encryption settings" not in aup
