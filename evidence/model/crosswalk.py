"""Schema of a crosswalk framework (SOC 2, ISO 27001): criteria mapped onto catalogue controls.

A crosswalk lives at ``policies/<id>/<version>.yaml`` with ``kind: crosswalk``. Each criterion
maps onto controls of other catalogues (``maps_to``, ``<catalogue id>:<control id>``) and/or
names checks of its own, or says why no collected evidence bears on it (``not_covered``).
A criterion's status rolls up from what it maps to (evidence/controls/crosswalk.py); ids and
titles are in our own words, never the framework's text.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evidence.model.assurance import Assurance
from evidence.model.catalogue import CheckRef, Family
from evidence.model.results import Status

#: ``<catalogue id>:<control id>`` as a criterion's ``maps_to`` names a control.
MAPPING = re.compile(r"^(?P<catalogue>[a-z0-9-]+):(?P<control>\S+)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(_Strict):
    """One criterion of a framework and what decides it (mapped controls, checks), or why nothing does."""

    id: str = Field(min_length=1)
    family: str
    title: str
    maps_to: list[str] = Field(default_factory=list)
    checks: list[CheckRef] = Field(default_factory=list)
    not_covered: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _decided_or_not_covered(self) -> Criterion:
        if self.not_covered is not None:
            if self.maps_to or self.checks:
                raise ValueError("a not_covered criterion maps to nothing: drop maps_to and checks, or not_covered")
            if not self.not_covered.strip():
                raise ValueError("not_covered must say why no collected evidence bears on the criterion")
        elif not self.maps_to and not self.checks:
            raise ValueError("a criterion needs maps_to and/or checks, or not_covered saying why neither")
        for ref in self.maps_to:
            if not MAPPING.match(ref):
                raise ValueError(
                    f"maps_to {ref!r}: write <catalogue id>:<control id> "
                    "(`evidence policies show <catalogue id>` lists the control ids)"
                )
        twice = sorted({r for r in self.maps_to if self.maps_to.count(r) > 1})
        if twice:
            raise ValueError(f"maps_to lists {', '.join(twice)} twice")
        return self

    @property
    def covered(self) -> bool:
        """Whether collected evidence can bear on the criterion at all."""
        return self.not_covered is None


class Crosswalk(_Strict):
    """A versioned framework whose criteria roll up from other catalogues' controls (``soc2@2017``)."""

    schema_version: Literal[1] = 1
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    version: str
    kind: Literal["crosswalk"]
    title: str
    effective: date
    status: Literal["current", "superseded"]
    summary: str
    source_note: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    families: list[Family]
    criteria: list[Criterion] = Field(min_length=1)

    @property
    def ref(self) -> str:
        """``id@version``, the way configs and the CLI name a framework."""
        return f"{self.id}@{self.version}"

    @model_validator(mode="after")
    def _consistent(self) -> Crosswalk:
        ids = [c.id for c in self.criteria]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate criterion ids: {', '.join(duplicates)}")
        families = [f.id for f in self.families]
        if len(set(families)) != len(families):
            raise ValueError("a family is declared twice")
        unknown = sorted({c.family for c in self.criteria} - set(families))
        if unknown:
            raise ValueError(f"criteria name undeclared families: {', '.join(unknown)}")
        return self

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with ``criterion_id``; KeyError when absent."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)


class MappedResult(BaseModel):
    """A mapped control's status as one element of a criterion."""

    mapping: str
    catalogue: str
    control_id: str
    title: str
    status: Status
    assurance: Assurance | None = None
    evidence_ids: list[str] = Field(default_factory=list)

    @property
    def status_label(self) -> str:
        """``Met (verified)``, ``Met on attestation`` or the plain status label."""
        if self.status is Status.MET:
            return "Met (verified)" if self.assurance is not None and self.assurance.verified else "Met on attestation"
        return self.status.label


class CriterionResult(BaseModel):
    """A criterion's rolled-up status; ``status`` is None when the criterion is not covered."""

    criterion_id: str
    crosswalk: str
    family: str
    title: str
    status: Status | None
    assurance: Assurance | None = None
    reasons: list[str] = Field(default_factory=list)
    evidence_ids: list[str] = Field(default_factory=list)
    mapped: list[MappedResult] = Field(default_factory=list)
    not_covered: str | None = None
    note: str | None = None

    @property
    def status_value(self) -> str:
        """The status as stored and printed in JSON: ``not_covered`` when nothing bears on it."""
        return self.status.value if self.status is not None else "not_covered"

    @property
    def status_label(self) -> str:
        """``Met (verified)``, ``Met on attestation``, a plain status label, or ``Not covered``."""
        if self.status is None:
            return "Not covered"
        if self.status is Status.MET:
            return "Met (verified)" if self.assurance is not None and self.assurance.verified else "Met on attestation"
        return self.status.label


class CrosswalkEvaluation(BaseModel):
    """Every criterion of one crosswalk, rolled up from one evaluation."""

    crosswalk: str
    catalogues: list[str]
    results: list[CriterionResult]

    def counts(self) -> dict[str, int]:
        """Criteria per status value (``not_covered`` included), every value present."""
        order = [*(s.value for s in Status), "not_covered"]
        counts = dict.fromkeys(order, 0)
        for result in self.results:
            counts[result.status_value] += 1
        return counts
