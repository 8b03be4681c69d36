"""Large evidence sets go into the attachments and summaries, never into thousand-page tables."""

from __future__ import annotations

import re
from pathlib import Path

from pdf_readers import attachments, manifest, pdfinfo_pages, pdftotext
from report_builders import report_set, small_catalogue

from evidence.render.attestation import (
    MAX_APPENDIX_ITEMS,
    MAX_EVIDENCE_PER_CONTROL,
    render_attestation,
)

CONTROLS = 6
ITEMS = 200


def test_two_hundred_items_per_control_are_summarised_and_attached(tmp_path: Path) -> None:
    catalogue = small_catalogue("amazon-aup@2025-11", controls=CONTROLS)
    data = report_set(catalogues=[catalogue], items_per_control=ITEMS)
    target = tmp_path / "large.pdf"
    report = render_attestation(data.for_catalogue(catalogue), target)
    total = CONTROLS * ITEMS
    assert report.pages == pdfinfo_pages(target)
    assert report.pages < 40, "1,200 evidence items must not become a 1,200-row table"
    text = " ".join(pdftotext(target).split())
    more = ITEMS - MAX_EVIDENCE_PER_CONTROL
    # Each control lists its first evidence ids and says where the rest are (appendix B).
    assert len(re.findall(rf"and {more} more in the attached evidence-\s?manifest\.json", text)) == CONTROLS
    assert (
        f"{total - MAX_APPENDIX_ITEMS:,} more evidence items with their hashes in the attached"
        in text
    )
    embedded = manifest(target)
    assert len(embedded["evidence"]) == total  # type: ignore[arg-type]
    facts = attachments(target)["evidence-facts.csv"].decode("utf-8").splitlines()
    assert len({line.split(",", 1)[0] for line in facts[1:]}) == total
