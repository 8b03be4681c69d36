"""The to-do list: what would decide every open element of an evaluation, grouped by step.

One computation, shared by ``evidence todo``, the terminal summary of ``evaluate`` and ``run``,
and the gap report: every element that is not decided (insufficient evidence) is filed under
each step that would decide it (add a source of a collector that produces the evidence its
checks read, or register a document of a type its document check accepts); every element that
is proven not met is filed under fixing its control (the catalogue's remediation). Steps are
ordered by how many elements they would decide, most first. An element with several ways to be
decided appears under each of them; a step that only a check not built yet could take comes last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from evidence.model.catalogue import Catalogue, Control
from evidence.model.evidence import EvidenceItem
from evidence.model.results import Evaluation, Status

#: Collectors whose evidence no source adds: the organisation comes from the config itself, and
#: documents are asked for by type (a document step), not as "add a documents source".
_NOT_A_SOURCE_STEP = {"organisation", "documents"}
#: The check that judges documents filed at a cadence (a log review every 14 days).
_CADENCE_CHECK = "cadence_covered"
#: Kinds a check reads only to refine a judgement it makes from its other kinds (a day-by-day
#: settings timeline, the declared organisation): a source of these alone decides nothing.
_SUPPLEMENTARY = {"settings.changes", "organisation.profile"}
#: Checks that judge nothing without one kind of their reads (a cross-check compares
#: observations against the data map): only a source of that kind is a step for them.
_REQUIRED = {"dataflow_crosscheck": ("dataflow.map",)}


class StepKind(StrEnum):
    """What a step asks the user to do."""

    FIX = "fix"
    SOURCE = "source"
    DOCUMENT = "document"
    CONFIG = "config"
    PLANNED = "planned"


@dataclass(frozen=True, order=True)
class TodoElement:
    """One open element of one control: proven not met, or not decided by any evidence."""

    catalogue: str
    control_id: str
    element_id: str
    text: str
    status: Status

    def as_json(self) -> dict[str, str]:
        """The element as the JSON of ``evidence todo --json`` gives it."""
        return {
            "catalogue": self.catalogue,
            "control_id": self.control_id,
            "element_id": self.element_id,
            "text": self.text,
            "status": self.status.value,
        }


@dataclass(frozen=True)
class TodoStep:
    """One thing to do and the open elements it would decide.

    ``target`` is the control to fix, the collector to add a source of, the document type to
    register, or the check not built yet. ``fields`` are the register fields a document of the
    type must give (policies/doc-types.yaml); ``cadence`` how often it must be filed;
    ``configured`` the names of sources of the collector the config already has (their evidence
    did not decide these elements: see ``evidence inspect``).
    """

    kind: StepKind
    target: str
    elements: tuple[TodoElement, ...]
    remediation: str | None = None
    description: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    auditor: str | None = None
    cadence: str | None = None
    configured: tuple[str, ...] = ()

    @property
    def controls(self) -> list[str]:
        """The controls the step's elements belong to, sorted."""
        return sorted({e.control_id for e in self.elements})

    @property
    def action(self) -> str:
        """What to do, in one sentence: ``add a `cloudtrail` source``."""
        if self.kind is StepKind.FIX:
            return f"fix {self.target} (not met)"
        if self.kind is StepKind.SOURCE:
            if self.configured:
                names = ", ".join(self.configured)
                return f"complete the `{self.target}` source ({names}): its evidence does not decide these yet"
            article = "an" if self.target[:1] in "aeiou" else "a"
            return f"add {article} `{self.target}` source"
        if self.kind is StepKind.DOCUMENT:
            every = f" {self.cadence}" if self.cadence else ""
            article = "an" if self.target[:1] in "aeiou" else "a"
            return f"register {article} `{self.target}` document{every}"
        if self.kind is StepKind.CONFIG:
            return "complete [organisation] and [scope] in the config"
        return f"wait for check `{self.target}` (not built yet): no evidence the tool reads decides these"

    def summary(self) -> str:
        """``add a `cloudtrail` source: decides 7 elements of 5 controls``."""
        controls = self.controls
        count = len(self.elements)
        what = "settles" if self.kind is StepKind.FIX else "decides"
        of = controls[0] if len(controls) == 1 else f"{len(controls)} controls"
        return f"{self.action}: {what} {count} element{'s' if count != 1 else ''} of {of}"

    def as_json(self) -> dict[str, Any]:
        """The step as ``evidence todo --json`` gives it."""
        return {
            "kind": self.kind.value,
            "target": self.target,
            "action": self.action,
            "summary": self.summary(),
            "remediation": self.remediation,
            "description": self.description,
            "fields": dict(self.fields),
            "auditor": self.auditor,
            "cadence": self.cadence,
            "configured": list(self.configured),
            "controls": self.controls,
            "elements": [e.as_json() for e in self.elements],
        }


