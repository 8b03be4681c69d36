"""The one orchestrator: config -> collectors -> store -> controls -> render, as data between stages.

The CLI calls these functions; the stages never call each other. A full run (collect, evaluate,
report) is one store transaction: killed midway, it leaves no rows behind.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evidence import __version__
from evidence.collectors import registry as collector_registry
from evidence.collectors.base import Collector, CollectorContext, CollectorSettings
from evidence.config.load import validate_settings
from evidence.config.schema import Config, SourceConfig
from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.controls.profile import answer_profile, load_profile_questions
from evidence.errors import ConfigError, EvidenceError, StoreError
from evidence.model.catalogue import Catalogue
from evidence.model.evidence import EvidenceItem, RawInput
from evidence.model.period import Period, parse_as_of, parse_period
from evidence.model.progress import SILENT, Progress
from evidence.model.report import OrganisationSummary, RenderedReport, ReportSetData, Signatories
from evidence.model.results import Evaluation
from evidence.model.run import RunInfo
from evidence.redact import Redactor
from evidence.render.report_set import attestation_name, render_report_set
from evidence.render.sign import SigningKey, load_signing_key
from evidence.store import RunWriter, Store

ALWAYS_ON = "organisation"


@dataclass
class Timing:
    """Which period a command works on and the instant every judgement is made at."""

    period: Period
    as_of: datetime


@dataclass
class Source:
    """A configured source with its validated settings."""

    config: SourceConfig
    collector: type[Collector]  # type: ignore[type-arg]
    settings: CollectorSettings


@dataclass
class RunOutcome:
    """What a run produced."""

    run: RunInfo
    evidence: list[EvidenceItem]
    evaluation: Evaluation | None = None
    evaluation_id: int | None = None
    reports: list[RenderedReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def resolve_timing(config: Config | None, period: str | None, as_of: str | None) -> Timing:
    """The period (``--period`` over the config's ``review_period``) and as-of (default: its end)."""
    text = period or (config.review_period if config else None)
    if not text:
        raise ConfigError("no review period: set review_period in the config or pass --period")
    try:
        resolved = parse_period(text)
        moment = parse_as_of(as_of) if as_of else resolved.end_at
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return Timing(period=resolved, as_of=moment)


def open_store(config: Config) -> Store:
    """The store the config names (its password, if any, from the environment or a file)."""
    url = config.store.url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url.removeprefix("sqlite:///")
        url = "sqlite:///" + str(config.resolve(relative))
    password = config.store.password.resolve(config.base_dir) if config.store.password else None
    return Store(url, config.resolve(config.store.copies_dir), password=password)


def catalogues(config: Config) -> list[Catalogue]:
    """The catalogues the config selects."""
    return [load_catalogue(ref) for ref in config.policy.catalogues]


def redactor(config: Config) -> tuple[Redactor, str | None]:
    """The redactor keyed by the configured pseudonym key, or an ephemeral one (with a note)."""
    ref = config.secrets.pseudonym_key
    if ref is None:
        return Redactor.ephemeral(), (
            "no secrets.pseudonym_key configured: pseudonyms are comparable within this run only"
        )
    key = ref.resolve(config.base_dir).get_secret_value().encode()
    if len(key) < 16:
        raise ConfigError(f"secrets.pseudonym_key ({ref.describe()}) must be at least 16 bytes")
    return Redactor(key), None


def sources(config: Config) -> list[Source]:
    """Configured sources plus the always-on organisation source, settings validated."""
    org = config.organisation
    found = [
        Source(
            config=SourceConfig(collector=ALWAYS_ON, name="organisation"),
            collector=collector_registry.get(ALWAYS_ON),
            settings=collector_registry.get(ALWAYS_ON).settings_model().model_validate(
                {
                    "legal_name": org.legal_name,
                    "developer_id": org.developer_id,
                    "applications": org.applications,
                    "impoc_name": org.impoc.name if org.impoc else None,
                    "impoc_email": org.impoc.email if org.impoc else None,
                    "privacy_policy_url": org.privacy_policy_url,
                    "systems": config.scope.systems,
                    "handles_pii": config.scope.handles_pii,
                }
            ),
        )
    ]
    for index, source in enumerate(config.sources):
        if not source.enabled:
            continue
        cls = collector_registry.get(source.collector)
        settings = validate_settings(cls.settings_model(), source.settings(), config, index)
        assert isinstance(settings, CollectorSettings)
        found.append(Source(config=source, collector=cls, settings=settings))
    return found


def collect(
    config: Config,
    writer: RunWriter,
    timing: Timing,
    progress: Progress = SILENT,
    *,
    reraise: bool = False,
) -> tuple[list[EvidenceItem], list[str]]:
    """Run every source into ``writer``; a failing source is recorded, never fatal to the run."""
    redact, note = redactor(config)
    notes = [note] if note else []
    items: list[EvidenceItem] = []
    copied: dict[tuple[str, str], RawInput] = {}
    configured = sources(config)
    progress.start("sources", total=len(configured))
    for source in configured:
        context = CollectorContext(
            source=source.config.name,
            base_dir=config.base_dir,
            period=timing.period,
            as_of=timing.as_of,
            redactor=redact,
            progress=progress,
            collected_at=datetime.now(UTC),
        )
        collector = source.collector(source.settings, context)
        for item in _run_collector(collector, source, notes, reraise):
            _keep_copies(item, collector, source, config, writer, copied)
            item.seal()
            writer.add_evidence(item)
            items.append(item)
        progress.advance("sources")
    progress.finish("sources")
    for message in notes:
        progress.note(message)
    return items, notes


def _run_collector(
    collector: Collector,  # type: ignore[type-arg]
    source: Source,
    notes: list[str],
    reraise: bool,
) -> Iterator[EvidenceItem]:
    name = source.config.name
    try:
        for item in collector.collect():
            if item.error:
                notes.append(f"source {name!r}: {item.error}")
            yield item
    except EvidenceError as exc:
        notes.append(f"source {name!r}: {exc}")
        for kind in collector.produces:
            yield collector.failed(kind, f"source {name}", str(exc))
    except Exception as exc:  # a collector bug must not take the other sources down
        if reraise:
            raise
        message = f"internal error in collector {collector.id!r}: {type(exc).__name__}: {exc}"
        notes.append(f"source {name!r}: {message} (run with --traceback for details)")
        for kind in collector.produces:
            yield collector.failed(kind, f"source {name}", message)


def _keep_copies(
    item: EvidenceItem,
    collector: Collector,  # type: ignore[type-arg]
    source: Source,
    config: Config,
    writer: RunWriter,
    copied: dict[tuple[str, str], RawInput],
) -> None:
    """Store a redacted, content-addressed copy of each small raw input (or say why not)."""
    for raw in item.raw_inputs:
        if raw.stored_note or raw.stored_sha256:
            continue
        key = (raw.location, raw.sha256)
        if key in copied:
            done = copied[key]
            raw.stored_sha256, raw.stored_path, raw.stored_note = (
                done.stored_sha256,
                done.stored_path,
                done.stored_note,
            )
            continue
        wanted = source.config.keep_copies
        if wanted is False:
            raw.stored_note = "not copied: keep_copies = false for this source"
        elif wanted is None and raw.size > config.store.copy_max_bytes:
            raw.stored_note = f"not copied: {raw.size:,} bytes is over store.copy_max_bytes"
        else:
            chunks = collector.redacted_copy(raw.location)
            if chunks is None:
                raw.stored_note = "not copied: not a local file"
            else:
                raw.stored_sha256, raw.stored_path, _ = writer.copy(chunks)
        copied[key] = raw


def evaluation_input(config: Config, evidence: list[EvidenceItem], timing: Timing) -> EvaluationInput:
    """What the controls stage needs from the config and the evidence."""
    return EvaluationInput(
        evidence=evidence,
        period=timing.period,
        as_of=timing.as_of,
        handles_pii=config.scope.handles_pii,
        not_applicable=config.scope.not_applicable,
        max_reject_ratio=config.evaluation.max_reject_ratio,
        source_reject_ratio={
            s.name: s.max_reject_ratio for s in config.sources if s.max_reject_ratio is not None
        },
    )


def signing_key(config: Config) -> tuple[SigningKey | None, str | None]:
    """Load the key ``[signing]`` names (None when unset), so a bad password fails early.

    With ``skip_if_missing`` an absent file gives no key and a note instead of an error.
    """
    signing = config.signing
    if signing is None:
        return None, None
    path = config.resolve(signing.pkcs12)
    if not path.is_file():
        if signing.skip_if_missing:
            return None, f"reports not signed: {path} does not exist ([signing] skip_if_missing)"
        raise ConfigError(f"[signing] pkcs12 = {str(signing.pkcs12)!r}: no such file ({path})")
    password = None
    if signing.password is not None:
        password = signing.password.resolve(config.base_dir).get_secret_value().encode()
    return load_signing_key(path.read_bytes(), password, str(path)), None


def report_set_data(
    config: Config, run: RunInfo, evaluation: Evaluation, evidence: list[EvidenceItem]
) -> ReportSetData:
    """Gather what the report set is rendered from: run, config, evaluation, profile answers."""
    org = config.organisation
    summary = OrganisationSummary(
        legal_name=org.legal_name,
        developer_id=org.developer_id,
        applications=org.applications,
        impoc_name=org.impoc.name if org.impoc else None,
        impoc_email=org.impoc.email if org.impoc else None,
        systems=config.scope.systems,
    )
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
) -> list[tuple[RenderedReport, Path]]:
    """Render the report set (and signed copies when ``key`` is given) to partial files.

    Returns (report, partial path) pairs; each report names its final path.
    """
    data = report_set_data(config, run, evaluation, evidence)
    return [(f.report, f.partial) for f in render_report_set(data, out_dir, progress, key=key)]


