"""`evidence pack`: write the auditor pack of a period's newest run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evidence import pipeline
from evidence.cli.options import ConfigOption, JsonOption, PeriodOption, QuietOption, non_empty_path
from evidence.cli.output import print_json, stderr
from evidence.config import load_config
from evidence.errors import ExitCode


def pack(
    config: ConfigOption = Path("evidence.toml"),
    period: PeriodOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Zip file to write (default: out/auditor-pack-<period>.zip).",
            metavar="ZIP",
            parser=non_empty_path("--out", "the zip file to write"),
        ),
    ] = None,
    reveal_to: Annotated[
        Path | None,
        typer.Option(
            "--reveal-to",
            metavar="AUDITOR_CERT",
            help=(
                "The auditor's X.509 certificate (PEM or DER, RSA key): add the key to the "
                "pseudonyms of staff and system identities, encrypted to it (CMS), so only that "
                "auditor can open it (`evidence reveal` or `openssl cms -decrypt`)."
            ),
        ),
    ] = None,
    json: JsonOption = False,
    quiet: QuietOption = False,
) -> ExitCode:
    """Write one zip for auditors: PDFs, manifest, chain, redacted evidence, OSCAL and a README.

    Uses the newest run of the period, its newest evaluation and that evaluation's reports.
    The pack is signed when [signing] names a key. Check it with `evidence verify`, or with
    sha256sum and openssl alone as its README.txt explains.
    """
    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, None)
    target = out or Path("out") / f"auditor-pack-{timing.period.label.replace('..', '_to_')}.zip"
    result = pipeline.write_pack(loaded, timing, target, reveal_to=reveal_to)
    if json:
        print_json(
            {
                "path": str(result.path),
                "sha256": result.sha256,
                "files": result.files,
                "root_hash": result.root_hash,
                "prev_root_hash": result.prev_root_hash,
                "signed": result.fingerprint is not None,
                "fingerprint": result.fingerprint,
                "pseudonym_key": reveal_to is not None,
            }
        )
    elif not quiet:
        console = stderr()
        console.print(f"wrote {result.path} ({result.files} files, sha256 {result.sha256[:16]}…)")
        console.print(f"root hash {result.root_hash}")
        if reveal_to is not None:
            console.print(f"the key to the pseudonyms is encrypted to {reveal_to} (reveal/)")
        if result.fingerprint:
            console.print(f"signed by the key with certificate fingerprint {result.fingerprint}")
        else:
            console.print("[yellow]note:[/] not signed: add a \\[signing] table to the config to sign packs")
    return ExitCode.OK
