from review_items import aws_item, document, judge, result

from evidence.model.results import Status


def secrets(*entries: dict) -> object:
    return aws_item("secrets.rotation", {"secrets": list(entries)})


def outcome(control, check: str):
    return next(o for o in control.outcomes if o.check == check)


def test_lwa_secret_rotated_within_180_days_meets_the_control() -> None:
    item = secrets(
        {
            "name": "prod/parcelpilot/lwa-client-secret",
            "rotation_enabled": True,
            "last_rotated": "2026-06-01T10:00:00Z",
        }
    )
    control = result(judge([item]), "DPP-CRED-2")
    assert control.status is Status.MET
    assert outcome(control, "secret_rotation").figures["secrets_checked"] == 1
    assert item.id in control.evidence_ids


def test_lwa_secret_older_than_its_cadence_is_not_met_and_named() -> None:
    item = secrets(
        {"name": "prod/parcelpilot/lwa-client-secret", "last_rotated": "2026-01-02"},
        {"name": "prod/parcelpilot/db-password", "last_rotated": "2025-01-01"},
    )
    control = result(judge([item, document("lwa-rotation-record", "2026-05-10")]), "DPP-CRED-2")
    # The system says the secret is overdue: a registered record cannot outvote it.
    assert control.status is Status.NOT_MET
    reason = " ".join(control.reasons)
    assert (
        "secret 'prod/parcelpilot/lwa-client-secret' was last rotated 2026-01-02, "
        "271 days before 2026-09-30"
        in reason
    )
    assert "db-password" not in reason


def test_a_rotation_after_the_as_of_date_leaves_the_state_unknown() -> None:
    item = secrets({"name": "lwa-client-secret", "last_rotated": "2026-10-15"})
    found = outcome(result(judge([item]), "DPP-CRED-2"), "secret_rotation")
    assert found.status is Status.INSUFFICIENT
    assert "after the as-of date 2026-09-30" in found.reasons[0]


def test_no_matching_secret_is_insufficient() -> None:
    item = secrets({"name": "prod/other", "last_rotated": "2026-09-01"})
    found = outcome(result(judge([item]), "DPP-CRED-2"), "secret_rotation")
    assert found.status is Status.INSUFFICIENT
    assert "no secret matching 'lwa-client-secret'" in found.reasons[0]


def test_earlier_slots_of_a_long_period_cannot_be_shown_from_the_latest_rotation_alone() -> None:
    item = secrets(
        {"name": "lwa-client-secret", "last_rotated": "2026-12-01", "created": "2024-01-01"}
    )
    found = outcome(
        result(judge([item], period="2026-01-01..2026-12-31"), "DPP-CRED-2"), "secret_rotation"
    )
    assert found.status is Status.INSUFFICIENT
    assert (
        "earlier slot(s) 2025-07-09 to 2026-01-05, 2026-01-05 to 2026-07-04 cannot be shown"
        in found.reasons[0]
    )


def test_a_secret_created_inside_the_period_owes_no_earlier_rotation() -> None:
    item = secrets({"name": "lwa-client-secret", "last_rotated": None, "created": "2026-08-01"})
    found = outcome(
        result(judge([item], period="2026-01-01..2026-12-31"), "DPP-CRED-2"), "secret_rotation"
    )
    assert found.status is Status.MET, found.reasons


def test_access_keys_older_than_a_year_are_not_met() -> None:
    item = aws_item(
        "iam.credentials",
        {
            "users": [
                {
                    "user": "user:5f2a0c9e1b7d",
                    "access_keys": [
                        {
                            "key": "…7QXA",
                            "active": True,
                            "last_rotated": "2025-06-01T08:00:00+00:00",
                        },
                        {"key": "…M2PD", "active": False, "last_rotated": "2020-01-01"},
                    ],
                },
                {
                    "user": "user:0b8e61d2aa34",
                    "access_keys": [{"key": "…9KLC", "active": True, "last_rotated": "2026-02-01"}],
                },
            ]
        },
    )
    control = result(judge([item]), "DPP-CRED-1")
    assert control.status is Status.NOT_MET
    found = outcome(control, "access_key_age")
    assert found.figures == {"keys_checked": 2, "keys_overdue": 1, "oldest_rotation_age_days": 486}
    assert "access key …7QXA of user:5f2a0c9e1b7d was last rotated 2025-06-01" in found.reasons[0]


def test_no_active_access_key_meets_the_key_check_with_its_evidence() -> None:
    item = aws_item("iam.credentials", {"users": [{"user": "user:x", "access_keys": []}]})
    found = outcome(result(judge([item]), "DPP-CRED-1"), "access_key_age")
    assert found.status is Status.MET
    assert found.evidence_ids == [item.id]
