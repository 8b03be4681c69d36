"""The one orchestrator: config -> collectors -> store -> controls -> render, as data between stages.

The CLI calls these functions; the stages never call each other. A full run (collect, evaluate,
report) is one store transaction: killed midway, it leaves no rows behind.
"""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.hazmat.primitives import serialization

from evidence import __version__
from evidence.collectors import provenance
from evidence.collectors import registry as collector_registry
from evidence.collectors.base import Collector, CollectorContext, CollectorSettings
from evidence.collectors.inputs import input_limits
from evidence.config.load import validate_settings
from evidence.config.schema import Config, SourceConfig
from evidence.controls.catalogue import catalogue_files, load_catalogue, resolve_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.controls.profile import answer_profile, load_profile_questions
from evidence.controls.readings import ReadingChoice
from evidence.controls.todo import TodoStep, todo_steps
from evidence.crosswalk_reports import crosswalks, render_crosswalks, roll_up_crosswalk, split_refs
from evidence.errors import ConfigError, EvidenceError, InputError, PackError, StoreError
from evidence.model.access import AccessPolicy
from evidence.model.catalogue import Catalogue
from evidence.model.evidence import EvidenceItem, RawInput, stable_evidence_id
from evidence.model.period import Period, parse_as_of, parse_period
from evidence.model.progress import SILENT, Progress
from evidence.model.report import (
    OrganisationSummary,
    RenderedReport,
    ReportSetData,
    Signatories,
)
from evidence.model.results import Evaluation, Waiver
from evidence.model.run import RunInfo
from evidence.model.sampling import SampleDraw
from evidence.pack import chain, layout, reveal, sampling
from evidence.pack import pack as pack_writer
from evidence.pack.manifest import build_manifest, parse_manifest
from evidence.pack.pack import DiskFile, PackInput, PackResult, copy_files, report_files
from evidence.pack.population import build_population, find_control, like_items
from evidence.pack.sample_items import completeness, describe_items
from evidence.pack.sample_sizes import recommended_size
from evidence.pack.signing import Signer, load_signer
from evidence.redact import Redactor
from evidence.render.html_set import HtmlLinks, render_html_set
from evidence.render.output_set import OutputSet
from evidence.render.report_set import attestation_name, render_report_set, report_names
from evidence.render.sign import SigningKey, load_signing_key
from evidence.store import RunWriter, Store

ALWAYS_ON = "organisation"
#: The years a period or an as-of date may fall in.
_YEARS = (1970, 9000)


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
    if period is not None and not period.strip():
        raise ConfigError("--period is empty: give a quarter (2026-Q3), a month or a date range")
    if as_of is not None and not as_of.strip():
        raise ConfigError("--as-of is empty: give a date or a time")
    text = period or (config.review_period if config else None)
    if not text:
        raise ConfigError("no review period: set review_period in the config or pass --period")
    try:
        resolved = parse_period(text)
        moment = parse_as_of(as_of) if as_of else resolved.end_at
    except (ValueError, OverflowError) as exc:
        raise ConfigError(f"period {text!r}: {exc}" if not as_of else str(exc)) from None
    # Judgements look a year or more either side of the period (cadences, yearless syslog
    # dates); past these years the calendar arithmetic overflows, and no evidence is that old.
    for label, year in (("period", resolved.start.year), ("period", resolved.end.year), ("--as-of", moment.year)):
        if not _YEARS[0] <= year <= _YEARS[1]:
            raise ConfigError(f"{label} {text if label == 'period' else as_of!r}: year {year} is out of range "
                              f"({_YEARS[0]}-{_YEARS[1]})")
    return Timing(period=resolved, as_of=moment)


def open_store(config: Config, *, create: bool = True) -> Store:
    """The store the config names (its password, if any, from the environment or a file).

    Commands that only read (``create=False``) refuse a SQLite store that does not exist yet
    instead of creating an empty one (and its folder) where the config points.
    """
    url = config.store.url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url.removeprefix("sqlite:///")
        url = "sqlite:///" + str(config.resolve(relative))
    password = config.store.password.resolve(config.base_dir) if config.store.password else None
    return Store(url, config.resolve(config.store.copies_dir), password=password, create=create)


