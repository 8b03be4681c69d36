"""`evidence dataflow`: work with data maps outside a run (convert a threat model into a map)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, get_args

import typer

from evidence.cli.options import JsonOption
from evidence.cli.output import print_json, stderr
from evidence.collectors.dataflow.convert import import_files, to_native_yaml
from evidence.collectors.dataflow.gaps import map_gaps
from evidence.collectors.dataflow.importers import Format
from evidence.errors import ConfigError, ExitCode

app = typer.Typer(
    help="Data maps: convert models from threat-modelling tools into native data maps.",
    no_args_is_help=True,
)

_FORMATS = ", ".join(get_args(Format))


@app.command("import")
def import_(
    models: Annotated[
        list[Path],
        typer.Argument(
            help="A Threat Dragon, OTM, pytm or Threagile model, or Fides resource files."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Native data map to write (default: <model>.data-map.yaml in the current folder).",
        ),
    ] = None,
    format_: Annotated[str, typer.Option("--format", help=f"Source format: {_FORMATS}.")] = "auto",
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    json: JsonOption = False,
) -> ExitCode:
    """Convert a model into a native data map (YAML) listing what it lacks for the DPP.

    The written map loads as it is; fill in the fields listed at its top (which data is PII,
    TLS versions, retention, third-party assessments) before relying on it in a run.
    """
    if format_ not in get_args(Format):
        raise ConfigError(f"--format {format_!r}: expected one of {_FORMATS}")
    imported = import_files(models, format_)  # type: ignore[arg-type]
    target = out or Path.cwd() / f"{models[0].stem}.data-map.yaml"
    if target.exists() and not force:
        raise ConfigError(f"{target} exists; pass --force to overwrite it")
    target.write_text(to_native_yaml(imported, models), encoding="utf-8")
    gaps = map_gaps(imported.data_map)
    if json:
        print_json(
            {
                "written": str(target),
                "format": imported.format,
                "gaps": [g.as_fact() for g in gaps],
                "notes": imported.notes,
            }
        )
    else:
        stderr().print(
            f"wrote {target} ({imported.format}): {len(imported.data_map.systems)} systems, "
            f"{len(imported.data_map.stores)} stores, {len(imported.data_map.flows)} flows; "
            f"{len(gaps)} field(s) to fill in, listed at the top of the file",
            markup=False,
        )
    return ExitCode.OK
