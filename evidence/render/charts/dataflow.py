"""The data-flow diagram: the map's systems, stores and third parties as nodes, flows as edges.

Drawn by Graphviz (``dot -Tsvg``, a local program: nothing is fetched) from the
``dataflow.map`` facts. Flows carrying PII are thick, black and labelled with the number of
PII fields and the TLS version; a PII flow below TLS 1.2 is thick and dashed; flows of other
data are thin and grey; flows whose data the map does not state are dotted. Every style
differs in line weight or pattern, not only in colour, so the diagram reads in black and white.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from html import escape
from typing import Any

from evidence.render.charts import chart

MAX_WIDTH_PT = 490.0
MAX_HEIGHT_PT = 600.0
_TIMEOUT_SECONDS = 60
_WEAK_TLS = {"none", "1.0", "1.1"}
# Anything that could run or fetch something. Graphviz never writes it for our input; an SVG
# that contains it is not inlined.
_UNSAFE = re.compile(r"<script|<foreignObject|\shref=|xlink:href|\son[a-z]+=", re.IGNORECASE)
_FONT = 'fontname="DejaVu Sans"'
_HEADER = (
    "digraph dataflow {",
    f'graph [rankdir=TB, {_FONT}, fontsize=10, nodesep=0.25, ranksep=0.5, pad=0.1, '
    'bgcolor="#ffffff"];',
    f'node [{_FONT}, fontsize=10, color="#111111", fontcolor="#111111", margin="0.12,0.05"];',
    f"edge [{_FONT}, fontsize=8, arrowsize=0.6];",
)
_PII_EDGE = 'penwidth=2.4, color="#000000", fontcolor="#000000"'
_UNKNOWN_EDGE = 'style=dotted, penwidth=1.2, color="#444444"'
_OTHER_EDGE = 'style=solid, penwidth=0.8, color="#777777", fontcolor="#555555"'
_OUTSIDE = 'shape=box, style="rounded,filled", fillcolor="#e6e6e6", penwidth=1.6'
_DEVICE = 'shape=note, style="filled", fillcolor="#eeeeee"'
_SYSTEM = 'shape=box, style="rounded"'


def dot_string(text: str) -> str:
    """Quote ``text`` for DOT: backslashes and quotes escaped, line breaks folded to spaces."""
    folded = " ".join(str(text).split())
    return '"' + folded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(*lines: str) -> str:
    """Build a multi-line DOT label: each line escaped, joined by DOT's centred line break."""
    return '"' + "\\n".join(dot_string(line)[1:-1] for line in lines if line) + '"'


def _store_label(store: Mapping[str, Any]) -> str:
    marks = {"yes": ["PII"], "unknown": ["PII?"], "no": []}[store["pii"]]
    encrypted = store["encrypted_at_rest"]
    marks.append({True: "encrypted", False: "NOT encrypted", None: "encryption ?"}[encrypted])
    return _label(store["name"], f"[{' · '.join(marks)}]")


def _transport(flow: Mapping[str, Any]) -> str:
    if flow["ssh"]:
        return f"SSH {flow['ssh']}"
    if flow["tls"] == "none":
        return "no TLS"
    return f"TLS {flow['tls']}" if flow["tls"] else "TLS ?"


def _edge(flow: Mapping[str, Any]) -> str:
    direction = ', dir="both"' if flow["bidirectional"] else ""
    transport = _transport(flow)
    if flow["pii"] == "yes":
        weak = flow["tls"] in _WEAK_TLS and not flow["ssh"]
        count = len(flow["pii_fields"])
        fields = f"PII ({count} field{'s' if count != 1 else ''})"
        label = _label(fields, transport + (" (below 1.2)" if weak else ""))
        style = '"bold,dashed"' if weak else "bold"
        return f"style={style}, {_PII_EDGE}, label={label}{direction}"
    if flow["pii"] == "unknown":
        return f"{_UNKNOWN_EDGE}, label={_label('data not stated', transport)}{direction}"
    return f"{_OTHER_EDGE}, label={_label(transport)}{direction}"