def catalogues(config: Config, period: Period | None = None) -> list[Catalogue]:
    """The catalogues the config selects.

    A pinned ``id@version`` is used as given; a bare ``id`` gives the version in force at the end
    of ``period`` (the current version when no period is known).
    """
    refs, _ = split_refs(config.policy.catalogues)
    return [resolve_catalogue(ref, period.end if period else None) for ref in refs]


def redactor(config: Config) -> tuple[Redactor, str | None]:
    """The redactor keyed by the configured pseudonym key, or an ephemeral one (with a note)."""
    ref = config.secrets.pseudonym_key
    if ref is None:
        return Redactor.ephemeral(people(config), own_networks(config)), (
            "no secrets.pseudonym_key configured: pseudonyms are comparable within this run only"
        )
    return Redactor(pseudonym_key(config), people(config), own_networks(config)), None


def pseudonym_key(config: Config) -> bytes:
    """The configured pseudonym key (ConfigError when none is configured or it is too short)."""
    ref = config.secrets.pseudonym_key
    if ref is None:
        raise ConfigError("no secrets.pseudonym_key is configured")
    key = ref.resolve(config.base_dir).get_secret_value().encode()
    if len(key) < 16:
        raise ConfigError(f"secrets.pseudonym_key ({ref.describe()}) must be at least 16 bytes")
    return key


def own_networks(config: Config) -> list[str]:
    """The developer's own networks the config declares (allowed networks): never pseudonymised."""
    found = [str(n) for n in config.access.allowed_networks]
    for source in config.sources:
        listed = source.settings().get("allowed_networks", []) or []
        found.extend(str(n) for n in listed if isinstance(listed, list))
    return sorted(set(found))


def people(config: Config) -> list[str]:
    """People's names the config gives (leavers, wherever listed): redacted wherever they appear."""
    names = [user.name for user in config.access.departed_users]
    for source in config.sources:
        for user in source.settings().get("departed_users", []) or []:
            if isinstance(user, dict) and isinstance(user.get("name"), str):
                names.append(user["name"])
    return names


def sources(config: Config, period: Period | None = None) -> list[Source]:
    """Configured sources plus the always-on organisation source, settings validated.

    With a ``period``, ``{period}`` in any string setting becomes the period's label, so inputs
    can live in one folder per period (``logs/{period}/*.log`` reads ``logs/2026-Q3/*.log``).
    """
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
                    "pii_buckets": config.retention.pii_buckets,
                    "non_pii_buckets": config.retention.non_pii_buckets,
                }
            ),
        )
    ]
    for index, source in enumerate(config.sources):
        if not source.enabled:
            continue
        cls = collector_registry.get(source.collector)
        raw = with_shared_settings(cls, source, config)
        raw = raw if period is None else with_period(raw, period)
        settings = validate_settings(cls.settings_model(), raw, config, index)
        assert isinstance(settings, CollectorSettings)
        found.append(Source(config=source, collector=cls, settings=settings))
    return found


def with_period(value: Any, period: Period) -> Any:
    """``value`` with ``{period}`` replaced by the period label in every string it holds."""
    if isinstance(value, str):
        return value.replace("{period}", period.label)
    if isinstance(value, list):
        return [with_period(v, period) for v in value]
    if isinstance(value, dict):
        return {k: with_period(v, period) for k, v in value.items()}
    return value


def with_shared_settings(
    cls: type[Collector],  # type: ignore[type-arg]
    source: SourceConfig,
    config: Config,
) -> dict[str, Any]:
    """Lay a source's settings over the config's shared tables: ``[access]`` for log collectors."""
    if issubclass(cls.settings_model(), AccessPolicy):
        shared = config.access.model_dump(mode="json", exclude_unset=True)
        return {**shared, **source.settings()}
    return source.settings()


