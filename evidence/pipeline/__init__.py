"""The one orchestrator: config -> collectors -> store -> controls -> render, as data between stages.

The CLI calls these functions; the stages never call each other. A full run (collect, evaluate,
report) is one store transaction: killed midway, it leaves no rows behind. One module per use
case, all sharing :mod:`evidence.pipeline.context` (timing, store, catalogues, redactor) and
:mod:`evidence.pipeline.keys` (the one signing-key loader):

- ``collect``: sources into a run's writer, scrubbed and sealed item by item;
- ``evaluation``: evaluating stored evidence, the to-do list;
- ``report``: the report set of an evaluation, rendered and staged;
- ``run``: a full run in one transaction, and settings snapshots;
- ``integrity``: the chain checked before stored facts are read, the chain log;
- ``pack``: the auditor pack; ``sample``: sample draws; ``signoff``: a person's approval,
  signing the reports; ``review``: waivers, diffs, due dates, the quarterly review.
"""

from __future__ import annotations

from evidence.pipeline.collect import (
    ALWAYS_ON,
    Source,
    collect,
    keep_identity_key,
    scrub_item,
    sources,
    with_period,
    with_shared_settings,
)
from evidence.pipeline.context import (
    Timing,
    catalogues,
    config_digest,
    latest_run,
    open_store,
    own_networks,
    people,
    pseudonym_key,
    redactor,
    resolve_timing,
)
from evidence.pipeline.evaluation import evaluate_stored, evaluation_input, newest_evaluation, reading_choices, todo
from evidence.pipeline.integrity import chain_log, copy_problems, verify_run, witness_problems
from evidence.pipeline.keys import KeyChoice, KeyFile, signer, signing_key_file, unsigned_note
from evidence.pipeline.pack import pack_links, packed_config, run_identities, write_pack
from evidence.pipeline.report import (
    check_only,
    crosswalk_roll_ups,
    organisation_summary,
    render,
    report_name,
    report_set_data,
    report_stored,
    stage,
)
from evidence.pipeline.run import RunOutcome, checkpoint, describe_outcome, full_run, seal_run, snapshot
from evidence.pipeline.sample import draw_sample

__all__ = [
    "ALWAYS_ON",
    "RunOutcome",
    "Source",
    "Timing",
    "catalogues",
    "chain_log",
    "check_only",
    "checkpoint",
    "collect",
    "config_digest",
    "crosswalk_roll_ups",
    "copy_problems",
    "describe_outcome",
    "draw_sample",
    "evaluate_stored",
    "evaluation_input",
    "full_run",
    "keep_identity_key",
    "latest_run",
    "newest_evaluation",
    "open_store",
    "organisation_summary",
    "own_networks",
    "pack_links",
    "packed_config",
    "people",
    "pseudonym_key",
    "reading_choices",
    "redactor",
    "render",
    "report_name",
    "report_set_data",
    "report_stored",
    "resolve_timing",
    "run_identities",
    "scrub_item",
    "seal_run",
    "signer",
    "signing_key_file",
    "KeyChoice",
    "KeyFile",
    "snapshot",
    "sources",
    "stage",
    "todo",
    "unsigned_note",
    "verify_run",
    "with_period",
    "with_shared_settings",
    "witness_problems",
    "write_pack",
]
