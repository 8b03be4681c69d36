"""Everything a report is rendered from, handed to the render stage by the pipeline."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from evidence.model.catalogue import Catalogue
from evidence.model.evidence import EvidenceItem
from evidence.model.profile import ProfileAnswer
from evidence.model.results import Evaluation
from evidence.model.run import RunInfo
from evidence.model.sampling import SampleDraw

#: Days from the as-of date to a gap's due date, by control severity (``[gap_plan] due_days``).
DEFAULT_DUE_DAYS = {"critical": 7, "high": 30, "medium": 60, "low": 90}


class OrganisationSummary(BaseModel):
    """The organisation as printed on a report's cover."""

    legal_name: str
    developer_id: str
    applications: list[str]
    impoc_name: str | None = None
    impoc_email: str | None = None
    systems: list[str] = Field(default_factory=list)


class Signatories(BaseModel):
    """Who signs a report off (``[report]`` in the config); blank lines are printed when unset."""

    preparer: str | None = None
    preparer_title: str | None = None
    security_lead: str | None = None
    security_lead_title: str | None = None


class RunReportData(BaseModel):
    """What every report of a run is rendered from: the run, the evaluation and its evidence."""

    run: RunInfo
    organisation: OrganisationSummary
    evaluation: Evaluation
    evidence: list[EvidenceItem]
    owners: dict[str, str] = Field(default_factory=dict)
    tool_version: str
    generated_at: datetime
    due_days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_DUE_DAYS))
    signatories: Signatories = Field(default_factory=Signatories)
    #: Sample draws recorded for the run (`evidence sample`), shown in the attestation's appendix.
    samples: list[SampleDraw] = Field(default_factory=list)


class ReportData(RunReportData):
    """One catalogue's evaluation with the run, the organisation and the evidence behind it.

    ``run_catalogues`` are every catalogue of the run, so the attestation numbers its gaps as
    the gap report does; when empty, the plan covers ``catalogue`` alone.
    """

    catalogue: Catalogue
    run_catalogues: list[Catalogue] = Field(default_factory=list)


class ReportSetData(RunReportData):
    """Everything the whole report set of a run is rendered from (every selected catalogue)."""

    catalogues: list[Catalogue]
    profile: list[ProfileAnswer] = Field(default_factory=list)

    def for_catalogue(self, catalogue: Catalogue) -> ReportData:
        """Narrow the set to the data of one catalogue's attestation."""
        shared = {name: getattr(self, name) for name in RunReportData.model_fields}
        return ReportData(catalogue=catalogue, run_catalogues=self.catalogues, **shared)


class RenderedReport(BaseModel):
    """A PDF written to disk."""

    kind: str
    path: str
    sha256: str
    pages: int
