"""Statuses and results of evaluating controls against evidence."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from evidence.model.assurance import Assurance


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
    """What one check decided, why, from which evidence, and the figures behind it.

    ``parts`` lets a check that judges several requirement elements at once (a password policy:
    length, character classes, age, history) give each its own status; an element the catalogue
    maps to a part takes that part's status instead of the check's overall one. ``assurance``
    is set by the evaluator: the weakest level among the evidence the outcome names.
    """

    check: str
    status: Status
    reasons: list[str] = Field(default_factory=list)
    evidence_ids: list[str] = Field(default_factory=list)
    figures: dict[str, Figure] = Field(default_factory=dict)
    detail: dict[str, Any] = Field(default_factory=dict)
    parts: dict[str, Status] = Field(default_factory=dict)
    assurance: Assurance | None = None


class EvidenceNeeded(BaseModel):
    """What would decide an undecided element: a check, the evidence kinds it reads, document types."""

    check: str
    kinds: list[str] = Field(default_factory=list)
    doc_types: list[str] = Field(default_factory=list)
    planned: bool = False

    def describe(self) -> str:
        """``a registered ir-plan document`` or ``access.activity evidence (check unique_accounts)``."""
        if self.doc_types:
            return f"a registered {' or '.join(self.doc_types)} document (attested)"
        kinds = " or ".join(self.kinds) or "evidence"
        planned = ", not built yet" if self.planned else ""
        return f"{kinds} evidence (check {self.check}{planned})"


class ElementResult(BaseModel):
    """The status of one element of a control's requirement, and what decided it.

    An element is met when a check that decides it is met and none is not met; ``assurance``
    is then the strongest level among the met outcomes. Undecided elements carry ``needed``:
    the evidence that would decide them.
    """

    id: str
    text: str
    status: Status
    assurance: Assurance | None = None
    technical: bool = False
    decided_by: list[str] = Field(default_factory=list)
    evidence_ids: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    needed: list[EvidenceNeeded] = Field(default_factory=list)


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


class ReadingUsed(BaseModel):
    """Which reading of an ambiguous figure judged the control, and who chose it and why."""

    parameter: str
    reading: str
    label: str
    value: Figure
    unit: str | None = None
    text: str
    default: str
    default_label: str
    default_value: Figure
    #: The config's written justification; None when the catalogue's default reading is used.
    justification: str | None = None

    @property
    def chosen(self) -> bool:
        """Whether the config chose a reading other than the catalogue's default."""
        return self.reading != self.default

    def describe(self) -> str:
        """One sentence for every report: the reading used, and the justification if chosen."""
        unit = f" {self.unit}" if self.unit else ""
        if self.chosen:
            return (
                f"{self.parameter}: reading '{self.label}' ({self.value}{unit}) chosen in the config "
                f"instead of the default stricter reading '{self.default_label}' "
                f"({self.default_value}{unit}). Justification: {self.justification}"
            )
        return (
            f"{self.parameter}: ambiguous wording; the stricter reading '{self.label}' ({self.value}{unit}) "
            f"is used by default. {self.text}"
        )


class ControlResult(BaseModel):
    """The status of one control with every reason, evidence id and figure that decided it.

    A met control carries its ``assurance``: the weakest level among its elements. Met through
    attested evidence anywhere is "met on attestation", counted apart from verified met, and
    ``inspect`` lists the attested evidence (documents, declarations) an auditor must read.
    """

    control_id: str
    catalogue: str
    status: Status
    reasons: list[str] = Field(default_factory=list)
    evidence_ids: list[str] = Field(default_factory=list)
    figures: dict[str, Figure] = Field(default_factory=dict)
    outcomes: list[CheckOutcome] = Field(default_factory=list)
    elements: list[ElementResult] = Field(default_factory=list)
    assurance: Assurance | None = None
    inspect: list[str] = Field(default_factory=list)
    #: Days a cadence interval could run over, as used (the catalogue's or the config's figure).
    grace_days: int | None = None
    waiver: Waiver | None = None
    underlying_status: Status | None = None
    #: The reading of an ambiguous figure the control was judged by (default or chosen).
    reading: ReadingUsed | None = None

    @property
    def verified(self) -> bool:
        """Met, and every element decided by evidence the tool read itself (not attested)."""
        return self.status is Status.MET and self.assurance is not None and self.assurance.verified

    @property
    def on_attestation(self) -> bool:
        """Met, but only on attested evidence for at least one element."""
        return self.status is Status.MET and not self.verified

    @property
    def status_label(self) -> str:
        """``Met (verified)``, ``Met on attestation`` or the plain status label."""
        if self.status is Status.MET:
            return "Met (verified)" if self.verified else "Met on attestation"
        return self.status.label


class MetSplit(BaseModel):
    """Met controls, split into verified and met on attestation."""

    met: int
    verified: int
    on_attestation: int

    def __str__(self) -> str:
        return f"met {self.met}: verified {self.verified}, on attestation {self.on_attestation}"


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

    def met_split(self, catalogue: str | None = None) -> MetSplit:
        """How many met controls are verified and how many met on attestation."""
        met = [
            r
            for r in self.results
            if r.status is Status.MET and (catalogue is None or r.catalogue == catalogue)
        ]
        verified = sum(1 for r in met if r.verified)
        return MetSplit(met=len(met), verified=verified, on_attestation=len(met) - verified)

    @property
    def has_gaps(self) -> bool:
        """Whether any control is not met or lacks evidence."""
        return any(r.status.is_gap for r in self.results)
