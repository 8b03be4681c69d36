"""Controls per status over the last periods: one stacked column per period, oldest on the left.

Legible in black and white (the status chart's hatches), every column labelled with its period
and its number of gaps, so the chart reads without colour and without the legend.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from evidence.model.results import STATUS_ORDER
from evidence.model.review import TrendPoint
from evidence.render.charts import chart
from evidence.render.charts.status import PATTERN_DEFS, STATUS_FILL
from evidence.render.charts.text import text_width

_TOP = 14
_AXIS = 34
_LEGEND = 18
_LEFT = 40
_SMALL = 'font-size="7" font-family="DejaVu Sans"'


@chart("status_trend")
def status_trend(points: Sequence[TrendPoint], width: int = 500, height: int = 190) -> str:
    """Stacked columns of control counts per status, one per period in ``points``."""
    plot_height = height - _TOP - _AXIS - _LEGEND
    most = max((sum(p.counts.values()) for p in points), default=0) or 1
    slot = (width - _LEFT - 2) / max(len(points), 1)
    column = min(slot * 0.55, 60)
    base = _TOP + plot_height
    parts = [
        f'<line x1="{_LEFT - 2}" y1="{base}" x2="{width}" y2="{base}" stroke="#111" stroke-width="0.6"/>',
        f'<line x1="{_LEFT - 2}" y1="{_TOP}" x2="{_LEFT - 2}" y2="{base}" stroke="#111" stroke-width="0.6"/>',
        f'<text x="{_LEFT - 5}" y="{_TOP + 4}" {_SMALL} text-anchor="end">{most}</text>',
        f'<text x="{_LEFT - 5}" y="{base}" {_SMALL} text-anchor="end">0</text>',
        # Axis titles: what the columns count, and what each column is.
        f'<text x="9" y="{_TOP + plot_height / 2:.1f}" {_SMALL} font-weight="bold" text-anchor="middle" '
        f'transform="rotate(-90 9 {_TOP + plot_height / 2:.1f})">Controls</text>',
        f'<text x="{_LEFT + (width - _LEFT) / 2:.1f}" y="{base + 24}" {_SMALL} font-weight="bold" '
        'text-anchor="middle">Review period (latest evaluation of each)</text>',
    ]
    for index, point in enumerate(points):
        x = _LEFT + index * slot + (slot - column) / 2
        y = float(_TOP + plot_height)
        for status in reversed(STATUS_ORDER):
            n = point.counts.get(status, 0)
            if not n:
                continue
            h = plot_height * n / most
            y -= h
            parts.append(
                f'<rect x="{x:.2f}" y="{y:.2f}" width="{column:.2f}" height="{h:.2f}" '
                f'fill="{STATUS_FILL[status]}" stroke="#111" stroke-width="0.6">'
                f"<title>{escape(point.label)}: {escape(status.label)} {n}</title></rect>"
            )
        gaps = sum(n for status, n in point.counts.items() if status.is_gap)
        centre = x + column / 2
        parts.append(
            f'<text x="{centre:.2f}" y="{y - 3:.2f}" font-size="7" text-anchor="middle" '
            f'font-family="DejaVu Sans">{gaps} gaps</text>'
            f'<text x="{centre:.2f}" y="{_TOP + plot_height + 11}" font-size="8" '
            f'text-anchor="middle" font-family="DejaVu Sans">{escape(point.label)}</text>'
        )
    lx = 0
    legend_y = height - 8
    for status in STATUS_ORDER:
        parts.append(
            f'<rect x="{lx}" y="{legend_y - 8}" width="9" height="9" fill="{STATUS_FILL[status]}" '
            f'stroke="#111" stroke-width="0.6"/><text x="{lx + 12}" y="{legend_y}" font-size="7" '
            f'font-family="DejaVu Sans">{escape(status.label)}</text>'
        )
        lx += 22 + int(text_width(status.label, 7))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Controls by status per period">'
        + PATTERN_DEFS
        + "".join(parts)
        + "</svg>"
    )
