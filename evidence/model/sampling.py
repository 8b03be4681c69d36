"""A reproducible sample of a control's population, as the store and the pack record it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class PopulationMember(BaseModel):
    """One thing an auditor may pick for testing: a document, a principal, a job, a job run."""

    model_config = ConfigDict(frozen=True)

    id: str
    evidence_id: str
    kind: str
    label: str
    when: str | None = None


class SampleItem(BaseModel):
    """A drawn member with what the auditor tests on it and what the tool itself found."""

    id: str
    attributes: str
    result: str


class Completeness(BaseModel):
    """Where the population came from, how many, and how it was reconciled with another source."""

    sources: list[str] = []
    count: int = 0
    reconciliation: str | None = None


class SampleDraw(BaseModel):
    """A draw: which population, which seed and size, and the members chosen (in draw order)."""

    control_id: str
    catalogue: str
    kinds: list[str]
    seed: str
    size: int
    algorithm: str
    population_size: int
    population_sha256: str
    population: list[PopulationMember]
    chosen: list[str]
    notes: list[str] = []
    drawn_at: datetime | None = None
    #: Who chose the seed (an auditor's name, or "preparer" when the tool's user chose it).
    seed_from: str | None = None
    #: The control's frequency and the sample-size table row the size came from.
    frequency: str | None = None
    size_basis: str | None = None
    completeness: Completeness | None = None
    items: list[SampleItem] = []
