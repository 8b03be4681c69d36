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
