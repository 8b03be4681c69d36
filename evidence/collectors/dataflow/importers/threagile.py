"""Threagile models (YAML): data assets, technical assets, communication links, trust boundaries.

Datastores become stores (their ``encryption`` is the encryption at rest), other technical
assets systems, and each communication link a flow of the data it sends (plus a reverse flow
of the data it receives). Threagile protocols say whether a link is encrypted but not the TLS
version; data assets carry no PII flag, so they stay unclassified (gaps).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidence.collectors.dataflow.importers.common import (
    Imported,
    NodeIds,
    declared_tls,
    is_encrypted_protocol,
    one_line,
)
from evidence.collectors.dataflow.model import DataHeld, DataMap, Encryption, Flow, Store, System
from evidence.errors import InputError

_KINDS = {"external-entity": "external", "process": "service"}


def is_threagile(data: Any) -> bool:
    """Tell a Threagile model by its ``threagile_version``."""
    return isinstance(data, dict) and "threagile_version" in data


def import_threagile(data: dict[str, Any], path: Path) -> Imported:
    """Technical assets and their communication links, zoned by trust boundary."""
    assets = _mapping(data, "technical_assets", path)
    data_assets = {
        str(v.get("id")): one_line(k) or str(v.get("id"))
        for k, v in _mapping(data, "data_assets", path).items()
    }
    zones: dict[str, str] = {}
    for name, boundary in _mapping(data, "trust_boundaries", path).items():
        for inside in boundary.get("technical_assets_inside") or []:
            zones.setdefault(str(inside), one_line(name) or str(name))
    ids = NodeIds()
    systems, stores, flows, notes = [], [], [], []
    for name, asset in assets.items():
        key, label = str(asset.get("id") or name), one_line(name) or str(name)
        zone = zones.get(key)
        if asset.get("type") == "datastore":
            encryption = asset.get("encryption")
            stored = asset.get("data_assets_stored")
            stores.append(
                Store(
                    id=ids.make(key, key),
                    name=label,
                    zone=zone,
                    kind=_store_kind(asset),
                    holds=_held(stored, data_assets) if stored else None,
                    encryption_at_rest=Encryption(
                        enabled=encryption != "none", algorithm=str(encryption)
                    )
                    if isinstance(encryption, str)
                    else None,
                )
            )
        else:
            systems.append(
                System(
                    id=ids.make(key, key),
                    name=label,
                    zone=zone,
                    kind=_KINDS.get(str(asset.get("type")), "other"),
                )
            )
    for name, asset in assets.items():
        source = ids.get(str(asset.get("id") or name))
        for link_name, link in (asset.get("communication_links") or {}).items():
            target = ids.get(str(link.get("target")))
            if source is None or target is None:
                notes.append(f"communication link {link_name!r} skipped: unknown target")
                continue
            protocol = one_line(link.get("protocol"))
            encrypted = is_encrypted_protocol(protocol)
            tls = declared_tls(protocol, encrypted)
            ssh = 2 if protocol in ("ssh", "sftp") else None
            common = {"protocol": protocol, "tls": tls, "encrypted": encrypted, "ssh": ssh}
            flows.append(
                Flow(
                    source=source,
                    target=target,
                    description=one_line(link_name),
                    carries=_held(link.get("data_assets_sent"), data_assets),
                    **common,
                )
            )
            if link.get("data_assets_received"):
                flows.append(
                    Flow(
                        source=target,
                        target=source,
                        description=f"{one_line(link_name)} (response)",
                        carries=_held(link["data_assets_received"], data_assets),
                        **common,
                    )
                )
    data_map = DataMap(
        name=one_line(data.get("title")) or path.stem,
        owner=_owner(data),
        systems=systems,
        stores=stores,
        flows=flows,
    )
    return Imported(data_map, f"threagile-{data.get('threagile_version')}", notes)


def _mapping(data: dict[str, Any], key: str, path: Path) -> dict[str, dict[str, Any]]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise InputError(path, f"{key} is not a mapping: not a Threagile model")
    return {str(k): v for k, v in value.items() if isinstance(v, dict)}


def _held(ids: Any, names: dict[str, str]) -> DataHeld:
    return DataHeld(unclassified=[names.get(str(i), str(i)) for i in ids or []])


def _owner(data: dict[str, Any]) -> str | None:
    author = data.get("author")
    return one_line(author.get("name")) if isinstance(author, dict) else None


def _store_kind(asset: dict[str, Any]) -> Any:
    technology = str(asset.get("technology", ""))
    tags = [str(t) for t in asset.get("tags") or []]
    if "file" in technology or "aws:s3" in tags:
        return "file-storage" if "file" in technology else "object-storage"
    return "database" if "database" in technology else None
