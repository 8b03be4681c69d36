"""Evaluation: every control of every catalogue gets a status, its reasons, evidence ids and figures.

No false pass: a control is made of requirement elements (policies/), and it is met only when
every element is decided met by a check from usable evidence and none is not met. A planned or
unknown check, a source that failed, or a source that rejected too many records can only leave
an element undecided, which makes the control "insufficient evidence". A met control is
verified only when every element rests on evidence the tool read itself (observed or
exported); met through documents or declarations anywhere is "met on attestation".
Every control appears in the result, evidence or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from evidence.controls.checks import CheckSpec, registry
from evidence.controls.context import CheckContext
from evidence.controls.readings import ReadingChoice, apply_reading
from evidence.controls.waivers import apply_waivers
from evidence.errors import ConfigError
from evidence.model.assurance import Assurance
from evidence.model.catalogue import Catalogue, CheckRef, Control, Element
from evidence.model.evidence import EvidenceItem
from evidence.model.period import Period
from evidence.model.results import (
    STATUS_ORDER,
    CheckOutcome,
    ControlResult,
    ElementResult,
    Evaluation,
    EvidenceNeeded,
    Figure,
    Status,
    Waiver,
)


@dataclass(frozen=True)
class EvaluationInput:
    """Everything an evaluation depends on besides the catalogues."""

    evidence: Sequence[EvidenceItem]
    period: Period
    as_of: datetime
    handles_pii: bool = True
    not_applicable: Mapping[str, str] = field(default_factory=dict)
    max_reject_ratio: float = 0.01
    source_reject_ratio: Mapping[str, float] = field(default_factory=dict)
    waivers: Sequence[Waiver] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    #: Days of grace per control id, overriding the catalogue's ``cadence.grace_days``.
    grace_days: Mapping[str, int] = field(default_factory=dict)
    #: Readings of ambiguous figures the config chose, per control id (with justifications).
    readings: Mapping[str, ReadingChoice] = field(default_factory=dict)
    #: Let a crashing check's exception through (the CLI's --traceback) instead of recording it.
    reraise: bool = False


@cache
def _shipped_control_ids() -> frozenset[str]:
    from evidence.controls.catalogue import catalogue_files, load_catalogue

    return frozenset(control.id for ref in catalogue_files() for control in load_catalogue(ref).controls)


def evaluate(catalogues: Sequence[Catalogue], data: EvaluationInput) -> Evaluation:
    """Evaluate every control of ``catalogues`` against ``data``."""
    checks = registry()
    known = {control.id for catalogue in catalogues for control in catalogue.controls}
    # A reading of a control another catalogue holds is kept for when that one is evaluated (one
    # config serves DPP and AUP runs); a control no catalogue holds is a mistake in the config.
    unknown = sorted(set(data.readings) - known - _shipped_control_ids())
    if unknown:
        raise ConfigError(f"[evaluation.readings] names control(s) no catalogue holds: {', '.join(unknown)}")
    results = [
        evaluate_control(catalogue, control, data, checks)
        for catalogue in catalogues
        for control in catalogue.controls
    ]
    return Evaluation(
        as_of=data.as_of,
        catalogues=[c.ref for c in catalogues],
        results=results,
        waivers=sorted(data.waivers, key=lambda w: (w.control_id, w.created_at, w.id)),
    )


def evaluate_control(
    catalogue: Catalogue, control: Control, data: EvaluationInput, checks: Mapping[str, CheckSpec]
) -> ControlResult:
    """Evaluate one control of ``catalogue`` (a crosswalk criterion's own checks come here too)."""
    if control.id in data.not_applicable:
        return ControlResult(
            control_id=control.id,
            catalogue=catalogue.ref,
            status=Status.NOT_APPLICABLE,
            reasons=[f"declared not applicable in the config: {data.not_applicable[control.id]}"],
        )
    if control.attributes.get("applies_to") == "pii" and not data.handles_pii:
        return ControlResult(
            control_id=control.id,
            catalogue=catalogue.ref,
            status=Status.NOT_APPLICABLE,
            reasons=["applies to PII, and the config declares scope.handles_pii = false"],
        )
    control, reading = apply_reading(control, data.readings.get(control.id))
    by_id = {item.id: item for item in data.evidence}
    outcomes = [_run_check(control, ref, data, checks) for ref in control.checks]
    for outcome in outcomes:
        outcome.assurance = Assurance.weakest(
            by_id[e].assurance for e in outcome.evidence_ids if e in by_id and by_id[e].usable
        )
    elements = [
        decide_element(element, control, outcomes, checks) for element in control.elements
    ]
    status = combine_elements([e.status for e in elements])
    assurance = None
    inspect: list[str] = []
    if status is Status.MET:
        assurance = Assurance.weakest(e.assurance for e in elements if e.assurance is not None)
        inspect = sorted(
            {
                eid
                for e in elements
                if e.assurance is Assurance.ATTESTED
                for eid in e.evidence_ids
                if eid in by_id and by_id[eid].assurance is Assurance.ATTESTED
            }
        )
    result = ControlResult(
        control_id=control.id,
        catalogue=catalogue.ref,
        status=status,
        reasons=_reasons(status, outcomes, elements, inspect),
        evidence_ids=sorted({eid for o in outcomes for eid in o.evidence_ids}),
        figures=_figures(outcomes),
        outcomes=outcomes,
        elements=elements,
        assurance=assurance,
        inspect=inspect,
        grace_days=_grace(control, data) if control.cadence or control.id in data.grace_days else None,
        reading=reading,
    )
    return apply_waivers(result, data.waivers, data.as_of)


def _grace(control: Control, data: EvaluationInput) -> int:
    """Days of grace for the control's cadence: the config's figure, else the catalogue's."""
    return data.grace_days.get(control.id, control.cadence.grace_days if control.cadence else 0)


def decide_element(
    element: Element, control: Control, outcomes: Sequence[CheckOutcome], checks: Mapping[str, CheckSpec]
) -> ElementResult:
    """Decide one element from the outcomes of the checks that decide it.

    Not met when any of them is not met; met when one is met (at the strongest assurance among
    the met ones); otherwise insufficient evidence, naming the evidence that would decide it.
    A check that judges the element as one of its ``parts`` decides it by that part alone. An
    element whose every check has nothing to judge (no PII bucket declared) does not apply.
    """
    verdicts: list[tuple[CheckOutcome, Status]] = []
    needed: list[EvidenceNeeded] = []
    for ref, outcome in zip(control.checks, outcomes, strict=True):
        if element.id not in ref.decides:
            continue
        spec = checks.get(ref.check)
        verdicts.append((outcome, _part_status(outcome, element.id, spec)))
        needed.append(
            EvidenceNeeded(
                check=ref.check,
                kinds=list(spec.reads) if spec else [],
                doc_types=[str(t) for t in ref.with_.get("doc_types") or []],
                planned=ref.planned or spec is None,
            )
        )
    applicable = [(o, s) for o, s in verdicts if s is not Status.NOT_APPLICABLE]
    failing = [o for o, s in applicable if s is Status.NOT_MET]
    passing = [o for o, s in applicable if s is Status.MET]
    if verdicts and not applicable:
        # Nothing to judge (no bucket of PII declared, say): the element does not apply.
        status, deciding, assurance = Status.NOT_APPLICABLE, [o for o, _ in verdicts], None
    elif failing:
        status, deciding, assurance = Status.NOT_MET, failing, None
    elif passing:
        # An outcome without a level vouches for nothing beyond a declaration.
        assurance = Assurance.strongest(o.assurance or Assurance.ATTESTED for o in passing)
        deciding = [o for o in passing if (o.assurance or Assurance.ATTESTED) is assurance]
        status = Status.MET
    else:
        status, deciding, assurance = Status.INSUFFICIENT, [], None
    return ElementResult(
        id=element.id,
        text=element.text,
        status=status,
        assurance=assurance,
        technical=element.technical,
        decided_by=[o.check for o in deciding],
        evidence_ids=sorted({eid for o in deciding for eid in o.evidence_ids}),
        reasons=[r for o in deciding for r in o.reasons[:1]],
        needed=needed if status is Status.INSUFFICIENT else [],
    )


def _part_status(outcome: CheckOutcome, element_id: str, spec: CheckSpec | None) -> Status:
    """The status ``outcome`` gives one element: its part's status, else the overall status."""
    if element_id in outcome.parts:
        return outcome.parts[element_id]
    if spec is not None and element_id in spec.parts and outcome.status is Status.MET:
        return Status.INSUFFICIENT  # the check claims this part but did not judge it
    return outcome.status


def combine_elements(statuses: Sequence[Status]) -> Status:
    """A control is not met when any element is not met, met when every element is met.

    Elements that do not apply are left out; when none applies, nothing decided the control.
    """
    statuses = [s for s in statuses if s is not Status.NOT_APPLICABLE]
    if not statuses:
        return Status.INSUFFICIENT
    if Status.NOT_MET in statuses:
        return Status.NOT_MET
    if all(s is Status.MET for s in statuses):
        return Status.MET
    return Status.INSUFFICIENT


def _run_check(
    control: Control, ref: CheckRef, data: EvaluationInput, checks: Mapping[str, CheckSpec]
) -> CheckOutcome:
    spec = checks.get(ref.check)
    if ref.planned or spec is None:
        why = "is planned, not built yet" if ref.planned else "is not a known check"
        return CheckOutcome(
            check=ref.check,
            status=Status.INSUFFICIENT,
            reasons=[f"automatic check `{ref.check}` {why}"],
        )
    params = {**control.parameter_values(), **ref.with_}
    grace = _grace(control, data)
    context = CheckContext(
        control=control,
        params=params,
        period=data.period,
        as_of=data.as_of,
        evidence=data.evidence,
        settings=dict(data.settings),
        grace_days=grace,
    )
    try:
        outcome = spec.function(context)
    except Exception as exc:  # a bug in a check must never pass a control, nor stop the run
        if data.reraise:
            raise
        return CheckOutcome(
            check=ref.check,
            status=Status.INSUFFICIENT,
            reasons=[
                f"automatic check `{ref.check}` failed with an internal error "
                f"({type(exc).__name__}: {exc}); this is a bug in dpp-evidence, please report it"
            ],
        )
    outcome.check = ref.check
    by_id = {item.id: item for item in data.evidence}
    if outcome.status is Status.MET:
        outcome = _gate_on_rejects(outcome, [by_id[e] for e in outcome.evidence_ids if e in by_id], data)
    if outcome.status is Status.INSUFFICIENT:
        _explain_missing(outcome, spec.reads, data.evidence)
    return outcome


def _gate_on_rejects(
    outcome: CheckOutcome, items: Sequence[EvidenceItem], data: EvaluationInput
) -> CheckOutcome:
    """A source that rejected more than its limit of records cannot make a control met."""
    if not items:
        return outcome.model_copy(
            update={
                "status": Status.INSUFFICIENT,
                "reasons": [*outcome.reasons, "the check named no evidence, so it cannot be met"],
            }
        )
    problems = []
    for item in items:
        limit = data.source_reject_ratio.get(item.source, data.max_reject_ratio)
        if item.stats.reject_ratio > limit:
            problems.append(
                f"source {item.source!r} rejected {item.stats.rejected} of "
                f"{item.stats.kept + item.stats.rejected} records ({item.stats.reject_ratio:.1%}, "
                f"limit {limit:.1%}), first: {item.stats.rejects[0] if item.stats.rejects else 'n/a'}"
            )
    if not problems:
        return outcome
    return outcome.model_copy(
        update={"status": Status.INSUFFICIENT, "reasons": [*outcome.reasons, *problems]}
    )


def _explain_missing(outcome: CheckOutcome, kinds: Sequence[str], evidence: Sequence[EvidenceItem]) -> None:
    """Name the failed sources and rejects that may explain missing evidence of ``kinds``."""
    for item in evidence:
        if item.kind not in kinds:
            continue
        if item.error is not None:
            outcome.reasons.append(f"source {item.source!r} could not be read: {item.error}")
            if item.id not in outcome.evidence_ids:
                outcome.evidence_ids.append(item.id)
    rejected = {}
    for item in evidence:
        if item.kind in kinds and item.stats.rejected and item.source not in rejected:
            rejected[item.source] = item.stats
    for source, stats in rejected.items():
        first = stats.rejects[0] if stats.rejects else None
        outcome.reasons.append(
            f"source {source!r} rejected {stats.rejected} record(s)" + (f", first: {first}" if first else "")
        )


def _reasons(
    status: Status,
    outcomes: Sequence[CheckOutcome],
    elements: Sequence[ElementResult],
    inspect: Sequence[str],
) -> list[str]:
    """Why the control has its status: the deciding reasons first, then what did not decide it.

    For a met control the checks that decided its elements come first and the others follow as
    alternatives not used; otherwise not met, then insufficient, then met. Undecided elements
    are named last, with what would decide them.
    """
    if status is Status.MET:
        deciders = {name for e in elements for name in e.decided_by}
        used = [o for o in outcomes if o.check in deciders and o.status is Status.MET]
        rest = [o for o in outcomes if o not in used]
        reasons = [r for o in used for r in o.reasons]
        reasons += [f"(alternative not used) {r}" for o in rest for r in o.reasons]
    else:
        ordered = sorted(outcomes, key=lambda o: STATUS_ORDER.index(o.status))
        reasons = [r for o in ordered for r in o.reasons]
    for element in elements:
        if element.status is Status.INSUFFICIENT:
            options = "; or ".join(n.describe() for n in element.needed)
            reasons.append(f"not decided: {element.text} (would be decided by {options})")
    if status is Status.MET and inspect:
        attested = [e.text for e in elements if e.assurance is Assurance.ATTESTED]
        reasons.insert(
            0,
            f"met on attestation: {len(attested)} of {len(elements)} element(s) rest on documents or "
            f"declarations the tool does not verify ({'; '.join(attested)}); an auditor must "
            f"inspect {', '.join(inspect)}",
        )
    return reasons


def _figures(outcomes: Sequence[CheckOutcome]) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    for outcome in outcomes:
        for name, value in outcome.figures.items():
            key = name if name not in figures else f"{outcome.check}.{name}"
            figures[key] = value
    return figures
