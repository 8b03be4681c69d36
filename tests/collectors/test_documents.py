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


# --- register fields a record of its type needs (policies/doc-types.yaml) --------------------

COMPLETE_PLAN = """
[[document]]
file = "ir-plan.md"
type = "ir-plan"
title = "IR plan"
owner = "Security Lead"
date = 2026-04-15
approved_by = "Chief Executive Officer"
approved_on = 2026-04-15

[document.record]
amazon_notification = "section 7: e-mail security@amazon.com within 24 hours"
"""


def test_a_record_giving_every_field_of_its_type_is_complete(tmp_path: Path) -> None:
    (plan,) = collect(tmp_path, COMPLETE_PLAN)
    assert plan.facts["missing_fields"] == []
    assert plan.facts["approved_on"] == "2026-04-15"
    assert plan.facts["record"]["amazon_notification"].startswith("section 7")


def test_a_record_missing_fields_is_kept_and_says_which(tmp_path: Path) -> None:
    (plan, pentest) = collect(tmp_path, GOOD)
    assert plan.facts["missing_fields"] == ["approved_by", "approved_on", "amazon_notification"]
    assert pentest.facts["missing_fields"] == ["tester", "independence", "scope", "findings_by_severity"]


def test_a_field_its_type_does_not_have_is_rejected_with_the_line(tmp_path: Path) -> None:
    text = COMPLETE_PLAN + '\n[[document]]\nfile = "pentest.pdf"\ntype = "pen-test-report"\ntitle = "t"\n'
    text += 'owner = "o"\ndate = 2025-11-07\n\n[document.record]\ntester = "firm"\ncolour = "blue"\n'
    items = collect(tmp_path, text)
    assert len(items) == 1
    (reject,) = items[0].stats.rejects
    assert reject.location.endswith("register.toml:14")
    assert "record: colour is not a field of pen-test-report" in reject.reason


REVIEW_CSV = """account,reviewer,decision,date
alice,Head of Engineering,keep,2026-08-28
bob,Head of Engineering,remove,2026-08-28
svc-labels,Head of Engineering,keep,2026-08-28
,Head of Engineering,keep,2026-08-28
carol,Head of Engineering,keep,28/08/2026
"""

REVIEW_ENTRY = """
[[document]]
file = "access-review.csv"
type = "access-review"
title = "Access review Q3"
owner = "Head of Engineering"
date = 2026-08-28

[document.record]
reviewer = "Head of Engineering"
population_source = "IAM and the bastion"
accounts_reviewed = 3
changes_made = "bob removed"
"""


def test_an_access_review_csv_is_read_into_pseudonymised_accounts(tmp_path: Path) -> None:
    (tmp_path / "access-review.csv").write_text(REVIEW_CSV, encoding="utf-8")
    (item,) = collect(tmp_path, REVIEW_ENTRY)
    review = item.facts["review"]
    redactor = Redactor(b"k" * 32)
    assert review["accounts"] == sorted(redactor.principal(a) for a in ("alice", "bob", "svc-labels"))
    assert review["decisions"] == {"change": 1, "keep": 2}
    assert review["errors"] == ["access-review.csv:5: no account", "access-review.csv:6: date is not YYYY-MM-DD"]
    assert "alice" not in str(item.facts)


def test_the_stored_copy_of_an_access_review_never_shows_an_account_in_clear(tmp_path: Path) -> None:
    (tmp_path / "access-review.csv").write_text(REVIEW_CSV, encoding="utf-8")
    context = CollectorContext(
        source="docs",
        base_dir=tmp_path,
        period=parse_period("2026-Q3"),
        as_of=datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC),
        redactor=Redactor(b"k" * 32),
    )
    (tmp_path / "register.toml").write_text(REVIEW_ENTRY, encoding="utf-8")
    collector = DocumentsCollector(DocumentsSettings(registers=[Path("register.toml")]), context)
    (item,) = collector.collect()
    chunks = collector.redacted_copy(item.raw_inputs[0].location)
    assert chunks is not None
    copy = b"".join(chunks).decode()
    for name in ("alice", "bob", "svc-labels", "carol"):
        assert name not in copy
    assert Redactor(b"k" * 32).principal("alice") in copy
    assert copy.splitlines()[0] == "account,reviewer,decision,date"
