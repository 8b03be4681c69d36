"""The native data map: YAML validated by :class:`.model.DataMap`; errors name file, line, field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evidence.collectors.dataflow.model import DataMap, reference_errors
from evidence.collectors.dataflow.yaml_lines import describe_errors, dotted, line_of, parse_yaml
from evidence.errors import InputError

#: Top-level keys that mark a YAML document as a native data map.
NATIVE_KEYS = frozenset({"systems", "stores", "flows", "third_parties"})


class MapProblems(InputError):
    """Every problem of one data map file, each as ``file:line: field: what is wrong``."""

    def __init__(self, path: Path | str, problems: list[tuple[int | None, str]]) -> None:
        line, first = problems[0]
        super().__init__(path, first, line)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(
            f"{self.path}:{line}: {message}" if line else f"{self.path}: {message}"
            for line, message in self.problems
        )


def looks_native(data: Any) -> bool:
    """Whether a parsed YAML document is meant as a native data map."""
    return isinstance(data, dict) and bool(NATIVE_KEYS & set(data)) and "version" in data


def load_native(path: Path, text: str) -> DataMap:
    """Validate a native map; every schema or reference problem is reported, with its line."""
    data, root = parse_yaml(text, path)
    if not isinstance(data, dict):
        raise InputError(
            path, "a data map is a YAML mapping (version, name, systems, stores, flows, ...)", 1
        )
    try:
        data_map = DataMap.model_validate(data)
    except ValidationError as exc:
        raise MapProblems(path, describe_errors(exc, root, DataMap)) from None
    problems = []
    for loc, message in reference_errors(data_map):
        line, found = line_of(root, loc)
        problems.append((line, f"{dotted(found)}: {message}"))
    if problems:
        raise MapProblems(path, problems)
    return data_map