def collect(
    config: Config,
    writer: RunWriter,
    timing: Timing,
    progress: Progress = SILENT,
    *,
    reraise: bool = False,
    snapshot: bool = False,
) -> tuple[list[EvidenceItem], list[str]]:
    """Run every source into ``writer``; a failing source is recorded, never fatal to the run.

    With ``snapshot`` only the settings collectors run, and each item is named by the moment
    it shows, so the snapshots of a period stay apart (settings_timeline reads them all).
    """
    redact, note = redactor(config)
    notes = [note] if note else []
    items: list[EvidenceItem] = []
    found: list[tuple[EvidenceItem, Source]] = []
    copied: dict[tuple[str, str], RawInput] = {}
    configured = [s for s in sources(config, timing.period) if s.collector.snapshot or not snapshot]
    progress.start("sources", total=len(configured))
    with input_limits(config.limits):
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
                if snapshot:
                    _name_snapshot(item, context.collected_at)
                # A copy is kept as soon as its source was read (its names are known by then);
                # a run killed later leaves its copies as strays the store sweeps.
                _keep_copies(item, collector, source, config, writer, copied)
                found.append((item, source))
            progress.advance("sources")
        # The last scrub waits until every source was read: a name pseudonymised in one source
        # is then replaced wherever it appears in every item.
        where = provenance.who_and_where()
        command = provenance.command_line(config.base_dir)
        for item, source in found:
            item.provenance = provenance.describe(
                item, base_dir=config.base_dir, run=where, command=command, redactor=redact
            )
            provenance.relativise(item, config.base_dir)
            if source.config.collector != ALWAYS_ON:
                # The organisation's own table (legal name, IMPOC contact) is printed on every
                # report as declared; every other item's strings pass the last scrub.
                scrub_item(item, redact)
            item.seal()
            writer.add_evidence(item)
            items.append(item)
        keep_identity_key(writer, redact)
    progress.finish("sources")
    notes = [redact.scrub(message, addresses=False) for message in notes]
    for message in notes:
        progress.note(message)
    return items, notes


def keep_identity_key(writer: RunWriter, redact: Redactor) -> None:
    """Keep the run's pseudonym -> name map, sealed with the pseudonym key (none when ephemeral)."""
    if redact.keyed and redact.identities:
        mapping = {pseudonym: value for value, pseudonym in redact.identities.items()}
        writer.add_identity_key(reveal.seal_identities(mapping, redact.key_for_sealing()), len(mapping))


def _name_snapshot(item: EvidenceItem, collected_at: datetime) -> None:
    """Put the moment a snapshot shows in its subject, and so in its id."""
    shown = item.facts.get("captured_at") or collected_at.replace(microsecond=0).isoformat()
    item.subject = f"{item.subject}, snapshot of {shown}"
    item.id = stable_evidence_id(item.source, item.kind, item.subject, [r.sha256 for r in item.raw_inputs])


def scrub_item(item: EvidenceItem, redact: Redactor) -> None:
    """Pass every string an item will store through detection, whatever its collector did.

    Collectors pseudonymise what must stay comparable; this last pass catches what they never
    looked for (a card number in a title, an e-mail address as a document's owner, a key in a
    description), so nothing reaches the store, the reports or the pack unscrubbed. Network
    addresses are the collectors' to decide (client addresses pseudonymised, configured
    networks and probed endpoints shown), so this pass leaves them as they are.
    """
    item.facts = redact.scrub_data(item.facts, addresses=False, whole=False)
    item.subject = redact.scrub(item.subject, addresses=False)
    if item.error:
        item.error = redact.scrub(item.error, addresses=False)
    item.stats.rejects = [
        r.model_copy(
            update={
                "location": redact.scrub(r.location, addresses=False),
                "reason": redact.scrub(r.reason, addresses=False),
            }
        )
        for r in item.stats.rejects
    ]


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
            try:
                chunks = collector.redacted_copy(raw.location)
                if chunks is None:
                    raw.stored_note = "not copied: not a local file"
                else:
                    raw.stored_sha256, raw.stored_path, _ = writer.copy(chunks)
            except InputError as exc:  # changed, grown or unreadable since it was parsed
                raw.stored_note = f"not copied: {exc.reason}"
        copied[key] = raw


def evaluation_input(
    config: Config, evidence: list[EvidenceItem], timing: Timing, waivers: Sequence[Waiver] = ()
) -> EvaluationInput:
    """Gather what the controls stage needs from the config, the evidence and the waivers."""
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
    )


def reading_choices(config: Config) -> dict[str, ReadingChoice]:
    """The readings of ambiguous figures the config chose, per control id, with justifications."""
    return {
        control_id: ReadingChoice(r.reading, r.justification, r.parameter)
        for control_id, r in config.evaluation.readings.items()
    }


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


