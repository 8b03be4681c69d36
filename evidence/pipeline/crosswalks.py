"""Crosswalk frameworks in a run: which ones, their roll-up from the run's evaluation, their attestations.

A crosswalk (``soc2@2017``) is named in the config's ``[policy] catalogues`` or with ``evidence run
--catalogue``. Its criteria roll up from the evaluation the run already made; a catalogue it maps
into that the run did not select is evaluated on the same evidence, in memory, without collecting
again. Nothing here changes the run's stored evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from evidence.controls.catalogue import catalogue_files
from evidence.controls.crosswalk import is_crosswalk, load_crosswalk, resolve, roll_up
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.errors import PolicyError
from evidence.model.crosswalk import Crosswalk, CrosswalkEvaluation
from evidence.model.period import Period
from evidence.model.report import RenderedReport, RunReportData
from evidence.model.results import Evaluation
from evidence.render.crosswalk import crosswalk_attestation_name, prepare_crosswalk_attestation
from evidence.render.report_set import partial_path


def split_refs(refs: Sequence[str]) -> tuple[list[str], list[str]]:
    """``refs`` split into catalogue refs and crosswalk refs, in their order."""
    catalogues = [r for r in refs if not is_crosswalk(r)]
    crosswalks = [r for r in refs if is_crosswalk(r)]
    return catalogues, crosswalks


def crosswalks(configured: Sequence[str], extra: Sequence[str], period: Period | None) -> list[Crosswalk]:
    """The crosswalks of the config and of ``--catalogue`` (each once), loaded and resolved.

    A ``--catalogue`` that names no crosswalk is a PolicyError, raised before anything is collected;
    so is a ``maps_to`` that no catalogue in force at the period's end holds.
    """
    refs = [r for r in configured if is_crosswalk(r)]
    catalogue_ids = sorted({r.split("@")[0] for r in catalogue_files()})
    for ref in extra:
        if ref.split("@")[0] in catalogue_ids:
            known = ", ".join(catalogue_ids)
            raise PolicyError(
                f"--catalogue {ref}: not a crosswalk framework under policies/ (kind: crosswalk); "
                f"the catalogues ({known}) are chosen in the config's [policy] catalogues"
            )
        refs.append(ref)
    loaded: dict[str, Crosswalk] = {}
    for ref in refs:
        crosswalk = load_crosswalk(ref)
        resolve(crosswalk, period.end if period else None)  # a bad mapping fails now, not after collecting
        loaded.setdefault(crosswalk.ref, crosswalk)
    return list(loaded.values())


def roll_up_crosswalk(crosswalk: Crosswalk, evaluation: Evaluation, inputs: EvaluationInput) -> CrosswalkEvaluation:
    """The criteria of ``crosswalk`` from ``evaluation``, evaluating on ``inputs`` the catalogues it lacks."""
    resolved = resolve(crosswalk, inputs.period.end)
    missing = [c for c in resolved.catalogues if c.ref not in evaluation.catalogues]
    if missing:
        extra = evaluate(missing, inputs)
        evaluation = evaluation.model_copy(
            update={
                "catalogues": [*evaluation.catalogues, *extra.catalogues],
                "results": [*evaluation.results, *extra.results],
            }
        )
    return roll_up(resolved, evaluation, inputs)


def render_crosswalks(
    data: RunReportData, rolled_up: Sequence[tuple[Crosswalk, CrosswalkEvaluation]], out_dir: Path
) -> list[tuple[RenderedReport, Path]]:
    """Write the attestation of each rolled-up crosswalk to a partial file in ``out_dir``.

    Returns (report, partial path) pairs like the report set.
    """
    written = []
    for crosswalk, rolled in rolled_up:
        final = out_dir / crosswalk_attestation_name(crosswalk, data.run.period)
        prepared = prepare_crosswalk_attestation(data, crosswalk, rolled)
        result = prepared.pdf_job(partial_path(final)).run()
        report = RenderedReport(kind=prepared.kind, path=str(final), sha256=result.sha256, pages=result.pages)
        written.append((report, partial_path(final)))
    return written
