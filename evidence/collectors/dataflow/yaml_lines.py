"""YAML with line numbers: parse once, keep the node tree, and name the line of any field.

Pydantic reports a problem at a location such as ``("stores", 1, "retention", "pii_days")``;
:func:`line_of` walks the composed YAML nodes along that location to the line a user must edit.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from evidence.errors import InputError

#: Larger maps are not data maps; the cap also bounds the work YAML aliases can cause.
MAX_BYTES = 5_000_000


def parse_yaml(text: str, path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse the document into data and node tree; malformed YAML raises InputError (line)."""
    if len(text) > MAX_BYTES:
        raise InputError(path, f"file is over {MAX_BYTES:,} bytes; a data map is much smaller")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # The problem and context say what is wrong without quoting the document.
        reason = "; ".join(part for part in (exc.context, exc.problem) if part) or "syntax error"
        raise InputError(
            path, f"malformed YAML: {reason}", mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(path, f"malformed YAML: {type(exc).__name__}") from None
    finally:
        loader.dispose()
    return data, node


def line_of(root: yaml.Node | None, loc: Sequence[str | int]) -> tuple[int | None, list[str | int]]:
    """Line (1-based) of the value at ``loc`` and the location as found in the document.

    Parts that match no node are dropped unless they come last: pydantic inserts the names of
    union members, and a missing field is named by the last part.
    """
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    path: list[str | int] = []
    for position, part in enumerate(loc):
        child = _child(node, part)
        if child is None:
            if position == len(loc) - 1:
                path.append(part)
            continue
        key_line, node = child
        line = key_line
        path.append(part)
    return line, path


def _child(node: yaml.Node | None, part: str | int) -> tuple[int, yaml.Node] | None:
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        item = node.value[part]
        return item.start_mark.line + 1, item
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key.start_mark.line + 1, value
    return None


def dotted(loc: Sequence[str | int]) -> str:
    """``stores[1].retention.pii_days`` from ``("stores", 1, "retention", "pii_days")``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe_errors(
    exc: ValidationError, root: yaml.Node | None, model: type[BaseModel]
) -> list[tuple[int | None, str]]:
    """``(line, "field: what is wrong")`` per problem, deduplicated, in document order."""
    found: dict[tuple[int | None, str], str] = {}
    for error in exc.errors():
        line, path = line_of(root, error["loc"])
        field = dotted(path)
        if error["type"] == "extra_forbidden":
            message = _unknown_field(model, path)
        elif error["type"] == "missing":
            message = "required field is missing"
        else:
            # "a valid dictionary or instance of Encryption": users write YAML, not classes.
            message = re.sub(r" or instance of \w+", "", error["msg"].removeprefix("Value error, "))
        found.setdefault((line, field), message)
    ordered = sorted(found.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1]))
    return [
        (line, f"{field}: {message}" if field else message) for (line, field), message in ordered
    ]


def _unknown_field(model: type[BaseModel], path: Sequence[str | int]) -> str:
    owner = _model_at(model, path[:-1])
    if owner is None:
        return "unknown field"
    names = [info.alias or name for name, info in owner.model_fields.items()]
    close = difflib.get_close_matches(str(path[-1]), names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown field ({hint}expected one of: {', '.join(names)})"


def _model_at(model: type[BaseModel], path: Sequence[str | int]) -> type[BaseModel] | None:
    """Find the pydantic model validating the mapping at ``path`` (None when not a model)."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            current = _item_type(current)
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next(
            (info for name, info in current.model_fields.items() if part in (name, info.alias)),
            None,
        )
        if field is None:
            return None
        current = _unwrap_optional(field.annotation)
    current = _unwrap_optional(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


def _item_type(annotation: Any) -> Any:
    annotation = _unwrap_optional(annotation)
    args = typing.get_args(annotation)
    return args[-1] if args else None
