"""The deletion-requests register: times read, period filtering, rejects that name file and line."""

from __future__ import annotations

from pathlib import Path

from evidence.collectors import registry
from evidence.collectors.base import CollectorContext
from evidence.collectors.deletion_requests import (
    DeletionRequestsCollector,
    DeletionRequestsSettings,
)
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.redact import Redactor

PERIOD = parse_period("2026-Q3")


def collect(tmp_path: Path, text: str, **extra: str) -> list[EvidenceItem]:
    register = tmp_path / "requests.csv"
    register.write_text(text, encoding="utf-8")
    settings = DeletionRequestsSettings.model_validate({"registers": ["requests.csv"], **extra})
    context = CollectorContext(
        source="requests",
        base_dir=tmp_path,
        period=PERIOD,
        as_of=PERIOD.end_at,
        redactor=Redactor(b"k" * 32),
    )
    return [i.seal() for i in DeletionRequestsCollector(settings, context).collect()]


def test_entry_point_name_is_the_collector_id() -> None:
    assert registry.get("deletion-requests") is DeletionRequestsCollector


def test_requests_in_and_around_the_period(tmp_path: Path) -> None:
    (item,) = collect(
        tmp_path,
        "Request ID,Type,Received At,Completed At,Confirmed in writing\n"
        "DR-1,amazon-notice,2026-07-03 09:12,2026-07-09 16:40,yes\n"
        "DR-0,amazon-notice,2026-06-20T10:00:00Z,2026-06-25T10:00:00Z,yes\n"
        "DR-9,amazon-notice,2026-06-25T10:00:00Z,,no\n"
        "DR-7,amazon-notice,2026-09-28T10:00:00Z,2026-10-03T10:00:00Z,\n"
        "DR-8,amazon-notice,2026-10-02T10:00:00Z,,\n",
        timezone="Europe/London",
    )
    ids = [r["id"] for r in item.facts["requests"]]
    # DR-0 was done before the period; DR-8 arrived after the as-of date.
    assert ids == ["DR-9", "DR-1", "DR-7"]
    first = item.facts["requests"][1]
    assert first["received"] == "2026-07-03T08:12:00Z"  # London summer time
    assert first["hours_to_complete"] == 151.47
    assert first["confirmed_in_writing"] is True
    # Completed after as-of: still open as of the date judged.
    assert item.facts["requests"][2]["completed"] is None
    assert item.facts["open"] == 2
    assert item.facts["received_in_period"] == 2
    assert item.stats.kept == 3
    assert item.stats.skipped == 2


def test_bad_rows_are_rejected_with_file_and_line(tmp_path: Path) -> None:
    (item,) = collect(
        tmp_path,
        "request_id,received_at,completed_at,confirmed\n"
        "DR-1,2026-07-03T09:00:00Z,2026-07-02T09:00:00Z,yes\n"
        ",2026-07-03T09:00:00Z,,\n"
        "DR-3,soon,,\n"
        "DR-4,2026-07-03T09:00:00Z,,perhaps\n"
        "DR-5,2026-07-03T09:00:00Z\n"
        "DR-6,2026-07-03T09:00:00Z,,\n",
    )
    reasons = {r.location.rsplit(":", 1)[1]: r.reason for r in item.stats.rejects}
    assert reasons == {
        "2": "completed before it was received",
        "3": "no request id",
        "4": "received: not an ISO 8601 timestamp",
        "5": "confirmed: expected yes or no",
        "6": "2 fields where the header has 4",
    }
    assert [r["id"] for r in item.facts["requests"]] == ["DR-6"]


def test_a_register_without_the_needed_columns_fails_the_source(tmp_path: Path) -> None:
    (item,) = collect(tmp_path, "when,what\n2026-07-01,x\n")
    assert not item.usable
    assert "header names no id or received column" in (item.error or "")
    missing = DeletionRequestsSettings.model_validate({"registers": ["nope.csv"]})
    context = CollectorContext(
        source="requests",
        base_dir=tmp_path,
        period=PERIOD,
        as_of=PERIOD.end_at,
        redactor=Redactor(b"k" * 32),
    )
    (failed,) = DeletionRequestsCollector(missing, context).collect()
    assert "file not found" in (failed.error or "")


def test_request_ids_are_scrubbed(tmp_path: Path) -> None:
    (item,) = collect(
        tmp_path,
        "request_id,received_at,completed_at\nbuyer@example.com,2026-07-03T09:00:00Z,\n",
    )
    assert "buyer@example.com" not in item.model_dump_json()
    assert item.redactions == {"email": 1}
