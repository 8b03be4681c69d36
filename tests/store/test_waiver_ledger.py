from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from evidence.errors import StoreError
from evidence.model.results import Waiver
from evidence.store import Store

GRANTED = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)


def waiver(control: str = "DPP-NET-3") -> Waiver:
    return Waiver(
        control_id=control,
        reason="EDR rollout in October",
        approver="Priya Raman",
        created_by="lead",
        created_at=GRANTED,
        expires=datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
    )


def test_waivers_are_granted_revoked_and_read_back_with_utc_times(
    store_url: str, tmp_path: Path
) -> None:
    store = Store(store_url, tmp_path / "copies")
    try:
        granted = store.waivers.grant(waiver())
        other = store.waivers.grant(waiver("DPP-ACC-5"))
        assert granted.id.startswith("WV-")
        assert granted.id != other.id
        revoked = store.waivers.revoke(
            granted.id.lower(), "EDR done early", "ciso", datetime(2026, 10, 20, tzinfo=UTC)
        )
        assert revoked.revoked_by == "ciso"
        listed = store.waivers.all()
        assert [w.id for w in listed] == [granted.id, other.id]
        assert listed[0].revoked_at == datetime(2026, 10, 20, tzinfo=UTC)
        assert listed[0].revocation_reason == "EDR done early"
        assert listed[1].revoked_at is None
        assert listed[1].created_at == GRANTED
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT action FROM waivers ORDER BY id")).scalars().all()
        assert rows == ["grant", "grant", "revoke"], (
            "revocation is a new record; nothing is updated"
        )
    finally:
        store.close()


def test_revoking_an_unknown_or_revoked_waiver_is_a_store_error(
    store_url: str, tmp_path: Path
) -> None:
    store = Store(store_url, tmp_path / "copies")
    try:
        with pytest.raises(StoreError, match="no waiver 'WV-NOPE'"):
            store.waivers.revoke("WV-NOPE", "x", "me", GRANTED)
        granted = store.waivers.grant(waiver())
        store.waivers.revoke(granted.id, "done", "me", GRANTED)
        with pytest.raises(StoreError, match="already revoked"):
            store.waivers.revoke(granted.id, "again", "me", GRANTED)
        with pytest.raises(StoreError, match="already recorded"):
            store.waivers.grant(waiver())
    finally:
        store.close()
