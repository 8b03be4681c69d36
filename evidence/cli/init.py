"""`evidence init`: write a commented starter config (with --detect, the sources this machine offers)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from evidence.cli.options import JsonOption
from evidence.cli.output import print_json, stderr
from evidence.cli.starter import starter_config
from evidence.errors import ConfigError, ExitCode


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path("evidence.toml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    detect: Annotated[
        bool,
        typer.Option(
            "--detect",
            help="Look (read-only) for logs, server configurations, Terraform files, AWS credentials "
            "(STS GetCallerIdentity only) and identity-provider credentials, and add a source for each.",
        ),
    ] = False,
    root: Annotated[
        Path,
        typer.Option("--root", help="With --detect: look under this folder instead of / (a copy of a host)."),
    ] = Path("/"),
    no_aws: Annotated[bool, typer.Option("--no-aws", help="With --detect: make no AWS call.")] = False,
    json: JsonOption = False,
) -> ExitCode:
    """Write a commented starter evidence.toml to edit.

    With --detect, every source found is added, commented with what it decides; sources that
    need an export first (an identity provider's log, the journal, Kubernetes jobs) are added
    commented out with the command that makes it. Terraform files are looked for under --root
    when it is given, else under the current folder. Finding nothing is not an error.
    """
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; use --force to overwrite it")
    if not root.is_dir():
        raise ConfigError(f"--root {root}: not a folder")
    text = starter_config()
    detection = None
    if detect:
        from evidence.config.detect import detect as run_detection
        from evidence.config.detect import render_sources

        given = root.resolve() != Path("/")
        detection = run_detection(
            root.resolve(), dict(os.environ), root.resolve() if given else Path.cwd(), aws=not no_aws
        )
        text += render_sources(detection)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    if json:
        print_json(
            {
                "path": str(path),
                "findings": [f.as_json() for f in detection.findings] if detection else [],
                "looked_for": detection.looked_for if detection else [],
                "notes": detection.notes if detection else [],
            }
        )
        return ExitCode.OK
    console = stderr()
    if detection is not None:
        for note in detection.notes:
            console.print(f"note: {note}", markup=False)
        if detection.findings:
            for finding in detection.findings:
                state = "added" if finding.ready else "added, commented out until its export exists"
                console.print(f"found {finding.found}: `{finding.collector}` source {finding.name!r} {state}",
                              markup=False)
        else:
            console.print("found nothing to collect from; looked for:", markup=False)
            for place in detection.looked_for:
                console.print(f"  {place}", markup=False)
    console.print(
        f"wrote {path}: fill in [organisation] and [[sources]], then run `evidence run`; "
        "`evidence todo` then says what to add next",
        markup=False,
    )
    return ExitCode.OK
