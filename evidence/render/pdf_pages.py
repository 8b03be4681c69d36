"""The page of each control in a rendered attestation, read back from the PDF's named destinations.

WeasyPrint writes every element id as a named destination; a control's section has the id
``control-<control id>`` (templates/macros.html.j2), so its destination names its first page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_PREFIX = "control-"


def control_pages(path: Path) -> dict[str, int]:
    """Map each control id to the (1-based) page its section starts on; empty when unreadable."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with path.open("rb") as handle:
            reader = PdfFileReader(handle, strict=False)
            pages = {
                _ref(page): number
                for number, page in enumerate(_page_refs(reader), start=1)
            }
            found: dict[str, int] = {}
            for name, dest in _destinations(reader):
                if not name.startswith(_PREFIX):
                    continue
                target = dest.get_object() if hasattr(dest, "get_object") else dest
                if isinstance(target, dict) or hasattr(target, "keys"):
                    target = target.get("/D")
                if not target:
                    continue
                page = pages.get(_ref(target[0]))
                if page is not None:
                    found[name.removeprefix(_PREFIX)] = page
            return found
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return {}
    except Exception:  # noqa: BLE001  # pyHanko's own errors: a PDF it cannot read has no pages
        return {}


def _ref(value: Any) -> Any:
    reference = getattr(value, "reference", None)
    if reference is not None:
        return (reference.idnum, reference.generation)
    idnum = getattr(value, "idnum", None)
    if idnum is not None:
        return (idnum, getattr(value, "generation", 0))
    return id(value)


def _page_refs(reader: Any) -> list[Any]:
    count = reader.root["/Pages"]["/Count"]
    return [reader.find_page_for_modification(i)[1] for i in range(int(count))]


def _destinations(reader: Any) -> list[tuple[str, Any]]:
    names = reader.root.get("/Names")
    found: list[tuple[str, Any]] = []
    if names is not None and "/Dests" in names:
        _walk(names["/Dests"], found)
    dests = reader.root.get("/Dests")
    if dests is not None:
        for key in dests:
            found.append((str(key).lstrip("/"), dests.raw_get(key)))
    return found


def _walk(node: Any, found: list[tuple[str, Any]]) -> None:
    node = node.get_object() if hasattr(node, "get_object") else node
    if "/Names" in node:
        pairs = node["/Names"]
        for i in range(0, len(pairs) - 1, 2):
            found.append((str(pairs[i]), pairs.raw_get(i + 1)))
    for kid in node.get("/Kids", []):
        _walk(kid, found)
