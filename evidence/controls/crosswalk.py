"""Crosswalk frameworks: loading, resolving ``maps_to`` against the catalogues, roll-up, coverage.

A criterion's status rolls up from the controls it maps to, each one element of the criterion,
by the same rules as a control's elements (no false pass): met only when every mapped control is
met (verified only when all are verified; met on attestation when any is), not met when any is
not met, otherwise insufficient evidence. A criterion no collected evidence bears on is "not
covered", never met. The reasons name the mapped controls and their statuses; the evidence ids
come from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from evidence.controls.catalogue import (
    catalogue_files,
    catalogue_in_force,
    check_arguments_problem,
    crosswalk_files,
    line_of,
    load_by_ref,
    load_catalogue,
    located_error,
)
from evidence.controls.checks import CheckSpec, registry
from evidence.controls.evaluate import EvaluationInput, combine_elements, evaluate_control
from evidence.errors import PolicyError
from evidence.model.assurance import Assurance
from evidence.model.catalogue import Catalogue, CheckRef, Control, Element
from evidence.model.crosswalk import (
    MAPPING,
    Criterion,
    CriterionResult,
    Crosswalk,
    CrosswalkEvaluation,
    MappedResult,
)
from evidence.model.results import ControlResult, Evaluation, Status


def is_crosswalk(ref: str) -> bool:
    """Whether ``ref`` (``id@version`` or ``id``) names a crosswalk framework under policies/."""
    return any(r == ref or r.startswith(ref + "@") for r in crosswalk_files())


@cache
def load_crosswalk(ref: str) -> Crosswalk:
    """Load ``id@version`` (or ``id`` alone for its current version); PolicyError when absent."""
    return load_by_ref(ref, crosswalk_files(), load_crosswalk, load_crosswalk_file, "crosswalk")


def load_crosswalk_file(path: Path) -> Crosswalk:
    """Load and validate one crosswalk file; a PolicyError names the file, line and criterion."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: malformed YAML: {exc}") from None
    _check_criteria(path, text, data)
    try:
        crosswalk = Crosswalk.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first["loc"])
        message = f"{first['msg']} ({exc.error_count()} problem(s))"
        raise located_error(path, text, loc, _criterion_of(data, loc), message) from None
    problem = _check_arguments(crosswalk)
    if problem is not None:
        loc, message = problem
        raise located_error(path, text, loc, _criterion_of(data, loc), message)
    return crosswalk


def _check_arguments(crosswalk: Crosswalk) -> tuple[list[int | str], str] | None:
    """The first ``with`` argument of a criterion's own check that the check does not accept."""
    checks = registry()
    for c, criterion in enumerate(crosswalk.criteria):
        for r, ref in enumerate(criterion.checks):
            spec = checks.get(ref.check)
            if ref.planned or spec is None or spec.params is None:
                continue
            problem = check_arguments_problem(ref, spec.params, {}, ["criteria", c, "checks", r], None)
            if problem is not None:
                return problem
    return None


def _check_criteria(path: Path, text: str, data: object) -> None:
    """Refuse a criterion of an undeclared family, or an id given twice, naming its line."""
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list):
        return
    families = data.get("families")
    declared = {f.get("id") for f in families if isinstance(f, dict)} if isinstance(families, list) else set()
    seen: set[object] = set()
    for index, criterion in enumerate(data["criteria"]):
        if not isinstance(criterion, dict):
            continue
        ident = criterion.get("id")
        problem, key = None, "id"
        if ident in seen:
            problem = f"criterion {ident} is listed twice"
        elif "family" in criterion and criterion["family"] not in declared:
            problem, key = f"criterion {ident}: family {criterion['family']!r} is not declared in families", "family"
        seen.add(ident)
        if problem:
            line = line_of(text, ["criteria", index, key])
            raise PolicyError(f"{path}:{line}: {problem}" if line else f"{path}: {problem}")


def _criterion_of(data: object, loc: list[int | str]) -> str | None:
    """``criterion <id>`` of the criterion an error location points into, if any."""
    if len(loc) >= 2 and loc[0] == "criteria" and isinstance(loc[1], int) and isinstance(data, dict):
        criteria = data.get("criteria")
        if isinstance(criteria, list) and loc[1] < len(criteria) and isinstance(criteria[loc[1]], dict):
            return f"criterion {criteria[loc[1]].get('id')}"
    return None


