"""`evidence diff OLD NEW`: what changed between the newest evaluations of two periods."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evidence.cli.options import ConfigOption, JsonOption
from evidence.cli.output import print_json, stdout, styled
from evidence.cli.tracing import reraise_internal
from evidence.config import load_config
from evidence.errors import ExitCode
from evidence.model.results import STATUS_ORDER
from evidence.model.review import PeriodDiff
from evidence.pipeline import review as pipeline_review


def diff(
    old: Annotated[str, typer.Argument(help="The earlier period, e.g. 2026-Q2.")],
    new: Annotated[str, typer.Argument(help="The later period, e.g. 2026-Q3.")],
    config: ConfigOption = Path("evidence.toml"),
    json: JsonOption = False,
) -> ExitCode:
    """Compare two periods: status changes, new and resolved gaps, stale evidence, moved figures.

    Each period is represented by the newest evaluation of its newest run in the store.
    """
    result = pipeline_review.diff_periods(load_config(config), old, new, reraise=reraise_internal())
    if json:
        print_json(result.model_dump(mode="json"))
    else:
        print_diff(result)
    return ExitCode.OK


def print_diff(result: PeriodDiff) -> None:
    """Print the diff as tables in the terminal."""
    console = stdout()
    before, after = result.old, result.new
    console.print(
        f"[bold]{before.label}[/] (as of {before.as_of:%Y-%m-%d}) → [bold]{after.label}[/] "
        f"(as of {after.as_of:%Y-%m-%d})"
    )
    console.print(
        ", ".join(
            f"{styled(s)} {result.old_counts.get(s, 0)} → {result.new_counts.get(s, 0)}"
            for s in STATUS_ORDER
        )
    )
    if result.old_met and result.new_met:
        console.print(f"met: {result.old_met} → {result.new_met}")
    if result.status_changes:
        table = Table(title="Status changes")
        for column in ("Control", "Title", before.label, after.label, "Change"):
            table.add_column(column)
        for c in result.status_changes:
            table.add_row(
                c.control_id, escape(c.title), escape(c.old_label), escape(c.new_label), c.direction
            )
        console.print(table)
    else:
        console.print("no control changed status")
    console.print(
        f"new gaps ({len(result.new_gaps)}): "
        f"{', '.join(c.control_id for c in result.new_gaps) or 'none'}"
    )
    console.print(
        f"resolved gaps ({len(result.resolved_gaps)}): "
        f"{', '.join(c.control_id for c in result.resolved_gaps) or 'none'}"
    )
    moved = result.moved_figures
    if moved:
        table = Table(title="Figures that moved")
        for column in ("Control", "Figure", before.label, after.label):
            table.add_column(column)
        for f in moved:
            table.add_row(f.control_id, f.figure, str(f.old), str(f.new))
        console.print(table)
    ageing = len(result.figures) - len(moved)
    if ageing:
        console.print(f"({ageing} age figure(s) grew only because the same evidence got older)")
    if result.stale:
        table = Table(title="Evidence that went stale")
        for column in ("Evidence", "Title", "Controls", "Why"):
            table.add_column(column)
        for s in result.stale:
            table.add_row(s.evidence_id, escape(s.title), ", ".join(s.controls), escape(s.reason))
        console.print(table)
    for m in result.missing:
        error = f": {escape(m.error)}" if m.error else ""
        console.print(
            f"source {escape(m.source)!r} had {m.before} {m.kind} item(s) before "
            f"and none now{error}"
        )

