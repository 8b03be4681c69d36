from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from evidence.render.charts import registry
from evidence.render.charts.dataflow import (
    MAX_WIDTH_PT,
    dataflow_diagram,
    dataflow_legend,
    dot_string,
)
from tests.dataflow_support import MINIMAL, collect

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = 'Orders "db"; ] n0 -> n1 [label="x <script>alert(1)</script> C:\\new \\N'


def facts(tmp_path: Path, text: str = MINIMAL) -> dict[str, Any]:
    (item,) = collect(tmp_path, {"map.yaml": text})
    assert item.error is None, item.error
    return item.facts


def texts(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_registered_for_templates() -> None:
    assert {"dataflow_diagram", "dataflow_legend"} <= set(registry())


def test_every_node_is_drawn_as_real_text(tmp_path: Path) -> None:
    svg = dataflow_diagram(facts(tmp_path))
    drawn = texts(svg)
    for name in ("Selling Partner API", "Order API", "Orders database"):
        assert name in drawn
    assert "[PII · encrypted]" in drawn
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "<!--" not in svg


def test_hostile_names_stay_text(tmp_path: Path) -> None:
    text = MINIMAL.replace("name: Orders database", f"name: '{HOSTILE}'")
    svg = dataflow_diagram(facts(tmp_path, text))
    assert "<script" not in svg
    assert " ".join(HOSTILE.split()) in texts(svg)
    assert dot_string('a"b\\c') == '"a\\"b\\\\c"'


def test_pii_flows_are_thick_and_weak_tls_is_dashed(tmp_path: Path) -> None:
    text = MINIMAL.replace("tls: 1.3", "tls: 1.0").replace(
        "roles:\n",
        "  - {from: api, to: sp-api, carries: {amazon: [order_id]}, tls: 1.2}\nroles:\n",
    )
    root = ElementTree.fromstring(dataflow_diagram(facts(tmp_path, text)))
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    paths = [next(g.iter(f"{SVG}path")) for g in edges]
    widths = sorted(p.get("stroke-width", "1") for p in paths)
    assert widths == ["0.8", "2.4", "2.4"]
    dashed = [p for p in paths if p.get("stroke-dasharray")]
    assert len(dashed) == 1
    assert dashed[0].get("stroke-width") == "2.4"
    labels = [" ".join(texts(ElementTree.tostring(g, encoding="unicode"))) for g in edges]
    assert any("PII (1 field)" in label and "TLS 1.0 (below 1.2)" in label for label in labels)


def test_diagram_fits_the_page_and_is_deterministic(tmp_path: Path) -> None:
    first = dataflow_diagram(facts(tmp_path))
    assert first == dataflow_diagram(facts(tmp_path))
    width = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', first)[1])  # type: ignore[index]
    assert width <= MAX_WIDTH_PT


def test_without_graphviz_the_report_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = facts(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on this PATH
    assert shutil.which("dot") is None
    svg = dataflow_diagram(data)
    assert texts(svg) == ["Diagram not drawn: Graphviz (dot) is not installed or failed."]


def test_legend_reads_in_black_and_white() -> None:
    root = ElementTree.fromstring(dataflow_legend())
    lines = list(root.iter(f"{SVG}line"))
    styles = {(line.get("stroke-width"), line.get("stroke-dasharray")) for line in lines}
    assert len(styles) == len(lines) == 4  # every flow style differs in weight or pattern
