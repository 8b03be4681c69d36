"""A strip per log source, one cell per day of the period, filled when the source logged.

Every source is named in full (wrapped over as many lines as it needs, never cut), the days
run along a dated axis, and each axis says what it shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from html import escape
from typing import Any

from evidence.render.charts import chart
from evidence.render.charts.text import FONT_FAMILY, text_width, wrap

_NAME, _CHANNEL, _TICK = 8.0, 6.5, 7.0
_LINE = 9.0
_FONT = f'font-family="{FONT_FAMILY}"'


@chart("log_coverage")
def log_coverage(items: Sequence[Any], width: int = 640) -> str:
    """Days with and without logs for each ``logging.coverage`` item (black: silent day)."""
    rows = [i for i in items if i.facts.get("window_start")]
    if not rows:
        return ""
    label_width = _label_width(rows, width)
    plot_left, plot_right = label_width + 8, width - 4
    top = 14.0  # room for the axis title over the labels
    parts = [
        f'<text x="0" y="9" font-size="{_TICK}" {_FONT} font-weight="bold">'
        "Log source (channel)</text>"
    ]
    y = top
    first_day: date | None = None
    days = 1
    for item in rows:
        facts = item.facts
        start = date.fromisoformat(facts["window_start"][:10])
        count = max(int(facts.get("days_in_period", 0)), 1)
        first_day, days = first_day or start, max(days, count)
        channel = str(facts.get("channel", ""))
        lines = [(line, _NAME, "#111") for line in wrap(str(item.source), _NAME, label_width)]
        if channel:
            lines += [(line, _CHANNEL, "#333") for line in wrap(f"({channel})", _CHANNEL, label_width)]
        row_height = max(16.0, _LINE * len(lines) + 4)
        for index, (line, size, fill) in enumerate(lines):
            parts.append(
                f'<text x="0" y="{y + _LINE * (index + 1) - 1:.1f}" font-size="{size}" {_FONT} '
                f'fill="{fill}">{escape(line)}</text>'
            )
        empty = set(facts.get("empty_days", []))
        cell = (plot_right - plot_left) / count
        for day in range(count):
            when = (start + timedelta(days=day)).isoformat()
            silent = when in empty
            parts.append(
                f'<rect x="{plot_left + day * cell:.2f}" y="{y + 2:.1f}" '
                f'width="{max(cell - 0.4, 0.4):.2f}" height="{row_height - 5:.1f}" '
                f'fill="{"#111111" if silent else "#9fc89f"}"><title>{when}'
                f"{' no logs' if silent else ''}</title></rect>"
            )
        y += row_height
    assert first_day is not None
    parts.append(_date_axis(first_day, days, plot_left, plot_right, y))
    legend_y = y + 40
    parts.append(
        f'<rect x="{plot_left}" y="{legend_y - 8}" width="8" height="8" fill="#9fc89f"/>'
        f'<text x="{plot_left + 11}" y="{legend_y}" font-size="{_NAME}" {_FONT}>day with logs</text>'
        f'<rect x="{plot_left + 90}" y="{legend_y - 8}" width="8" height="8" fill="#111111"/>'
        f'<text x="{plot_left + 101}" y="{legend_y}" font-size="{_NAME}" {_FONT}>'
        "no logs that day</text>"
    )
    height = math.ceil(legend_y + 4)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Days with logs per source">'
        + "".join(parts)
        + "</svg>"
    )


def _label_width(rows: Sequence[Any], width: int) -> float:
    """As wide as the longest source name, up to a third of the chart (then names wrap)."""
    widest = max(text_width(str(i.source), _NAME) for i in rows)
    return min(max(widest, 60.0) + 2, width / 3)


def _date_axis(first: date, days: int, left: float, right: float, y: float) -> str:
    """Ticks at each month's first day (every n-th month when they would crowd), dated."""
    cell = (right - left) / days
    label = text_width("2026-07-01", _TICK) + 6
    months = [
        first + timedelta(days=n) for n in range(days) if (first + timedelta(days=n)).day == 1
    ]
    if not months or months[0] != first:
        months.insert(0, first)
    step = max(1, math.ceil(label * len(months) / (right - left)))
    out = [f'<line x1="{left}" y1="{y + 1:.1f}" x2="{right}" y2="{y + 1:.1f}" stroke="#111" stroke-width="0.6"/>']
    shown = months[::step]
    for index, day in enumerate(shown):
        x = left + (day - first).days * cell
        if index and x - (left + (shown[index - 1] - first).days * cell) < label:
            continue
        anchor = "end" if x + label > right else "start"
        out.append(
            f'<line x1="{x:.2f}" y1="{y + 1:.1f}" x2="{x:.2f}" y2="{y + 5:.1f}" stroke="#111" '
            f'stroke-width="0.6"/><text x="{x:.2f}" y="{y + 13:.1f}" font-size="{_TICK}" {_FONT} '
            f'text-anchor="{anchor}">{day.isoformat()}</text>'
        )
    out.append(
        f'<text x="{(left + right) / 2:.1f}" y="{y + 25:.1f}" font-size="{_TICK}" {_FONT} '
        f'font-weight="bold" text-anchor="middle">Day of the review period (UTC)</text>'
    )
    return "".join(out)