def unsigned_note(config: Config) -> str | None:
    """Why the reports just written are unsigned, when a signing key is configured.

    Reports are always rendered unsigned: they are signed when a person approves them with
    `evidence sign-off` (evidence/signoff.py), which records the approval in the chain.
    """
    if config.signing is None:
        return None
    return (
        f"reports not signed yet: `evidence sign-off --as NAME` signs them with "
        f"{config.resolve(config.signing.pkcs12)} once approved"
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
    selected = crosswalks(config.policy.catalogues, crosswalk_refs, run.period)
    inputs = evaluation_input(config, evidence, Timing(run.period, evaluation.as_of), evaluation.waivers)
    return [(f.report, f.partial) for f in rendered] + render_crosswalks(
        data, selected, inputs, out_dir, only=only
    )


def check_only(config: Config, only: Collection[str], crosswalk_refs: Sequence[str] = ()) -> None:
    """Refuse report names that ``--only`` does not know, before anything is collected."""
    known = report_names(catalogues(config))
    known += [c.id for c in crosswalks(config.policy.catalogues, crosswalk_refs, None)]
    unknown = sorted(set(only) - set(known))
    if unknown:
        raise ConfigError(f"--only: no report named {', '.join(unknown)}; choose from {', '.join(known)}")


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
    only: Collection[str] = (),
    crosswalk_refs: Sequence[str] = (),
) -> RunOutcome:
    """Collect, evaluate and (when ``out_dir`` is given) report, in one transaction.

    Reports are signed when ``sign`` and the config names a key, which is loaded first so a
    wrong password fails before anything is collected. ``only`` limits the report set;
    ``crosswalk_refs`` (``--catalogue``) adds crosswalk attestations from the same evaluation.
    """
    check_only(config, only, crosswalk_refs)
    selected = catalogues(config, timing.period)
    crosswalks(config.policy.catalogues, crosswalk_refs, timing.period)  # refused before collecting
    rendering = evaluate_too and out_dir is not None
    key, key_note = (None, unsigned_note(config)) if rendering else (None, None)
    output = OutputSet(out_dir) if rendering and out_dir is not None else None
    store = open_store(config)
    published = False
    try:
        waivers = store.waivers.all() if evaluate_too else []
        # Read before the run's transaction: on SQLite a second connection reading while a large
        # write transaction has spilled to disk waits for it, and the run fails "database is locked".
        snapshots = store.snapshot_evidence(config.organisation.developer_id, timing.period.start_at, timing.as_of)
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
            _add_snapshots(snapshots, writer, evidence)
            if key_note:
                notes.append(key_note)
                progress.note(key_note)
            outcome = RunOutcome(run=writer.run, evidence=evidence, notes=notes)
            if evaluate_too:
                inputs = evaluation_input(config, evidence, timing, waivers)
                outcome.evaluation = evaluate(selected, inputs)
                outcome.evaluation_id = writer.add_evaluation(outcome.evaluation, writer.run.started_at)
            seal_run(writer, selected, outcome)
            if outcome.evaluation is not None and outcome.evaluation_id is not None:
                writer.seal_evaluation(outcome.evaluation_id, outcome.evaluation)
                # Rendered after the seal (reports are not in the manifest), so every report
                # prints the run's chain root hash.
                if output is not None:
                    rendered = render(
                        config, writer.run, outcome.evaluation, evidence, output.staging, progress,
                        key=key, only=only, crosswalk_refs=crosswalk_refs,
                    )
                    for report in stage(output, rendered):
                        writer.add_report(
                            outcome.evaluation_id, report.kind, report.path, report.sha256,
                            report.pages, writer.run.started_at,
                        )
                        outcome.reports.append(report)
            checkpoint("before-commit")
        checkpoint("committed")
        if output is not None:
            output.publish()
            published = True
            checkpoint("published")
        return outcome
    finally:
        if output is not None and not published:
            output.discard()
        store.close()


def _add_snapshots(found: list[EvidenceItem], writer: RunWriter, evidence: list[EvidenceItem]) -> None:
    """Make the period's settings snapshots (`collect --snapshot`) part of this run's evidence."""
    have = {item.id for item in evidence}
    for item in found:
        if item.id not in have:
            have.add(item.id)
            writer.add_evidence(item)
            evidence.append(item)