def report_name(catalogue: Catalogue, period: Period) -> str:
    """File name of a catalogue's attestation for a period."""
    return attestation_name(catalogue, period)


def config_digest(config: Config) -> str:
    """SHA-256 of the config file as read (it never holds secrets)."""
    try:
        return hashlib.sha256(config.path.read_bytes()).hexdigest()
    except OSError:
        return hashlib.sha256(config.model_dump_json().encode()).hexdigest()


def full_run(
    config: Config,
    timing: Timing,
    out_dir: Path | None,
    progress: Progress = SILENT,
    *,
    evaluate_too: bool = True,
    reraise: bool = False,
    sign: bool = True,
) -> RunOutcome:
    """Collect, evaluate and (when ``out_dir`` is given) report, in one transaction.

    Reports are signed when ``sign`` and the config names a key, which is loaded first so a
    wrong password fails before anything is collected.
    """
    selected = catalogues(config)
    rendering = evaluate_too and out_dir is not None
    key, key_note = signing_key(config) if sign and rendering else (None, None)
    store = open_store(config)
    finals: list[tuple[Path, Path]] = []
    try:
        with store.new_run(
            organisation=config.organisation.legal_name,
            developer_id=config.organisation.developer_id,
            period=timing.period,
            as_of=timing.as_of,
            catalogues=[c.ref for c in selected],
            config_sha256=config_digest(config),
            tool_version=__version__,
            started_at=datetime.now(UTC).replace(microsecond=0),
        ) as writer:
            evidence, notes = collect(config, writer, timing, progress, reraise=reraise)
            if key_note:
                notes.append(key_note)
                progress.note(key_note)
            outcome = RunOutcome(run=writer.run, evidence=evidence, notes=notes)
            if evaluate_too:
                outcome.evaluation = evaluate(selected, evaluation_input(config, evidence, timing))
                outcome.evaluation_id = writer.add_evaluation(outcome.evaluation, writer.run.started_at)
                if out_dir is not None:
                    rendered = render(
                        config, writer.run, outcome.evaluation, evidence, out_dir, progress, key=key
                    )
                    finals.extend((partial, Path(report.path)) for report, partial in rendered)
                    for report, _ in rendered:
                        writer.add_report(
                            outcome.evaluation_id, report.kind, report.path, report.sha256,
                            report.pages, writer.run.started_at,
                        )
                        outcome.reports.append(report)
        for partial, final in finals:
            os.replace(partial, final)
        return outcome
    finally:
        for partial, _ in finals:
            partial.unlink(missing_ok=True)
        store.close()


