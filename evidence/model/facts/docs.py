"""Generate ``docs/evidence-kinds.md`` from the fact models and the check registry.

``python -m evidence.model.facts.docs --write`` rewrites the file; a test fails when the file
differs from what this module generates, so the contract between collectors and checks is
documented by the code that enforces it.
"""

from __future__ import annotations

import inspect
import sys
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from evidence.model.facts import Facts, fact_models

DOC = Path("docs") / "evidence-kinds.md"

INTRO = """\
# Evidence kinds and checks

*Generated from `evidence/model/facts/` and the check registry by
`python -m evidence.model.facts.docs --write`; do not edit by hand (a test compares).*

Collectors produce evidence items of a **kind**; checks (small functions in
`evidence/controls/checks/`) read the facts of those kinds through the kind's typed model and decide
the requirement elements that the catalogues in `policies/` map to them. Collectors know nothing about
controls, and checks nothing about the catalogue they serve; this file is the contract between them.
A kind with no model yet is listed as *untyped*: its facts are not validated.
"""


def _doc(obj: object) -> str:
    """The docstring of ``obj``, with its lines joined into paragraphs."""
    text = inspect.cleandoc(obj.__doc__ or "")
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n") if p.strip())


def _first(obj: object) -> str:
    paragraphs = _doc(obj).split("\n\n")
    return paragraphs[0] if paragraphs else ""


def type_name(annotation: Any) -> str:
    """A readable name of a field's type: ``list[LoginCount]``, ``int | None``."""
    if annotation is None or annotation is type(None):
        return "None"
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(type_name(a) for a in typing.get_args(annotation))
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(annotation))
    if origin is typing.Annotated:
        return type_name(typing.get_args(annotation)[0])
    if origin is not None:
        args = ", ".join(type_name(a) for a in typing.get_args(annotation))
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{args}]" if args else name
    return getattr(annotation, "__name__", str(annotation))


def _nested(annotation: Any) -> list[type[BaseModel]]:
    """Models named inside a field's type (list entries, optional parts)."""
    found: list[type[BaseModel]] = []
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in typing.get_args(annotation):
        found.extend(_nested(arg))
    return found


def _field_rows(model: type[BaseModel]) -> list[str]:
    rows = ["| field | type | meaning |", "|---|---|---|"]
    for name, info in model.model_fields.items():
        stored = info.alias or name
        rows.append(f"| `{stored}` | `{_cell(type_name(info.annotation))}` | {_field_doc(info)} |")
    return rows


def _cell(text: str) -> str:
    """``text`` safe inside a table cell (a ``|`` would split it, even in a code span)."""
    return text.replace("|", "\\|")


def _field_doc(info: FieldInfo) -> str:
    text = " ".join((info.description or "").split())
    if not info.is_required():
        default = info.get_default(call_default_factory=True)
        text += f" (default `{default!r}`)" if text else f"default `{default!r}`"
    return _cell(text)


def _model_section(model: type[Facts]) -> list[str]:
    lines = [f"### `{model.kind}`", "", f"Model `{model.__module__}.{model.__name__}`.", ""]
    lines += [_doc(model), "", *_field_rows(model), ""]
    seen: set[type[BaseModel]] = set()
    queue = [m for info in model.model_fields.values() for m in _nested(info.annotation)]
    while queue:
        part = queue.pop(0)
        if part in seen:
            continue
        seen.add(part)
        lines += [f"#### `{part.__name__}`", "", _doc(part), "", *_field_rows(part), ""]
        queue += [m for info in part.model_fields.values() for m in _nested(info.annotation)]
    return lines


def _check_rows() -> list[str]:
    from evidence.controls.checks import registry

    rows = ["| check | reads | parameters | decides |", "|---|---|---|---|"]
    for name, spec in registry().items():
        if spec.params is None:
            params = "*not declared*"
        else:
            params = ", ".join(
                f"`{p}: {_cell(type_name(i.annotation))}`" for p, i in spec.params.model_fields.items()
            ) or "none"
        reads = ", ".join(f"`{k}`" for k in spec.reads)
        decides = " ".join(_doc(spec.function).split("\n\n")).replace("|", "\\|")
        rows.append(f"| `{name}` | {reads} | {params} | {decides} |")
    return rows


def _kinds_in_use() -> dict[str, list[str]]:
    """Every kind a collector can produce, with its collectors."""
    from evidence.collectors.registry import available

    kinds: dict[str, list[str]] = {}
    for cid, cls in available().items():
        for kind in cls.produces:
            kinds.setdefault(kind, []).append(cid)
    return {k: sorted(v) for k, v in sorted(kinds.items())}


def render() -> str:
    """The whole of ``docs/evidence-kinds.md``."""
    models = fact_models()
    produced = _kinds_in_use()
    lines = [INTRO, "## Evidence kinds", "", "| kind | produced by | summary |", "|---|---|---|"]
    for kind in sorted(set(models) | set(produced)):
        model = models.get(kind)
        by = ", ".join(produced.get(kind, ())) or ", ".join(model.produced_by if model else ())
        summary = _first(model) if model else "*untyped*"
        lines.append(f"| `{kind}` | {by} | {summary.replace('|', chr(92) + '|')} |")
    lines += ["", "## Checks", "", *_check_rows(), "", "## Facts of each kind", ""]
    for model in models.values():
        lines += _model_section(model)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    """``--write`` rewrites the doc; without it, print the doc."""
    text = render()
    if "--write" in argv:
        DOC.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
