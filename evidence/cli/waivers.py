"""`evidence waive`, `unwaive` and `waivers`: accepted exceptions that expire."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from evidence import pipeline
from evidence.cli.options import AsOfOption, ConfigOption, JsonOption, PeriodOption
from evidence.cli.output import print_json, stderr, stdout
from evidence.config import load_config
from evidence.errors import ConfigError, ExitCode
from evidence.model.results import Waiver
from evidence.pipeline import review as pipeline_review

ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Who records this (default: the operating-system user)."),
]


def waive(
    control: Annotated[str, typer.Argument(help="The control to waive: its id as the catalogue writes it.")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the gap is accepted, and until what.")
    ],
    approver: Annotated[str, typer.Option("--approver", help="Who approved the exception.")],
    expires: Annotated[
        str,
        typer.Option(
            "--expires", help="Last day the waiver counts (YYYY-MM-DD), at most a year away."
        ),
    ],
    by: ByOption = None,
    config: ConfigOption = Path("evidence.toml"),
    json: JsonOption = False,
) -> ExitCode:
    """Record a waiver: while in force it turns the control's gap into "waived".

    A waiver counts from the moment it is recorded to the end of its expiry day; it never lasts
    more than 365 days. Every report lists it with its reason, approver and expiry.
    """
    loaded = load_config(config)
    waiver = pipeline_review.grant_waiver(
        loaded, control, reason=reason, approver=approver, expires=_day(expires), by=by or _user()
    )
    if json:
        print_json(waiver.model_dump(mode="json"))
    else:
        stderr().print(
            f"recorded waiver {waiver.id} for {waiver.control_id}, "
            f"approved by {escape(waiver.approver)}, "
            f"until {waiver.expires.date().isoformat()}"
        )
    return ExitCode.OK


def unwaive(
    waiver_id: Annotated[
        str, typer.Argument(metavar="WAIVER", help="The waiver id, e.g. WV-1A2B3C4D5E.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why the waiver ends early.")],
    by: ByOption = None,
    config: ConfigOption = Path("evidence.toml"),
    json: JsonOption = False,
) -> ExitCode:
    """Revoke a waiver from now on (recorded as a new entry; nothing is deleted)."""
    loaded = load_config(config)
    waiver = pipeline_review.revoke_waiver(loaded, waiver_id, reason=reason, by=by or _user())
    if json:
        print_json(waiver.model_dump(mode="json"))
    else:
        stderr().print(f"revoked waiver {waiver.id} for {waiver.control_id}")
    return ExitCode.OK


def waivers(
    config: ConfigOption = Path("evidence.toml"),
    period: PeriodOption = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
) -> ExitCode:
    """List every waiver with whether it counts as of the period's end (or --as-of)."""
    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, as_of)
    found = pipeline_review.list_waivers(loaded)
    if json:
        print_json([waiver_json(w, timing.as_of) for w in found])
        return ExitCode.OK
    table = Table(title=f"Waivers · as of {timing.as_of:%Y-%m-%d}")
    for column in ("Waiver", "Control", "As of", "Reason", "Approver", "Granted", "Expires"):
        table.add_column(column)
    for w in found:
        table.add_row(
            w.id,
            w.control_id,
            w.state(timing.as_of),
            escape(w.reason),
            escape(w.approver),
            f"{w.created_at:%Y-%m-%d %H:%M} by {escape(w.created_by)}",
            w.expires.date().isoformat(),
        )
    console = stdout()
    console.print(table) if found else console.print("no waivers recorded")
    return ExitCode.OK


def waiver_json(waiver: Waiver, as_of: datetime) -> dict[str, Any]:
    """Give a waiver as JSON with its standing at ``as_of``."""
    return {
        **waiver.model_dump(mode="json"),
        "in_force": waiver.in_force(as_of),
        "state": waiver.state(as_of),
    }


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"--expires {text!r} is not a date (YYYY-MM-DD)") from None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        raise ConfigError("cannot tell who you are: pass --by NAME") from None