def snapshot(config: Config, timing: Timing, progress: Progress = SILENT, *, reraise: bool = False) -> RunOutcome:
    """Append a dated snapshot of the settings collectors' sources, without a full run."""
    store = open_store(config)
    try:
        with store.new_run(
            organisation=config.organisation.legal_name,
            developer_id=config.organisation.developer_id,
            period=timing.period,
            as_of=timing.as_of,
            catalogues=[],
            config_sha256=config_digest(config),
            tool_version=__version__,
            started_at=datetime.now(UTC).replace(microsecond=0),
            kind="snapshot",
        ) as writer:
            evidence, notes = collect(config, writer, timing, progress, reraise=reraise, snapshot=True)
            if not evidence:
                raise ConfigError(
                    "no source of the config reads settings as they are now (aws, aws-cli): "
                    "nothing to snapshot"
                )
            outcome = RunOutcome(run=writer.run, evidence=evidence, notes=notes)
            seal_run(writer, [], outcome)
        return outcome
    finally:
        store.close()


def stage(output: OutputSet, rendered: Sequence[tuple[RenderedReport, Path]]) -> list[RenderedReport]:
    """Give each partial file its name in the staging folder; the reports name their final paths."""
    reports = []
    for report, partial in rendered:
        staged = output.staging / Path(report.path).name
        os.replace(partial, staged)
        reports.append(report.model_copy(update={"path": str(output.final(staged))}))
    return reports


