"""Importers from threat-modelling and privacy tools, and the format detection that picks one.

Each importer maps what its format holds onto :class:`~evidence.collectors.dataflow.model.DataMap`
and leaves the rest unknown; :mod:`evidence.collectors.dataflow.gaps` then lists what is missing
for the DPP. Formats that are drawings, not models, are rejected with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from evidence.collectors.dataflow.importers.common import Imported, read_json
from evidence.collectors.dataflow.importers.fides import import_fides, is_fides
from evidence.collectors.dataflow.importers.otm import import_otm, is_otm
from evidence.collectors.dataflow.importers.pytm import import_pytm, is_pytm
from evidence.collectors.dataflow.importers.threagile import import_threagile, is_threagile
from evidence.collectors.dataflow.importers.threat_dragon import (
    import_threat_dragon,
    is_threat_dragon,
)
from evidence.collectors.dataflow.native import load_native, looks_native
from evidence.collectors.dataflow.yaml_lines import parse_yaml
from evidence.collectors.inputs import open_input
from evidence.errors import InputError
from evidence.model.evidence import RawInput

Format = Literal["auto", "native", "threat-dragon", "otm", "pytm", "fides", "threagile"]
FORMATS: tuple[str, ...] = ("native", "threat-dragon", "otm", "pytm", "fides", "threagile")

_DRAWINGS = {
    ".dot": "a Graphviz drawing (such as pytm --dfd output)",
    ".gv": "a Graphviz drawing",
    ".svg": "an SVG drawing",
    ".png": "an image",
    ".drawio": "a draw.io drawing",
    ".puml": "a PlantUML drawing (such as pytm --seq output)",
    ".plantuml": "a PlantUML drawing",
}
_HINT = (
    "it holds no data classification, encryption or retention to check; "
    "use the model it was drawn from (pytm --json, a Threat Dragon or OTM file) "
    "or a native data map"
)


def read_file(path: Path) -> tuple[RawInput, str]:
    """Read a model's text and its RawInput (SHA-256 of the bytes on disk)."""
    with open_input(path) as tracked:
        data = tracked.stream.read()
        raw = tracked.raw_input()
    try:
        return raw, data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None


def read_model(path: Path, text: str, fmt: Format = "auto") -> tuple[str, Any]:
    """Parse ``path`` and say which format it is: ``(format, data)``; InputError when none fits."""
    suffix = path.suffix.lower()
    if suffix in _DRAWINGS:
        raise InputError(path, f"not a model: {_DRAWINGS[suffix]}; {_HINT}")
    if suffix == ".json":
        data = read_json(path, text)
    elif suffix in (".yaml", ".yml"):
        data, _ = parse_yaml(text, path)
    else:
        raise InputError(path, "unsupported file type: expected .yaml, .yml or .json")
    detected = detect(data)
    if fmt != "auto":
        if detected is not None and detected != fmt:
            raise InputError(
                path, f"the source sets format = {fmt!r}, but the file is a {detected} model"
            )
        return fmt, data
    if detected is None:
        raise InputError(path, _unknown(data, suffix))
    return detected, data


def detect(data: Any) -> str | None:
    """Name the format of a parsed document, or None when it is none of the known ones."""
    checks = (
        ("otm", is_otm),
        ("threat-dragon", is_threat_dragon),
        ("threagile", is_threagile),
        ("fides", is_fides),
        ("pytm", is_pytm),
        ("native", looks_native),
    )
    return next((name for name, test in checks if test(data)), None)


def import_model(path: Path, text: str, fmt: str, data: Any) -> Imported:
    """Import one non-Fides file whose format :func:`read_model` decided."""
    if fmt == "native":
        return Imported(load_native(path, text), "native")
    if not isinstance(data, dict):
        raise InputError(path, f"a {fmt} model is an object at the top level")
    importers = {
        "threat-dragon": import_threat_dragon,
        "otm": import_otm,
        "pytm": import_pytm,
        "threagile": import_threagile,
    }
    if fmt not in importers:
        raise InputError(path, f"no importer for format {fmt!r}")
    try:
        return importers[fmt](data, path)
    except (TypeError, AttributeError, ValueError) as exc:
        # A structure the importer did not expect: name the file and format, never the data.
        raise InputError(
            path, f"cannot import this {fmt} model: unexpected structure ({type(exc).__name__})"
        ) from None


def import_fides_files(files: list[tuple[Path, Any]]) -> Imported:
    """One map from all Fides documents of a source."""
    try:
        return import_fides(files)
    except (TypeError, AttributeError, ValueError) as exc:
        raise InputError(
            files[0][0],
            f"cannot import these Fides resources: unexpected structure ({type(exc).__name__})",
        ) from None


def _unknown(data: Any, suffix: str) -> str:
    if (
        isinstance(data, dict)
        and {"systems", "stores", "flows"} & set(data)
        and "version" not in data
    ):
        return "looks like a native data map but has no `version: 1` line"
    kinds = (
        "Threat Dragon, OTM or pytm"
        if suffix == ".json"
        else "a native data map, OTM, Fides or Threagile"
    )
    return f"unrecognised model: expected {kinds}"


__all__ = [
    "FORMATS",
    "Format",
    "Imported",
    "detect",
    "import_fides_files",
    "import_model",
    "read_file",
    "read_model",
]
