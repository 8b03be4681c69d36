"""Ethyca Fides resources (YAML): ``system`` declarations and ``dataset`` definitions.

Systems become systems (or stores when their ``system_type`` is a database); datasets become
stores holding their collections, with every field whose data category is under ``user`` as a
PII field. ``egress`` edges become flows; Fides does not say which data an edge carries unless
the edge lists ``data_categories``, nor which TLS version it uses: those are gaps.
All Fides files of one source form one map, so systems can name datasets in other files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidence.collectors.dataflow.importers.common import Imported, NodeIds, one_line
from evidence.collectors.dataflow.model import DataHeld, DataMap, Flow, Store, System
from evidence.errors import InputError


def is_fides(data: Any) -> bool:
    """Tell a Fides resource file: a top-level ``system`` or ``dataset`` list with ``fides_key``."""
    if not isinstance(data, dict):
        return False
    return any(
        isinstance(data.get(key), list)
        and any(isinstance(e, dict) and "fides_key" in e for e in data[key])
        for key in ("system", "dataset")
    )


def import_fides(documents: list[tuple[Path, dict[str, Any]]]) -> Imported:
    """One map from every Fides document of a source."""
    systems_in: list[dict[str, Any]] = []
    datasets: dict[str, dict[str, Any]] = {}
    for path, data in documents:
        for key in ("system", "dataset"):
            entries = data.get(key) or []
            if not isinstance(entries, list):
                raise InputError(path, f"`{key}` is not a list of Fides resources")
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict) or not entry.get("fides_key"):
                    raise InputError(path, f"{key}[{index}] has no fides_key")
                if key == "system":
                    systems_in.append(entry)
                else:
                    datasets[str(entry["fides_key"])] = entry
    ids = NodeIds()
    systems, stores, flows, notes = [], [], [], []
    used_datasets: set[str] = set()
    for entry in systems_in:
        key, name = str(entry["fides_key"]), one_line(entry.get("name")) or str(entry["fides_key"])
        refs = [str(r) for d in _declarations(entry) for r in d.get("dataset_references") or []]
        if "database" in str(entry.get("system_type", "")).lower():
            held = _from_declarations(entry)
            tables: list[str] = []
            for ref in refs:
                if ref in datasets:
                    used_datasets.add(ref)
                    held, tables = (
                        _merge(held, _dataset_holds(datasets[ref])),
                        tables + _tables(datasets[ref]),
                    )
            stores.append(
                Store(id=ids.make(key, key), name=name, kind="database", holds=held, tables=tables)
            )
        else:
            systems.append(System(id=ids.make(key, key), name=name, kind="service"))
    for key, dataset in datasets.items():
        if key not in used_datasets:
            name = one_line(dataset.get("name")) or key
            stores.append(
                Store(
                    id=ids.make(key, key),
                    name=name,
                    holds=_dataset_holds(dataset),
                    tables=_tables(dataset),
                )
            )
    for entry in systems_in:
        source = ids.get(str(entry["fides_key"]))
        for edge in entry.get("egress") or []:
            if not isinstance(edge, dict):
                continue
            target = ids.get(str(edge.get("fides_key")))
            if source is None or target is None:
                notes.append(
                    f"egress from {entry['fides_key']} to {edge.get('fides_key')} skipped: "
                    "unknown target"
                )
                continue
            categories = edge.get("data_categories")
            flows.append(
                Flow(
                    source=source,
                    target=target,
                    carries=_categories(categories) if categories else None,
                )
            )
    name = "Fides systems" if len(documents) > 1 else documents[0][0].stem
    return Imported(DataMap(name=name, systems=systems, stores=stores, flows=flows), "fides", notes)


def _declarations(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in entry.get("privacy_declarations") or [] if isinstance(d, dict)]


def _categories(categories: Any) -> DataHeld:
    """``user.*`` categories are personal data (PII); the rest are other data."""
    held = DataHeld()
    for category in categories if isinstance(categories, list) else []:
        text = str(category)
        (held.pii if text == "user" or text.startswith("user.") else held.amazon).append(text)
    return held


def _from_declarations(entry: dict[str, Any]) -> DataHeld | None:
    declared = [c for d in _declarations(entry) for c in d.get("data_categories") or []]
    return _categories(sorted(set(map(str, declared)))) if declared else None


def _dataset_holds(dataset: dict[str, Any]) -> DataHeld:
    """Collect PII fields as ``collection.field`` (nested fields joined by dots), and the rest."""
    held = _categories(dataset.get("data_categories") or [])
    for collection in dataset.get("collections") or []:
        if not isinstance(collection, dict):
            continue
        inherited = collection.get("data_categories") or []
        for name, categories in _fields(
            collection.get("fields") or [], str(collection.get("name")), inherited
        ):
            if not categories:
                held.unclassified.append(name)
            elif any(str(c) == "user" or str(c).startswith("user.") for c in categories):
                held.pii.append(name)
            else:
                held.amazon.append(name)
    return held


def _fields(fields: list[Any], prefix: str, inherited: list[Any]) -> list[tuple[str, list[Any]]]:
    found: list[tuple[str, list[Any]]] = []
    for field in fields:
        if not isinstance(field, dict):
            continue
        name = f"{prefix}.{field.get('name')}"
        categories = field.get("data_categories") or inherited
        if field.get("fields"):
            found.extend(_fields(field["fields"], name, categories))
        else:
            found.append((name, list(categories)))
    return found


def _tables(dataset: dict[str, Any]) -> list[str]:
    return [str(c.get("name")) for c in dataset.get("collections") or [] if isinstance(c, dict)]


def _merge(first: DataHeld | None, second: DataHeld) -> DataHeld:
    if first is None:
        return second
    return DataHeld(
        pii=first.pii + [v for v in second.pii if v not in first.pii],
        amazon=first.amazon + [v for v in second.amazon if v not in first.amazon],
        unclassified=first.unclassified
        + [v for v in second.unclassified if v not in first.unclassified],
    )
