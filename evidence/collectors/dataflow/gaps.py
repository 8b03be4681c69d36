"""What a data map does not say that the DPP checks need: the "lacks" list of each map.

A native map may leave fields out while it is being written; an imported model usually cannot
say retention, TLS versions or which data is PII. Each gap names the element, the field and
why the DPP needs it, so users know what to add before an assessor asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.collectors.dataflow.model import DataMap, Flow, Store, ThirdParty, flow_ids


@dataclass(frozen=True)
class Gap:
    """One field the map does not state."""

    element: str
    field: str
    needed_for: str

    def as_fact(self) -> dict[str, str]:
        """JSON form for the evidence facts."""
        return {"element": self.element, "field": self.field, "needed_for": self.needed_for}


def map_gaps(data_map: DataMap) -> list[Gap]:
    """Every gap of ``data_map``, in map order (stores, flows, third parties, roles)."""
    gaps: list[Gap] = []
    for store in data_map.stores:
        gaps.extend(_store_gaps(store))
    receivers = _receivers(data_map)
    for flow, fid in zip(data_map.flows, flow_ids(data_map), strict=True):
        gaps.extend(_flow_gaps(flow, fid))
    for party in data_map.third_parties:
        gaps.extend(_party_gaps(party, party.id in receivers))
    pii_stores = [s for s in data_map.stores if s.holds is not None and s.holds.pii_status != "no"]
    if pii_stores and not data_map.roles:
        gaps.append(
            Gap(
                "map",
                "roles",
                "DPP-ACC-6: who may access the PII stores, to compare with access logs",
            )
        )
    return gaps


def _store_gaps(store: Store) -> list[Gap]:
    element = f"store {store.id}"
    if store.holds is None:
        return [
            Gap(element, "holds", "DPP-SCOPE-2: which PII fields and other Amazon data it holds")
        ]
    gaps = []
    if store.holds.unclassified:
        gaps.append(
            Gap(
                element,
                "holds.pii",
                f"DPP-SCOPE-2: whether {len(store.holds.unclassified)} data item(s) are PII",
            )
        )
    if store.holds.pii_status == "no":
        return gaps
    if store.encryption_at_rest is None:
        gaps.append(Gap(element, "encryption_at_rest", "DPP-ENC-2: PII encrypted at rest"))
    if store.retention is None:
        gaps.append(
            Gap(
                element,
                "retention",
                "DPP-RET-1: PII purged within 30 days of delivery, or a legal hold",
            )
        )
    if store.region is None:
        gaps.append(
            Gap(
                element,
                "region",
                "DPP-3P-1 and AUP-SHARE-1: where PII is kept (cross-border transfers)",
            )
        )
    if store.backups is None:
        gaps.append(Gap(element, "backups", "DPP-ENC-2: backups of PII are encrypted"))
    return gaps


def _flow_gaps(flow: Flow, fid: str) -> list[Gap]:
    element = f"flow {fid}"
    gaps = []
    if flow.carries is None:
        gaps.append(Gap(element, "carries", "DPP-ENC-1: which data it carries (PII or not)"))
    elif flow.carries.unclassified:
        gaps.append(
            Gap(
                element,
                "carries.pii",
                f"DPP-ENC-1: whether {len(flow.carries.unclassified)} data item(s) are PII",
            )
        )
    pii = "unknown" if flow.carries is None else flow.carries.pii_status
    if pii != "no" and flow.tls is None and flow.ssh is None:
        why = " (marked encrypted, version not stated)" if flow.encrypted else ""
        gaps.append(
            Gap(element, "tls", f"DPP-ENC-1: the TLS version that protects PII in transit{why}")
        )
    if flow.protocol is None:
        gaps.append(Gap(element, "protocol", "DPP-ENC-1: the protocol data moves over"))
    return gaps


def _party_gaps(party: ThirdParty, receives_data: bool) -> list[Gap]:
    if not receives_data:
        return []
    element = f"third party {party.id}"
    gaps = []
    if party.purpose is None:
        gaps.append(Gap(element, "purpose", "AUP-PII-1: PII shared only for fulfilment or tax"))
    if party.last_assessment is None:
        gaps.append(
            Gap(element, "last_assessment", "DPP-3P-1: a vendor assessment within the last year")
        )
    if party.contract is None:
        gaps.append(Gap(element, "contract", "AUP-SHARE-1: a contract (DPA) before PII is shared"))
    return gaps


def _receivers(data_map: DataMap) -> set[str]:
    """Nodes that receive data over some flow (either end of a bidirectional one)."""
    found = set()
    for flow in data_map.flows:
        found.add(flow.target)
        if flow.bidirectional:
            found.add(flow.source)
    return found
