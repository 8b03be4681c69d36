import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evidence.collectors.base import CollectorContext
from evidence.collectors.documents import DocumentsCollector, DocumentsSettings
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.redact import Redactor

FIXTURES = Path(__file__).parent / "fixtures" / "documents"

GOOD = """
[[document]]
file = "ir-plan.md"
type = "ir-plan"
title = "IR plan"
owner = "Security Lead"
date = 2026-04-15
next_review = 2026-10-14

[[document]]
file = "pentest.pdf"
type = "pen-test-report"
title = "Pen test"
owner = "CTO"
date = 2025-11-07
"""


def collect(tmp_path: Path, register_text: str) -> list[EvidenceItem]:
    for name in ("ir-plan.md", "pentest.pdf"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "register.toml").write_text(register_text, encoding="utf-8")
    context = CollectorContext(
        source="docs",
        base_dir=tmp_path,
        period=parse_period("2026-Q3"),
        as_of=datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC),
        redactor=Redactor(b"k" * 32),
    )
    collector = DocumentsCollector(DocumentsSettings(registers=[Path("register.toml")]), context)
    return list(collector.collect())


def test_each_entry_becomes_a_hashed_document_item(tmp_path: Path) -> None:
    items = collect(tmp_path, GOOD)
    assert [i.facts["doc_type"] for i in items] == ["ir-plan", "pen-test-report"]
    ir = items[0]
    assert ir.facts["sha256"] == hashlib.sha256((FIXTURES / "ir-plan.md").read_bytes()).hexdigest()
    assert ir.raw_inputs[0].sha256 == ir.facts["sha256"]
    assert ir.facts["next_review"] == "2026-10-14"
    assert ir.stats.kept == 2 and ir.stats.rejected == 0


def test_ids_are_stable_across_runs(tmp_path: Path) -> None:
    assert [i.id for i in collect(tmp_path, GOOD)] == [i.id for i in collect(tmp_path, GOOD)]


def test_bad_entries_are_rejected_with_line_and_the_rest_kept(tmp_path: Path) -> None:
    text = (
        GOOD
        + """
[[document]]
file = "missing.pdf"
type = "ir-plan"
title = "Lost"
owner = "x"
date = 2026-01-01

[[document]]
file = "ir-plan.md"
type = "ir-pln"
title = "Typo"
owner = "x"
date = 2026-01-01
"""
    )
    items = collect(tmp_path, text)
    assert len(items) == 2
    rejects = [str(r) for r in items[0].stats.rejects]
    register = tmp_path / "register.toml"
    assert rejects == [
        f"{register}:17: file missing.pdf: file not found",
        f"{register}:24: type: unknown document type 'ir-pln' (did you mean 'ir-plan'?)",
    ]
    assert items[0].stats.rejected == 2


def test_missing_register_fails_the_source_naming_the_file(tmp_path: Path) -> None:
    context = CollectorContext(
        source="docs",
        base_dir=tmp_path,
        period=parse_period("2026-Q3"),
        as_of=datetime(2026, 9, 30, tzinfo=UTC),
        redactor=Redactor(b"k" * 32),
    )
    items = list(DocumentsCollector(DocumentsSettings(registers=[Path("nope.toml")]), context).collect())
    assert len(items) == 1 and not items[0].usable
    assert "nope.toml" in (items[0].error or "") and "register not found" in (items[0].error or "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[[document]]\nfile = 1\n", "no valid document entries"),
        ("[[document]\n", "malformed TOML"),
        ("document = 3\n", "array of tables"),
        ("x = 1\n", "unknown top-level key"),
        ("", "lists no documents"),
    ],
)
def test_unusable_registers_are_input_errors(tmp_path: Path, text: str, reason: str) -> None:
    items = collect(tmp_path, text)
    assert len(items) == 1
    assert reason in (items[0].error or "")


def test_text_copies_are_scrubbed_and_binary_copies_unchanged(tmp_path: Path) -> None:
    collect(tmp_path, GOOD)
    context = CollectorContext(
        source="docs",
        base_dir=tmp_path,
        period=parse_period("2026-Q3"),
        as_of=datetime(2026, 9, 30, tzinfo=UTC),
        redactor=Redactor(b"k" * 32),
    )
    collector = DocumentsCollector(DocumentsSettings(registers=[Path("register.toml")]), context)
    text_copy = b"".join(collector.redacted_copy(str(tmp_path / "ir-plan.md")) or [])
    assert b"ops@example.com" not in text_copy and b"# IR plan" in text_copy
    binary_copy = b"".join(collector.redacted_copy(str(tmp_path / "pentest.pdf")) or [])
    assert binary_copy == (tmp_path / "pentest.pdf").read_bytes()
