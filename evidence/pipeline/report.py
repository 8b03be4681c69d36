"""Reporting: the report set's data, rendering to staged files, reports of a stored evaluation."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from pathlib import Path

from evidence import __version__
from evidence.config.schema import Config
from evidence.controls.catalogue import load_catalogue
from evidence.controls.crosswalk import is_crosswalk
from evidence.controls.evaluate import evaluate
from evidence.controls.profile import answer_profile, load_profile_questions
from evidence.errors import ConfigError
from evidence.model.catalogue import Catalogue
from evidence.model.crosswalk import Crosswalk, CrosswalkEvaluation
from evidence.model.evidence import EvidenceItem
from evidence.model.period import Period
from evidence.model.progress import SILENT, Progress
from evidence.model.report import (
    OrganisationSummary,
    RenderedReport,
    ReportSetData,
    Signatories,
)
from evidence.model.results import Evaluation
from evidence.model.run import RunInfo
from evidence.model.sampling import SampleDraw
from evidence.pipeline.context import Timing, catalogues, latest_run, open_store
from evidence.pipeline.crosswalks import crosswalks, render_crosswalks, roll_up_crosswalk
from evidence.pipeline.evaluation import evaluation_input
from evidence.pipeline.integrity import verify_run
from evidence.pipeline.keys import unsigned_note
from evidence.render.output_set import OutputSet
from evidence.render.report_set import attestation_name, render_report_set, report_names
from evidence.render.sign import SigningKey


def organisation_summary(config: Config) -> OrganisationSummary:
    """Summarise the organisation as reports print it."""
    org = config.organisation
    return OrganisationSummary(
        legal_name=org.legal_name,
        developer_id=org.developer_id,
        applications=org.applications,
        impoc_name=org.impoc.name if org.impoc else None,
        impoc_email=org.impoc.email if org.impoc else None,
        systems=config.scope.systems,
    )


def report_set_data(
    config: Config,
    run: RunInfo,
    evaluation: Evaluation,
    evidence: list[EvidenceItem],
    samples: list[SampleDraw] | None = None,
) -> ReportSetData:
    """Gather what the report set is rendered from: run, config, evaluation, profile answers."""
    summary = organisation_summary(config)
    selected = [load_catalogue(ref) for ref in evaluation.catalogues]
    questions = load_profile_questions()
    return ReportSetData(
        run=run,
        organisation=summary,
        catalogues=selected,
        evaluation=evaluation,
        evidence=evidence,
        owners=config.owners,
        tool_version=__version__,
        generated_at=run.started_at,
        due_days=dict(config.gap_plan.due_days),
        signatories=Signatories(**config.report.model_dump()),
        profile=answer_profile(questions, evaluation, selected, evidence, config.owners),
        samples=samples or [],
    )


def render(
    config: Config,
    run: RunInfo,
    evaluation: Evaluation,
    evidence: list[EvidenceItem],
    out_dir: Path,
    progress: Progress = SILENT,
    *,
    key: SigningKey | None = None,
    only: Collection[str] = (),
    samples: list[SampleDraw] | None = None,
    crosswalk_refs: Sequence[str] = (),
) -> list[tuple[RenderedReport, Path]]:
    """Render the report set (and signed copies when ``key`` is given) to partial files.

    ``only`` limits the set to the named reports (see `check_only`). The crosswalks of the config
    and of ``crosswalk_refs`` (``--catalogue``) get an attestation each, rolled up from the same
    evaluation. Returns (report, partial path) pairs; each report names its final path.
    """
    data = report_set_data(config, run, evaluation, evidence, samples)
    rendered = render_report_set(data, out_dir, progress, key=key, only=only)
    rolled = crosswalk_roll_ups(config, evaluation, evidence, run.period, crosswalk_refs, only=only)
    return [(f.report, f.partial) for f in rendered] + render_crosswalks(data, rolled, out_dir)


def crosswalk_roll_ups(
    config: Config,
    evaluation: Evaluation,
    evidence: list[EvidenceItem],
    period: Period,
    refs: Sequence[str] = (),
    *,
    only: Collection[str] = (),
) -> list[tuple[Crosswalk, CrosswalkEvaluation]]:
    """Each crosswalk the config and ``refs`` (``--catalogue``) select, rolled up from ``evaluation``.

    ``only`` keeps the crosswalks of those report names (``--only``).
    """
    selected = [c for c in crosswalks(config.policy.catalogues, refs, period) if not only or c.id in only]
    if not selected:
        return []
    inputs = evaluation_input(config, evidence, Timing(period, evaluation.as_of), evaluation.waivers)
    return [(c, roll_up_crosswalk(c, evaluation, inputs)) for c in selected]


def check_only(config: Config, only: Collection[str], crosswalk_refs: Sequence[str] = ()) -> None:
    """Refuse report names that ``--only`` does not know, before anything is collected."""
    known = report_names(catalogues(config))
    known += [ref.split("@")[0] for ref in [*config.policy.catalogues, *crosswalk_refs] if is_crosswalk(ref)]
    unknown = sorted(set(only) - set(known))
    if unknown:
        raise ConfigError(f"--only: no report named {', '.join(unknown)}; choose from {', '.join(known)}")


def report_name(catalogue: Catalogue, period: Period) -> str:
    """File name of a catalogue's attestation for a period."""
    return attestation_name(catalogue, period)


