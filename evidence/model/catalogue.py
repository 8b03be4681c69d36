"""Schema of the policy catalogues in policies/: controls as data, validated on load."""

from __future__ import annotations

import re
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


#: Control ids of a catalogue that declares no ``id_pattern``: each framework's own form
#: (``CC6.1``, ``A.8.24``, the Amazon catalogues' own), letters, digits, dots and dashes.
DEFAULT_ID_PATTERN = r"^[A-Za-z0-9]+([.-][A-Za-z0-9]+)*$"


class Attribute(_Strict):
    """An attribute a catalogue declares for its controls (the Amazon catalogues' ``confidence``).

    ``values`` lists the allowed values (any scalar when absent); a ``required`` attribute must be
    set on every control; ``default`` is the value of a control that does not set it.
    """

    description: str
    values: list[Scalar] | None = None
    required: bool = False
    default: Scalar | None = None

    @model_validator(mode="after")
    def _default_allowed(self) -> Attribute:
        if self.default is not None and self.values is not None and self.default not in self.values:
            raise ValueError(f"default {self.default!r} is not one of the values")
        if self.required and self.default is not None:
            raise ValueError("a required attribute has no default")
        return self


class Control(_Strict):
    """One requirement of a catalogue, with what decides it.

    ``attributes`` holds the values of the attributes its catalogue declares (for the Amazon
    catalogues: confidence, confidence_note, applies_to, since); ``sources`` the source records
    it cites, required by a catalogue that declares ``cites_sources``.
    """

    id: str = Field(min_length=1)
    section: str
    family: str
    title: str
    requirement: str
    attributes: dict[str, Scalar] = Field(default_factory=dict)
    uncertain: bool = False
    uncertain_note: str | None = None
    severity: Literal["critical", "high", "medium", "low"]
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    cadence: Cadence | None = None
    evidence: list[EvidenceNeed]
    elements: list[Element] = Field(min_length=1)
    checks: list[CheckRef]
    remediation: str
    sources: list[SourceRef] = Field(default_factory=list)

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
        return self

    def source_problems(self) -> list[str]:
        """What a catalogue that ``cites_sources`` refuses: no source, or a parameter no source backs."""
        if not self.sources:
            return ["cites no source (the catalogue declares cites_sources)"]
        supported = {name for ref in self.sources for name in ref.supports}
        unsupported = sorted(set(self.parameters) - supported)
        if unsupported:
            return [f"no source supports parameter(s) {', '.join(unsupported)}: add supports to a source"]
        return []

    def attribute_problems(self, declared: dict[str, Attribute]) -> list[str]:
        """What the catalogue's declared attributes refuse in this control's ``attributes``."""
        problems = []
        for name, value in self.attributes.items():
            spec = declared.get(name)
            if spec is None:
                known = ", ".join(declared) or "none"
                problems.append(f"attribute {name!r} is not declared by the catalogue (declared: {known})")
            elif spec.values is not None and value not in spec.values:
                allowed = ", ".join(str(v) for v in spec.values)
                problems.append(f"attribute {name} = {value!r} is not one of {allowed}")
        for name, spec in declared.items():
            if spec.required and name not in self.attributes:
                problems.append(f"attribute {name} is required")
        return problems

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
    kind: Literal["catalogue"] = "catalogue"
    title: str
    effective: date
    status: Literal["current", "superseded"]
    effective_note: str | None = None
    dates: list[DateRecord] = Field(default_factory=list)
    summary: str
    source_note: str
    glossary: list[Term] = Field(default_factory=list)
    #: The form of this catalogue's control ids (a regular expression); see DEFAULT_ID_PATTERN.
    id_pattern: str | None = None
    #: Whether every control must cite a source record backing each of its parameters.
    cites_sources: bool = False
    attributes: dict[str, Attribute] = Field(default_factory=dict)
    families: list[Family]
    controls: list[Control]

    @model_validator(mode="before")
    @classmethod
    def _attribute_defaults(cls, data: Any) -> Any:
        """Give each control the declared default of every attribute it does not set."""
        if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict):
            return data
        defaults = {
            name: spec["default"]
            for name, spec in data["attributes"].items()
            if isinstance(spec, dict) and spec.get("default") is not None
        }
        if not defaults or not isinstance(data.get("controls"), list):
            return data
        controls = [
            {**c, "attributes": {**defaults, **(c.get("attributes") or {})}} if isinstance(c, dict) else c
            for c in data["controls"]
        ]
        return {**data, "controls": controls}

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
        for control in self.controls:
            problems = self.control_problems(control)
            if problems:
                raise ValueError(f"control {control.id}: {problems[0]}")
        return self

    def control_problems(self, control: Control) -> list[str]:
        """What this catalogue refuses in ``control``: its id's form, its attributes, its sources."""
        problems = []
        pattern = self.id_pattern or DEFAULT_ID_PATTERN
        if not re.match(pattern, control.id):
            problems.append(f"id {control.id!r} does not match the catalogue's id_pattern {pattern}")
        problems += control.attribute_problems(self.attributes)
        if self.cites_sources:
            problems += control.source_problems()
        return problems

    def control(self, control_id: str) -> Control:
        """The control with ``control_id``; KeyError when absent."""
        for control in self.controls:
            if control.id == control_id:
                return control
        raise KeyError(control_id)
