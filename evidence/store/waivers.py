"""The waiver ledger: append-only records of waivers granted and revoked.

Nothing here updates or deletes a row. A revocation is a record of its own that names the
waiver it ends; reading the ledger folds revocations into the waivers they end.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, Integer, String, Text, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from evidence.errors import StoreError
from evidence.model.results import Waiver
from evidence.store.tables import Base

GRANT = "grant"
REVOKE = "revoke"


class WaiverRow(Base):
    """One ledger record: a waiver granted, or the revocation of one."""

    __tablename__ = "waivers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    waiver_id: Mapped[str] = mapped_column(String(20), index=True)
    action: Mapped[str] = mapped_column(String(10))
    control_id: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    approver: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def waiver_id(
    control_id: str, reason: str, approver: str, created_by: str, created_at: datetime
) -> str:
    """``WV-`` plus 10 hex digits derived from what the waiver says and when it was granted."""
    text = "\x00".join([control_id, reason, approver, created_by, created_at.isoformat()])
    return "WV-" + hashlib.sha256(text.encode()).hexdigest()[:10].upper()


class WaiverLedger:
    """Grants, revokes and lists waivers in the store's database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def grant(self, waiver: Waiver) -> Waiver:
        """Record ``waiver`` (its id is derived here) and return it as stored."""
        stored = waiver.model_copy(
            update={
                "id": waiver_id(
                    waiver.control_id,
                    waiver.reason,
                    waiver.approver,
                    waiver.created_by,
                    waiver.created_at,
                )
            }
        )
        if any(w.id == stored.id for w in self.all()):
            raise StoreError(f"waiver {stored.id} is already recorded")
        self._add(
            WaiverRow(
                waiver_id=stored.id,
                action=GRANT,
                control_id=stored.control_id,
                reason=stored.reason,
                approver=stored.approver,
                created_by=stored.created_by,
                created_at=stored.created_at,
                expires=stored.expires,
            )
        )
        return stored

    def revoke(self, ident: str, reason: str, by: str, at: datetime) -> Waiver:
        """Record the revocation of waiver ``ident`` and return the waiver as it now stands."""
        found = {w.id: w for w in self.all()}
        waiver = found.get(ident.upper())
        if waiver is None:
            known = ", ".join(sorted(found)) or "none"
            raise StoreError(f"no waiver {ident!r} in the store (known: {known})")
        if waiver.revoked_at is not None:
            raise StoreError(
                f"waiver {waiver.id} was already revoked on {waiver.revoked_at.date()}"
            )
        self._add(
            WaiverRow(
                waiver_id=waiver.id,
                action=REVOKE,
                control_id=waiver.control_id,
                reason=reason,
                approver=None,
                created_by=by,
                created_at=at,
                expires=None,
            )
        )
        return waiver.model_copy(
            update={"revoked_at": at, "revoked_by": by, "revocation_reason": reason}
        )

    def all(self) -> list[Waiver]:
        """Every waiver ever granted, revocations applied, in the order they were granted."""
        try:
            with Session(self._engine) as session:
                rows = list(session.scalars(select(WaiverRow).order_by(WaiverRow.id)))
        except OperationalError as exc:
            raise StoreError(f"cannot read waivers: {exc.orig}") from None
        waivers: dict[str, Waiver] = {}
        for row in rows:
            if row.action == GRANT and row.expires is not None and row.approver is not None:
                waivers[row.waiver_id] = Waiver(
                    id=row.waiver_id,
                    control_id=row.control_id,
                    reason=row.reason,
                    approver=row.approver,
                    created_by=row.created_by,
                    created_at=_utc(row.created_at),
                    expires=_utc(row.expires),
                )
            elif row.action == REVOKE and row.waiver_id in waivers:
                waivers[row.waiver_id] = waivers[row.waiver_id].model_copy(
                    update={
                        "revoked_at": _utc(row.created_at),
                        "revoked_by": row.created_by,
                        "revocation_reason": row.reason,
                    }
                )
        return list(waivers.values())

    def _add(self, row: WaiverRow) -> None:
        try:
            with Session(self._engine) as session, session.begin():
                session.add(row)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot record waiver: {exc}") from None


def _utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything in the store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