def stage(output: OutputSet, rendered: Sequence[tuple[RenderedReport, Path]]) -> list[RenderedReport]:
    """Give each partial file its name in the staging folder; the reports name their final paths."""
    reports = []
    for report, partial in rendered:
        staged = output.staging / Path(report.path).name
        os.replace(partial, staged)
        reports.append(report.model_copy(update={"path": str(output.final(staged))}))
    return reports


def report_stored(
    config: Config,
    timing: Timing,
    out_dir: Path,
    progress: Progress = SILENT,
    *,
    sign: bool = True,
    only: Collection[str] = (),
    reraise: bool = False,
    crosswalk_refs: Sequence[str] = (),
) -> list[RenderedReport]:
    """Render the report set of the newest evaluation of the newest run of the period.

    The run is evaluated first if it has no evaluation yet; the reports are signed when ``sign``
    and the config names a key; ``only`` limits the set; ``crosswalk_refs`` (``--catalogue``) adds
    crosswalk attestations rolled up from the same evaluation.
    """
    check_only(config, only, crosswalk_refs)
    crosswalks(config.policy.catalogues, crosswalk_refs, timing.period)  # refused before reading the store
    key, key_note = None, unsigned_note(config)
    if key_note:
        progress.note(key_note)
    store = open_store(config, create=False)
    output: OutputSet | None = None
    published = False
    try:
        run = latest_run(store, timing)
        verify_run(store, run, "report")
        found = store.latest_evaluation(run.id)
        evidence = store.evidence(run.id)
        waivers = store.waivers.all()
        output = OutputSet(out_dir)
        if found is None:
            when = Timing(run.period, run.as_of)
            evaluation = evaluate(
                catalogues(config, when.period), evaluation_input(config, evidence, when, waivers, reraise=reraise)
            )
            with store.append_to(run.id) as writer:
                evaluation_id = writer.add_evaluation(evaluation, run.started_at)
                writer.seal_evaluation(evaluation_id, evaluation)
        else:
            evaluation_id, evaluation = found
            evaluation = evaluation.model_copy(update={"waivers": waivers})
        reports = stage(
            output,
            render(
                config, run, evaluation, evidence, output.staging, progress, key=key, only=only,
                samples=store.samples(run.id), crosswalk_refs=crosswalk_refs,
            ),
        )
        with store.append_to(run.id) as writer:
            for report in reports:
                writer.add_report(evaluation_id, report.kind, report.path, report.sha256, report.pages, run.started_at)
        output.publish()
        published = True
        return reports
    finally:
        if output is not None and not published:
            output.discard()
        store.close()
