"""A strip per log source, one cell per day of the period, filled when the source logged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from html import escape
from typing import Any

from evidence.render.charts import chart


@chart("log_coverage")
def log_coverage(items: Sequence[Any], width: int = 500) -> str:
    """Days with and without logs for each ``logging.coverage`` item (black: silent day)."""
    rows = [i for i in items if i.facts.get("window_start")]
    if not rows:
        return ""
    label_width, row_height = 150, 16
    height = row_height * len(rows) + 18
    parts = []
    for index, item in enumerate(rows):
        facts = item.facts
        start = date.fromisoformat(facts["window_start"][:10])
        count = max(int(facts.get("days_in_period", 0)), 1)
        empty = set(facts.get("empty_days", []))
        cell = (width - label_width) / count
        y = index * row_height
        name = f"{item.source} ({facts.get('channel', '')})"
        parts.append(
            f'<text x="0" y="{y + 11}" font-size="8" font-family="DejaVu '
            f'Sans">{escape(name[:32])}</text>'
        )
        for day in range(count):
            silent = (start + timedelta(days=day)).isoformat() in empty
            fill = "#111111" if silent else "#9fc89f"
            x = label_width + day * cell
            parts.append(
                f'<rect x="{x:.2f}" y="{y + 2}" width="{max(cell - 0.4, 0.4):.2f}" '
                f'height="{row_height - 5}" '
                f'fill="{fill}"><title>{(start + timedelta(days=day)).isoformat()}'
                f"{' no logs' if silent else ''}</title></rect>"
            )
    legend_y = height - 6
    parts.append(
        f'<rect x="{label_width}" y="{legend_y - 8}" width="8" height="8" fill="#9fc89f"/>'
        f'<text x="{label_width + 11}" y="{legend_y}" font-size="8" font-family="DejaVu '
        'Sans">day with logs</text>'
        f'<rect x="{label_width + 80}" y="{legend_y - 8}" width="8" height="8" fill="#111111"/>'
        f'<text x="{label_width + 91}" y="{legend_y}" font-size="8" font-family="DejaVu '
        'Sans">no logs that day</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 '
        f'0 {width} {height}" '
        'role="img" aria-label="Days with logs per source">' + "".join(parts) + "</svg>"
    )
