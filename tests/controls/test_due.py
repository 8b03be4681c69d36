from datetime import UTC, date, datetime

from review_items import aws_item, document

from evidence.controls.catalogue import load_catalogue
from evidence.controls.due import due_items
from evidence.model.results import Waiver

AS_OF = datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)
DPP = [load_catalogue("amazon-dpp@2025-11")]


def listed(
    items: list, within: int = 30, waivers: list | None = None
) -> list[tuple[str, str, str, bool]]:
    report = due_items(DPP, items, waivers or [], AS_OF, within)
    return [(i.due.isoformat(), i.kind, i.title, i.overdue) for i in report.items]


def test_the_next_review_date_of_the_newest_document_falls_due() -> None:
    review = document(
        "ir-plan-review", "2026-04-15", title="IR plan review, April 2026", next_review="2026-10-14"
    )
    assert (
        "2026-10-14",
        "document-review",
        "Review of 'IR plan review, April 2026'",
        False,
    ) in listed([review])


def test_a_superseded_document_no_longer_falls_due() -> None:
    old = document("ir-plan", "2025-10-01", title="IR plan v3", next_review="2026-10-01")
    new = document("ir-plan", "2026-04-15", title="IR plan v4", next_review="2027-04-15")
    assert listed([old, new]) == []


def test_cadences_give_the_next_scan_and_review_and_overdue_ones_are_marked() -> None:
    items = [document("vuln-scan-report", "2026-09-03"), document("risk-assessment", "2025-06-30")]
    assert listed(items) == [
        ("2026-06-30", "cadence", "Next risk-assessment", True),
        ("2026-10-03", "cadence", "Next vuln-scan-report", False),
    ]


def test_nothing_beyond_the_window() -> None:
    assert listed([document("vuln-scan-report", "2026-09-03")], within=2) == []


def test_rotations_fall_due_one_cadence_after_the_last_rotation() -> None:
    secret = aws_item(
        "secrets.rotation",
        {"secrets": [{"name": "prod/lwa-client-secret", "last_rotated": "2026-04-20"}]},
    )
    report = due_items(DPP, [secret], [], AS_OF, 30)
    lwa = [i for i in report.items if i.controls == ["DPP-CRED-2"]]
    assert [(i.due, i.title) for i in lwa] == [
        (date(2026, 10, 17), "Rotate secret 'prod/lwa-client-secret'")
    ]


def test_waivers_in_force_fall_due_on_their_expiry() -> None:
    waiver = Waiver(
        id="WV-0000000001",
        control_id="DPP-NET-3",
        reason="EDR rollout",
        approver="CISO",
        created_by="me",
        created_at=datetime(2026, 7, 1, tzinfo=UTC),
        expires=datetime(2026, 10, 20, 23, 59, 59, tzinfo=UTC),
    )
    assert listed([], waivers=[waiver]) == [
        ("2026-10-20", "waiver-expiry", "Waiver WV-0000000001 for DPP-NET-3 expires", False)
    ]
