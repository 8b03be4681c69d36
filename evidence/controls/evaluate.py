"""Evaluation: every control of every catalogue gets a status, its reasons, evidence ids and figures.

No false pass: a control is met only when its checks say so from usable evidence. A planned or
unknown check, a source that failed, or a source that rejected too many records can only make
a control "insufficient evidence". Every control appears in the result, evidence or not.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evidence.controls.checks import CheckSpec, registry
from evidence.controls.context import CheckContext
from evidence.controls.waivers import apply_waivers
from evidence.model.catalogue import Catalogue, CheckRef, Control
from evidence.model.evidence import EvidenceItem
from evidence.model.period import Period
from evidence.model.results import (
    STATUS_ORDER,
    CheckOutcome,
    ControlResult,
    Evaluation,
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


def evaluate(catalogues: Sequence[Catalogue], data: EvaluationInput) -> Evaluation:
    """Evaluate every control of ``catalogues`` against ``data``."""
    checks = registry()
    results = [
        _evaluate_control(catalogue, control, data, checks)
        for catalogue in catalogues
        for control in catalogue.controls
    ]
    return Evaluation(
        as_of=data.as_of,
        catalogues=[c.ref for c in catalogues],
        results=results,
        waivers=sorted(data.waivers, key=lambda w: (w.control_id, w.created_at, w.id)),
    )


def _evaluate_control(
    catalogue: Catalogue, control: Control, data: EvaluationInput, checks: Mapping[str, CheckSpec]
) -> ControlResult:
    if control.id in data.not_applicable:
        return ControlResult(
            control_id=control.id,
            catalogue=catalogue.ref,
            status=Status.NOT_APPLICABLE,
            reasons=[f"declared not applicable in the config: {data.not_applicable[control.id]}"],
        )
    if control.applies_to == "pii" and not data.handles_pii:
        return ControlResult(
            control_id=control.id,
            catalogue=catalogue.ref,
            status=Status.NOT_APPLICABLE,
            reasons=["applies to PII, and the config declares scope.handles_pii = false"],
        )
    outcomes = [_run_check(control, ref, data, checks) for ref in control.checks]
    status = _combine(control.decide, [o.status for o in outcomes])
    result = ControlResult(
        control_id=control.id,
        catalogue=catalogue.ref,
        status=status,
        reasons=_reasons(control.decide, status, outcomes),
        evidence_ids=sorted({eid for o in outcomes for eid in o.evidence_ids}),
        figures=_figures(outcomes),
        outcomes=outcomes,
    )
    return apply_waivers(result, data.waivers, data.as_of)


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
    context = CheckContext(
        control=control,
        params=params,
        period=data.period,
        as_of=data.as_of,
        evidence=data.evidence,
        settings=dict(data.settings),
    )
    try:
        outcome = spec.function(context)
    except Exception as exc:  # a bug in a check must never pass a control, nor stop the run
        if os.environ.get("EVIDENCE_TRACEBACK") == "1":
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


def _combine(decide: str, statuses: Sequence[Status]) -> Status:
    """``all``: every check met. ``any``: at least one met and none not met (alternatives).

    A check that does not apply (nothing of its kind is declared) is left out; if no check
    applies, nothing decided the control and it is insufficient evidence.
    """
    applicable = [s for s in statuses if s is not Status.NOT_APPLICABLE]
    if statuses and not applicable:
        return Status.INSUFFICIENT
    statuses = applicable
    if Status.NOT_MET in statuses:
        return Status.NOT_MET
    if decide == "all":
        return Status.MET if statuses and all(s is Status.MET for s in statuses) else Status.INSUFFICIENT
    return Status.MET if Status.MET in statuses else Status.INSUFFICIENT


def _reasons(decide: str, status: Status, outcomes: Sequence[CheckOutcome]) -> list[str]:
    if decide == "any" and status is Status.MET:
        # Alternatives: the ones that decided it come first; the rest stay as context.
        deciding = [o for o in outcomes if o.status is Status.MET]
        others = [o for o in outcomes if o.status is not Status.MET]
        return [r for o in deciding for r in o.reasons] + [
            f"(alternative not used) {r}" for o in others for r in o.reasons
        ]
    # The deciding reasons first: not met, then insufficient, then met (sorted is stable).
    ordered = sorted(outcomes, key=lambda o: STATUS_ORDER.index(o.status))
    return [r for o in ordered for r in o.reasons]


def _figures(outcomes: Sequence[CheckOutcome]) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    for outcome in outcomes:
        for name, value in outcome.figures.items():
            key = name if name not in figures else f"{outcome.check}.{name}"
            figures[key] = value
    return figures