def latest_run(store: Store, timing: Timing) -> RunInfo:
    """The newest run of the period; StoreError when there is none."""
    run = store.latest_run(timing.period.label)
    if run is None:
        raise StoreError(f"no run for period {timing.period.label} in the store; run `evidence collect` first")
    return run


def evaluate_stored(
    config: Config, timing: Timing, *, as_of_given: bool
) -> tuple[RunInfo, Evaluation, int, list[EvidenceItem]]:
    """Evaluate the newest run of the period again (appending an evaluation to it)."""
    selected = catalogues(config)
    store = open_store(config)
    try:
        run = latest_run(store, timing)
        evidence = store.evidence(run.id)
        when = Timing(period=run.period, as_of=timing.as_of if as_of_given else run.as_of)
        evaluation = evaluate(selected, evaluation_input(config, evidence, when))
        with store.append_to(run.id) as writer:
            evaluation_id = writer.add_evaluation(evaluation, run.started_at)
        return run, evaluation, evaluation_id, evidence
    finally:
        store.close()


def report_stored(
    config: Config, timing: Timing, out_dir: Path, progress: Progress = SILENT, *, sign: bool = True
) -> list[RenderedReport]:
    """Render the report set of the newest evaluation of the newest run of the period.

    The run is evaluated first if it has no evaluation yet; the reports are signed when ``sign``
    and the config names a key.
    """
    key, key_note = signing_key(config) if sign else (None, None)
    if key_note:
        progress.note(key_note)
    store = open_store(config)
    outputs: list[tuple[RenderedReport, Path]] = []
    try:
        run = latest_run(store, timing)
        found = store.latest_evaluation(run.id)
        evidence = store.evidence(run.id)
        if found is None:
            evaluation = evaluate(catalogues(config), evaluation_input(config, evidence, Timing(run.period, run.as_of)))
            with store.append_to(run.id) as writer:
                evaluation_id = writer.add_evaluation(evaluation, run.started_at)
        else:
            evaluation_id, evaluation = found
        outputs = render(config, run, evaluation, evidence, out_dir, progress, key=key)
        with store.append_to(run.id) as writer:
            for report, _ in outputs:
                writer.add_report(evaluation_id, report.kind, report.path, report.sha256, report.pages, run.started_at)
        for report, partial in outputs:
            os.replace(partial, report.path)
        return [report for report, _ in outputs]
    finally:
        for _, partial in outputs:
            partial.unlink(missing_ok=True)
        store.close()


def describe_outcome(outcome: RunOutcome) -> dict[str, Any]:
    """A JSON-friendly summary of a run."""
    return {
        "run": outcome.run.model_dump(mode="json"),
        "evidence": len(outcome.evidence),
        "notes": outcome.notes,
        "reports": [r.model_dump(mode="json") for r in outcome.reports],
    }
