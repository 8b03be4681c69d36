"""Statuses and results of evaluating controls against evidence."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Status(StrEnum):
    """The five outcomes a control can have."""

    MET = "met"
    NOT_MET = "not_met"
    INSUFFICIENT = "insufficient_evidence"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        """Human label used in the terminal and the PDF."""
        return _LABELS[self]

    @property
    def is_gap(self) -> bool:
        """Whether the status counts as a gap (drives exit code 3)."""
        return self in (Status.NOT_MET, Status.INSUFFICIENT)


_LABELS = {
    Status.MET: "Met",
    Status.NOT_MET: "Not met",
    Status.INSUFFICIENT: "Insufficient evidence",
    Status.WAIVED: "Waived",
    Status.NOT_APPLICABLE: "Not applicable",
}

#: Order used by reports: gaps first.
STATUS_ORDER = [
    Status.NOT_MET,
    Status.INSUFFICIENT,
    Status.WAIVED,
    Status.MET,
    Status.NOT_APPLICABLE,
]

Figure = int | float | str | bool | None


class CheckOutcome(BaseModel):
    """What one check decided, why, from which evidence, and the figures behind it."""

    check: str
    status: Status
    reasons: list[str] = Field(default_factory=list)
    evidence_ids: list[str] = Field(default_factory=list)
    figures: dict[str, Figure] = Field(default_factory=dict)
    detail: dict[str, Any] = Field(default_factory=dict)


class Waiver(BaseModel):
    """An accepted exception for a control, in force from ``created_at`` until ``expires``.

    Waivers are append-only records: a revocation is a later record that sets ``revoked_at``
    on the waiver it ends. Whether a waiver counts is always judged at an as-of instant.
    """

    id: str = ""
    control_id: str
    reason: str
    approver: str
    created_by: str
    created_at: datetime
    expires: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revocation_reason: str | None = None

    def in_force(self, at: datetime) -> bool:
        """Whether the waiver counts at ``at``: granted by then, not expired, not revoked."""
        revoked = self.revoked_at is not None and self.revoked_at <= at
        return self.created_at <= at <= self.expires and not revoked

    def state(self, at: datetime) -> str:
        """Say in a short phrase why the waiver does or does not count at ``at``."""
        if self.revoked_at is not None and self.revoked_at <= at:
            return f"revoked {self.revoked_at.date().isoformat()}"
        if at < self.created_at:
            return f"granted {self.created_at.date().isoformat()}, after the as-of date"
        if at > self.expires:
            return f"expired {self.expires.date().isoformat()}"
        return "in force"


class ControlResult(BaseModel):
    """The status of one control with every reason, evidence id and figure that decided it."""

    control_id: str
    catalogue: str
    status: Status
    reasons: list[str] = Field(default_factory=list)
    evidence_ids: list[str] = Field(default_factory=list)
    figures: dict[str, Figure] = Field(default_factory=dict)
    outcomes: list[CheckOutcome] = Field(default_factory=list)
    waiver: Waiver | None = None
    underlying_status: Status | None = None


class Evaluation(BaseModel):
    """Every control result of one evaluation, judged as of ``as_of``."""

    as_of: datetime
    catalogues: list[str]
    results: list[ControlResult]
    #: Every waiver known when the evaluation was made, in force or not (reports list them all).
    waivers: list[Waiver] = Field(default_factory=list)

    def counts(self) -> dict[Status, int]:
        """Number of controls per status, every status present (zero when none)."""
        counts = dict.fromkeys(STATUS_ORDER, 0)
        for result in self.results:
            counts[result.status] += 1
        return counts

    @property
    def has_gaps(self) -> bool:
        """Whether any control is not met or lacks evidence."""
        return any(r.status.is_gap for r in self.results)
