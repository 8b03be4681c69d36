"""`evidence collectors`: the installed collectors, built-in or plugin."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from evidence.cli.options import JsonOption
from evidence.cli.output import print_json, stdout
from evidence.collectors import registry
from evidence.errors import ExitCode


def collectors(json: JsonOption = False) -> ExitCode:
    """List every collector found through the `evidence.collectors` entry points."""
    found = registry.available()
    if json:
        print_json(
            [
                {"id": cid, "description": cls.description, "produces": list(cls.produces)}
                for cid, cls in found.items()
            ]
        )
        return ExitCode.OK
    table = Table(title="Collectors")
    table.add_column("Id", no_wrap=True)
    table.add_column("Description")
    table.add_column("Evidence kinds")
    for cid, cls in found.items():
        table.add_row(cid, escape(cls.description), ", ".join(cls.produces))
    stdout().print(table)
    return ExitCode.OK