_KIND_ORDER = [StepKind.FIX, StepKind.CONFIG, StepKind.SOURCE, StepKind.DOCUMENT, StepKind.PLANNED]


def todo_steps(
    evaluation: Evaluation,
    catalogues: Sequence[Catalogue],
    configured: Mapping[str, Sequence[str]] | None = None,
    producers: Mapping[str, Sequence[str]] | None = None,
) -> list[TodoStep]:
    """Every step that would decide an open element of ``evaluation``, most elements first.

    ``configured`` maps a collector id to the names of the config's sources of it;
    ``producers`` maps an evidence kind to the collectors that produce it (by default, every
    installed collector's ``produces``). Ties are broken by kind (fix, config, source, document)
    and then by target, so the order never depends on anything but the data.
    """
    from evidence.collectors.documents import known_doc_types

    by_kind = producers if producers is not None else evidence_producers()
    doc_types = known_doc_types()
    controls: dict[tuple[str, str], Control] = {
        (c.ref, control.id): control for c in catalogues for control in c.controls
    }
    configured = configured or {}
    groups: dict[tuple[StepKind, str], dict[tuple[str, str, str], TodoElement]] = {}
    extra: dict[tuple[StepKind, str], dict[str, Any]] = {}

    def add(kind: StepKind, target: str, element: TodoElement, **info: Any) -> None:
        groups.setdefault((kind, target), {})[(element.catalogue, element.control_id, element.element_id)] = element
        extra.setdefault((kind, target), {}).update(info)

    for result in evaluation.results:
        if not result.status.is_gap:
            continue
        control = controls.get((result.catalogue, result.control_id))
        for element in result.elements:
            if element.status not in (Status.INSUFFICIENT, Status.NOT_MET):
                continue
            item = TodoElement(result.catalogue, result.control_id, element.id, element.text, element.status)
            if element.status is Status.NOT_MET:
                add(StepKind.FIX, result.control_id, item, remediation=control.remediation.strip() if control else None)
                continue
            for need in element.needed:
                if need.doc_types:
                    for doc_type in need.doc_types:
                        known = doc_types.get(doc_type)
                        cadence = None
                        if need.check == _CADENCE_CHECK and control is not None and control.cadence is not None:
                            cadence = f"every {control.cadence.every_days} days"
                        info: dict[str, Any] = {
                            "description": known.description if known else None,
                            "fields": dict(known.fields) if known else {},
                            "auditor": known.auditor if known else None,
                        }
                        if cadence:
                            info["cadence"] = cadence
                        add(StepKind.DOCUMENT, doc_type, item, **info)
                    continue
                kinds = _REQUIRED.get(need.check) or [k for k in need.kinds if k not in _SUPPLEMENTARY] or need.kinds
                collectors = sorted({c for kind in kinds for c in by_kind.get(kind, ())})
                if "organisation" in collectors:
                    add(StepKind.CONFIG, "organisation", item)
                sources = [c for c in collectors if c not in _NOT_A_SOURCE_STEP]
                if need.planned or (not sources and "organisation" not in collectors):
                    add(StepKind.PLANNED, need.check, item)
                    continue
                for collector in sources:
                    add(StepKind.SOURCE, collector, item, configured=tuple(configured.get(collector, ())))
    steps = [
        TodoStep(kind=kind, target=target, elements=tuple(sorted(found.values())), **extra[(kind, target)])
        for (kind, target), found in groups.items()
    ]
    steps.sort(
        key=lambda s: (
            s.kind is StepKind.PLANNED,
            -len(s.elements),
            _KIND_ORDER.index(s.kind),
            s.target,
        )
    )
    return steps


def open_elements(steps: Sequence[TodoStep]) -> list[TodoElement]:
    """Every open element the steps name, once each, sorted."""
    return sorted({(e.catalogue, e.control_id, e.element_id): e for s in steps for e in s.elements}.values())


def configured_from_evidence(items: Sequence[EvidenceItem]) -> dict[str, list[str]]:
    """Each collector with the names of the sources that gave ``items`` (for reports without the config)."""
    found: dict[str, set[str]] = {}
    for item in items:
        found.setdefault(item.collector, set()).add(item.source)
    return {collector: sorted(names) for collector, names in sorted(found.items())}


def evidence_producers() -> dict[str, list[str]]:
    """Each evidence kind with the installed collectors that produce it, sorted."""
    from evidence.collectors import registry

    found: dict[str, list[str]] = {}
    for collector_id, cls in registry.available().items():
        for kind in cls.produces:
            found.setdefault(kind, []).append(collector_id)
    return {kind: sorted(ids) for kind, ids in sorted(found.items())}
