"""`evidence sign-off`: approve the period's reports; they are signed then, and the approval sealed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from evidence import pipeline
from evidence.cli.options import ConfigOption, JsonOption, PeriodOption
from evidence.cli.output import print_json, stderr, stdout
from evidence.config import load_config
from evidence.errors import ConfigError, ExitCode
from evidence.pipeline.signoff import sign_off as do_sign_off


def sign_off(
    signer: Annotated[
        str, typer.Option("--as", help="Name of the person who approves the reports.")
    ],
    role: Annotated[
        str,
        typer.Option("--role", help="Their role, as the sign-off shows it (e.g. 'Security Lead')."),
    ] = "Security Lead",
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="The signer's PKCS#12 key and certificate (default: the one \\[signing] names).",
        ),
    ] = None,
    password_env: Annotated[
        str | None,
        typer.Option(
            "--password-env",
            help="Environment variable holding the --key file's password (never on the command line).",
        ),
    ] = None,
    period: PeriodOption = None,
    config: ConfigOption = Path("evidence.toml"),
    json: JsonOption = False,
) -> ExitCode:
    r"""Sign off the reports of the period's newest evaluation as NAME (--as), with their key.

    Checks the evidence chain and that every rendered report is the one recorded, writes a
    PAdES-signed copy of each (*.signed.pdf; RFC 3161 timestamped when \[signing] tsa_url is set)
    naming the signer and role, and records who approved which reports and when, sealed in the
    chain after the evaluation. `evidence pack` carries the record (signoffs.json) and `evidence
    verify` checks it. Warns when the signer owns controls the reports judge (\[owners]).
    """
    loaded = load_config(config)
    timing = pipeline.resolve_timing(loaded, period, None)
    password = None
    if password_env is not None:
        value = os.environ.get(password_env)
        if value is None:
            raise ConfigError(f"--password-env {password_env}: the variable is not set")
        password = value.encode()
    result = do_sign_off(
        loaded, timing, name=signer, role=role, key_path=key, password=password
    )
    record = result.signoff.record
    if json:
        print_json({"run": result.run_id, **result.signoff.model_dump(mode="json")})
        return ExitCode.OK
    console = stdout()
    console.print(
        f"signed off {len(record.reports)} report(s) of {record.period} (run {record.run_uid}) as "
        f"{escape(record.signer)}, {escape(record.role)}, at {record.signed_at}"
    )
    for path in result.signed:
        console.print(f"wrote {escape(str(path))}")
    console.print(f"sealed as {result.signoff.root_hash} (after {result.signoff.prev_hash[:16]}…)")
    for warning in record.warnings:
        stderr().print(f"[yellow]warning:[/] {escape(warning)}")
    return ExitCode.OK
