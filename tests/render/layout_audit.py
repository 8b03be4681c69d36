"""Faults a reader would see, found in WeasyPrint's layout tree rather than by eye.

Each rendered page is a tree of boxes with positions and sizes in CSS pixels. A box drawn past
the page edge, text that runs out of its table cell, a body box that crosses the margins, a
table with a header and no rows, two margin boxes whose text collides, or a running header
that names a section other than the one the page is in: each is a `Fault` naming the page and
the text involved.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from weasyprint.formatting_structure import boxes

#: Rounding slack in CSS px (1 px = 0.26 mm): layout arithmetic is float, text advance too.
SLACK = 0.6


@dataclass(frozen=True)
class Fault:
    """One layout fault: where, what kind, and the text that shows it."""

    page: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"page {self.page}: {self.kind}: {self.detail}"


def audit(document: Any, *, running_header: str | None = "@top-right") -> list[Fault]:
    """Every fault of a rendered WeasyPrint ``document`` (see the module docstring).

    ``running_header`` names the margin box that carries the section title (CSS
    ``string(section)``); None skips the running-header check.
    """
    faults: list[Fault] = []
    sections = _SectionTracker()
    rows_seen: dict[int, int] = {}
    table_text: dict[int, str] = {}
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        faults.extend(_outside_page(number, box))
        faults.extend(_outside_cells(number, box))
        faults.extend(_margin_collisions(number, box))
        _count_rows(box, rows_seen, table_text)
        expected = sections.at_page_start(box)
        if running_header is not None and expected is not None:
            shown = _margin_text(box, running_header)
            if shown and shown != expected:
                faults.append(
                    Fault(number, "running header", f"shows {shown!r}, the page is in {expected!r}")
                )
    faults.extend(
        Fault(0, "empty table", table_text[key]) for key, rows in rows_seen.items() if rows == 0
    )
    return faults


def _text(box: Any, limit: int = 80) -> str:
    parts = [b.text for b in box.descendants() if isinstance(b, boxes.TextBox)]
    return " ".join(" ".join(parts).split())[:limit]


def _extent(box: Any) -> tuple[float, float, float, float]:
    x, y = box.border_box_x(), box.border_box_y()
    return x, y, x + box.border_width(), y + box.border_height()


def _body(page_box: Any) -> Iterator[Any]:
    for child in page_box.children:
        if not isinstance(child, boxes.MarginBox):
            yield from child.descendants()


def _outside_page(number: int, page_box: Any) -> Iterator[Fault]:
    """Boxes past the page edge, and body boxes across the left or right margin."""
    width, height = page_box.margin_width(), page_box.margin_height()
    left = page_box.content_box_x()
    right = left + page_box.width
    for box in page_box.descendants():
        if box is page_box or not hasattr(box, "position_x"):
            continue
        x0, y0, x1, y1 = _extent(box)
        if x0 < -SLACK or y0 < -SLACK or x1 > width + SLACK or y1 > height + SLACK:
            yield Fault(number, "outside the page", f"{type(box).__name__} {_text(box)!r}")
    for box in _body(page_box):
        if isinstance(box, boxes.TextBox | boxes.ReplacedBox | boxes.TableBox):
            x0, _, x1, _ = _extent(box)
            if x0 < left - SLACK or x1 > right + SLACK:
                yield Fault(
                    number,
                    "past the margin",
                    f"{type(box).__name__} {_text(box) or box.element_tag!r} "
                    f"spans {x0:.0f}-{x1:.0f} px, the text column {left:.0f}-{right:.0f} px",
                )


def _outside_cells(number: int, page_box: Any) -> Iterator[Fault]:
    """Text, images and boxes that stick out of the table cell holding them."""
    for cell in page_box.descendants():
        if not isinstance(cell, boxes.TableCellBox):
            continue
        x0, _, x1, _ = _extent(cell)
        for inner in cell.descendants():
            if inner is cell or isinstance(inner, boxes.LineBox):
                continue
            a, _, b, _ = _extent(inner)
            if a < x0 - SLACK or b > x1 + SLACK:
                yield Fault(
                    number,
                    "cell overflow",
                    f"{_text(inner) or inner.element_tag!r} ({b - a:.0f} px) in a cell of "
                    f"{x1 - x0:.0f} px: {_text(cell)!r}",
                )
                break  # one fault per cell is enough to find it


def _margin_collisions(number: int, page_box: Any) -> Iterator[Fault]:
    """Text of one margin box running into another, or out of its own box."""
    spans = []
    for margin in page_box.children:
        if not isinstance(margin, boxes.MarginBox):
            continue
        x0, _, x1, _ = _extent(margin)
        texts = [b for b in margin.descendants() if isinstance(b, boxes.TextBox)]
        if not texts:
            continue
        left = min(b.border_box_x() for b in texts)
        right = max(b.border_box_x() + b.border_width() for b in texts)
        top = min(b.border_box_y() for b in texts)
        if left < x0 - SLACK or right > x1 + SLACK:
            yield Fault(number, "margin box overflow", f"{margin.at_keyword}: {_text(margin)!r}")
        spans.append((margin.at_keyword, top, left, right))
    for name, top, left, right in spans:
        for other, other_top, other_left, other_right in spans:
            same_row = abs(top - other_top) < 12
            if name < other and same_row and left < other_right and other_left < right:
                yield Fault(number, "margin boxes collide", f"{name} and {other}")


def _count_rows(page_box: Any, rows: dict[int, int], text: dict[int, str]) -> None:
    """Body rows per table element over the whole document (a table may span pages)."""
    for box in _body(page_box):
        if isinstance(box, boxes.TableBox) and box.element is not None:
            key = id(box.element)
            text.setdefault(key, _text(box))
            # Whitespace in an empty <tbody> still makes an anonymous row: count real <tr>s.
            body_rows = sum(
                1
                for group in box.children
                if isinstance(group, boxes.TableRowGroupBox) and not group.is_header
                for row in group.children
                if row.element_tag == "tr"
            )
            rows[key] = rows.get(key, 0) + body_rows


def _margin_text(page_box: Any, keyword: str) -> str:
    for margin in page_box.children:
        if isinstance(margin, boxes.MarginBox) and margin.at_keyword == keyword:
            return _text(margin, limit=400)
    return ""


class _SectionTracker:
    """The section (CSS ``string-set: section``) in force where each page begins.

    That is the section of the first thing drawn on the page: a section whose element (or
    heading) is drawn first names the page; a page that begins inside a section continued from
    the page before keeps that section, even when another starts further down.
    """

    def __init__(self) -> None:
        self.current: str | None = None

    def at_page_start(self, page_box: Any) -> str | None:
        at_start: str | None = None
        drawn = False
        for box in _body(page_box):
            for name, value in box.string_set or ():
                if name == "section":
                    self.current = _string_value(value)
            if not drawn and isinstance(box, boxes.TextBox | boxes.ReplacedBox):
                drawn = True
                at_start = self.current
        return at_start if drawn else self.current


def _string_value(value: Any) -> str:
    """The text a ``string-set`` assigned (WeasyPrint keeps it as a list of parts)."""
    if isinstance(value, str):
        return " ".join(value.split())
    parts = [p[1] if isinstance(p, tuple) else p for p in value]
    return " ".join("".join(str(p) for p in parts).split())
