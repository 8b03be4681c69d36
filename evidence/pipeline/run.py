"""A full run (collect, evaluate, report) in one store transaction, and settings snapshots."""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evidence import __version__
from evidence.config.schema import Config
from evidence.controls.catalogue import catalogue_files
from evidence.controls.evaluate import evaluate
from evidence.errors import ConfigError
from evidence.model.catalogue import Catalogue
from evidence.model.evidence import EvidenceItem
from evidence.model.progress import SILENT, Progress
from evidence.model.report import (
    RenderedReport,
)
from evidence.model.results import Evaluation
from evidence.model.run import RunInfo
from evidence.pack import chain
from evidence.pack.manifest import build_manifest
from evidence.pipeline.collect import collect
from evidence.pipeline.context import Timing, catalogues, config_digest, open_store
from evidence.pipeline.crosswalks import crosswalks
from evidence.pipeline.evaluation import evaluation_input
from evidence.pipeline.keys import unsigned_note
from evidence.pipeline.report import check_only, render, stage
from evidence.render.output_set import OutputSet
from evidence.store import RunWriter


@dataclass
class RunOutcome:
    """What a run produced."""

    run: RunInfo
    evidence: list[EvidenceItem]
    evaluation: Evaluation | None = None
    evaluation_id: int | None = None
    reports: list[RenderedReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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
                inputs = evaluation_input(config, evidence, timing, waivers, reraise=reraise)
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


def checkpoint(name: str) -> None:
    """Fault injection for the crash tests: ``EVIDENCE_KILL_AT=name`` kills the process here.

    The tests kill a run at each point and check the output folder holds one complete set.
    """
    if os.environ.get("EVIDENCE_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def describe_outcome(outcome: RunOutcome) -> dict[str, Any]:
    """A JSON-friendly summary of a run."""
    return {
        "run": outcome.run.model_dump(mode="json"),
        "evidence": len(outcome.evidence),
        "notes": outcome.notes,
        "reports": [r.model_dump(mode="json") for r in outcome.reports],
    }
