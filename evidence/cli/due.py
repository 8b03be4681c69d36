"""`evidence due`: what falls due soon (reviews, scans, rotations, waivers), as iCalendar too."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evidence import pipeline
from evidence.cli.options import AsOfOption, ConfigOption, JsonOption, PeriodOption
from evidence.cli.output import print_json, stderr, stdout
from evidence.config import load_config
from evidence.errors import ConfigError, ExitCode
from evidence.pipeline import review as pipeline_review

_WINDOW = re.compile(r"^\s*(\d+)\s*([dw]?)\s*$", re.IGNORECASE)

WithinOption = Annotated[
    str, typer.Option("--within", help="How far ahead to look: days (30d, 30) or weeks (4w).")
]


def parse_window(text: str) -> int:
    """Days in ``30d``, ``30`` or ``4w``; ConfigError otherwise."""
    match = _WINDOW.match(text)
    if not match:
        raise ConfigError(f"--within {text!r} is not a number of days (30d) or weeks (4w)")
    return int(match[1]) * (7 if match[2].lower() == "w" else 1)


def due(
    within: WithinOption = "30d",
    config: ConfigOption = Path("evidence.toml"),
    period: PeriodOption = None,
    as_of: AsOfOption = None,
    ics: Annotated[
        Path | None,
        typer.Option("--ics", help="Also write the upcoming items to this iCalendar file."),
    ] = None,
    json: JsonOption = False,
) -> ExitCode:
    """List what falls due within the window after the as-of date (default: the period's end).

    Due dates come from the newest run of the period: documents' next-review dates, the latest
    evidence of each cadence control plus its cadence, credential rotations and waiver expiries.
    Items already overdue are listed too (not in the calendar file).
    """
    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, as_of)
    report = pipeline_review.due(loaded, timing, parse_window(within))
    if ics is not None:
        events = pipeline_review.write_calendar(loaded, report, ics)
        if not json:
            stderr().print(f"wrote {ics} ({events} event(s))")
    if json:
        print_json(
            {
                "as_of": report.as_of.isoformat(),
                "until": report.until.isoformat(),
                "items": [item.model_dump(mode="json") for item in report.items],
            }
        )
        return ExitCode.OK
    table = Table(title=f"Due from {timing.as_of:%Y-%m-%d} to {report.until.isoformat()}")
    for column in ("Due", "What", "Controls", "Basis"):
        table.add_column(column)
    for item in report.items:
        when = item.due.isoformat() + (" [bold red]overdue[/]" if item.overdue else "")
        table.add_row(when, escape(item.title), ", ".join(item.controls), escape(item.basis))
    console = stdout()
    console.print(table) if report.items else console.print("nothing falls due")
    return ExitCode.OK
