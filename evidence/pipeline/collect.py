"""Collecting: configured sources run into a run's writer, every item scrubbed, provenanced and sealed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from evidence.collectors import provenance
from evidence.collectors import registry as collector_registry
from evidence.collectors.base import Collector, CollectorContext, CollectorSettings
from evidence.collectors.inputs import input_limits
from evidence.config.load import validate_settings
from evidence.config.schema import Config, SourceConfig
from evidence.errors import EvidenceError, InputError
from evidence.model.access import AccessPolicy
from evidence.model.evidence import EvidenceItem, RawInput, stable_evidence_id
from evidence.model.period import Period
from evidence.model.progress import SILENT, Progress
from evidence.pack import reveal
from evidence.pipeline.context import Timing, redactor
from evidence.redact import Redactor
from evidence.store import RunWriter

ALWAYS_ON = "organisation"


@dataclass
class Source:
    """A configured source with its validated settings."""

    config: SourceConfig
    collector: type[Collector]  # type: ignore[type-arg]
    settings: CollectorSettings


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
