"""What a quarterly review is made of: changes between two periods, what falls due, the trend."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from evidence.model.assurance import Assurance
from evidence.model.catalogue import Catalogue
from evidence.model.report import DEFAULT_DUE_DAYS, OrganisationSummary
from evidence.model.results import Evaluation, MetSplit, Status, Waiver
from evidence.model.run import RunInfo

Direction = Literal["better", "worse", "waived", "changed", "added", "removed"]


class PeriodRef(BaseModel):
    """Which run and evaluation stand for a period in a comparison."""

    label: str
    start: date
    end: date
    as_of: datetime
    run_uid: str
    evaluated_now: bool = False


class StatusChange(BaseModel):
    """A control whose status differs between the two periods."""

    catalogue: str
    control_id: str
    title: str
    old: Status | None
    new: Status | None
    direction: Direction
    reasons: list[str] = Field(default_factory=list)
    #: For met controls: verified or on attestation (a change of assurance alone is a change too).
    old_assurance: Assurance | None = None
    new_assurance: Assurance | None = None

    @property
    def old_label(self) -> str:
        """The old status as reports print it (met split into verified and on attestation)."""
        return _label(self.old, self.old_assurance)

    @property
    def new_label(self) -> str:
        """The new status as reports print it."""
        return _label(self.new, self.new_assurance)


def _label(status: Status | None, assurance: Assurance | None) -> str:
    if status is None:
        return "absent"
    if status is Status.MET:
        return "Met (verified)" if assurance is not None and assurance.verified else "Met on attestation"
    return status.label


class FigureMove(BaseModel):
    """A numeric figure of a control that moved (``logins_without_mfa 12 -> 0``).

    ``ageing`` marks an age that grew by exactly the time between the two as-of dates: the same
    evidence got older, nothing else changed.
    """

    catalogue: str
    control_id: str
    figure: str
    old: float | int
    new: float | int
    ageing: bool = False

    @property
    def delta(self) -> float | int:
        """New minus old."""
        return self.new - self.old


class StaleEvidence(BaseModel):
    """Evidence that counted in the old period and has since passed its age limit or review date."""

    evidence_id: str
    title: str
    kind: str
    controls: list[str]
    reason: str


class MissingEvidence(BaseModel):
    """A source that produced usable evidence of a kind before, and none now."""

    source: str
    kind: str
    before: int
    error: str | None = None


class PeriodDiff(BaseModel):
    """Everything that changed from ``old`` to ``new``."""

    old: PeriodRef
    new: PeriodRef
    status_changes: list[StatusChange] = Field(default_factory=list)
    new_gaps: list[StatusChange] = Field(default_factory=list)
    resolved_gaps: list[StatusChange] = Field(default_factory=list)
    stale: list[StaleEvidence] = Field(default_factory=list)
    missing: list[MissingEvidence] = Field(default_factory=list)
    figures: list[FigureMove] = Field(default_factory=list)
    old_counts: dict[Status, int] = Field(default_factory=dict)
    new_counts: dict[Status, int] = Field(default_factory=dict)
    old_met: MetSplit | None = None
    new_met: MetSplit | None = None

    @property
    def moved_figures(self) -> list[FigureMove]:
        """Figures that moved for a reason other than the calendar (ages of the same evidence)."""
        return [f for f in self.figures if not f.ageing]


DueKind = Literal["document-review", "cadence", "rotation", "waiver-expiry"]


class DueItem(BaseModel):
    """Something that falls due on ``due``: a review, a scan, a rotation, a waiver's end."""

    due: date
    kind: DueKind
    title: str
    controls: list[str]
    basis: str
    evidence_id: str | None = None
    overdue: bool = False


class DueReport(BaseModel):
    """What falls due between the as-of date and ``until`` (and what is already overdue)."""

    as_of: datetime
    until: date
    items: list[DueItem] = Field(default_factory=list)

    @property
    def upcoming(self) -> list[DueItem]:
        """Items due from the as-of date to ``until``."""
        return [item for item in self.items if not item.overdue]

    @property
    def overdue(self) -> list[DueItem]:
        """Items whose due date passed before the as-of date."""
        return [item for item in self.items if item.overdue]


class TrendPoint(BaseModel):
    """Control counts per status of one period's latest evaluation."""

    label: str
    end: date
    counts: dict[Status, int]


class QuarterlyData(BaseModel):
    """Everything the quarterly review PDF is rendered from."""

    organisation: OrganisationSummary
    run: RunInfo
    evaluation: Evaluation
    catalogues: list[Catalogue]
    diff: PeriodDiff | None
    previous_label: str
    due: DueReport
    trend: list[TrendPoint]
    owners: dict[str, str] = Field(default_factory=dict)
    waivers: list[Waiver] = Field(default_factory=list)
    tool_version: str
    generated_at: datetime
    #: The day the review is judged as of besides the period's end (``--on``, or the run's day).
    generated_on: date | None = None
    #: The previous period's evaluation, whose plan of action the review follows up.
    previous: Evaluation | None = None
    #: Who holds each owner role ([team] in the config).
    team: dict[str, str] = Field(default_factory=dict)
    #: Days to fix a gap by severity ([gap_plan] due_days).
    due_days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_DUE_DAYS))
