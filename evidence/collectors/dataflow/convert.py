"""Turning an imported model into a native data map, so users start from what they already keep.

The YAML written loads with the native loader; what the source did not say is listed at the
top, as the fields to fill in before the map can decide any control.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from evidence.collectors.dataflow.gaps import map_gaps
from evidence.collectors.dataflow.importers import (
    Format,
    Imported,
    import_fides_files,
    import_model,
    read_file,
    read_model,
)
from evidence.errors import InputError


def import_files(paths: list[Path], fmt: Format = "auto") -> Imported:
    """One model from ``paths``: a single file, or several Fides resource files together."""
    if not paths:
        raise InputError(".", "no model file given")
    read = []
    for path in paths:
        _, text = read_file(path)
        detected, data = read_model(path, text, fmt)
        read.append((path, text, detected, data))
    if all(detected == "fides" for _, _, detected, _ in read):
        return import_fides_files([(path, data) for path, _, _, data in read])
    if len(read) > 1:
        raise InputError(
            paths[1], "give one model at a time (several files only for Fides resources)"
        )
    path, text, detected, data = read[0]
    return import_model(path, text, detected, data)


def to_native_yaml(imported: Imported, sources: list[Path]) -> str:
    """Write ``imported`` as native YAML, headed by where it came from and what it lacks."""
    data = _pruned(imported.data_map.model_dump(mode="json", by_alias=True, exclude_none=True))
    for flow in data.get("flows", []):
        if flow.get("bidirectional") is False:
            del flow["bidirectional"]
    header = [
        "# Data map converted by `evidence dataflow import` from "
        + ", ".join(p.name for p in sources),
        f"# (format {imported.format}). Check it, then add what the source does not say:",
    ]
    gaps = map_gaps(imported.data_map)
    header += [f"#   - {g.element}: {g.field} ({g.needed_for})" for g in gaps] or ["#   (nothing)"]
    header += [f"# Import note: {note}" for note in imported.notes]
    body = str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    return "\n".join(header) + "\n" + body


def _pruned(value: Any) -> Any:
    """Drop empty lists and mappings, so the map shows only what the source said."""
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v not in ([], {})}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value