def dot_source(facts: Mapping[str, Any]) -> str:
    """Write the DOT text of one map's diagram (node ids are ours, every label is escaped)."""
    ids: dict[str, str] = {}
    zones: dict[str, list[str]] = {}
    nodes: list[str] = []

    def add(key: str, attributes: str, zone: str | None) -> None:
        node = ids.setdefault(key, f"n{len(ids)}")
        nodes.append(f"{node} [{attributes}];")
        if zone:
            zones.setdefault(zone, []).append(node)

    for system in facts["systems"]:
        outside = system["kind"] in ("amazon", "user", "external")
        shape = _DEVICE if system["device"] else _OUTSIDE if outside else _SYSTEM
        add(system["id"], f"{shape}, label={_label(system['name'])}", system["zone"])
    for store in facts["stores"]:
        width = "2.2" if store["pii"] == "yes" else "0.9"
        attributes = f"shape=cylinder, penwidth={width}, label={_store_label(store)}"
        add(store["id"], attributes, store["zone"])
    for party in facts["third_parties"]:
        purpose = f"third party · {party['purpose']}" if party["purpose"] else "third party"
        label = _label(party["name"], purpose)
        add(party["id"], f'shape=box, style="dashed", penwidth=1.4, label={label}', None)
    lines = list(_HEADER)
    for index, (zone, members) in enumerate(sorted(zones.items())):
        lines.append(
            f'subgraph cluster_{index} {{ label={dot_string(zone)}; style=dashed; color="#888888"; '
            f"fontsize=9; {' '.join(members)} }}"
        )
    lines.extend(nodes)
    for flow in facts["flows"]:
        if flow["from"] in ids and flow["to"] in ids:
            lines.append(f"{ids[flow['from']]} -> {ids[flow['to']]} [{_edge(flow)}];")
    lines.append("}")
    return "\n".join(lines)


def run_dot(source: str) -> str | None:
    """Run Graphviz on ``source``; None when it is not installed or fails (the report says so)."""
    try:
        done = subprocess.run(
            ["dot", "-Tsvg"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except (FileNotFoundError, PermissionError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None


def inline_svg(svg: str, title: str) -> str | None:
    """Make Graphviz's SVG fit to inline: no prolog or comments, scaled to the page, labelled."""
    start = svg.find("<svg")
    if start < 0 or _UNSAFE.search(svg):
        return None
    body = re.sub(r"<!--.*?-->", "", svg[start:], flags=re.DOTALL)
    size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', body)
    if size is None:
        return None
    width, height = float(size[1]), float(size[2])
    scale = min(1.0, MAX_WIDTH_PT / width, MAX_HEIGHT_PT / height)
    opening = (
        f'<svg role="img" aria-label="{escape(title)}" '
        f'width="{width * scale:.1f}pt" height="{height * scale:.1f}pt"'
    )
    return body.replace(size[0], opening, 1)


def _unavailable(message: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="490" height="40" viewBox="0 0 490 40" '
        'role="img"><rect x="0.5" y="0.5" width="489" height="39" fill="#ffffff" stroke="#111" '
        'stroke-dasharray="3 2"/><text x="10" y="24" font-size="9" font-family="DejaVu Sans">'
        f"{escape(message)}</text></svg>"
    )


@chart("dataflow_diagram")
def dataflow_diagram(facts: Mapping[str, Any]) -> str:
    """Draw the SVG diagram of one ``dataflow.map`` item's facts."""
    svg = run_dot(dot_source(facts))
    if svg is None:
        return _unavailable("Diagram not drawn: Graphviz (dot) is not installed or failed.")
    inlined = inline_svg(svg, f"Data-flow diagram: {facts.get('map')}")
    if inlined is None:
        return _unavailable("Diagram not drawn: Graphviz output was not usable.")
    return inlined


_KEY = (
    ('stroke="#000" stroke-width="2.4"', "flow carrying PII (number of PII fields, TLS version)"),
    ('stroke="#000" stroke-width="2.4" stroke-dasharray="6 3"', "flow carrying PII below TLS 1.2"),
    ('stroke="#777" stroke-width="0.8"', "flow of other Amazon data"),
    ('stroke="#444" stroke-width="1.2" stroke-dasharray="1 2"', "flow whose data is not stated"),
)
_TEXT = 'font-size="7.5" font-family="DejaVu Sans"'
_SHAPES = (
    "Cylinders: stores (thick outline: holds PII). Rounded boxes: systems (shaded: outside "
    "parties). Dashed boxes: third parties."
)


@chart("dataflow_legend")
def dataflow_legend() -> str:
    """Draw a key to the diagram's line styles and shapes, in black and white."""
    parts = []
    for index, (style, text) in enumerate(_KEY):
        y = 8 + index * 13
        parts.append(
            f'<line x1="0" y1="{y}" x2="34" y2="{y}" {style}/>'
            f'<text x="42" y="{y + 3}" {_TEXT}>{escape(text)}</text>'
        )
    y = 8 + len(_KEY) * 13 + 3
    parts.append(f'<text x="0" y="{y}" {_TEXT}>{escape(_SHAPES)}</text>')
    height = y + 5
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="490" height="{height}" '
        f'viewBox="0 0 490 {height}" role="img" aria-label="Key to the data-flow diagram">'
        f"{''.join(parts)}</svg>"
    )
