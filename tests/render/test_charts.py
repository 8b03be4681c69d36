"""Every chart keeps its labels inside its drawing, labels its axes, and dates the heatmap.

A label drawn past the edge of an SVG is clipped by the renderer ("admin-dashboard-audit
(applicati"), so each text element's extent is measured with the embedded font's advance widths
and checked against the viewBox.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from types import SimpleNamespace

import pytest

from evidence.model.results import STATUS_ORDER, Status
from evidence.model.review import TrendPoint
from evidence.render.charts import registry
from evidence.render.charts.text import text_width, wrap

SVG = "{http://www.w3.org/2000/svg}"
LONG = "admin-dashboard-audit-with-a-very-long-source-name-nobody-would-shorten"


def coverage_item(source: str, channel: str) -> SimpleNamespace:
    facts = {
        "window_start": "2026-07-01T00:00:00Z",
        "days_in_period": 92,
        "empty_days": ["2026-08-09", "2026-08-10"],
        "channel": channel,
    }
    return SimpleNamespace(source=source, facts=facts)


def charts() -> dict[str, str]:
    counts = dict.fromkeys(STATUS_ORDER, 17)
    family = {"counts": counts, "total": sum(counts.values())}
    draw = registry()
    job = {
        "job": "purge-orders-pii-nightly-with-a-long-name",
        "purges": "pii",
        "interval_hours": 24,
        "runs": [{"started": "2026-07-02T01:00:00Z", "status": "succeeded"}],
        "missed": ["2026-07-03T01:00:00Z"],
        "failed": [],
        "gaps_over_interval": [],
    }
    return {
        "log_coverage": draw["log_coverage"](
            [coverage_item("aws-cloudtrail", "cloud"), coverage_item(LONG, "application")]
        ),
        "status_bar": draw["status_bar"](dict.fromkeys(STATUS_ORDER, 1234)),
        "family_status": draw["family_status"](
            [
                {**family, "title": "Access control and identity management of every system " * 2},
                {**family, "title": "Logging"},
            ]
        ),
        "status_trend": draw["status_trend"](
            [
                TrendPoint(label=f"2026-Q{q}", end=date(2026, 3 * q, 28), counts=counts)
                for q in (1, 2, 3)
            ]
        ),
        "job_timeline": draw["job_timeline"]([job], date(2026, 7, 1), date(2026, 9, 30)),
    }


@pytest.mark.parametrize("name", ["log_coverage", "status_bar", "family_status", "status_trend", "job_timeline"])
def test_every_label_lies_inside_the_chart(name: str) -> None:
    svg = ET.fromstring(charts()[name])
    _, _, width, height = (float(v) for v in svg.attrib["viewBox"].split())
    texts = list(svg.iter(f"{SVG}text"))
    assert texts
    for text in texts:
        content = "".join(text.itertext())
        size = float(text.attrib.get("font-size", "8"))
        extent = text_width(content, size, bold=text.attrib.get("font-weight") == "bold")
        x, y = float(text.attrib["x"]), float(text.attrib["y"])
        if "rotate(-90" in text.attrib.get("transform", ""):  # runs upwards around (x, y)
            assert extent / 2 <= y <= height - extent / 2, content
            continue
        anchor = text.attrib.get("text-anchor", "start")
        left = {"start": x, "middle": x - extent / 2, "end": x - extent}[anchor]
        assert left >= -0.5 and left + extent <= width + 0.5, f"{name}: {content!r} at {left:.0f}"
        assert size * 0.7 <= y <= height + 0.5, f"{name}: {content!r} at y {y}"


def test_the_heatmap_names_every_source_in_full_and_dates_its_axis() -> None:
    svg = charts()["log_coverage"]
    lines = re.findall(r">([^<>]+)</text>", svg)
    assert LONG in "".join(lines), "the long source name is wrapped over lines, not cut"
    assert not any(line.endswith("…") for line in lines)
    assert "(application)" in lines
    assert {"2026-07-01", "2026-08-01", "2026-09-01"} <= set(lines)
    assert "Day of the review period (UTC)" in lines
    assert "Log source (channel)" in lines


def test_the_trend_chart_labels_both_axes() -> None:
    svg = charts()["status_trend"]
    assert ">Controls</text>" in svg
    assert ">Review period (latest evaluation of each)</text>" in svg
    assert Status.NOT_MET.label in svg


def test_wrap_breaks_at_punctuation_and_cuts_only_a_word_wider_than_the_line() -> None:
    assert wrap("admin-dashboard-audit (application)", 8, 90) == ["admin-dashboard-", "audit (application)"]
    pieces = wrap("f" * 64, 8, 100)
    assert "".join(pieces) == "f" * 64
    assert all(text_width(p, 8) <= 100 for p in pieces)