@dataclass(frozen=True)
class Resolved:
    """A crosswalk with every ``maps_to`` resolved to a control of the catalogue version in force."""

    crosswalk: Crosswalk
    #: mapping (``<catalogue id>:<control id>``) -> (catalogue in force, control)
    controls: Mapping[str, tuple[Catalogue, Control]]

    @property
    def catalogues(self) -> list[Catalogue]:
        """The catalogues the crosswalk maps into, in the order first named."""
        seen: dict[str, Catalogue] = {}
        for catalogue, _ in self.controls.values():
            seen.setdefault(catalogue.ref, catalogue)
        return list(seen.values())


def resolve(crosswalk: Crosswalk, day: date | None, path: Path | None = None) -> Resolved:
    """Resolve every ``maps_to`` against the catalogue version in force on ``day`` (else the current one).

    An unknown catalogue or control is a PolicyError naming the file (``path``, by default the
    crosswalk's file under policies/), the line and the criterion.
    """
    path = path or crosswalk_files().get(crosswalk.ref)
    text = path.read_text(encoding="utf-8") if path is not None else ""
    controls: dict[str, tuple[Catalogue, Control]] = {}
    for index, criterion in enumerate(crosswalk.criteria):
        for position, mapping in enumerate(criterion.maps_to):
            match = MAPPING.match(mapping)
            assert match is not None  # the model checked the form
            try:
                catalogue = _catalogue(match["catalogue"], day)
                control = catalogue.control(match["control"])
            except (PolicyError, KeyError) as exc:
                line = line_of(text, ["criteria", index, "maps_to", position]) if text else None
                where = f"{path}:{line}" if line else str(path or crosswalk.ref)
                why = (
                    f"{catalogue.ref} has no control {match['control']!r}"
                    if isinstance(exc, KeyError)
                    else str(exc)
                )
                raise PolicyError(f"{where}: criterion {criterion.id}: maps_to {mapping}: {why}") from None
            controls[mapping] = (catalogue, control)
    return Resolved(crosswalk, controls)


def _catalogue(catalogue_id: str, day: date | None) -> Catalogue:
    if not any(ref.startswith(catalogue_id + "@") for ref in catalogue_files()):
        known = ", ".join(sorted({r.split("@")[0] for r in catalogue_files()}))
        raise PolicyError(f"no catalogue {catalogue_id!r}; available: {known}")
    return load_catalogue(catalogue_id) if day is None else catalogue_in_force(catalogue_id, day)


def roll_up(resolved: Resolved, evaluation: Evaluation, data: EvaluationInput | None = None) -> CrosswalkEvaluation:
    """Every criterion's status from the mapped controls' results in ``evaluation``.

    A criterion's own checks are evaluated on ``data`` (insufficient evidence without it). A
    mapped control the evaluation has no result for counts as insufficient evidence.
    """
    results = {(r.catalogue, r.control_id): r for r in evaluation.results}
    checks = registry()
    rolled = [
        _criterion(resolved, criterion, results, data, checks) for criterion in resolved.crosswalk.criteria
    ]
    return CrosswalkEvaluation(
        crosswalk=resolved.crosswalk.ref,
        catalogues=[c.ref for c in resolved.catalogues],
        results=rolled,
    )


def _criterion(
    resolved: Resolved,
    criterion: Criterion,
    results: Mapping[tuple[str, str], ControlResult],
    data: EvaluationInput | None,
    checks: Mapping[str, CheckSpec],
) -> CriterionResult:
    base = {
        "criterion_id": criterion.id,
        "crosswalk": resolved.crosswalk.ref,
        "family": criterion.family,
        "title": criterion.title,
        "note": criterion.note,
    }
    if not criterion.covered:
        return CriterionResult(
            **base,
            status=None,
            not_covered=criterion.not_covered,
            reasons=[f"not covered: {criterion.not_covered}"],
        )
    mapped = []
    for mapping in criterion.maps_to:
        catalogue, control = resolved.controls[mapping]
        result = results.get((catalogue.ref, control.id))
        mapped.append(
            MappedResult(
                mapping=mapping,
                catalogue=catalogue.ref,
                control_id=control.id,
                title=control.title,
                status=result.status if result is not None else Status.INSUFFICIENT,
                assurance=result.assurance if result is not None else None,
                evidence_ids=result.evidence_ids if result is not None else [],
            )
        )
    reasons = [
        f"{m.control_id} ({m.catalogue}): {m.status_label}"
        + ("" if (m.catalogue, m.control_id) in results else " (not evaluated in this run)")
        for m in mapped
    ]
    own: ControlResult | None = None
    if criterion.checks:
        own = _own_checks(resolved.crosswalk, criterion, data, checks)
        reasons.append(f"own checks of {criterion.id}: {own.status_label}")
        reasons += [f"  {r}" for r in own.reasons]
    statuses = [m.status for m in mapped] + ([own.status] if own is not None else [])
    status = combine_elements(statuses)
    assurance = None
    if status is Status.MET:
        levels = [m.assurance for m in mapped] + ([own.assurance] if own is not None else [])
        # A met element without a level vouches for nothing beyond a declaration.
        assurance = Assurance.weakest(level or Assurance.ATTESTED for level in levels)
    evidence_ids = sorted({e for m in mapped for e in m.evidence_ids} | set(own.evidence_ids if own else []))
    return CriterionResult(
        **base,
        status=status,
        assurance=assurance,
        reasons=reasons,
        evidence_ids=evidence_ids,
        mapped=mapped,
    )


