"""Everything a report is rendered from, handed to the render stage by the pipeline."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from evidence.model.catalogue import Catalogue
from evidence.model.evidence import EvidenceItem
from evidence.model.results import Evaluation
from evidence.model.run import RunInfo


class OrganisationSummary(BaseModel):
    """The organisation as printed on a report's cover."""

    legal_name: str
    developer_id: str
    applications: list[str]
    impoc_name: str | None = None
    impoc_email: str | None = None
    systems: list[str] = Field(default_factory=list)


class ReportData(BaseModel):
    """One catalogue's evaluation with the run, the organisation and the evidence behind it."""

    run: RunInfo
    organisation: OrganisationSummary
    catalogue: Catalogue
    evaluation: Evaluation
    evidence: list[EvidenceItem]
    owners: dict[str, str] = Field(default_factory=dict)
    tool_version: str
    generated_at: datetime


class RenderedReport(BaseModel):
    """A PDF written to disk."""

    kind: str
    path: str
    sha256: str
    pages: int
