"""`evidence inspect`: run one collector on files, without a config, and print what it found."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from evidence.cli.options import AsOfOption, PeriodOption
from evidence.cli.output import print_json, stdout
from evidence.collectors import registry
from evidence.collectors.base import CollectorContext
from evidence.config.load import describe_validation_error
from evidence.errors import ConfigError, EvidenceError, ExitCode
from evidence.model.evidence import EvidenceItem, ParseStats
from evidence.model.period import parse_as_of, parse_period
from evidence.pipeline import scrub_item
from evidence.redact import Redactor


def _parse_set(pairs: list[str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {pair!r}: expected key=value")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        node = settings
        *parents, leaf = key.strip().split(".")
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return settings


def _default_period() -> str:
    from datetime import UTC, datetime

    today = datetime.now(UTC).date()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def inspect(
    collector: Annotated[str, typer.Argument(help="Collector id (see `evidence collectors`).")],
    paths: Annotated[list[Path] | None, typer.Argument(help="Input files or folders.")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="A collector setting, key=value (TOML value syntax); repeatable."),
    ] = None,
    period: PeriodOption = None,
    as_of: AsOfOption = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON (the default output is a summary).")] = False,
) -> ExitCode:
    """Run one collector on the given inputs and print its facts and parse statistics.

    Without --period the current calendar quarter is used. Pseudonyms use a key that lives only
    for this command, so they differ between invocations.
    """
    cls = registry.get(collector)
    settings_data = _parse_set(set_ or [])
    if paths:
        if cls.paths_setting is None:
            raise ConfigError(f"collector {collector!r} takes no input paths; use --set")
        # Named on the command line by the user, so absolute: they may lie outside the folder.
        settings_data[cls.paths_setting] = [str(p.absolute()) for p in paths]
    try:
        settings = cls.settings_model().model_validate(settings_data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error("--set", exc)) from None
    try:
        resolved = parse_period(period or _default_period())
        moment = parse_as_of(as_of) if as_of else resolved.end_at
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    context = CollectorContext(
        source=f"inspect-{collector}",
        base_dir=Path.cwd(),
        period=resolved,
        as_of=moment,
        redactor=Redactor.ephemeral(),
    )
    items: list[EvidenceItem] = []
    instance = cls(settings, context)
    try:
        items.extend(instance.collect())
    except EvidenceError as exc:
        items.extend(instance.failed(kind, collector, str(exc)) for kind in cls.produces)
    for item in items:  # what is printed passes the same last scrub as what is stored
        scrub_item(item, context.redactor)
    document = inspection_document(items)
    if json:
        print_json(document)
    else:
        _print_summary(document)
    return ExitCode.USER_ERROR if items and all(i.error for i in items) else ExitCode.OK


def inspection_document(items: list[EvidenceItem]) -> dict[str, Any]:
    """``{"stats": ..., "facts": {kind: facts or [facts...]}, "items": [...], "errors": [...]}``."""
    stats = ParseStats()
    facts: dict[str, Any] = {}
    scopes: set[str] = set()
    for item in items:
        item.seal()
        scope = item.stats.scope or item.id
        if scope not in scopes:
            scopes.add(scope)
            stats.merge(item.stats)
        if item.error:
            continue
        if item.kind in facts:
            if not isinstance(facts[item.kind], list):
                facts[item.kind] = [facts[item.kind]]
            facts[item.kind].append(item.facts)
        else:
            facts[item.kind] = item.facts
    return {
        "stats": stats.model_dump(mode="json"),
        "facts": facts,
        "errors": list(dict.fromkeys(i.error for i in items if i.error)),
        "items": [
            {
                "id": i.id,
                "kind": i.kind,
                "subject": i.subject,
                "raw_inputs": [r.model_dump(mode="json") for r in i.raw_inputs],
                "facts_sha256": i.facts_sha256,
                "redactions": i.redactions,
            }
            for i in items
        ],
    }


def _print_summary(document: dict[str, Any]) -> None:
    console = stdout()
    s = document["stats"]
    console.print(f"read {s['read']}, kept {s['kept']}, skipped {s['skipped']}, rejected {s['rejected']}")
    for reject in s["rejects"]:
        console.print(f"  rejected {reject['location']}: {reject['reason']}", markup=False)
    for error in document["errors"]:
        console.print(f"  error: {error}", markup=False)
    for item in document["items"]:
        console.print(f"{item['id']}  {item['kind']}  {item['subject']}", markup=False)
    console.print("(use --json for the facts)")
