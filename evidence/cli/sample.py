"""`evidence sample`: draw a reproducible sample of a control's population for testing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evidence import pipeline
from evidence.cli.options import ConfigOption, JsonOption, PeriodOption
from evidence.cli.output import print_json, stderr, stdout
from evidence.config import load_config
from evidence.errors import ExitCode


def sample(
    control: Annotated[
        str,
        typer.Argument(help="A control id as its catalogue writes it (`evidence policies show CATALOGUE` lists them)."),
    ],
    seed: Annotated[
        str,
        typer.Option(
            "--seed",
            "-s",
            help="Seed: letters, digits, '.', '_' or '-'. The auditor chooses it (say, a number "
            "they picked at the fieldwork meeting) so the preparer cannot pick the draw.",
        ),
    ],
    size: Annotated[
        int | None,
        typer.Option(
            "--size",
            "-n",
            help="How many members to draw (default: the sample-size table by the control's "
            "frequency; see docs/sampling.md).",
            min=1,
        ),
    ] = None,
    seed_from: Annotated[
        str | None,
        typer.Option(
            "--seed-from",
            help="Who chose the seed (e.g. 'A. Auditor, Example LLP'): recorded with the draw.",
        ),
    ] = None,
    period: PeriodOption = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", help="Only members from this evidence kind of the control; repeatable."
        ),
    ] = None,
    config: ConfigOption = Path("evidence.toml"),
    json: JsonOption = False,
) -> ExitCode:
    """Draw members of a control's population with SEED, the same way every time.

    The population is built from the evidence the control needs in the newest run of the period
    (documents of its types, principals, job runs...), sorted by id. Members are ranked by
    SHA-256 of "<seed>:<id>" and the smallest SIZE drawn. The draw is recorded for the run and
    goes into the auditor pack's samples.json.
    """
    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, None)
    run, draw_id, draw = pipeline.draw_sample(
        loaded, timing, control, size=size, seed=seed, kinds=kind, seed_from=seed_from
    )
    if json:
        print_json({"run": run.id, "draw_id": draw_id, **draw.model_dump(mode="json")})
        return ExitCode.OK
    labels = {member.id: member for member in draw.population}
    table = Table(
        title=f"Sample of {draw.control_id} · {run.period.label} · seed {escape(draw.seed)} · "
        f"{len(draw.chosen)} of {draw.population_size}"
    )
    # Documents are their own evidence item; show the item only when members are parts of one.
    parts = any(member.id != member.evidence_id for member in draw.population)
    columns = ("#", "Member", "Evidence", "What", "Tool's result")
    for column in columns if parts else (columns[0], columns[1], columns[3], columns[4]):
        table.add_column(column)
    results = {item.id: item.result for item in draw.items}
    for rank, member_id in enumerate(draw.chosen, start=1):
        member = labels[member_id]
        cells = [
            str(rank), escape(member.id), member.evidence_id, escape(member.label),
            escape(results.get(member_id, "")),
        ]
        table.add_row(*(cells if parts else [cells[0], cells[1], cells[3], cells[4]]))
    stdout().print(table)
    console = stderr()
    by_kind = Counter(member.kind for member in draw.population)
    console.print(
        f"population: {draw.population_size} member(s) "
        f"({', '.join(f'{kind} {count}' for kind, count in sorted(by_kind.items()))}), "
        f"sha256 {draw.population_sha256[:16]}…; algorithm {draw.algorithm}"
    )
    console.print(f"size: {escape(draw.size_basis or str(draw.size))}")
    console.print(f"seed from: {escape(draw.seed_from or 'not stated')}")
    if draw.completeness is not None and draw.completeness.reconciliation:
        console.print(f"reconciliation: {escape(draw.completeness.reconciliation)}")
    for note in draw.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    console.print(
        f"recorded as draw {draw_id} of run {run.id}; `evidence pack` puts it in samples.json"
    )
    return ExitCode.OK
