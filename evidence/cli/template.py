"""`evidence template DOC_TYPE`: a Markdown starter for a document, and the register entry to add."""

from __future__ import annotations

from typing import Annotated

import typer

from evidence.cli.options import JsonOption
from evidence.cli.output import print_json
from evidence.errors import ConfigError, ExitCode


def starter(doc_type: str) -> tuple[str, str]:
    """The Markdown starter and the register entry (TOML) for ``doc_type``; ConfigError if unknown."""
    import difflib

    from evidence.collectors.documents import ENTRY_FIELDS, known_doc_types

    known = known_doc_types()
    spec = known.get(doc_type)
    if spec is None:
        close = difflib.get_close_matches(doc_type, list(known), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ConfigError(
            f"unknown document type {doc_type!r}{hint} (`evidence template --list` lists the "
            "types of policies/doc-types.yaml)"
        )
    title = doc_type.replace("-", " ").capitalize()
    lines = [
        f"# {title}",
        "",
        f"<!-- {spec.description}. -->",
        "",
        "| | |",
        "|---|---|",
        "| Owner | |",
        "| Date | YYYY-MM-DD |",
        "| Next review | YYYY-MM-DD |",
        "| Approved by | |",
        "",
    ]
    if spec.fields:
        lines += ["## Required record", ""]
        lines += [f"- **{name}**: {meaning}" for name, meaning in spec.fields.items()]
        lines.append("")
    lines += ["## Content", "", f"Describe: {spec.description[0].lower()}{spec.description[1:]}.", ""]
    if spec.auditor:
        lines += ["## What an auditor looks for", "", spec.auditor, ""]
    record = [name for name in spec.fields if name not in ENTRY_FIELDS]
    entry = [
        "[[document]]",
        f'file = "{doc_type}-YYYY-MM-DD.md"',
        f'type = "{doc_type}"',
        f'title = "{title}"',
        'owner = "Security Lead"',
        "date = YYYY-MM-DD          # a TOML date, e.g. 2026-09-30",
        "next_review = YYYY-MM-DD   # when it must be reviewed again",
        '# controls = ["DPP-..."]  # the controls it supports (default: every control asking for the type)',
    ]
    if "approved_by" in spec.fields or "approved_on" in spec.fields:
        entry += ['approved_by = "..."', "approved_on = YYYY-MM-DD"]
    if "covers" in spec.fields:
        entry += ["covers_start = YYYY-MM-DD", "covers_end = YYYY-MM-DD"]
    if record:
        entry += ["", "[document.record]"]
        entry += [f'{name} = "..."  # {meaning}' for name, meaning in spec.fields.items() if name in record]
    return "\n".join(lines), "\n".join(entry) + "\n"


def template(
    doc_type: Annotated[
        str | None, typer.Argument(help="A document type of policies/doc-types.yaml (access-review, ir-plan, ...).")
    ] = None,
    list_types: Annotated[bool, typer.Option("--list", help="List every document type.")] = False,
    json: JsonOption = False,
) -> ExitCode:
    """Print a Markdown starter for a document type and the register entry to add for it.

    The starter names the register fields the type requires and what an auditor looks for;
    the entry goes in a register the `documents` source reads (documents/register.toml).
    """
    from evidence.collectors.documents import known_doc_types

    if list_types or doc_type is None:
        types = known_doc_types()
        if json:
            print_json({name: spec.model_dump() for name, spec in types.items()})
        else:
            for name, spec in types.items():
                typer.echo(f"{name}: {spec.description}")
        if doc_type is None and not list_types:
            typer.echo("\ngive a type: `evidence template access-review`", err=True)
        return ExitCode.OK
    markdown, entry = starter(doc_type)
    if json:
        print_json({"doc_type": doc_type, "markdown": markdown, "register_entry": entry})
        return ExitCode.OK
    typer.echo(markdown)
    typer.echo("<!-- Register entry to add (documents/register.toml):")
    typer.echo(entry.rstrip("\n"))
    typer.echo("-->")
    return ExitCode.OK
