"""Evaluating stored evidence: what the controls stage is given, re-evaluations, the to-do list."""

from __future__ import annotations

from collections.abc import Sequence

from evidence.config.schema import Config
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.controls.readings import ReadingChoice
from evidence.controls.todo import TodoStep, todo_steps
from evidence.model.evidence import EvidenceItem
from evidence.model.results import Evaluation, Waiver
from evidence.model.run import RunInfo
from evidence.pipeline.context import Timing, catalogues, latest_run, open_store
from evidence.pipeline.integrity import verify_run


def evaluation_input(
    config: Config,
    evidence: list[EvidenceItem],
    timing: Timing,
    waivers: Sequence[Waiver] = (),
    *,
    reraise: bool = False,
) -> EvaluationInput:
    """Gather what the controls stage needs from the config, the evidence and the waivers.

    ``reraise`` (the CLI's --traceback) lets a crashing check's exception through.
    """
    return EvaluationInput(
        waivers=list(waivers),
        evidence=evidence,
        period=timing.period,
        as_of=timing.as_of,
        handles_pii=config.scope.handles_pii,
        not_applicable=config.scope.not_applicable,
        max_reject_ratio=config.evaluation.max_reject_ratio,
        grace_days=dict(config.evaluation.grace_days),
        settings={"kms_decrypt_roles": config.encryption.kms_decrypt_roles},
        readings=reading_choices(config),
        source_reject_ratio={
            s.name: s.max_reject_ratio for s in config.sources if s.max_reject_ratio is not None
        },
        reraise=reraise,
    )


def reading_choices(config: Config) -> dict[str, ReadingChoice]:
    """The readings of ambiguous figures the config chose, per control id, with justifications."""
    return {
        control_id: ReadingChoice(r.reading, r.justification, r.parameter)
        for control_id, r in config.evaluation.readings.items()
    }


def evaluate_stored(
    config: Config, timing: Timing, *, as_of_given: bool, reraise: bool = False
) -> tuple[RunInfo, Evaluation, int, list[EvidenceItem]]:
    """Evaluate the newest run of the period again (appending an evaluation to it)."""
    selected = catalogues(config, timing.period)
    store = open_store(config, create=False)
    try:
        run = latest_run(store, timing)
        verify_run(store, run, "evaluate")
        evidence = store.evidence(run.id)
        when = Timing(period=run.period, as_of=timing.as_of if as_of_given else run.as_of)
        inputs = evaluation_input(config, evidence, when, store.waivers.all(), reraise=reraise)
        evaluation = evaluate(selected, inputs)
        with store.append_to(run.id) as writer:
            evaluation_id = writer.add_evaluation(evaluation, run.started_at)
            writer.seal_evaluation(evaluation_id, evaluation)
        return run, evaluation, evaluation_id, evidence
    finally:
        store.close()


def newest_evaluation(config: Config, timing: Timing, *, reraise: bool = False) -> tuple[RunInfo, Evaluation]:
    """The newest evaluation of the newest run of the period (evaluated now if it has none)."""
    store = open_store(config, create=False)
    try:
        run = latest_run(store, timing)
        verify_run(store, run, "evaluate")
        found = store.latest_evaluation(run.id)
    finally:
        store.close()
    if found is not None:
        return run, found[1]
    run, evaluation, _, _ = evaluate_stored(config, timing, as_of_given=False, reraise=reraise)
    return run, evaluation


def todo(config: Config, evaluation: Evaluation) -> list[TodoStep]:
    """The to-do list of ``evaluation`` (evidence/controls/todo.py), knowing the config's sources."""
    configured: dict[str, list[str]] = {}
    for source in config.sources:
        if source.enabled:
            configured.setdefault(source.collector, []).append(source.name)
    selected = [c for c in catalogues(config) if c.ref in evaluation.catalogues]
    return todo_steps(evaluation, selected, configured)
