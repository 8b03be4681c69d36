"""`evidence review`: the quarterly review PDF for security leads."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from evidence import pipeline
from evidence.cli.due import WithinOption, parse_window
from evidence.cli.options import ConfigOption, JsonOption, OutOption, PeriodOption, QuietOption
from evidence.cli.output import print_json, stderr
from evidence.cli.tracing import reraise_internal
from evidence.config import load_config
from evidence.errors import ConfigError, ExitCode
from evidence.pipeline import review as pipeline_review


def _day(text: str | None) -> date | None:
    """The ``--on`` day, or a usage error naming the option."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--on {text!r}: expected a date as YYYY-MM-DD") from None


def review(
    config: ConfigOption = Path("evidence.toml"),
    period: PeriodOption = None,
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous", help="The period to compare with (default: the one just before)."
        ),
    ] = None,
    within: WithinOption = "30d",
    trend: Annotated[
        int, typer.Option("--trend", min=1, max=12, help="Periods shown in the trend chart.")
    ] = pipeline_review.TREND_PERIODS,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help="The day the review is judged as of besides the period's end (YYYY-MM-DD; "
            "default: the day of the period's newest run).",
        ),
    ] = None,
    out: OutOption = Path("out"),
    json: JsonOption = False,
    quiet: QuietOption = False,
) -> ExitCode:
    """Write the quarterly review PDF: a page of headline changes, then the detail.

    The headline page shows status changes, new and resolved gaps, figures that moved, evidence
    gone stale, waivers expiring and what falls due; the detail pages add the trend chart and
    every change, due date, waiver and open gap. Run `evidence run` for both periods first.
    """
    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, None)
    report, diff = pipeline_review.quarterly_review(
        loaded,
        timing,
        out,
        previous=previous,
        within_days=parse_window(within),
        trend_periods=trend,
        generated_on=_day(on),
        reraise=reraise_internal(),
    )
    if json:
        print_json(
            {
                "report": report.model_dump(mode="json"),
                "diff": diff.model_dump(mode="json") if diff else None,
            }
        )
    elif not quiet:
        if diff is None:
            stderr().print(
                "note: the previous period has no run in the store; the review has no comparison"
            )
        stderr().print(f"wrote {report.path} ({report.pages} pages, sha256 {report.sha256[:16]}…)")
    return ExitCode.OK
