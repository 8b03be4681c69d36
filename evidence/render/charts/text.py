"""Text widths for charts, measured with the font the reports embed rather than guessed.

A chart lays its labels out before any renderer sees them, so it must know how wide a label
will be: the advance widths come from templates/fonts/ (DejaVu Sans, read with fontTools, which
WeasyPrint already depends on). Labels that do not fit are wrapped, never cut.
"""

from __future__ import annotations

import re
from functools import cache

from evidence.resources import templates_dir

#: The font family every chart names; the same face as the reports' "Report Sans".
FONT_FAMILY = "DejaVu Sans"
_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
#: Where a long label may break: after a space, a hyphen, an underscore, a slash or a dot.
_BREAK = re.compile(r"(?<=[ \-_/.:,])")


@cache
def _metrics(bold: bool) -> tuple[dict[int, int], int, int]:
    from fontTools.ttLib import TTFont

    with TTFont(templates_dir() / "fonts" / _FILES[bold]) as font:
        advances = font["hmtx"].metrics
        widths = {code: advances[glyph][0] for code, glyph in font.getBestCmap().items()}
        return widths, font["head"].unitsPerEm, advances[".notdef"][0]


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width of ``text`` set in the chart font at ``size`` (user units of the SVG)."""
    widths, units, missing = _metrics(bold)
    return sum(widths.get(ord(char), missing) for char in text) * size / units


def wrap(text: str, size: float, width: float, *, bold: bool = False) -> list[str]:
    """Break ``text`` into lines no wider than ``width``: at break points, else anywhere."""
    lines: list[str] = []
    line = ""
    for piece in (p for p in _BREAK.split(text) if p):
        if text_width(line + piece, size, bold=bold) <= width:
            line += piece
            continue
        if line:
            lines.append(line.rstrip())
            line = ""
        while text_width(piece, size, bold=bold) > width:
            cut = max(1, _fitting(piece, size, width, bold))
            lines.append(piece[:cut])
            piece = piece[cut:]
        line = piece
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _fitting(text: str, size: float, width: float, bold: bool) -> int:
    count = 0
    while count < len(text) and text_width(text[: count + 1], size, bold=bold) <= width:
        count += 1
    return count
