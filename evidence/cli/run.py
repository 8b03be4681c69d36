"""`evidence run` and `evidence collect`: collect (and evaluate and report) in one transaction."""

from __future__ import annotations

from pathlib import Path

from evidence.cli.options import (
    AllOption,
    AsOfOption,
    CatalogueOption,
    ConfigOption,
    JsonOption,
    NoSignOption,
    OnlyOption,
    OutOption,
    PeriodOption,
    QuietOption,
    SnapshotOption,
)
from evidence.cli.output import RichProgress, print_json, stderr
from evidence.cli.summary import exit_code, print_evaluation
from evidence.cli.tracing import reraise_internal
from evidence.config import load_config
from evidence.errors import ExitCode


def run(
    config: ConfigOption = Path("evidence.toml"),
    period: PeriodOption = None,
    as_of: AsOfOption = None,
    out: OutOption = Path("out"),
    json: JsonOption = False,
    quiet: QuietOption = False,
    no_sign: NoSignOption = False,
    only: OnlyOption = None,
    catalogue: CatalogueOption = None,
    show_all: AllOption = False,
) -> ExitCode:
    """Collect evidence, evaluate every control and write the report set.

    An attestation per catalogue, the gap report and plan of action, and the
    profile answer sheet (signed copies too when the config names a key).
    Exit code 0 when every control is met, 3 when there are gaps, 2 on a
    usage, config or input error, 1 on an internal error.
    """
    from evidence import pipeline  # lazy: keeps `evidence --help` fast

    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, as_of)
    with RichProgress(quiet) as progress:
        outcome = pipeline.full_run(
            loaded, timing, out, progress, reraise=reraise_internal(), sign=not no_sign,
            only=only or (),
            crosswalk_refs=catalogue or (),
        )
    assert outcome.evaluation is not None
    extra = pipeline.describe_outcome(outcome)
    rolled = (
        pipeline.crosswalk_roll_ups(loaded, outcome.evaluation, outcome.evidence, timing.period, catalogue or ())
        if json
        else []
    )
    print_evaluation(
        outcome.run,
        outcome.evaluation,
        json,
        extra={
            "reports": extra["reports"],
            "notes": outcome.notes,
            "crosswalks": [r.model_dump(mode="json") for _, r in rolled],
        },
        steps=pipeline.todo(loaded, outcome.evaluation),
        show_all=show_all,
    )
    if not json and not quiet:
        console = stderr()
        for report in outcome.reports:
            console.print(f"wrote {report.path} ({report.pages} pages, sha256 {report.sha256[:16]}…)")
    return exit_code(outcome.evaluation)


def collect(
    config: ConfigOption = Path("evidence.toml"),
    period: PeriodOption = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    quiet: QuietOption = False,
    snapshot: SnapshotOption = False,
) -> ExitCode:
    """Collect evidence from every configured source into the store (a new run).

    With --snapshot, only the sources that read settings as they are now (aws, aws-cli) run,
    and their items are kept as a dated snapshot; every later run of the period uses all of
    them, so settings are judged on every day (schedule it daily: docs/snapshots.md).
    """
    from evidence import pipeline  # lazy: keeps `evidence --help` fast

    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, as_of)
    with RichProgress(quiet) as progress:
        if snapshot:
            outcome = pipeline.snapshot(loaded, timing, progress, reraise=reraise_internal())
        else:
            outcome = pipeline.full_run(
                loaded, timing, None, progress, evaluate_too=False, reraise=reraise_internal()
            )
    summary = pipeline.describe_outcome(outcome)
    summary["items"] = [
        {"id": i.id, "kind": i.kind, "source": i.source, "error": i.error, "stats": i.stats.model_dump()}
        for i in outcome.evidence
    ]
    if json:
        print_json(summary)
    elif not quiet:
        stderr().print(
            f"{'snapshot' if snapshot else 'run'} {outcome.run.id} ({outcome.run.period.label}): "
            f"{len(outcome.evidence)} evidence items "
            f"from {len({i.source for i in outcome.evidence})} sources"
        )
    return ExitCode.OK
