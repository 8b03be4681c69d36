"""Printing an evaluation: a table in the terminal or JSON, and the exit code it implies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evidence.cli.output import print_json, stdout, styled
from evidence.cli.waivers import waiver_json
from evidence.controls.todo import TodoStep
from evidence.errors import ExitCode
from evidence.model.results import STATUS_ORDER, Evaluation, Status
from evidence.model.run import RunInfo

#: Steps of the to-do list the terminal summary shows.
TOP_STEPS = 5


def exit_code(evaluation: Evaluation) -> ExitCode:
    """OK when nothing is a gap, GAPS_FOUND when any control is not met or lacks evidence."""
    return ExitCode.GAPS_FOUND if evaluation.has_gaps else ExitCode.OK


def evaluation_json(run: RunInfo, evaluation: Evaluation, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document `evaluate --json` and `run --json` print."""
    counts = evaluation.counts()
    split = evaluation.met_split()
    return {
        "run": {"id": run.id, "uid": run.uid, "period": run.period.label, "as_of": evaluation.as_of.isoformat()},
        "catalogues": evaluation.catalogues,
        "counts": {status.value: counts[status] for status in STATUS_ORDER},
        "met": split.model_dump(),
        "results": [r.model_dump(mode="json") for r in evaluation.results],
        "waivers": [waiver_json(w, evaluation.as_of) for w in evaluation.waivers],
        **(extra or {}),
    }


def print_evaluation(
    run: RunInfo,
    evaluation: Evaluation,
    as_json: bool,
    extra: dict[str, Any] | None = None,
    *,
    steps: Sequence[TodoStep] = (),
    show_all: bool = False,
) -> None:
    """Print a summary that fits a screen (``show_all``: every control as a table), or JSON.

    The summary gives the counts, every control not met with its first reason, and the top of
    the to-do list (``steps``, from evidence/controls/todo.py); JSON gives everything.
    """
    if as_json:
        print_json(evaluation_json(run, evaluation, {**(extra or {}), "todo": [s.as_json() for s in steps]}))
        return
    console = stdout()
    title = f"{', '.join(evaluation.catalogues)} · {run.period.label} · as of {evaluation.as_of:%Y-%m-%d}"
    if show_all:
        _print_table(console, evaluation, title)
    else:
        console.print(title, markup=False)
    counts = evaluation.counts()
    split = evaluation.met_split()
    console.print(
        ", ".join(
            f"{styled(s)}: {counts[s]}"
            + (f" (verified {split.verified}, on attestation {split.on_attestation})" if s is Status.MET else "")
            for s in STATUS_ORDER
        )
    )
    for waiver in evaluation.waivers:
        console.print(
            f"waiver {waiver.id} for {waiver.control_id} until {waiver.expires:%Y-%m-%d}, "
            "approved by "
            f"{escape(waiver.approver)} ({waiver.state(evaluation.as_of)}): {escape(waiver.reason)}"
        )
    if show_all:
        return
    not_met = [r for r in evaluation.results if r.status is Status.NOT_MET]
    if not_met:
        console.print(f"{styled(Status.NOT_MET)} ({len(not_met)}):")
        for result in not_met:
            why = result.reasons[0] if result.reasons else ""
            console.print(f"  {result.control_id}: {escape(why)}", no_wrap=True, overflow="ellipsis")
    if steps:
        top = min(TOP_STEPS, len(steps))
        console.print(f"To do next (top {top} of {len(steps)}; `evidence todo` lists every step):")
        for number, step in enumerate(steps[:TOP_STEPS], start=1):
            console.print(f"  {number}. {escape(step.summary())}", no_wrap=True, overflow="ellipsis")
    console.print("every control: --all; everything, reasons and evidence ids: --json", markup=False)


def _print_table(console: Console, evaluation: Evaluation, title: str) -> None:
    table = Table(title=title)
    table.add_column("Control", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Why")
    for result in evaluation.results:
        why = _shorten(result.reasons[0] if result.reasons else "", 140)
        status = styled(result.status)
        if result.status is Status.MET:
            status += " (verified)" if result.verified else " on attestation"
        table.add_row(result.control_id, status, escape(why))
    console.print(table)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
