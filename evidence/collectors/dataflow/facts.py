"""A data map as ``dataflow.map`` facts: JSON, redacted, with the PII status of each element.

The checks and the diagram read only these facts (the stages share data, not code), so every
judgement that depends on the map's meaning, such as "a store mixing PII and other data is a
PII store", is made here once.
"""

from __future__ import annotations

from typing import Any

from evidence.collectors.dataflow.gaps import map_gaps
from evidence.collectors.dataflow.model import (
    DEVICE_KINDS,
    DataHeld,
    DataMap,
    Flow,
    Store,
    flow_ids,
)
from evidence.redact import Redactor


def map_facts(data_map: DataMap, fmt: str, notes: list[str], redactor: Redactor) -> dict[str, Any]:
    """Facts of one map. Free text passes through ``redactor.scrub``; principals get pseudonyms."""
    text = _Scrubber(redactor)
    stores = [_store(store, text) for store in data_map.stores]
    flows = [
        _flow(flow, fid, text) for flow, fid in zip(data_map.flows, flow_ids(data_map), strict=True)
    ]
    # The check names of a gap are ours, not the map's: only its free text is scrubbed.
    gaps = [
        {key: text(value) if isinstance(value, str) else value for key, value in gap.as_fact().items()}
        for gap in map_gaps(data_map)
    ]
    return {
        "map": text(data_map.name),
        "format": fmt,
        "owner": text(data_map.owner),
        "updated": data_map.updated.isoformat() if data_map.updated else None,
        "counts": {
            "systems": len(data_map.systems),
            "stores": len(stores),
            "pii_stores": sum(1 for s in stores if s["pii"] == "yes"),
            "flows": len(flows),
            "pii_flows": sum(1 for f in flows if f["pii"] == "yes"),
            "third_parties": len(data_map.third_parties),
            "roles": len(data_map.roles),
            "gaps": len(gaps),
        },
        "systems": [
            {
                "id": text(s.id),
                "name": text(s.label),
                "kind": s.kind,
                "zone": text(s.zone),
                "device": s.kind in DEVICE_KINDS,
            }
            for s in data_map.systems
        ],
        "stores": stores,
        "flows": flows,
        "third_parties": [
            {
                "id": text(p.id),
                "name": text(p.label),
                "purpose": p.purpose,
                "purpose_detail": text(p.purpose_detail),
                "last_assessment": p.last_assessment.isoformat() if p.last_assessment else None,
                "contract": None
                if p.contract is None
                else {
                    "type": text(p.contract.type),
                    "signed": p.contract.signed.isoformat() if p.contract.signed else None,
                    "reference": text(p.contract.reference),
                },
                "has_contract": p.has_contract,
                "region": text(p.region),
            }
            for p in data_map.third_parties
        ],
        "roles": [
            {
                "id": text(r.id),
                # The map declares these names itself; the pseudonyms match the access logs'.
                "principals": [
                    {"name": name, "pseudonym": redactor.principal(name)} for name in r.principals
                ],
                "access": {text(store): level for store, level in sorted(r.access.items())},
            }
            for r in data_map.roles
        ],
        "out_of_scope": [
            {"type": o.type, "id": text(o.id), "reason": text(o.reason)}
            for o in data_map.out_of_scope
        ],
        "gaps": gaps,
        "notes": [text(note) for note in notes],
    }


class _Scrubber:
    """``redactor.scrub`` that passes None through."""

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor

    def __call__(self, value: str | None) -> Any:
        return None if value is None else self._redactor.scrub(value)


def _held(held: DataHeld | None, text: _Scrubber) -> dict[str, Any]:
    if held is None:
        return {
            "pii": "unknown",
            "data_declared": False,
            "pii_fields": [],
            "amazon_data": [],
            "unclassified": [],
        }
    return {
        "pii": held.pii_status,
        "data_declared": True,
        "pii_fields": [text(v) for v in held.pii],
        "amazon_data": [text(v) for v in held.amazon],
        "unclassified": [text(v) for v in held.unclassified],
    }


def _store(store: Store, text: _Scrubber) -> dict[str, Any]:
    held = _held(store.holds, text)
    encryption = store.encryption_at_rest
    return {
        "id": text(store.id),
        "name": text(store.label),
        "kind": store.kind,
        "zone": text(store.zone),
        **held,
        "mixed": bool(held["pii_fields"] and (held["amazon_data"] or held["unclassified"])),
        "device": store.kind in DEVICE_KINDS,
        "encrypted_at_rest": None if encryption is None else encryption.enabled,
        "encryption_algorithm": text(encryption.algorithm) if encryption else None,
        "encryption_key": text(encryption.key) if encryption else None,
        "retention": None
        if store.retention is None
        else {
            "pii_days": store.retention.pii_days,
            "after": store.retention.after,
            "legal_hold": text(store.retention.legal_hold),
            "job": text(store.retention.job),
        },
        "region": text(store.region),
        "backups": None
        if store.backups is None
        else {
            "enabled": store.backups.enabled,
            "encrypted": store.backups.encrypted,
            "retention_days": store.backups.retention_days,
            "region": text(store.backups.region),
        },
        "resources": [{"type": r.type, "id": text(r.id)} for r in store.resources],
        "aliases": [text(a) for a in store.aliases],
        "tables": [text(t) for t in store.tables],
    }


def _flow(flow: Flow, fid: str, text: _Scrubber) -> dict[str, Any]:
    return {
        "id": text(fid),
        "from": text(flow.source),
        "to": text(flow.target),
        **_held(flow.carries, text),
        "protocol": text(flow.protocol),
        "tls": flow.tls,
        "ssh": flow.ssh,
        "encrypted": flow.encrypted,
        "endpoint": text(flow.endpoint),
        "bidirectional": flow.bidirectional,
    }
