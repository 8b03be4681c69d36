"""Charts of control statuses, legible in black and white: hatches and fills, not colour alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from evidence.model.results import STATUS_ORDER, Status
from evidence.render.charts import chart
from evidence.render.charts.text import text_width, wrap

FONT = "Report Sans, DejaVu Sans, sans-serif"

# Fill per status: solid for "not met", hatches for the others, so print in grey stays readable.
_FILL = {
    Status.NOT_MET: "#111111",
    Status.INSUFFICIENT: "url(#hatch-diag)",
    Status.WAIVED: "url(#hatch-dots)",
    Status.MET: "#9fc89f",
    Status.NOT_APPLICABLE: "#dddddd",
}

_PATTERNS = (
    '<defs><pattern id="hatch-diag" width="5" height="5" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="5" height="5" fill="#fff"/>'
    '<line x1="0" y1="0" x2="0" y2="5" stroke="#111" stroke-width="1.2"/></pattern>'
    '<pattern id="hatch-dots" width="4" height="4" patternUnits="userSpaceOnUse">'
    '<rect width="4" height="4" fill="#fff"/><circle cx="2" cy="2" r="0.9" fill="#111"/>'
    "</pattern></defs>"
)


def _legend(counts: Mapping[Status, int] | None, y: int, width: float) -> tuple[str, int]:
    """The legend from ``y`` down, in as many rows as ``width`` needs; (svg, its height)."""
    parts = []
    x, row = 0.0, 0
    for status in STATUS_ORDER:
        label = status.label if counts is None else f"{status.label} ({counts.get(status, 0)})"
        item = 14 + text_width(label, 8)
        if x and x + item > width:
            x, row = 0.0, row + 1
        top = y + 14 * row
        parts.append(
            f'<rect x="{x:.1f}" y="{top}" width="10" height="10" fill="{_FILL[status]}" '
            'stroke="#111" stroke-width="0.6"/>'
            f'<text x="{x + 14:.1f}" y="{top + 9}" font-size="8" font-family="{FONT}">'
            f"{escape(label)}</text>"
        )
        x += item + 12
    return "".join(parts), 14 * (row + 1)


def _segments(
    counts: Mapping[Status, int], x0: float, y: float, width: float, height: float, total: int
) -> str:
    """One stacked bar of ``counts`` scaled so ``total`` controls fill ``width``."""
    x = x0
    bars = []
    for status in STATUS_ORDER:
        n = counts.get(status, 0)
        if not n:
            continue
        w = width * n / (total or 1)
        bars.append(
            f'<rect x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{height:.2f}" '
            f'fill="{_FILL[status]}" '
            f'stroke="#111" stroke-width="0.6"><title>{escape(status.label)}: {n}</title></rect>'
        )
        x += w
    return "".join(bars)


@chart("status_bar")
def status_bar(counts: Mapping[Status, int], width: int = 500) -> str:
    """One stacked bar of ``counts`` with a legend below it."""
    total = sum(counts.values())
    legend, legend_height = _legend(counts, 28, width)
    height = 28 + legend_height
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Controls by status">'
        + _PATTERNS
        + _segments(counts, 0, 0, width, 18, total)
        + legend
        + "</svg>"
    )


@chart("family_status")
def family_status(families: Sequence[Mapping[str, Any]], width: int = 640) -> str:
    """Draw a stacked bar per control family, all on one scale.

    ``families`` are mappings with ``title``, ``counts`` (per status) and ``total``; the count is
    written beside each bar and a legend goes below.
    """
    label_width, line, bar = 205, 9.5, 10
    largest = max((int(f["total"]) for f in families), default=1) or 1
    scale_width = width - label_width - 30
    rows = []
    y = 0.0
    for family in families:
        # A long family title wraps onto more lines, never cut short.
        lines = wrap(str(family["title"]), 7.5, label_width - 8)
        total = int(family["total"])
        length = scale_width * total / largest
        rows.append(
            "".join(
                f'<text x="{label_width - 4}" y="{y + 8.5 + line * index:.1f}" font-size="7.5" '
                f'text-anchor="end" font-family="{FONT}">{escape(text)}</text>'
                for index, text in enumerate(lines)
            )
            + _segments(family["counts"], label_width, y, length, bar, total)
            + f'<text x="{label_width + length + 4:.2f}" y="{y + 8.5:.1f}" font-size="7.5" '
            f'font-family="{FONT}">{total}</text>'
        )
        y += max(15.0, line * len(lines) + 5)
    legend, legend_height = _legend(None, int(y) + 6, width)
    height = int(y) + 6 + legend_height
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Controls per family by status">'
        + _PATTERNS.replace('id="hatch-', 'id="fam-hatch-')
        + "".join(rows).replace("url(#hatch-", "url(#fam-hatch-")
        + legend.replace("url(#hatch-", "url(#fam-hatch-")
        + "</svg>"
    )


#: Public names of the fills and hatch patterns, for other charts (the quarterly trend chart).
STATUS_FILL = _FILL
PATTERN_DEFS = _PATTERNS
