"""OWASP Threat Dragon models (v2 JSON, and v1 JSON as Threat Dragon 1.x saved it).

Threat Dragon draws processes, stores, actors and flows. A flow may be marked encrypted with a
protocol name; a store may be marked encrypted. It says nothing about which data is PII, how
long it is kept, or which TLS version protects a flow: those become gaps of the map.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidence.collectors.dataflow.importers.common import (
    Imported,
    NodeIds,
    as_dict,
    one_line,
    threat_model_flow,
)
from evidence.collectors.dataflow.model import DataMap, Encryption, Store, System
from evidence.errors import InputError

_V1_TYPES = {"tm.Store": "store", "tm.Process": "process", "tm.Actor": "actor", "tm.Flow": "flow"}


def is_threat_dragon(data: Any) -> bool:
    """Tell a Threat Dragon model by its ``detail.diagrams``."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("detail"), dict)
        and "diagrams" in data["detail"]
    )


def import_threat_dragon(data: dict[str, Any], path: Path) -> Imported:
    """Map every diagram's elements; flows without both ends are skipped with a note."""
    diagrams = data["detail"].get("diagrams")
    if not isinstance(diagrams, list):
        raise InputError(path, "detail.diagrams is not a list: not a Threat Dragon model")
    cells: list[dict[str, Any]] = []
    version = "v2"
    for index, diagram in enumerate(diagrams):
        if not isinstance(diagram, dict):
            raise InputError(path, f"detail.diagrams[{index}] is not an object")
        if isinstance(diagram.get("cells"), list):
            cells.extend(_v2_cell(cell) for cell in diagram["cells"] if isinstance(cell, dict))
        elif isinstance(diagram.get("diagramJson"), dict):
            version = "v1"
            cells.extend(
                _v1_cell(cell)
                for cell in diagram["diagramJson"].get("cells", [])
                if isinstance(cell, dict)
            )
        else:
            raise InputError(
                path, f"detail.diagrams[{index}] has neither cells (v2) nor diagramJson (v1)"
            )
    summary = as_dict(data.get("summary"))
    title = one_line(summary.get("title")) or path.stem
    ids = NodeIds()
    systems, stores, flows, notes = [], [], [], []
    for cell in cells:
        kind, name = cell["kind"], cell["name"] or cell["id"]
        if kind == "store":
            encrypted = cell["data"].get("isEncrypted")
            stores.append(
                Store(
                    id=ids.make(cell["id"], name),
                    name=name,
                    kind="log" if cell["data"].get("isALog") else None,
                    encryption_at_rest=Encryption(enabled=encrypted)
                    if isinstance(encrypted, bool)
                    else None,
                )
            )
        elif kind in ("process", "actor"):
            systems.append(
                System(
                    id=ids.make(cell["id"], name),
                    name=name,
                    kind="user" if kind == "actor" else "service",
                )
            )
    for cell in cells:
        if cell["kind"] != "flow":
            continue
        name = cell["name"] or "unnamed flow"
        source, target = ids.get(cell["source"] or ""), ids.get(cell["target"] or "")
        if source is None or target is None:
            notes.append(f"flow {name!r} skipped: it is not attached to an element at both ends")
            continue
        protocol = one_line(cell["data"].get("protocol"))
        flag = cell["data"].get("isEncrypted")
        encrypted = flag if isinstance(flag, bool) else None
        bidirectional = bool(cell["data"].get("isBidirectional"))
        flows.append(threat_model_flow(source, target, name, protocol, encrypted, bidirectional=bidirectional))
    out_of_scope = sum(1 for c in cells if c["data"].get("outOfScope"))
    if out_of_scope:
        notes.append(
            f"{out_of_scope} element(s) are marked out of scope in Threat Dragon; they are kept, "
            "since the DPP covers every system that handles Amazon data"
        )
    data_map = DataMap(
        name=title,
        owner=one_line(summary.get("owner")),
        systems=systems,
        stores=stores,
        flows=flows,
    )
    return Imported(data_map, f"threat-dragon-{version}", notes)


def _v2_cell(cell: dict[str, Any]) -> dict[str, Any]:
    data = as_dict(cell.get("data"))
    kind = {"store": "store", "process": "process", "actor": "actor", "flow": "flow"}.get(
        str(cell.get("shape")), "other"
    )
    return {
        "id": str(cell.get("id", "")),
        "kind": kind,
        "name": one_line(data.get("name")) or one_line(_nested(cell, "attrs", "text", "text")),
        "data": data,
        "source": _nested(cell, "source", "cell"),
        "target": _nested(cell, "target", "cell"),
    }


def _v1_cell(cell: dict[str, Any]) -> dict[str, Any]:
    kind = _V1_TYPES.get(str(cell.get("type")), "other")
    labels = cell.get("labels") if isinstance(cell.get("labels"), list) else []
    label = (
        _nested(labels[0], "attrs", "text", "text")
        if labels and isinstance(labels[0], dict)
        else None
    )
    return {
        "id": str(cell.get("id", "")),
        "kind": kind,
        "name": one_line(cell.get("name"))
        or one_line(_nested(cell, "attrs", "text", "text"))
        or one_line(label),
        "data": cell,
        "source": _nested(cell, "source", "id"),
        "target": _nested(cell, "target", "id"),
    }


def _nested(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
