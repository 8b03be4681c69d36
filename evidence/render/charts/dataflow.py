"""The data-flow diagram: the map's systems, stores and third parties as nodes, flows as edges.

Drawn by Graphviz (``dot -Tsvg``, a local program: nothing is fetched) from the
``dataflow.map`` facts. Flows carrying PII are thick, black and labelled with the PII fields
and TLS version; a PII flow below TLS 1.2 is thick and dashed; flows of other data are thin
and grey; flows whose data the map does not state are dotted. Every style differs in line
weight or pattern, not only in colour, so the diagram reads in black and white.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from evidence.render.charts import chart

MAX_WIDTH_PT = 490.0
MAX_HEIGHT_PT = 600.0
_TIMEOUT_SECONDS = 60
_WEAK_TLS = {"none", "1.0", "1.1"}
# Anything in Graphviz output that could run or fetch something; it never appears in dot's own
# SVG for our input, and an SVG containing it is not inlined.
_UNSAFE = re.compile(r"<script|<foreignObject|\shref=|xlink:href|\son[a-z]+=", re.IGNORECASE)


def dot_string(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks folded to spaces."""
    folded = " ".join(str(text).split())
    return '"' + folded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(*lines: str) -> str:
    """A multi-line DOT label: each line escaped, joined by DOT's centred line break."""
    return '"' + "\\n".join(dot_string(line)[1:-1] for line in lines if line) + '"'


def _fields(values: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" +{len(values) - limit}" if len(values) > limit else "")


def _store_label(store: Mapping[str, Any]) -> str:
    marks = []
    if store["pii"] == "yes":
        marks.append("PII")
    elif store["pii"] == "unknown":
        marks.append("PII?")
    encrypted = store["encrypted_at_rest"]
    marks.append({True: "encrypted", False: "NOT encrypted", None: "encryption ?"}[encrypted])
    return _label(store["name"], f"[{' · '.join(marks)}]")


def _flow_attributes(flow: Mapping[str, Any]) -> str:
    transport = (
        f"SSH {flow['ssh']}" if flow["ssh"] else
        "no TLS" if flow["tls"] == "none" else
        f"TLS {flow['tls']}" if flow["tls"] else
        "TLS ?"
    )
    direction = ', dir="both"' if flow["bidirectional"] else ""
    if flow["pii"] == "yes":
        weak = flow["tls"] in _WEAK_TLS and not flow["ssh"]
        style = '"bold,dashed"' if weak else "bold"
        count = len(flow["pii_fields"])
        label = _label(f"PII ({count} field{'s' if count != 1 else ''})", transport + (" (below 1.2)" if weak else ""))
        return f'style={style}, penwidth=2.4, color="#000000", fontcolor="#000000", label={label}{direction}'
    if flow["pii"] == "unknown":
        return f'style=dotted, penwidth=1.2, color="#444444", label={_label("data not stated", transport)}{direction}'
    return f'style=solid, penwidth=0.8, color="#777777", fontcolor="#555555", label={_label(transport)}{direction}'


def dot_source(facts: Mapping[str, Any]) -> str:
    """The DOT text of one map's diagram (node ids are ours, every label is escaped)."""
    ids: dict[str, str] = {}
    zones: dict[str, list[str]] = {}
    nodes: list[str] = []

    def add(key: str, attributes: str, zone: str | None) -> None:
        node = ids.setdefault(key, f"n{len(ids)}")
        nodes.append(f"{node} [{attributes}];")
        if zone:
            zones.setdefault(zone, []).append(node)

    for system in facts["systems"]:
        if system["device"]:
            shape = 'shape=note, style="filled", fillcolor="#eeeeee"'
        elif system["kind"] in ("amazon", "user", "external"):
            shape = 'shape=box, style="rounded,filled", fillcolor="#e6e6e6", penwidth=1.6'
        else:
            shape = 'shape=box, style="rounded"'
        add(system["id"], f"{shape}, label={_label(system['name'])}", system["zone"])
    for store in facts["stores"]:
        pii = store["pii"] == "yes"
        add(store["id"], f"shape=cylinder, penwidth={'2.2' if pii else '0.9'}, label={_store_label(store)}", store["zone"])
    for party in facts["third_parties"]:
        purpose = f"third party · {party['purpose']}" if party["purpose"] else "third party"
        add(party["id"], f'shape=box, style="dashed", penwidth=1.4, label={_label(party["name"], purpose)}', None)
    lines = [
        "digraph dataflow {",
        'graph [rankdir=TB, fontname="DejaVu Sans", fontsize=10, nodesep=0.25, ranksep=0.5, pad=0.1, bgcolor="#ffffff"];',
        'node [fontname="DejaVu Sans", fontsize=10, color="#111111", fontcolor="#111111", margin="0.12,0.05"];',
        'edge [fontname="DejaVu Sans", fontsize=8, arrowsize=0.6];',
    ]
    for index, (zone, members) in enumerate(sorted(zones.items())):
        lines.append(
            f'subgraph cluster_{index} {{ label={dot_string(zone)}; style=dashed; color="#888888"; '
            f'fontsize=9; {" ".join(members)} }}'
        )
    lines.extend(nodes)
    for flow in facts["flows"]:
        if flow["from"] in ids and flow["to"] in ids:
            lines.append(f"{ids[flow['from']]} -> {ids[flow['to']]} [{_flow_attributes(flow)}];")
    lines.append("}")
    return "\n".join(lines)


