"""What a data map does not say that the data-flow checks need: the "lacks" list of each map.

A native map may leave fields out while it is being written; an imported model usually cannot
say retention, TLS versions or which data is PII. Each gap names the element, the field, what
the field shows and the checks that read it, so users know what to add before an assessor asks.
Collectors know no controls: a report finds the controls that run those checks in its catalogue.
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
    #: The checks that read the field; empty when only a document decides what it shows.
    checks: tuple[str, ...] = ()

    def as_fact(self) -> dict[str, str | list[str]]:
        """JSON form for the evidence facts."""
        return {
            "element": self.element,
            "field": self.field,
            "needed_for": self.needed_for,
            "checks": list(self.checks),
        }


#: The checks (evidence/controls/checks/dataflow*.py) that read each part of a map;
#: ``dataflow_crosscheck:<aspect>`` is the cross-check run with that comparison (``with: {compare}``).
ACCESS_CROSSCHECK = ("dataflow_crosscheck:access",)
RETENTION_CROSSCHECK = ("dataflow_crosscheck:retention",)
TLS_CROSSCHECK = ("dataflow_crosscheck:tls",)
CLASSIFIED = ("dataflow_map_complete",)
STORES = ("dataflow_pii_stores_protected",)
FLOWS = ("dataflow_pii_flows_tls",)
PARTIES = ("dataflow_third_parties",)


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
                "who may access the PII stores, to compare with access logs",
                ACCESS_CROSSCHECK,
            )
        )
    return gaps


def _store_gaps(store: Store) -> list[Gap]:
    element = f"store {store.id}"
    if store.holds is None:
        return [
            Gap(element, "holds", "which PII fields and other Amazon data it holds", CLASSIFIED)
        ]
    gaps = []
    if store.holds.unclassified:
        gaps.append(
            Gap(
                element,
                "holds.pii",
                f"whether {len(store.holds.unclassified)} data item(s) are PII",
                CLASSIFIED,
            )
        )
    if store.holds.pii_status == "no":
        return gaps
    if store.encryption_at_rest is None:
        gaps.append(Gap(element, "encryption_at_rest", "PII encrypted at rest", CLASSIFIED + STORES))
    if store.retention is None:
        gaps.append(
            Gap(
                element,
                "retention",
                "PII purged within the retention limit, or a legal hold",
                STORES + RETENTION_CROSSCHECK,
            )
        )
    if store.region is None:
        gaps.append(
            Gap(
                element,
                "region",
                "where PII is kept (cross-border transfers; a document decides it)",
            )
        )
    if store.backups is None:
        gaps.append(Gap(element, "backups", "backups of PII are encrypted", STORES))
    return gaps


def _flow_gaps(flow: Flow, fid: str) -> list[Gap]:
    element = f"flow {fid}"
    gaps = []
    if flow.carries is None:
        gaps.append(Gap(element, "carries", "which data it carries (PII or not)", FLOWS))
    elif flow.carries.unclassified:
        gaps.append(
            Gap(
                element,
                "carries.pii",
                f"whether {len(flow.carries.unclassified)} data item(s) are PII",
                FLOWS,
            )
        )
    pii = "unknown" if flow.carries is None else flow.carries.pii_status
    if pii != "no" and flow.tls is None and flow.ssh is None:
        why = " (marked encrypted, version not stated)" if flow.encrypted else ""
        gaps.append(
            Gap(element, "tls", f"the TLS version that protects PII in transit{why}", FLOWS + TLS_CROSSCHECK)
        )
    if flow.protocol is None:
        gaps.append(Gap(element, "protocol", "the protocol data moves over", FLOWS))
    return gaps


def _party_gaps(party: ThirdParty, receives_data: bool) -> list[Gap]:
    if not receives_data:
        return []
    element = f"third party {party.id}"
    gaps = []
    if party.purpose is None:
        gaps.append(Gap(element, "purpose", "the purpose PII is shared for, to compare with the allowed ones", PARTIES))
    if party.last_assessment is None:
        gaps.append(
            Gap(element, "last_assessment", "a recent vendor assessment", PARTIES)
        )
    if party.contract is None:
        gaps.append(Gap(element, "contract", "a contract (DPA) before PII is shared", PARTIES))
    return gaps


def _receivers(data_map: DataMap) -> set[str]:
    """Nodes that receive data over some flow (either end of a bidirectional one)."""
    found = set()
    for flow in data_map.flows:
        found.add(flow.target)
        if flow.bidirectional:
            found.add(flow.source)
    return found
