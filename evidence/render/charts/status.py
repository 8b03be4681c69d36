"""A horizontal bar of control counts per status, legible in black and white (hatched fills)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from evidence.model.results import STATUS_ORDER, Status
from evidence.render.charts import chart

#: Fill per status: solid for "not met", hatches for the others, so print in grey stays readable.
STATUS_FILL = {
    Status.NOT_MET: "#111111",
    Status.INSUFFICIENT: "url(#hatch-diag)",
    Status.WAIVED: "url(#hatch-dots)",
    Status.MET: "#9fc89f",
    Status.NOT_APPLICABLE: "#dddddd",
}

#: The hatch patterns :data:`STATUS_FILL` refers to; every chart using those fills includes them.
PATTERN_DEFS = (
    '<defs><pattern id="hatch-diag" width="5" height="5" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="5" height="5" fill="#fff"/>'
    '<line x1="0" y1="0" x2="0" y2="5" stroke="#111" stroke-width="1.2"/></pattern>'
    '<pattern id="hatch-dots" width="4" height="4" patternUnits="userSpaceOnUse">'
    '<rect width="4" height="4" fill="#fff"/><circle cx="2" cy="2" r="0.9" fill="#111"/>'
    "</pattern></defs>"
)


@chart("status_bar")
def status_bar(counts: Mapping[Status, int], width: int = 500, height: int = 44) -> str:
    """One stacked bar of ``counts`` with a legend below it."""
    total = sum(counts.values()) or 1
    x = 0.0
    bars = []
    for status in STATUS_ORDER:
        n = counts.get(status, 0)
        if not n:
            continue
        w = width * n / total
        bars.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="18" fill="{STATUS_FILL[status]}" '
            f'stroke="#111" stroke-width="0.6"><title>{escape(status.label)}: {n}</title></rect>'
        )
        x += w
    legend = []
    lx = 0
    for status in STATUS_ORDER:
        label = f"{status.label} ({counts.get(status, 0)})"
        legend.append(
            f'<rect x="{lx}" y="28" width="10" height="10" fill="{STATUS_FILL[status]}" '
            'stroke="#111" stroke-width="0.6"/>'
            f'<text x="{lx + 14}" y="37" font-size="8" font-family="DejaVu Sans">{escape(label)}</text>'
        )
        lx += 24 + int(5.2 * len(label))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Controls by status">'
        + PATTERN_DEFS
        + "".join(bars)
        + "".join(legend)
        + "</svg>"
    )
