"""OWASP pytm models as JSON: the ``pytm.json`` input format and the ``--json`` dump of a model.

Both list ``elements`` (with ``__class__``), ``flows`` (``source``/``sink`` by name) and
``data`` (with ``isPII`` in the dump). Datastores say ``isEncryptedAtRest`` and flows
``tlsVersion``, either at the top level or under ``controls``. pytm's Graphviz output
(``--dfd``) is a drawing, not a model, and is rejected by the format detection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidence.collectors.dataflow.importers.common import (
    Imported,
    NodeIds,
    one_line,
    threat_model_flow,
)
from evidence.collectors.dataflow.model import (
    DataHeld,
    DataMap,
    Encryption,
    Store,
    System,
    TlsVersion,
)
from evidence.errors import InputError

_SYSTEM_KINDS = {
    "Actor": "user",
    "ExternalEntity": "external",
    "Lambda": "service",
    "Server": "service",
    "Process": "service",
    "SetOfProcesses": "service",
    "LLM": "service",
}
_TLS = {
    "TLSv10": "1.0",
    "TLSv11": "1.1",
    "TLSv12": "1.2",
    "TLSv13": "1.3",
    "SSLv1": "none",
    "SSLv2": "none",
    "SSLv3": "none",
}


def is_pytm(data: Any) -> bool:
    """Tell a pytm model: ``elements`` or ``flows`` whose entries name ``__class__`` or ``sink``."""
    if not isinstance(data, dict) or not ({"elements", "flows"} & set(data)):
        return False
    elements = data.get("elements") or []
    flows = data.get("flows") or []
    return any(isinstance(e, dict) and "__class__" in e for e in elements) or any(
        isinstance(f, dict) and "sink" in f for f in flows
    )


def import_pytm(data: dict[str, Any], path: Path) -> Imported:
    """Elements become systems or stores; flows carry the named data items."""
    catalogue = {str(d.get("name")): d for d in _list(data, "data", path)}
    ids = NodeIds()
    systems, stores, notes = [], [], []
    elements = _list(data, "elements", path)
    flows_in = _list(data, "flows", path)
    for element in elements:
        name = one_line(element.get("name"))
        if name is None:
            notes.append("an element without a name was skipped")
            continue
        klass = str(element.get("__class__", "Asset"))
        zone = (
            one_line(element.get("inBoundary"))
            if isinstance(element.get("inBoundary"), str)
            else None
        )
        if klass == "Datastore":
            stores.append(
                Store(
                    id=ids.make(name),
                    name=name,
                    kind=_store_kind(element),
                    zone=zone,
                    holds=_store_holds(element, name, flows_in, catalogue),
                    encryption_at_rest=_at_rest(element),
                )
            )
        else:
            systems.append(
                System(
                    id=ids.make(name), name=name, kind=_SYSTEM_KINDS.get(klass, "other"), zone=zone
                )
            )
    flows = []
    for flow in flows_in:
        name = one_line(flow.get("name")) or "unnamed flow"
        source, target = ids.get(str(flow.get("source"))), ids.get(str(flow.get("sink")))
        if source is None or target is None:
            notes.append(
                f"flow {name!r} skipped: its source or sink is not an element of the model"
            )
            continue
        protocol = one_line(flow.get("protocol"))
        encrypted = _flag(flow, "isEncrypted")
        carries = _carried(flow.get("data"), catalogue)
        flows.append(threat_model_flow(source, target, name, protocol, encrypted, tls=_tls(flow), carries=carries))
    data_map = DataMap(
        name=one_line(data.get("name")) or path.stem, systems=systems, stores=stores, flows=flows
    )
    return Imported(data_map, "pytm", notes)


def _list(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise InputError(path, f"{key} is not a list: not a pytm model")
    return [item for item in value if isinstance(item, dict)]


def _flag(element: dict[str, Any], key: str) -> bool | None:
    """Read a boolean set on the element itself (input format) or under ``controls`` (dump)."""
    for holder in (element, element.get("controls")):
        if isinstance(holder, dict) and isinstance(holder.get(key), bool):
            return bool(holder[key])
    return None


def _tls(flow: dict[str, Any]) -> TlsVersion | None:
    for key in ("tlsVersion", "minTLSVersion"):
        value = flow.get(key)
        if isinstance(value, str):
            name = value.removeprefix("TLSVersion.")
            if name in _TLS:
                return _TLS[name]  # type: ignore[return-value]
            if name == "NONE" and key == "tlsVersion":
                return "none"
    return None


def _at_rest(element: dict[str, Any]) -> Encryption | None:
    encrypted = _flag(element, "isEncryptedAtRest")
    if encrypted is None:
        return None
    algorithm = (
        element.get("controls", {}).get("usesEncryptionAlgorithm")
        if isinstance(element.get("controls"), dict)
        else None
    )
    return Encryption(enabled=encrypted, algorithm=one_line(algorithm))


def _carried(names: Any, catalogue: dict[str, dict[str, Any]]) -> DataHeld | None:
    if not isinstance(names, list) or not names:
        return None
    held = DataHeld()
    for raw in names:
        name = str(raw.get("name") if isinstance(raw, dict) else raw)
        item = catalogue.get(name, raw if isinstance(raw, dict) else {})
        flag = item.get("isPII")
        (held.pii if flag is True else held.amazon if flag is False else held.unclassified).append(
            name
        )
    return held


def _store_holds(
    element: dict[str, Any],
    name: str,
    flows: list[dict[str, Any]],
    catalogue: dict[str, dict[str, Any]],
) -> DataHeld | None:
    """Collect what flows into the store, and ``storesPII`` when the model names no PII item."""
    held: DataHeld | None = None
    for flow in flows:
        if flow.get("sink") == name:
            carried = _carried(flow.get("data"), catalogue)
            if carried is not None:
                held = held or DataHeld()
                for field in ("pii", "amazon", "unclassified"):
                    for value in getattr(carried, field):
                        if value not in getattr(held, field):
                            getattr(held, field).append(value)
    stores_pii = element.get("storesPII")
    if stores_pii is True and (held is None or not held.pii):
        held = held or DataHeld()
        held.pii.append("PII (storesPII)")
    if held is None and stores_pii is False:
        return DataHeld()
    return held


def _store_kind(element: dict[str, Any]) -> Any:
    if element.get("isSQL") or str(element.get("type", "")).endswith("SQL"):
        return "database"
    if element.get("storesLogData"):
        return "log"
    kind = str(element.get("type", "")).removeprefix("DatastoreType.")
    return {"FILE_SYSTEM": "file-storage", "BUCKET": "object-storage", "NOSQL": "database"}.get(
        kind
    )
