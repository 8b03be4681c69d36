"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from evidence.errors import ConfigError

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", help="Configuration file.", envvar="EVIDENCE_CONFIG"),
]
PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        "-p",
        help="Review period: a quarter (2026-Q3), a month (2026-07) or a range (2026-07-01..2026-09-30). "
        "Overrides review_period in the config.",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Judge recency, cadence and due dates as of this date or time (default: the period's end).",
    ),
]


def non_empty_path(option: str, what: str) -> Callable[[str | Path], Path]:
    """A parser for a path option that refuses an empty value (it would mean the current folder unasked)."""

    def parse(value: str | Path) -> Path:
        if not str(value).strip():
            raise ConfigError(f"{option} is empty: name {what}")
        return Path(value)

    return parse


OutOption = Annotated[
    Path,
    typer.Option(
        "--out",
        "-o",
        help="Folder for the PDF reports.",
        parser=non_empty_path("--out", "the folder for the reports (for example out)"),
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
AllOption = Annotated[
    bool, typer.Option("--all", help="Print every control as a table, not only the summary.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or notes (for cron).")]
TracebackOption = Annotated[bool, typer.Option("--traceback", help="Show the Python traceback of an internal error.")]
NoSignOption = Annotated[
    bool,
    typer.Option(
        "--no-sign",
        help="Kept for scripts: reports are always written unsigned and signed at `evidence sign-off`.",
    ),
]
OnlyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--only",
        help="Render only this report (repeatable): a catalogue id such as amazon-dpp or amazon-aup, "
        "gap-report, or profile-answers. Default: the whole set.",
        show_default=False,
    ),
]
CatalogueOption = Annotated[
    list[str] | None,
    typer.Option(
        "--catalogue",
        help="Also write the attestation of this crosswalk framework (repeatable), e.g. soc2@2017, "
        "rolled up from the same evaluation; nothing is collected again.",
        show_default=False,
    ),
]

SnapshotOption = Annotated[
    bool,
    typer.Option(
        "--snapshot",
        help="Only add a dated snapshot of the settings sources (aws, aws-cli); run it daily.",
    ),
]