def checkpoint(name: str) -> None:
    """Fault injection for the crash tests: ``EVIDENCE_KILL_AT=name`` kills the process here.

    The tests kill a run at each point and check the output folder holds one complete set.
    """
    if os.environ.get("EVIDENCE_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def seal_run(writer: RunWriter, selected: list[Catalogue], outcome: RunOutcome) -> None:
    """Seal the run before it commits: its manifest, chained to the organisation's last run."""
    files = catalogue_files()
    policies = {c.ref: hashlib.sha256(files[c.ref].read_bytes()).hexdigest() for c in selected}
    manifest = build_manifest(
        writer.run, outcome.evidence, outcome.evaluation, policies, __version__
    )
    head = writer.chain_head()
    prev = head.root_hash if head is not None else chain.GENESIS
    root = chain.root_hash(prev, manifest.sha256)
    writer.seal(manifest.text, manifest.sha256, prev, root, outcome.evaluation_id)


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
    selected = catalogues(config, timing.period)
    store = open_store(config, create=False)
    try:
        run = latest_run(store, timing)
        verify_run(store, run, "evaluate")
        evidence = store.evidence(run.id)
        when = Timing(period=run.period, as_of=timing.as_of if as_of_given else run.as_of)
        inputs = evaluation_input(config, evidence, when, store.waivers.all())
        evaluation = evaluate(selected, inputs)
        with store.append_to(run.id) as writer:
            evaluation_id = writer.add_evaluation(evaluation, run.started_at)
            writer.seal_evaluation(evaluation_id, evaluation)
        return run, evaluation, evaluation_id, evidence
    finally:
        store.close()


def newest_evaluation(config: Config, timing: Timing) -> tuple[RunInfo, Evaluation]:
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
    run, evaluation, _, _ = evaluate_stored(config, timing, as_of_given=False)
    return run, evaluation


def todo(config: Config, evaluation: Evaluation) -> list[TodoStep]:
    """The to-do list of ``evaluation`` (evidence/controls/todo.py), knowing the config's sources."""
    configured: dict[str, list[str]] = {}
    for source in config.sources:
        if source.enabled:
            configured.setdefault(source.collector, []).append(source.name)
    selected = [c for c in catalogues(config) if c.ref in evaluation.catalogues]
    return todo_steps(evaluation, selected, configured)


def report_stored(
    config: Config,
    timing: Timing,
    out_dir: Path,
    progress: Progress = SILENT,
    *,
    sign: bool = True,
    only: Collection[str] = (),
    crosswalk_refs: Sequence[str] = (),
) -> list[RenderedReport]:
    """Render the report set of the newest evaluation of the newest run of the period.

    The run is evaluated first if it has no evaluation yet; the reports are signed when ``sign``
    and the config names a key; ``only`` limits the set.
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
                catalogues(config, when.period), evaluation_input(config, evidence, when, waivers)
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


def describe_outcome(outcome: RunOutcome) -> dict[str, Any]:
    """A JSON-friendly summary of a run."""
    return {
        "run": outcome.run.model_dump(mode="json"),
        "evidence": len(outcome.evidence),
        "notes": outcome.notes,
        "reports": [r.model_dump(mode="json") for r in outcome.reports],
    }


# Integrity: the chain, auditor packs and samples ------------------------------------------


def _audit(store: Store, developer_id: str, only: Collection[int] | None = None) -> list[chain.ChainRow]:
    entries = store.chain(developer_id)
    sealed = {
        e.run.id: e.sealed_evaluation_id
        for e in entries
        if e.sealed_evaluation_id and (only is None or e.run.id in only)
    }
    evaluations = {run_id: store.evaluation(eid) for run_id, eid in sealed.items()}
    return chain.audit_chain(entries, store.evidence, evaluations, store.stored_evaluations, only)


def verify_run(store: Store, run: RunInfo, verb: str) -> list[chain.ChainRow]:
    """Check the chain up to ``run`` and everything sealed in it; SealError (exit 4) on a mismatch.

    ``evaluate``, ``report`` and ``pack`` read the facts and statuses only after this passed.
    """
    rows = [r for r in _audit(store, run.developer_id, only={run.id}) if r.entry.run.id <= run.id]
    chain.sealed_entry(rows, run, verb)
    return rows


def chain_log(config: Config, every_organisation: bool = False) -> list[chain.ChainLog]:
    """Each organisation's runs with their links, every seal checked against the stored rows.

    Also checks every stored copy against the hash it was sealed with, and the store's witness
    of seals for runs and evaluations whose rows are gone.
    """
    store = open_store(config, create=False)
    try:
        org = config.organisation
        wanted = [(org.developer_id, org.legal_name)]
        if every_organisation:
            wanted = store.organisations()
        logs = []
        for dev, name in wanted:
            rows = _audit(store, dev)
            for row in rows:
                if row.entry.link is not None:
                    row.problems.extend(copy_problems(store, store.evidence(row.entry.run.id)))
            logs.append(chain.ChainLog(dev, name, rows, missing=witness_problems(store, dev, rows)))
        return logs
    finally:
        store.close()


def copy_problems(store: Store, evidence: Sequence[EvidenceItem]) -> list[str]:
    """Stored copies that are missing or no longer hash to what was sealed."""
    problems: list[str] = []
    seen: set[str] = set()
    for item in evidence:
        for raw in item.raw_inputs:
            if not raw.stored_sha256 or not raw.stored_path or raw.stored_path in seen:
                continue
            seen.add(raw.stored_path)
            path = store.copy_path(raw.stored_path)
            try:
                actual = chain.file_sha256(path)
            except OSError:
                problems.append(f"stored copy {raw.stored_path} of evidence {item.id} is missing")
                continue
            if actual != raw.stored_sha256:
                problems.append(
                    f"stored copy {raw.stored_path} of evidence {item.id} was edited: it hashes to "
                    f"{actual[:16]}…, sealed {raw.stored_sha256[:16]}…"
                )
    return problems


def witness_problems(store: Store, developer_id: str, rows: Sequence[chain.ChainRow]) -> list[str]:
    """Seals the store's witness records that the database no longer holds (deleted runs)."""
    lines = store.blobs.witnessed()
    if lines is None:
        return []
    runs = {r.entry.run.uid: r.entry.link.root_hash for r in rows if r.entry.link is not None}
    evaluations = {
        (uid, str(e.id)): e.seal.root_hash
        for r in rows
        for uid in [r.entry.run.uid]
        for e in store.stored_evaluations(r.entry.run.id)
        if e.seal is not None
    }
    problems = []
    for line in lines:
        parts = line.split()
        if len(parts) == 4 and parts[0] == "run" and parts[1] == developer_id:
            if runs.get(parts[2]) != parts[3]:
                problems.append(
                    f"run {parts[2]} was sealed with root hash {parts[3][:16]}… (store witness), "
                    "but the store no longer holds it: deleted or re-sealed"
                )
        elif len(parts) == 5 and parts[0] == "evaluation" and parts[1] == developer_id:
            if parts[2] in runs and evaluations.get((parts[2], parts[3])) != parts[4]:
                problems.append(
                    f"evaluation {parts[3]} of run {parts[2]} was sealed with root hash "
                    f"{parts[4][:16]}… (store witness), but the store no longer holds that seal"
                )
    return problems


def signer(config: Config) -> Signer | None:
    """Load the configured signing key (``[signing]``) for the pack; None when none is configured.

    Like the reports, a key file that does not exist is skipped when ``skip_if_missing`` is set.
    """
    if config.signing is None:
        return None
    if config.signing.skip_if_missing and not config.resolve(config.signing.pkcs12).is_file():
        return None
    ref = config.signing.password
    password = ref.resolve(config.base_dir).get_secret_value().encode() if ref else None
    return load_signer(config.resolve(config.signing.pkcs12), password)


def packed_config(config: Config, identities: Mapping[str, str], run: RunInfo) -> bytes:
    """The config as validated, for the pack: secrets are references (``{env = "NAME"}``).

    Secrets are references by construction; people's names and the run's pseudonymised
    identities are replaced as in the evidence, so no clear name sits beside a pseudonym.
    """
    if config.secrets.pseudonym_key is not None:
        redact, _ = redactor(config)
    else:  # no key: pseudonyms that stay the same for the run, so the same run packs the same bytes
        seed = hashlib.sha256(f"dpp-evidence packed config\n{run.uid}\n{run.config_sha256}".encode()).digest()
        redact = Redactor(seed, people(config), own_networks(config), keyed=False)
    for value in identities.values():
        redact.principal(value)
    data = config.model_dump(mode="json", exclude_none=True)  # sources keep their own settings
    return layout.json_bytes(redact.scrub_data(data, addresses=False))


def run_identities(config: Config, store: Store, run: RunInfo) -> dict[str, str] | None:
    """The run's pseudonym -> value map of staff and system identities (None if it kept none)."""
    sealed = store.identity_key(run.id)
    if sealed is None:
        return None
    return reveal.open_identities(sealed, pseudonym_key(config))


def write_pack(config: Config, timing: Timing, target: Path, reveal_to: Path | None = None) -> PackResult:
    """Write the auditor pack of the period's newest run (its newest evaluation and reports).

    With ``reveal_to`` (the auditor's certificate), the run's key to its pseudonyms goes into
    the pack encrypted to that certificate (see :mod:`evidence.pack.reveal`).
    """
    key = signer(config)
    recipient = None
    if reveal_to is not None:
        try:
            recipient = reveal.load_certificate(reveal_to.read_bytes(), str(reveal_to))
        except OSError as exc:
            raise PackError(f"cannot read the auditor's certificate {reveal_to}: {exc.strerror}") from None
    store = open_store(config, create=False)
    try:
        run = latest_run(store, timing)
        rows = verify_run(store, run, "pack")
        entry = rows[-1].entry
        found = store.latest_evaluation(run.id)
        if found is None:
            raise PackError(
                f"run {run.id} has no evaluation; "
                f"run `evidence evaluate --period {run.period.label}` first"
            )
        evaluation_id, evaluation = found
        evidence = store.evidence(run.id)
        seals = [e.seal for e in store.stored_evaluations(run.id) if e.seal is not None and e.id <= evaluation_id]
        data = PackInput(
            run=run,
            manifest=parse_manifest(entry.manifest or "", f"manifest of run {run.id}"),
            links=[r.entry.link for r in rows if r.entry.link is not None],
            evaluation=evaluation,
            evaluation_id=evaluation_id,
            evaluation_sealed=evaluation_id == entry.sealed_evaluation_id,
            evaluation_seals=seals,
            catalogues=[load_catalogue(ref) for ref in evaluation.catalogues],
            evidence=evidence,
            reports=report_files(store.reports(evaluation_id), evaluation_id, run),
            copies=copy_files(evidence, store.copy_path),
            samples=store.samples(run.id),
            tool_version=__version__,
            signer=key,
            owners=dict(config.owners),
            due_days=dict(config.gap_plan.due_days),
            signoffs=[s for s in store.signoffs(run.id) if s.record.evaluation_id == evaluation_id],
            tsa_url=config.signing.tsa_url if config.signing and key else None,
        )
        identities = run_identities(config, store, run) if config.secrets.pseudonym_key else None
        data.extra[layout.CONFIG] = packed_config(config, identities or {}, run)
        data.config_matches = config_digest(config) == run.config_sha256
        inputs = evaluation_input(config, evidence, Timing(run.period, evaluation.as_of), evaluation.waivers)
        data.crosswalks = [
            (c, roll_up_crosswalk(c, evaluation, inputs))
            for c in crosswalks(config.policy.catalogues, (), run.period)
        ]
        if recipient is not None:
            if identities is None:
                raise PackError(
                    f"run {run.id} kept no key to its pseudonyms (it ran without a configured "
                    "secrets.pseudonym_key, or found no identities), so --reveal-to has nothing to add"
                )
            content = reveal.document(identities, run.uid, run.period.label)
            data.extra[reveal.MEMBER] = reveal.envelope(content, recipient)
            data.extra[reveal.RECIPIENT] = recipient.public_bytes(serialization.Encoding.PEM)
        shown = evaluation.model_copy(update={"waivers": store.waivers.all()})
        data.html = render_html_set(
            report_set_data(config, run, shown, evidence, data.samples),
            pack_links(data.reports, data.copies),
        )
        return pack_writer.write_pack(data, target)
    finally:
        store.close()


def pack_links(reports: list[DiskFile], copies: list[DiskFile]) -> HtmlLinks:
    """Where the HTML set in the pack's html/ folder finds the PDFs and each evidence file."""
    evidence: dict[str, list[tuple[str, str]]] = {}
    for copy in copies:
        for evidence_id in copy.evidence_ids:
            evidence.setdefault(evidence_id, []).append((PurePosixPath(copy.name).name, f"../{copy.name}"))
    return HtmlLinks(
        evidence=evidence, pdfs={PurePosixPath(r.name).name: f"../{r.name}" for r in reports}
    )


def draw_sample(
    config: Config,
    timing: Timing,
    control_id: str,
    *,
    size: int | None,
    seed: str,
    kinds: list[str] | None = None,
    seed_from: str | None = None,
) -> tuple[RunInfo, int, SampleDraw]:
    """Draw a reproducible sample of a control's population in the period's newest run.

    Without ``size`` the size comes from the table of evidence/pack/sample_sizes.py (by the
    control's frequency). ``seed_from`` records who chose the seed. The draw is recorded for
    the run; the auditor pack carries it in samples.json and the workbook.
    """
    store = open_store(config, create=False)
    try:
        run = latest_run(store, timing)
        catalogue, control = find_control([load_catalogue(r) for r in run.catalogues], control_id)
        evidence = store.evidence(run.id)
        population = build_population(control, evidence, run.period, kinds or [])
        single = None if kinds else like_items(population, control)
        if single is not None:
            others = sorted({m.kind for m in population.members} - {single})
            population = build_population(control, evidence, run.period, [single])
            population.notes.append(
                f"one population of like items: {single} only; the control's other evidence "
                f"({', '.join(others)}) is drawn with --kind"
            )
        choice = recommended_size(control, len(population.members), run.period)
        basis = choice.basis
        if size is not None:
            basis = f"--size {size} given; the table proposes {choice.size}: {choice.basis}"
        draw = sampling.draw_sample(
            control_id=control.id,
            catalogue=catalogue.ref,
            kinds=population.kinds,
            members=population.members,
            size=size if size is not None else choice.size,
            seed=seed,
            notes=population.notes,
            drawn_at=datetime.now(UTC).replace(microsecond=0),
        )
        found = store.latest_evaluation(run.id)
        draw = draw.model_copy(
            update={
                "seed_from": seed_from or "not stated (chosen by whoever ran the draw)",
                "frequency": choice.frequency,
                "size_basis": basis,
                "completeness": completeness(draw, evidence),
                "items": describe_items(draw, control, found[1] if found else None),
            }
        )
        with store.append_to(run.id) as writer:
            draw_id, recorded = writer.add_sample(draw)
        return run, draw_id, recorded
    finally:
        store.close()
