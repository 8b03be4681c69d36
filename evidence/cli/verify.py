"""`evidence verify`: check an auditor pack offline, with nothing but the pack."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from evidence.cli.options import JsonOption
from evidence.cli.output import print_json, stdout
from evidence.errors import ExitCode
from evidence.pack.verify import verify_pack


def verify(
    pack: Annotated[Path, typer.Argument(help="The auditor pack (zip) to check.")],
    trust: Annotated[
        str | None,
        typer.Option(
            "--trust",
            help="SHA-256 fingerprint the signer certificate must have, as "
            "`openssl x509 -noout -fingerprint -sha256` prints it (colons optional).",
        ),
    ] = None,
    json: JsonOption = False,
) -> ExitCode:
    """Check every file against SHA256SUMS, the signature, the chain and the sealed manifest.

    Works offline. Prints each check that failed and exits 4 when any did; exit 2 when the file
    is not a pack that can be opened safely (path traversal, links, zip bombs).
    """
    report = verify_pack(pack, trust)
    if json:
        print_json(
            {
                "pack": str(pack),
                "ok": report.ok,
                "failures": report.failures,
                "passed": report.passed,
                "notes": report.notes,
                **report.facts,
            }
        )
        return ExitCode.OK if report.ok else ExitCode.VERIFICATION_FAILED
    console = stdout()
    facts = report.facts
    if facts.get("organisation"):
        console.print(
            f"pack of {escape(str(facts['organisation']))}, "
            f"period {escape(str(facts.get('period')))}, "
            f"run {escape(str(facts.get('run_uid')))}"
        )
    if facts.get("root_hash"):
        console.print(f"root hash {facts['root_hash']} (previous {facts.get('prev_root_hash')})")
    for signoff in facts.get("signoffs", []):
        console.print(
            f"signed off by {escape(str(signoff['signer']))} ({escape(str(signoff['role']))}) "
            f"at {escape(str(signoff['signed_at']))}"
        )
    for line in report.passed:
        console.print(f"[green]ok[/]      {escape(line)}")
    for line in report.notes:
        console.print(f"[yellow]note[/]    {escape(line)}")
    for line in report.failures:
        console.print(f"[bold red]FAILED[/]  {escape(line)}")
    if report.ok:
        console.print("[green]verified:[/] the pack is complete and unaltered")
        return ExitCode.OK
    console.print(f"[bold red]verification failed:[/] {len(report.failures)} problem(s)")
    return ExitCode.VERIFICATION_FAILED
