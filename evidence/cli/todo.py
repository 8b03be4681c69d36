"""`evidence todo`: what to add or fix next, the step that decides the most elements first."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from evidence.cli.options import AsOfOption, ConfigOption, JsonOption, PeriodOption
from evidence.cli.output import print_json, stdout
from evidence.cli.tracing import reraise_internal
from evidence.config import load_config
from evidence.controls.todo import StepKind, TodoStep, open_elements
from evidence.errors import ExitCode
from evidence.model.results import Evaluation
from evidence.model.run import RunInfo


def todo(
    config: ConfigOption = Path("evidence.toml"),
    period: PeriodOption = None,
    as_of: AsOfOption = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Print only the first N steps.")
    ] = None,
    json: JsonOption = False,
) -> ExitCode:
    """List every open element of the newest evaluation, grouped by the step that would decide it.

    Steps are ordered by how many elements each would decide: add a source of a collector,
    register a document (with the register fields its type needs), fix a control that is not
    met (the catalogue's remediation). An element with several ways to be decided is listed
    under each. Run `evidence run` (or `evidence collect`) first.
    """
    from evidence import pipeline  # lazy: keeps `evidence --help` fast

    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, as_of)
    run, evaluation = pipeline.newest_evaluation(loaded, timing, reraise=reraise_internal())
    steps = pipeline.todo(loaded, evaluation)
    if json:
        print_json(todo_json(run, evaluation, steps))
        return ExitCode.OK
    print_todo(stdout(), steps, limit=limit)
    return ExitCode.OK


def todo_json(run: RunInfo, evaluation: Evaluation, steps: Sequence[TodoStep]) -> dict[str, Any]:
    """The document `evidence todo --json` prints."""
    return {
        "run": {"id": run.id, "uid": run.uid, "period": run.period.label, "as_of": evaluation.as_of.isoformat()},
        "open_elements": len(open_elements(steps)),
        "steps": [s.as_json() for s in steps],
    }


def print_todo(console: Console, steps: Sequence[TodoStep], *, limit: int | None = None, detail: bool = True) -> None:
    """Print the numbered steps (the first ``limit``), with controls and document fields."""
    if not steps:
        console.print("nothing to do: every element of every control is decided")
        return
    total = len(open_elements(steps))
    console.print(
        f"{total} open element{'s' if total != 1 else ''}; "
        f"{len(steps)} step{'s' if len(steps) != 1 else ''}, the one deciding the most first "
        "(an element with several ways to be decided is listed under each):",
        markup=False,
    )
    shown = steps[:limit] if limit else steps
    for number, step in enumerate(shown, start=1):
        console.print(f"{number:>3}. {escape(step.summary())}")
        if not detail:
            continue
        console.print(f"       controls: {', '.join(step.controls)}", markup=False)
        if step.remediation:
            console.print(f"       how: {escape(step.remediation)}")
        if step.kind is StepKind.DOCUMENT:
            if step.description:
                console.print(f"       what: {escape(step.description)}")
            for name, meaning in step.fields.items():
                console.print(f"       field {name}: {escape(meaning)}")
            console.print(f"       starter and register entry: `evidence template {step.target}`", markup=False)
    if limit and len(steps) > limit:
        console.print(f"     ... and {len(steps) - limit} more: `evidence todo`", markup=False)