def _own_checks(
    crosswalk: Crosswalk, criterion: Criterion, data: EvaluationInput | None, checks: Mapping[str, CheckSpec]
) -> ControlResult:
    """A criterion's own checks, evaluated like a control whose elements are what they decide."""
    decided = list(dict.fromkeys(d for ref in criterion.checks for d in ref.decides))
    control = Control.model_construct(
        id=criterion.id,
        section=criterion.id,
        family=criterion.family,
        title=criterion.title,
        requirement=criterion.title,
        severity="medium",
        parameters={},
        cadence=None,
        evidence=[],
        elements=[Element(id=d, text=f"{criterion.title} ({d.replace('_', ' ')})") for d in decided],
        checks=list(criterion.checks),
        remediation="",
        attributes={},
        uncertain=False,
        uncertain_note=None,
        sources=[],
    )
    if data is None:
        return ControlResult(
            control_id=criterion.id,
            catalogue=crosswalk.ref,
            status=Status.INSUFFICIENT,
            reasons=["the criterion's own checks were not run (no evidence given)"],
        )
    stand_in = Catalogue.model_construct(
        id=crosswalk.id,
        version=crosswalk.version,
        title=crosswalk.title,
        effective=crosswalk.effective,
        status=crosswalk.status,
        summary=crosswalk.summary,
        source_note=crosswalk.source_note,
        families=list(crosswalk.families),
        controls=[control],
    )
    return evaluate_control(stand_in, control, data, checks)


@dataclass(frozen=True)
class CoverageRow:
    """Whether the evidence can decide one criterion, and why (not)."""

    criterion: Criterion
    decidable: bool
    why: str


def coverage(resolved: Resolved) -> list[CoverageRow]:
    """Which criteria the evidence can decide (every element has a built check) and which it cannot."""
    checks = registry()
    rows = []
    for criterion in resolved.crosswalk.criteria:
        if not criterion.covered:
            rows.append(CoverageRow(criterion, False, f"not covered: {criterion.not_covered}"))
            continue
        lacking = []
        for mapping in criterion.maps_to:
            _, control = resolved.controls[mapping]
            undecided = _undecidable(control.elements, control.checks, checks)
            if undecided:
                lacking.append(f"{control.id} ({', '.join(undecided)} only planned)")
        if criterion.checks:
            decided = [Element(id=d, text=d) for d in dict.fromkeys(d for r in criterion.checks for d in r.decides)]
            undecided = _undecidable(decided, criterion.checks, checks)
            if undecided:
                lacking.append(f"own checks ({', '.join(undecided)} only planned)")
        if lacking:
            rows.append(CoverageRow(criterion, False, "only planned checks: " + "; ".join(lacking)))
        else:
            named = [resolved.controls[m][1].id for m in criterion.maps_to]
            if criterion.checks:
                named.append("own checks " + ", ".join(r.check for r in criterion.checks))
            rows.append(CoverageRow(criterion, True, "decided by " + ", ".join(named)))
    return rows


def _undecidable(elements: Sequence[Element], refs: Sequence[CheckRef], checks: Mapping[str, CheckSpec]) -> list[str]:
    """Elements no built (registered, not planned) check decides."""
    built = {d for ref in refs if not ref.planned and ref.check in checks for d in ref.decides}
    return [e.id for e in elements if e.id not in built]
