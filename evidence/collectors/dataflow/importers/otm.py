"""Open Threat Model (OTM, JSON or YAML): trust zones, components, data assets and data flows.

OTM names the assets a component stores and a flow carries, but has no PII flag, no TLS
version and no retention: assets are kept as unclassified data (a gap) unless an asset's tags
or attributes say ``pii``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from evidence.collectors.dataflow.importers.common import (
    Imported,
    NodeIds,
    as_dict,
    declared_tls,
    is_encrypted_protocol,
    one_line,
)
from evidence.collectors.dataflow.model import DataHeld, DataMap, Flow, Store, System
from evidence.errors import InputError

#: Component types that are places data rests.
_STORE_TYPES = re.compile(
    r"database|\bdb\b|storage|bucket|\bs3\b|store|cache|queue|redis|postgres|mysql|mongo|dynamo|"
    r"\brds\b|blob|file-?system|file-?server|elasticsearch|kafka",
    re.IGNORECASE,
)


def is_otm(data: Any) -> bool:
    """Tell an OTM document by its ``otmVersion``."""
    return isinstance(data, dict) and "otmVersion" in data


def import_otm(data: dict[str, Any], path: Path) -> Imported:
    """Components become systems or stores (by type), dataflows become flows."""
    project = as_dict(data.get("project"))
    zones = {z.get("id"): one_line(z.get("name")) for z in _objects(data, "trustZones", path)}
    assets = {a.get("id"): a for a in _objects(data, "assets", path)}
    components = _objects(data, "components", path)
    parents = {c.get("id"): c.get("parent") or {} for c in components}
    ids = NodeIds()
    systems, stores, notes = [], [], []
    for component in components:
        key, name = (
            str(component.get("id")),
            one_line(component.get("name")) or str(component.get("id")),
        )
        zone = zones.get(_zone_of(component.get("id"), parents))
        stored = (
            (component.get("assets") or {}).get("stored")
            if isinstance(component.get("assets"), dict)
            else None
        )
        if _STORE_TYPES.search(str(component.get("type", ""))):
            stores.append(
                Store(
                    id=ids.make(key, name),
                    name=name,
                    kind=_store_kind(component),
                    zone=zone,
                    holds=_held(stored, assets) if stored else None,
                )
            )
            continue
        systems.append(
            System(id=ids.make(key, name), name=name, kind=_system_kind(component), zone=zone)
        )
        if stored:
            notes.append(
                f"component {name!r} stores {len(stored)} asset(s) but is not a storage component; "
                "declare where it keeps them as a store"
            )
    flows = []
    for flow in _objects(data, "dataflows", path):
        name = one_line(flow.get("name")) or str(flow.get("id"))
        source, target = ids.get(str(flow.get("source"))), ids.get(str(flow.get("destination")))
        if source is None or target is None:
            notes.append(f"dataflow {name!r} skipped: its source or destination is not a component")
            continue
        attributes = as_dict(flow.get("attributes"))
        protocol = one_line(attributes.get("protocol"))
        encrypted = is_encrypted_protocol(protocol)
        flows.append(
            Flow(
                id=ids.make(f"flow:{flow.get('id')}", str(flow.get("id") or name)),
                source=source,
                target=target,
                description=name,
                carries=_held(flow.get("assets"), assets) if flow.get("assets") else None,
                protocol=protocol,
                tls=declared_tls(protocol, encrypted, attributes.get("tls")),
                encrypted=encrypted,
                bidirectional=bool(flow.get("bidirectional")),
            )
        )
    name = one_line(project.get("name")) or path.stem
    data_map = DataMap(
        name=name, owner=one_line(project.get("owner")), systems=systems, stores=stores, flows=flows
    )
    return Imported(data_map, f"otm-{data.get('otmVersion')}", notes)


def _objects(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise InputError(path, f"{key} is not a list: not an Open Threat Model document")
    return [item for item in value if isinstance(item, dict)]


def _zone_of(component_id: Any, parents: dict[Any, Any]) -> Any:
    """Find the trust zone of a component through its parents (bounded against cycles)."""
    current = component_id
    for _ in range(32):
        parent = parents.get(current) or {}
        if "trustZone" in parent:
            return parent["trustZone"]
        current = parent.get("component")
        if current is None:
            return None
    return None


def _held(asset_ids: Any, assets: dict[Any, dict[str, Any]]) -> DataHeld:
    held = DataHeld()
    for asset_id in asset_ids if isinstance(asset_ids, list) else []:
        asset = assets.get(asset_id, {})
        name = one_line(asset.get("name")) or str(asset_id)
        tags = [str(t).lower() for t in asset.get("tags") or []]
        attributes = as_dict(asset.get("attributes"))
        if "pii" in tags or attributes.get("pii") is True:
            held.pii.append(name)
        elif attributes.get("pii") is False:
            held.amazon.append(name)
        else:
            held.unclassified.append(name)
    return held


def _store_kind(component: dict[str, Any]) -> Any:
    text = str(component.get("type", "")).lower()
    if any(word in text for word in ("s3", "bucket", "blob")):
        return "object-storage"
    if any(word in text for word in ("queue", "kafka")):
        return "queue"
    if "cache" in text or "redis" in text:
        return "cache"
    if "file" in text:
        return "file-storage"
    return "database" if _STORE_TYPES.search(text) else None


def _system_kind(component: dict[str, Any]) -> Any:
    text = str(component.get("type", "")).lower()
    tags = [str(t).lower() for t in component.get("tags") or []]
    if "client" in text or "external" in tags:
        return "external"
    return "service" if text else None
