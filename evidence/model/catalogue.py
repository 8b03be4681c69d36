"""Schema of the policy catalogues in policies/: controls as data, validated on load."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Scalar = int | float | str | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reading(_Strict):
    """One way to read an ambiguous figure ("bi-weekly": twice a week, or every two weeks)."""

    value: Scalar
    label: str
    text: str


class Parameter(_Strict):
    """A number (or setting) the requirement fixes, e.g. 30 days after delivery.

    An ambiguous figure lists its ``readings``; ``reading`` names the one the catalogue uses by
    default (the stricter), whose value is ``value``. The config may choose another reading with
    a written justification, and every report that uses it prints both.
    """

    value: Scalar
    unit: str | None = None
    description: str
    uncertain: bool = False
    readings: dict[str, Reading] = Field(default_factory=dict)
    reading: str | None = None
    #: Printed with the control but read by no check (a figure a document must state, say).
    informative: bool = False

    @model_validator(mode="after")
    def _default_reading(self) -> Parameter:
        if self.readings:
            if self.reading not in self.readings:
                raise ValueError(f"reading must name one of the readings ({', '.join(self.readings)})")
            if self.readings[self.reading].value != self.value:
                raise ValueError(f"value must be the value of the default reading {self.reading!r}")
            if not self.uncertain:
                raise ValueError("a figure with several readings is uncertain: set uncertain: true")
        elif self.reading is not None:
            raise ValueError("reading is set but no readings are listed")
        return self


class Cadence(_Strict):
    """How often the activity must recur (every 182 days for an IR-plan review).

    ``grace_days`` widens every interval the cadence allows (default 0: none); the config may
    override it per control, and reports show the figure used.
    """

    every_days: int = Field(gt=0)
    label: str
    grace_days: int = Field(default=0, ge=0)


class Element(_Strict):
    """One element of a requirement: a thing that must be true for the control to be met.

    ``technical`` marks a setting the tool can measure (protocol versions, encryption, MFA
    enforcement, password settings, log retention): a document may support it only on
    attestation. ``document_only`` marks an element that no automatic check can decide, so
    only a registered document (attested) decides it; ``why_document_only`` says why.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: str
    technical: bool = False
    document_only: bool = False
    why_document_only: str | None = None


class EvidenceNeed(_Strict):
    """A kind of evidence the control needs, which collector kind provides it, and whether it is planned."""

    kind: str
    description: str
    doc_types: list[str] = Field(default_factory=list)
    planned: bool = False


class CheckRef(_Strict):
    """A named check function and the arguments it is called with (beside the parameters)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    check: str
    with_: dict[str, Any] = Field(default_factory=dict, alias="with")
    decides: list[str] = Field(min_length=1)
    planned: bool = False
    description: str | None = None


class SourceRef(_Strict):
    """A control's citation of a source record (policies/sources.yaml) and what it supports.

    ``supports`` maps each parameter this source backs to the short phrase that states the
    number (a paraphrase or a few words in quotation marks, never Amazon's text at length).
    """

    source: str = Field(pattern=r"^[a-z0-9-]+$")
    detail: str | None = None
    supports: dict[str, str] = Field(default_factory=dict)

    def __str__(self) -> str:
        return self.source + (f" ({self.detail})" if self.detail else "")


class Control(_Strict):
    """One requirement of a catalogue, with what decides it."""

    id: str = Field(pattern=r"^[A-Z]+(-[A-Z0-9]+)+$")
    section: str
    family: str
    title: str
    requirement: str
    confidence: Literal["H", "M", "L"]
    confidence_note: str | None = None
    uncertain: bool = False
    uncertain_note: str | None = None
    severity: Literal["critical", "high", "medium", "low"]
    applies_to: Literal["all", "pii"] = "all"
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    cadence: Cadence | None = None
    evidence: list[EvidenceNeed]
    elements: list[Element] = Field(min_length=1)
    checks: list[CheckRef]
    remediation: str
    sources: list[SourceRef] = Field(min_length=1)
    since: str | None = None

    @model_validator(mode="after")
    def _uncertain_has_note(self) -> Control:
        if self.uncertain and not self.uncertain_note:
            raise ValueError("an uncertain control needs uncertain_note saying what is uncertain")
        if not self.checks:
            raise ValueError("a control needs at least one check (mark it planned if not built)")
        ids = [e.id for e in self.elements]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"elements listed twice: {', '.join(twice)}")
        for ref in self.checks:
            unknown = sorted(set(ref.decides) - set(ids))
            if unknown:
                raise ValueError(f"check {ref.check} decides unknown element(s): {', '.join(unknown)}")
        decided = {e for ref in self.checks for e in ref.decides}
        undecided = [e.id for e in self.elements if e.id not in decided]
        if undecided:
            raise ValueError(f"no check decides element(s) {', '.join(undecided)}")
        for element in self.elements:
            if element.document_only and not element.why_document_only:
                raise ValueError(f"element {element.id} is document_only: say why in why_document_only")
        supported = {name for ref in self.sources for name in ref.supports}
        stray = sorted(supported - set(self.parameters))
        if stray:
            raise ValueError(f"sources support unknown parameter(s): {', '.join(stray)}")
        unsupported = sorted(set(self.parameters) - supported)
        if unsupported:
            raise ValueError(f"no source supports parameter(s) {', '.join(unsupported)}: add supports to a source")
        return self

    def element(self, element_id: str) -> Element:
        """The element with ``element_id``; KeyError when absent."""
        for element in self.elements:
            if element.id == element_id:
                return element
        raise KeyError(element_id)

    def parameter_values(self) -> dict[str, Scalar]:
        """The parameters as plain values, as checks receive them."""
        return {name: p.value for name, p in self.parameters.items()}


class Family(_Strict):
    """A group of controls with one owner (owners per family come from the config)."""

    id: str
    title: str


class DateRecord(_Strict):
    """A date a source gives for this version, when sources disagree (11 or 25 November 2025)."""

    date: date
    what: str
    source: str


class Term(_Strict):
    """A defined term of the policy, in our words, printed in the attestation's appendix."""

    term: str
    meaning: str
    since: str | None = None


class Catalogue(_Strict):
    """A versioned policy catalogue (``amazon-dpp@2025-11``).

    ``effective`` is the date the catalogue uses to decide which version is in force; when
    sources give different dates, ``dates`` records each and ``effective_note`` says which one
    is used and why.
    """

    schema_version: Literal[1] = 1
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    version: str
    title: str
    effective: date
    status: Literal["current", "superseded"]
    effective_note: str | None = None
    dates: list[DateRecord] = Field(default_factory=list)
    summary: str
    source_note: str
    glossary: list[Term] = Field(default_factory=list)
    families: list[Family]
    controls: list[Control]

    @property
    def ref(self) -> str:
        """``id@version``, the way configs and the CLI name a catalogue."""
        return f"{self.id}@{self.version}"

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        ids = [c.id for c in self.controls]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate control ids: {', '.join(duplicates)}")
        families = {f.id for f in self.families}
        unknown = sorted({c.family for c in self.controls} - families)
        if unknown:
            raise ValueError(f"controls name undeclared families: {', '.join(unknown)}")
        return self

    def control(self, control_id: str) -> Control:
        """The control with ``control_id``; KeyError when absent."""
        for control in self.controls:
            if control.id == control_id:
                return control
        raise KeyError(control_id)
