"""A timeline of retention job runs over the review period: runs, failures, missed slots, gaps.

One row per job. Successful runs are dark bars, runs whose outcome the history does not record
are grey bars, failures are crosses, missed scheduled runs are hollow triangles with their date,
and stretches without a working run longer than the job's interval are hatched. Shapes, not
colour, carry the meaning, so the chart reads in black and white.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from typing import Any

from evidence.render.charts import chart
from evidence.render.charts.text import text_width

_LABEL_WIDTH = 132
_ROW = 34
_TOP = 8
#: Missed or failed slots labelled with their date in a row (more would overlap).
_MAX_DATE_LABELS = 4


@chart("job_timeline")
def job_timeline(
    jobs: Sequence[Mapping[str, Any]], start: date, end: date, width: int = 500
) -> str:
    """Draw one row per job of ``retention.job_runs`` facts across ``start`` .. ``end``."""
    first = datetime.combine(start, time.min, tzinfo=UTC)
    last = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    plot = _Plot(first, last, _LABEL_WIDTH, width - 8)
    height = _TOP + _ROW * max(len(jobs), 1) + 44
    parts = [_defs(), _axis(plot, _TOP + _ROW * len(jobs))]
    for index, job in enumerate(jobs):
        parts.append(_row(plot, job, _TOP + _ROW * index))
    parts.append(_legend(_TOP + _ROW * len(jobs) + 26))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Retention job runs from '
        f'{start.isoformat()} to {end.isoformat()}">' + "".join(parts) + "</svg>"
    )


class _Plot:
    """Maps instants of the period to x positions."""

    def __init__(self, first: datetime, last: datetime, left: float, right: float) -> None:
        self.first, self.last, self.left, self.right = first, last, left, right

    def x(self, moment: datetime) -> float:
        """Return the x position of ``moment``, clamped to the plot."""
        share = (moment - self.first) / (self.last - self.first)
        return self.left + (self.right - self.left) * min(max(share, 0.0), 1.0)


def _row(plot: _Plot, job: Mapping[str, Any], top: int) -> str:
    mid = top + 16
    name = str(job.get("job", ""))
    name = name if len(name) <= 22 else name[:21] + "…"
    purpose = {"pii": "PII", "non-pii": "non-PII", "backups": "backups"}.get(
        str(job.get("purges")), ""
    )
    out = [
        f'<text x="0" y="{mid - 2}" font-size="8" font-family="DejaVu Sans">{escape(name)}</text>',
        f'<text x="0" y="{mid + 8}" font-size="6.5" font-family="DejaVu Sans" fill="#333">'
        f"{escape(purpose)} · {escape(_every(job))}</text>",
        f'<line x1="{plot.left}" y1="{mid}" x2="{plot.right}" y2="{mid}" '
        'stroke="#999" stroke-width="0.5"/>',
    ]
    for gap in job.get("gaps_over_interval") or []:
        x1, x2 = plot.x(_instant(gap["from"])), plot.x(_instant(gap["to"]))
        out.append(
            f'<rect x="{x1:.2f}" y="{mid - 9}" width="{max(x2 - x1, 0.5):.2f}" height="18" '
            f'fill="url(#gap-hatch)" stroke="#111" stroke-width="0.4"><title>{_gap_title(gap)}'
            "</title></rect>"
        )
    for run in job.get("runs") or []:
        out.append(_run_mark(plot.x(_instant(run["started"])), mid, str(run["status"])))
    for index, slot in enumerate(job.get("missed") or []):
        x = plot.x(_instant(slot))
        out.append(
            f'<path d="M{x - 3.5:.2f},{mid - 15} L{x + 3.5:.2f},{mid - 15} L{x:.2f},{mid - 9} Z" '
            f'fill="#fff" stroke="#111" stroke-width="0.9">'
            f"<title>missed {escape(slot)}</title></path>"
        )
        if index < _MAX_DATE_LABELS:
            out.append(_date_label(x, mid - 16, slot))
    for index, slot in enumerate(job.get("failed") or []):
        if index < _MAX_DATE_LABELS:
            out.append(_date_label(plot.x(_instant(slot)), mid + 15, slot))
    return "".join(out)


def _gap_title(gap: Mapping[str, Any]) -> str:
    days = f"{gap['hours'] / 24:.1f} days"
    if gap.get("unknown_runs"):  # runs started, but none is known to have worked
        return f"no run known to have worked for {days}; {gap['unknown_runs']} recorded no outcome"
    return f"no working run for {days}"


def _run_mark(x: float, mid: int, status: str) -> str:
    if status == "failed":
        return (
            f'<path d="M{x - 3:.2f},{mid - 3} L{x + 3:.2f},{mid + 3} M{x - 3:.2f},{mid + 3} '
            f'L{x + 3:.2f},{mid - 3}" stroke="#000" stroke-width="1.5">'
            "<title>failed run</title></path>"
        )
    if status == "skipped":
        return (
            f'<rect x="{x - 2:.2f}" y="{mid - 2}" width="4" height="4" fill="#fff" '
            'stroke="#111" stroke-width="0.7"/>'
        )
    fill = "#1f4d2a" if status == "succeeded" else "#8a8a8a"
    return f'<rect x="{x - 0.8:.2f}" y="{mid - 6}" width="1.6" height="12" fill="{fill}"/>'


def _date_label(x: float, y: int, value: str) -> str:
    return (
        f'<text x="{x:.2f}" y="{y}" font-size="6" font-family="DejaVu Sans" text-anchor="middle">'
        f"{escape(value[5:10])}</text>"
    )


#: Month names spelt out: ``strftime("%b")`` follows the process locale (LC_TIME).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _axis(plot: _Plot, y: int) -> str:
    out = [
        f'<line x1="{plot.left}" y1="{y}" x2="{plot.right}" y2="{y}" '
        'stroke="#111" stroke-width="0.6"/>'
    ]
    day = plot.first.date()
    while datetime.combine(day, time.min, tzinfo=UTC) <= plot.last:
        x = plot.x(datetime.combine(day, time.min, tzinfo=UTC))
        if day.day == 1 and x < plot.right - 30:
            out.append(
                f'<line x1="{x:.2f}" y1="{_TOP}" x2="{x:.2f}" y2="{y + 4}" '
                'stroke="#bbb" stroke-width="0.5"/>'
                f'<text x="{x + 2:.2f}" y="{y + 11}" font-size="7" font-family="DejaVu Sans">'
                f"{_MONTHS[day.month - 1]} {day.year}</text>"
            )
        elif day.weekday() == 0:
            out.append(
                f'<line x1="{x:.2f}" y1="{y}" x2="{x:.2f}" y2="{y + 2.5}" '
                'stroke="#111" stroke-width="0.4"/>'
            )
        day += timedelta(days=1)
    return "".join(out)


def _legend(y: int) -> str:
    items = [
        '<rect x="0" y="{y0}" width="1.6" height="9" fill="#1f4d2a"/>',
        '<rect x="0" y="{y0}" width="1.6" height="9" fill="#8a8a8a"/>',
        '<path d="M-2,{ya} L4,{yb} M-2,{yb} L4,{ya}" stroke="#000" stroke-width="1.5"/>',
        '<path d="M-3,{y0} L4,{y0} L0.5,{yb} Z" fill="#fff" stroke="#111" stroke-width="0.9"/>',
        '<rect x="-2" y="{y0}" width="9" height="9" fill="url(#gap-hatch)" '
        'stroke="#111" stroke-width="0.4"/>',
    ]
    labels = [
        "run succeeded",
        "run, outcome not recorded",
        "run failed",
        "scheduled run missed",
        "gap longer than the interval",
    ]
    out, x = [], 4
    for shape, label in zip(items, labels, strict=True):
        out.append(
            f'<g transform="translate({x},0)">'
            + shape.format(y0=y - 8, ya=y - 6, yb=y)
            + f'<text x="10" y="{y}" font-size="7" font-family="DejaVu Sans">{label}</text></g>'
        )
        x += 20 + int(text_width(label, 7))
    return "".join(out)


def _defs() -> str:
    return (
        '<defs><pattern id="gap-hatch" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="4" height="4" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="4" stroke="#111" stroke-width="0.9"/></pattern></defs>'
    )


def _every(job: Mapping[str, Any]) -> str:
    hours = float(job.get("interval_hours") or 0)
    if hours and hours % 168 == 0:
        return "weekly" if hours == 168 else f"every {hours / 168:g} weeks"
    if hours and hours % 24 == 0:
        return "daily" if hours == 24 else f"every {hours / 24:g} days"
    return f"every {hours:g} h" if hours else ""


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