def run_dot(source: str) -> str | None:
    """SVG from Graphviz, or None when it is not installed or fails (the report says so)."""
    try:
        done = subprocess.run(
            ["dot", "-Tsvg"], input=source.encode("utf-8"), capture_output=True,
            timeout=_TIMEOUT_SECONDS, check=False,
        )
    except (FileNotFoundError, PermissionError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")


def inline_svg(svg: str, title: str) -> str | None:
    """Graphviz's SVG made fit to inline: no prolog or comments, scaled to the page, labelled."""
    start = svg.find("<svg")
    if start < 0 or _UNSAFE.search(svg):
        return None
    body = re.sub(r"<!--.*?-->", "", svg[start:], flags=re.DOTALL)
    size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', body)
    if size is None:
        return None
    width, height = float(size[1]), float(size[2])
    scale = min(1.0, MAX_WIDTH_PT / width, MAX_HEIGHT_PT / height)
    return body.replace(
        size[0],
        f'<svg role="img" aria-label="{escape(title)}" width="{width * scale:.1f}pt" height="{height * scale:.1f}pt"',
        1,
    )


def _unavailable(message: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="490" height="40" viewBox="0 0 490 40" role="img">'
        '<rect x="0.5" y="0.5" width="489" height="39" fill="#ffffff" stroke="#111" stroke-dasharray="3 2"/>'
        f'<text x="10" y="24" font-size="9" font-family="DejaVu Sans">{escape(message)}</text></svg>'
    )


@chart("dataflow_diagram")
def dataflow_diagram(facts: Mapping[str, Any]) -> str:
    """The SVG diagram of one ``dataflow.map`` item's facts."""
    title = f"Data-flow diagram: {facts.get('map')}"
    svg = run_dot(dot_source(facts))
    if svg is None:
        return _unavailable("Diagram not drawn: Graphviz (dot) is not installed or failed.")
    inlined = inline_svg(svg, title)
    return inlined if inlined is not None else _unavailable("Diagram not drawn: Graphviz output was not usable.")


@chart("dataflow_legend")
def dataflow_legend() -> str:
    """A key to the diagram's line styles and shapes, in black and white."""
    rows: Iterable[tuple[str, str]] = (
        ('stroke="#000" stroke-width="2.4"', "flow carrying PII (labelled with the PII fields and TLS version)"),
        ('stroke="#000" stroke-width="2.4" stroke-dasharray="6 3"', "flow carrying PII below TLS 1.2"),
        ('stroke="#777" stroke-width="0.8"', "flow of other Amazon data"),
        ('stroke="#444" stroke-width="1.2" stroke-dasharray="1 2"', "flow whose data the map does not state"),
    )
    parts = []
    for index, (style, text) in enumerate(rows):
        y = 8 + index * 13
        parts.append(
            f'<line x1="0" y1="{y}" x2="34" y2="{y}" {style}/>'
            f'<text x="42" y="{y + 3}" font-size="7.5" font-family="DejaVu Sans">{escape(text)}</text>'
        )
    shapes = "Cylinders: stores (thick outline: holds PII). Rounded boxes: systems (shaded: outside parties). Dashed boxes: third parties."
    parts.append(f'<text x="0" y="{8 + 4 * 13 + 3}" font-size="7.5" font-family="DejaVu Sans">{escape(shapes)}</text>')
    height = 8 + 4 * 13 + 8
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="490" height="{height}" viewBox="0 0 490 {height}" '
        f'role="img" aria-label="Key to the data-flow diagram">{"".join(parts)}</svg>'
    )
