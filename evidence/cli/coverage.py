"""`evidence policies coverage`: which criteria of a crosswalk framework the evidence can decide."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evidence.cli.options import JsonOption
from evidence.cli.output import print_json, stdout
from evidence.controls.crosswalk import CoverageRow, load_crosswalk, resolve
from evidence.controls.crosswalk import coverage as coverage_rows
from evidence.errors import ExitCode


def coverage(
    ref: Annotated[str, typer.Argument(metavar="FRAMEWORK", help="A crosswalk framework, e.g. soc2@2017.")],
    json: JsonOption = False,
) -> ExitCode:
    """List the criteria the evidence can decide and those it cannot (not covered, or only planned checks).

    A criterion can be decided when every control it maps to, and every check of its own, has a
    built check for each requirement element; the mappings use each catalogue's current version.
    """
    crosswalk = load_crosswalk(ref)
    rows = coverage_rows(resolve(crosswalk, None))
    decidable = [r for r in rows if r.decidable]
    undecidable = [r for r in rows if not r.decidable]
    if json:
        print_json(
            {
                "framework": crosswalk.ref,
                "criteria": len(rows),
                "decidable": [_row(r) for r in decidable],
                "undecidable": [_row(r) for r in undecidable],
            }
        )
        return ExitCode.OK
    console = stdout()
    for title, group in (("Can be decided by the evidence", decidable), ("Cannot be decided", undecidable)):
        table = Table(title=f"{crosswalk.ref}: {title} ({len(group)} of {len(rows)})")
        for column in ("Criterion", "Title", "Why"):
            table.add_column(column)
        for r in group:
            table.add_row(r.criterion.id, escape(r.criterion.title), escape(r.why))
        console.print(table)
    return ExitCode.OK


def _row(row: CoverageRow) -> dict[str, object]:
    c = row.criterion
    return {
        "id": c.id,
        "family": c.family,
        "title": c.title,
        "maps_to": c.maps_to,
        "checks": [ref.check for ref in c.checks],
        "not_covered": c.not_covered,
        "why": row.why,
    }
