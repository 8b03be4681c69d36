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
    return {
        name.removeprefix(_PREFIX): page
        for name, page in destination_pages(path).items()
        if name.startswith(_PREFIX)
    }


def destination_pages(path: Path) -> dict[str, int]:
    """Map each named destination of a PDF to its (1-based) page; empty when unreadable."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with path.open("rb") as handle:
            reader = PdfFileReader(handle, strict=False)
            pages: dict[tuple[int, int], int] = {}
            _number_pages(reader.root.raw_get("/Pages"), pages)
            found: dict[str, int] = {}
            names = reader.root.get("/Names")
            if names is None or "/Dests" not in names:
                return {}
            pairs: list[tuple[str, Any]] = []
            _walk(names.raw_get("/Dests"), pairs)
            for name, dest in pairs:
                target = _deref(dest)
                if hasattr(target, "keys"):
                    target = _deref(target.raw_get("/D"))
                if not target:
                    continue
                first = target.raw_get(0) if hasattr(target, "raw_get") else target[0]
                page = pages.get(_key(first))
                if page is not None:
                    found[name] = page
            return found
    except Exception:  # noqa: BLE001  # any PDF pyHanko cannot read: no pages known
        return {}


def _deref(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _key(reference: Any) -> tuple[int, int]:
    return (int(getattr(reference, "idnum", -1)), int(getattr(reference, "generation", 0)))


def _number_pages(node_ref: Any, pages: dict[tuple[int, int], int]) -> None:
    node = _deref(node_ref)
    if node.get("/Type") == "/Page":
        pages[_key(node_ref)] = len(pages) + 1
        return
    kids = node.raw_get("/Kids")
    kids = _deref(kids)
    for index in range(len(kids)):
        _number_pages(kids.raw_get(index), pages)


def _walk(node_ref: Any, found: list[tuple[str, Any]]) -> None:
    node = _deref(node_ref)
    if "/Names" in node:
        pairs = _deref(node.raw_get("/Names"))
        for i in range(0, len(pairs) - 1, 2):
            found.append((str(pairs.raw_get(i)), pairs.raw_get(i + 1)))
    if "/Kids" in node:
        kids = _deref(node.raw_get("/Kids"))
        for index in range(len(kids)):
            _walk(kids.raw_get(index), found)
