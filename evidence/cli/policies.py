"""`evidence policies`: list, show and compare the policy catalogues."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evidence.cli.coverage import coverage
from evidence.cli.options import JsonOption
from evidence.cli.output import print_json, stdout
from evidence.controls.catalogue import all_catalogues, catalogue_files, crosswalk_files, load_catalogue
from evidence.controls.crosswalk import load_crosswalk
from evidence.controls.diff import diff_catalogues
from evidence.controls.sources import source_registry
from evidence.errors import ExitCode, PolicyError

app = typer.Typer(help="List, show and compare the policy catalogues in policies/.", no_args_is_help=True)
app.command("coverage")(coverage)


@app.command("list")
def list_(json: JsonOption = False) -> ExitCode:
    """List the catalogues and crosswalk frameworks, and their versions."""
    catalogues = all_catalogues()
    crosswalks = [load_crosswalk(ref) for ref in crosswalk_files()]
    if json:
        print_json(
            [
                {
                    "ref": c.ref,
                    "kind": "catalogue",
                    "title": c.title,
                    "effective": c.effective.isoformat(),
                    "status": c.status,
                    "controls": len(c.controls),
                }
                for c in catalogues
            ]
            + [
                {
                    "ref": c.ref,
                    "kind": "crosswalk",
                    "title": c.title,
                    "effective": c.effective.isoformat(),
                    "status": c.status,
                    "criteria": len(c.criteria),
                }
                for c in crosswalks
            ]
        )
        return ExitCode.OK
    table = Table(title="Policy catalogues")
    for column in ("Catalogue", "Title", "Effective", "Status", "Controls"):
        table.add_column(column)
    for c in catalogues:
        table.add_row(c.ref, escape(c.title), c.effective.isoformat(), c.status, str(len(c.controls)))
    for x in crosswalks:
        table.add_row(x.ref, escape(x.title), x.effective.isoformat(), x.status, f"{len(x.criteria)} criteria")
    stdout().print(table)
    return ExitCode.OK


def _show_crosswalk(ref: str, json: bool) -> ExitCode:
    """Every criterion of a crosswalk framework: what it maps to, or why nothing bears on it."""
    crosswalk = load_crosswalk(ref)
    if json:
        print_json(crosswalk.model_dump(mode="json", by_alias=True))
        return ExitCode.OK
    table = Table(title=f"{crosswalk.ref}: {crosswalk.title}")
    for column in ("Criterion", "Family", "Title", "Decided by"):
        table.add_column(column)
    for criterion in crosswalk.criteria:
        decided = ", ".join([*criterion.maps_to, *(f"check {r.check}" for r in criterion.checks)])
        table.add_row(
            criterion.id,
            criterion.family,
            escape(criterion.title),
            escape(decided) if decided else f"not covered: {escape(criterion.not_covered or '')}",
        )
    stdout().print(table)
    return ExitCode.OK


@app.command("show")
def show(
    ident: Annotated[
        str,
        typer.Argument(metavar="ID", help="A control id as its catalogue writes it, or a catalogue (amazon-dpp@2021)."),
    ],
    catalogue: Annotated[
        str | None, typer.Option("--catalogue", help="Catalogue to look in (default: current ones).")
    ] = None,
    json: JsonOption = False,
) -> ExitCode:
    """Show one control (or every control of a catalogue, or every criterion of a crosswalk framework)."""
    if ident in crosswalk_files() or ("@" not in ident and any(r.startswith(ident + "@") for r in crosswalk_files())):
        return _show_crosswalk(ident, json)
    if ident in catalogue_files() or ("@" not in ident and any(r.startswith(ident + "@") for r in catalogue_files())):
        cat = load_catalogue(ident)
        if json:
            print_json(cat.model_dump(mode="json", by_alias=True))
            return ExitCode.OK
        table = Table(title=f"{cat.ref}: {cat.title}")
        for column in ("Control", "Section", "Title", "Cadence"):
            table.add_column(column)
        for c in cat.controls:
            table.add_row(
                c.id,
                c.section,
                escape(c.title) + (" (uncertain)" if c.uncertain else ""),
                c.cadence.label if c.cadence else "",
            )
        stdout().print(table)
        return ExitCode.OK
    pool = [load_catalogue(catalogue)] if catalogue else [c for c in all_catalogues() if c.status == "current"]
    for cat in pool:
        for control in cat.controls:
            if control.id == ident.upper():
                if json:
                    print_json({"catalogue": cat.ref, **control.model_dump(mode="json", by_alias=True)})
                    return ExitCode.OK
                console = stdout()
                console.print(
                    f"[bold]{control.id}[/] · {escape(control.title)}  ({cat.ref}, section {control.section})"
                )
                console.print(control.requirement, markup=False)
                if control.uncertain:
                    console.print(f"[yellow]Uncertain:[/] {escape(control.uncertain_note or '')}")
                for name, p in control.parameters.items():
                    console.print(
                        f"  {name} = {p.value}{' ' + p.unit if p.unit else ''}  ({p.description})", markup=False
                    )
                if control.cadence:
                    console.print(f"  cadence: {control.cadence.label} (every {control.cadence.every_days} days)")
                for need in control.evidence:
                    mark = " [planned]" if need.planned else ""
                    console.print(f"  evidence: {need.kind}{mark}: {need.description}", markup=False)
                for ref in control.checks:
                    mark = " [planned]" if ref.planned else ""
                    console.print(f"  check: {ref.check}{mark} {ref.with_ or ''}", markup=False)
                console.print(f"  remediation: {control.remediation}", markup=False)
                records = source_registry().sources
                for cited in control.sources:
                    record = records.get(cited.source)
                    where = f"{record.title} <{record.address}>" if record else "unknown source record"
                    detail = f" ({cited.detail})" if cited.detail else ""
                    console.print(f"  source: {cited.source}{detail}: {where}", markup=False)
                    for name, phrase in cited.supports.items():
                        console.print(f"    supports {name}: {phrase}", markup=False)
                return ExitCode.OK
    raise PolicyError(f"no control or catalogue {ident!r}; try `evidence policies list`")


@app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="Older catalogue, e.g. amazon-dpp@2021.")],
    new: Annotated[str, typer.Argument(help="Newer catalogue, e.g. amazon-dpp@2025-11.")],
    json: JsonOption = False,
) -> ExitCode:
    """Show changed numbers, changed, added and removed controls between two catalogue versions.

    A number whose parameter keeps its name is reported as changed (180 -> 30 days), never as
    a new control.
    """
    result = diff_catalogues(load_catalogue(old), load_catalogue(new))
    if json:
        print_json(result.model_dump(mode="json"))
        return ExitCode.OK
    console = stdout()
    console.print(f"[bold]{result.old} → {result.new}[/]")
    if result.parameters:
        table = Table(title="Changed numbers")
        for column in ("Control", "Parameter", "Old", "New", "Meaning"):
            table.add_column(column)
        for ch in result.parameters:
            unit = f" {ch.unit}" if ch.unit else ""
            old_value = "—" if ch.old is None else f"{ch.old}{unit}"
            new_value = "—" if ch.new is None else f"{ch.new}{unit}"
            table.add_row(ch.control_id, ch.parameter, escape(old_value), escape(new_value), escape(ch.description))
        console.print(table)
    for control_id, before, after in result.cadences:
        console.print(f"cadence {control_id}: {before or 'none'} → {after or 'none'}")
    for change in result.changed:
        parts = []
        if change.elements_added:
            parts.append("new elements " + ", ".join(change.elements_added))
        if change.elements_removed:
            parts.append("elements dropped " + ", ".join(change.elements_removed))
        if change.requirement_changed:
            parts.append("requirement reworded")
        console.print(f"[yellow]~ {change.control_id}[/] {escape(change.title)}: {'; '.join(parts)}", highlight=False)
    for control_id, title in result.added:
        console.print(f"[green]+ {control_id}[/] {escape(title)}", highlight=False)
    for control_id, title in result.removed:
        console.print(f"[red]- {control_id}[/] {escape(title)}", highlight=False)
    console.print(
        f"{len(result.parameters)} changed numbers, {len(result.changed)} changed, "
        f"{len(result.added)} added, {len(result.removed)} removed controls"
    )
    return ExitCode.OK
