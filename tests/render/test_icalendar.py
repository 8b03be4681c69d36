from datetime import UTC, date, datetime

import icalendar

from evidence.model.review import DueItem, DueReport
from evidence.render.icalendar import calendar, fold, uid

AS_OF = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)


def report() -> DueReport:
    return DueReport(
        as_of=AS_OF,
        until=date(2026, 10, 30),
        items=[
            DueItem(
                due=date(2026, 6, 30),
                kind="cadence",
                title="Next risk-assessment",
                controls=["DPP-RISK-1"],
                basis="annually: 365 days after 'Risk assessment 2025'",
                overdue=True,
            ),
            DueItem(
                due=date(2026, 10, 14),
                kind="document-review",
                title="Review of 'IR plan review, April 2026'",
                controls=["DPP-IR-2"],
                basis="next review date in the register; owner: Sécurité, naïve; résumé\nline two",
                evidence_id="EV-5E4ABEA91CA0",
            ),
        ],
    )


def test_a_real_parser_reads_the_upcoming_items_as_all_day_events() -> None:
    parsed = icalendar.Calendar.from_ical(calendar(report(), "Fennel & Finch Commerce Ltd"))
    events = parsed.walk("VEVENT")
    assert len(events) == 1, "overdue items are not calendar events"
    event = events[0]
    assert event.decoded("DTSTART") == date(2026, 10, 14)
    assert event.decoded("DTSTAMP") == AS_OF
    assert str(event["SUMMARY"]) == "Review of 'IR plan review, April 2026' (DPP-IR-2)"
    assert "DPP-IR-2" in str(event["DESCRIPTION"])
    assert "owner: Sécurité, naïve; résumé\nline two" in str(event["DESCRIPTION"])
    assert str(event["UID"]).endswith("@dpp-evidence")


def test_lines_end_in_crlf_and_fold_at_75_octets() -> None:
    data = calendar(report(), "Fennel & Finch Commerce Ltd")
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines), "the long description is folded"
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character


def test_folding_keeps_multibyte_characters_whole() -> None:
    folded = fold("DESCRIPTION:" + "é" * 80)
    parts = folded.encode().split(b"\r\n ")
    assert all(len(p) <= 75 for p in parts)
    assert "".join(p.decode() for p in parts) == "DESCRIPTION:" + "é" * 80


def test_the_same_due_list_gives_the_same_bytes_and_uids() -> None:
    assert calendar(report(), "F") == calendar(report(), "F")
    item = report().items[1]
    assert uid(item) == uid(item.model_copy())
    assert uid(item) != uid(item.model_copy(update={"due": date(2026, 10, 15)}))
