"""`evidence log`: each organisation's chain of sealed runs, every link and seal checked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from evidence import pipeline
from evidence.cli.options import ConfigOption, JsonOption
from evidence.cli.output import print_json, stderr, stdout
from evidence.config import load_config
from evidence.errors import ExitCode
from evidence.pack.chain import GENESIS, ChainLog

_STYLE = {"ok": "green", "broken": "bold red", "unsealed": "yellow"}


def log(
    config: ConfigOption = Path("evidence.toml"),
    every: Annotated[
        bool,
        typer.Option("--all", help="Every organisation in the store, not just the configured one."),
    ] = False,
    json: JsonOption = False,
) -> ExitCode:
    """Show the hash chain of runs: run id, period, start, root hash and previous root hash.

    Every sealed run is checked: its manifest against its hash, its root hash against its manifest
    and the previous run, and the stored evidence and statuses against what it sealed.
    Exit code 0 when the chain is intact, 4 when a link or seal is broken.
    """
    logs = pipeline.chain_log(load_config(config), every_organisation=every)
    if json:
        print_json([_as_json(chain) for chain in logs])
    else:
        for chain in logs:
            _print(chain)
    return ExitCode.VERIFICATION_FAILED if any(chain.broken for chain in logs) else ExitCode.OK


def _as_json(chain: ChainLog) -> dict[str, object]:
    return {
        "developer_id": chain.developer_id,
        "organisation": chain.organisation,
        "intact": not chain.broken,
        "missing": chain.missing,
        "runs": [
            {
                "run": row.entry.run.id,
                "uid": row.entry.run.uid,
                "period": row.entry.run.period.label,
                "started_at": row.entry.run.started_at.isoformat(),
                "status": row.status,
                "root_hash": row.entry.link.root_hash if row.entry.link else None,
                "prev_root_hash": row.entry.link.prev_root_hash if row.entry.link else None,
                "manifest_sha256": row.entry.link.manifest_sha256 if row.entry.link else None,
                "problems": row.problems,
            }
            for row in chain.rows
        ],
    }


def _print(chain: ChainLog) -> None:
    """Newest run first, like `git log`; full hashes, so they can be compared with a pack's."""
    console = stdout()
    console.print(
        f"[bold]Evidence chain of {escape(chain.organisation)}[/] ({escape(chain.developer_id)})"
    )
    if not chain.rows:
        console.print("no runs in the store for this organisation")
    for row in reversed(chain.rows):
        run, link = row.entry.run, row.entry.link
        console.print(
            f"\nrun {run.id}  {run.period.label}  started {run.started_at:%Y-%m-%d %H:%M:%S} UTC  "
            f"[{_STYLE[row.status]}]{row.status}[/]"
        )
        if link is not None:
            console.print(f"  root      {link.root_hash}")
            first = " (first sealed run)" if link.prev_root_hash == GENESIS else ""
            console.print(f"  prev      {link.prev_root_hash}{first}")
            console.print(f"  manifest  {link.manifest_sha256}")
        for problem in row.problems:
            console.print(f"  [bold red]broken:[/] {escape(problem)}")
    for problem in chain.missing:
        console.print(f"\n[bold red]missing:[/] {escape(problem)}")
    sealed = sum(1 for r in chain.rows if r.entry.link)
    unsealed = len(chain.rows) - sealed
    console.print()
    if chain.broken:
        broken = sum(1 for r in chain.rows if r.problems)
        gone = f"; {len(chain.missing)} witnessed seal(s) no longer in the store" if chain.missing else ""
        stderr().print(
            f"[bold red]chain broken:[/] {broken} of {sealed} sealed run(s) fail their checks{gone}"
        )
    elif chain.rows:
        console.print(f"chain intact: {sealed} sealed run(s)")
    if unsealed:
        stderr().print(f"[yellow]note:[/] {unsealed} run(s) were made before runs were sealed")
