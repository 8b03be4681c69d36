"""Checks decided by the declared data map (``dataflow.map``): TLS on PII flows, protected PII stores,
third parties, no PII on devices, and a complete classification.

The map is the developer's own declaration. A declared weakness is a finding (not met); an
element the map leaves unknown gives insufficient evidence; and where a control's ``with:``
sets ``supporting_only``, a clean map cannot by itself make the control met, because only
measured evidence may do that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from evidence.controls.checks import check
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.results import CheckOutcome, Status

KIND = "dataflow.map"
TLS_ORDER = {"none": 0, "1.0": 10, "1.1": 11, "1.2": 12, "1.3": 13}
_SHOWN = 5


@dataclass
class Findings:
    """What a check found across every map: declared problems, unknowns, and what was fine."""

    bad: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    good: int = 0

    def sentence(self, items: list[str]) -> str:
        """The first few entries joined, and how many more there are."""
        shown = "; ".join(items[:_SHOWN])
        return shown + (f"; and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def map_items(ctx: CheckContext) -> tuple[list[EvidenceItem], CheckOutcome | None]:
    """Usable maps, or the outcome to return at once: no map, or a map file that failed.

    A failed map file blocks "met": the part of the map it holds might be the part with the gap.
    """
    failed = [item for item in ctx.evidence if item.kind == KIND and not item.usable]
    usable = ctx.items(KIND)
    if failed:
        first = failed[0].error or "unreadable"
        return usable, ctx.insufficient(
            f"{len(failed)} data map file(s) could not be read, so the map is incomplete; first: "
            f"{first.splitlines()[0]} ({failed[0].id})",
            evidence=[*usable, *failed],
        )
    if not usable:
        return usable, ctx.insufficient("no data map was collected: add a `dataflow` source to the config")
    return usable, None


def label(item: EvidenceItem) -> str:
    """``data map 'ParcelPilot' (EV-...)``."""
    return f"data map {item.facts.get('map')!r} ({item.id})"


def pii_free(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> CheckOutcome | None:
    """Insufficient when no map declares any PII store or flow: the map is then not about PII at all."""
    if any(m.facts["counts"]["pii_stores"] or m.facts["counts"]["pii_flows"] for m in maps):
        return None
    unknown = sum(
        1 for m in maps for e in [*m.facts["stores"], *m.facts["flows"]] if e["pii"] == "unknown"
    )
    why = f"; {unknown} store(s) or flow(s) do not say whether they hold PII" if unknown else ""
    return ctx.insufficient(
        f"{', '.join(label(m) for m in maps)} declares no store or flow holding PII{why}: "
        "a map of an application that handles buyer PII must show where it goes",
        evidence=maps,
    )


def finish(ctx: CheckContext, outcome: CheckOutcome) -> CheckOutcome:
    """Apply ``supporting_only``: a met outcome from declarations alone becomes insufficient."""
    if outcome.status is Status.MET and ctx.params.get("supporting_only"):
        outcome.status = Status.INSUFFICIENT
        outcome.reasons.append(
            f"in {ctx.control.id} the data map is supporting evidence: it can reveal a gap, but "
            "only measured evidence (a scan, a collector) can show the control met"
        )
    return outcome


def judge(
    ctx: CheckContext, maps: Sequence[EvidenceItem], found: Findings, what: str, met: str, **figures: Any
) -> CheckOutcome:
    """Not met on any declared problem, insufficient on unknowns, met otherwise."""
    if found.bad:
        outcome = ctx.not_met(f"{what}: {found.sentence(found.bad)}", evidence=maps, **figures)
        if found.unknown:
            outcome.reasons.append(f"also not stated: {found.sentence(found.unknown)}")
    elif found.unknown:
        outcome = ctx.insufficient(f"{what}: not stated: {found.sentence(found.unknown)}", evidence=maps, **figures)
    else:
        outcome = ctx.met(met, evidence=maps, **figures)
    return finish(ctx, outcome)


def _names(values: Sequence[str]) -> str:
    return ", ".join(values[:4]) + (f" and {len(values) - 4} more" if len(values) > 4 else "")


# ----------------------------------------------------------------------------- transit


@check("dataflow_pii_flows_tls", reads=(KIND,))
def dataflow_pii_flows_tls(ctx: CheckContext) -> CheckOutcome:
    """Every flow the data map declares as carrying PII uses TLS 1.2 or later (or SSH 2)."""
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return finish(ctx, early)
    minimum = TLS_ORDER[str(ctx.params.get("min_tls_version", "1.2"))]
    min_ssh = int(ctx.params.get("min_ssh_version", 2))
    found = Findings()
    total = 0
    for item in maps:
        for flow in item.facts["flows"]:
            name = f"{flow['from']} -> {flow['to']}"
            if flow["pii"] == "unknown":
                found.unknown.append(f"whether {name} carries PII ({item.id})")
                continue
            if flow["pii"] != "yes":
                continue
            total += 1
            tls, ssh = flow["tls"], flow["ssh"]
            if ssh is not None and ssh >= min_ssh:
                found.good += 1
            elif tls in TLS_ORDER and TLS_ORDER[tls] >= minimum:
                found.good += 1
            elif tls in TLS_ORDER or ssh is not None:
                shown = "no TLS" if tls == "none" else (f"TLS {tls}" if tls else f"SSH {ssh}")
                found.bad.append(
                    f"{name} carries PII ({_names(flow['pii_fields'])}) over {flow['protocol'] or 'an unnamed protocol'} "
                    f"with {shown} ({item.id})"
                )
            else:
                found.unknown.append(f"the TLS version of {name}, which carries PII ({item.id})")
    return judge(
        ctx, maps, found,
        f"of {total} flow(s) carrying PII in {', '.join(label(m) for m in maps)}, {len(found.bad)} use a protocol "
        f"older than TLS {ctx.params.get('min_tls_version', '1.2')}",
        f"all {found.good} flow(s) carrying PII in {', '.join(label(m) for m in maps)} declare TLS "
        f"{ctx.params.get('min_tls_version', '1.2')} or later (or SSH {min_ssh})",
        pii_flows=total,
        pii_flows_below_min_tls=len(found.bad),
        flows_not_stated=len(found.unknown),
    )


# ----------------------------------------------------------------------------- stores

_BITS = re.compile(r"(aes|rsa)[\s_-]*(?:gcm[\s_-]*)?(\d{2,5})", re.IGNORECASE)
_WEAK_CIPHERS = re.compile(r"\b(?:3?des|triple[\s_-]?des|rc4|blowfish|xor|rot13)\b", re.IGNORECASE)


def key_bits(algorithm: str | None) -> tuple[str, int] | None:
    """``("aes", 256)`` from "AES-256", "aes256-gcm", "RSA 2048"; None when no size is named."""
    match = _BITS.search(algorithm or "")
    return (match[1].lower(), int(match[2])) if match else None


def _encryption_findings(ctx: CheckContext, item: EvidenceItem, store: dict[str, Any], found: Findings) -> None:
    name = f"{store['id']} ({item.id})"
    if store["encrypted_at_rest"] is None:
        found.unknown.append(f"whether PII store {name} is encrypted at rest")
        return
    if store["encrypted_at_rest"] is False:
        found.bad.append(f"PII store {name} is declared not encrypted at rest")
        return
    if _WEAK_CIPHERS.search(store["encryption_algorithm"] or ""):
        found.bad.append(f"PII store {name} uses {store['encryption_algorithm']}, not AES or RSA")
        return
    bits = key_bits(store["encryption_algorithm"])
    minimum = {"aes": int(ctx.params.get("min_aes_bits", 128)), "rsa": int(ctx.params.get("min_rsa_bits", 2048))}
    if bits and bits[1] < minimum[bits[0]]:
        found.bad.append(
            f"PII store {name} uses {store['encryption_algorithm']}, under the {bits[0].upper()}-{minimum[bits[0]]} minimum"
        )
        return
    backups = store["backups"]
    if backups and backups["enabled"] and backups["encrypted"] is False:
        found.bad.append(f"backups of PII store {name} are declared not encrypted")
    elif backups and backups["enabled"] and backups["encrypted"] is None:
        found.unknown.append(f"whether the backups of PII store {name} are encrypted")
    else:
        found.good += 1


def _retention_findings(ctx: CheckContext, item: EvidenceItem, store: dict[str, Any], found: Findings) -> None:
    name = f"{store['id']} ({item.id})"
    limit = int(ctx.params.get("pii_retention_days", 30))
    clock = str(ctx.params.get("retention_clock", "delivery"))
    retention = store["retention"]
    if retention is None or (retention["pii_days"] is None and not retention["legal_hold"]):
        found.unknown.append(f"how long PII store {name} keeps PII")
    elif retention["legal_hold"]:
        found.good += 1  # kept longer under a named legal hold (the legal-hold register must show it)
    elif retention["pii_days"] > limit:
        found.bad.append(f"PII store {name} keeps PII {retention['pii_days']} days after {retention['after']}, over {limit}")
    elif clock == "shipment" and retention["after"] == "delivery":
        found.bad.append(
            f"PII store {name} counts its {retention['pii_days']} days from delivery; this policy version counts from shipment"
        )
    else:
        found.good += 1


@check("dataflow_pii_stores_protected", reads=(KIND,))
def dataflow_pii_stores_protected(ctx: CheckContext) -> CheckOutcome:
    """Every store holding PII (mixed stores included) is encrypted at rest and purges PII in time."""
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return finish(ctx, early)
    aspects = list(ctx.params.get("aspects") or ["encryption", "retention"])
    found = Findings()
    pii_stores = mixed = 0
    for item in maps:
        for store in item.facts["stores"]:
            if store["pii"] == "unknown":
                found.unknown.append(f"whether store {store['id']} holds PII ({item.id})")
                continue
            if store["pii"] != "yes":
                continue
            pii_stores += 1
            mixed += bool(store["mixed"])
            if "encryption" in aspects:
                _encryption_findings(ctx, item, store, found)
            if "retention" in aspects:
                _retention_findings(ctx, item, store, found)
    wanted = " and ".join({"encryption": "encrypted at rest", "retention": "purged in time"}[a] for a in aspects)
    return judge(
        ctx, maps, found,
        f"of {pii_stores} store(s) holding PII ({mixed} mixing PII with other data), some are not {wanted}",
        f"all {pii_stores} store(s) holding PII in {', '.join(label(m) for m in maps)} ({mixed} mixing PII with "
        f"other data, counted as PII stores) are declared {wanted}",
        pii_stores=pii_stores,
        mixed_stores=mixed,
        pii_store_findings=len(found.bad),
        not_stated=len(found.unknown),
    )


# ----------------------------------------------------------------------------- third parties


def _recipients(item: EvidenceItem) -> dict[str, list[dict[str, Any]]]:
    """Flows into each third party (either end of a bidirectional flow)."""
    parties = {p["id"] for p in item.facts["third_parties"]}
    found: dict[str, list[dict[str, Any]]] = {}
    for flow in item.facts["flows"]:
        ends = [flow["to"], *([flow["from"]] if flow["bidirectional"] else [])]
        for end in ends:
            if end in parties:
                found.setdefault(end, []).append(flow)
    return found


def _party_findings(
    ctx: CheckContext, item: EvidenceItem, party: dict[str, Any], flows: list[dict[str, Any]], found: Findings
) -> None:
    aspects = list(ctx.params.get("aspects") or ["purpose", "assessment", "contract"])
    allowed = [str(p) for p in ctx.params.get("pii_purposes") or ["fulfilment", "tax"]]
    limit = int(ctx.params.get("assessment_every_days", 365))
    name = f"{party['name']} ({item.id})"
    pii = [f for f in flows if f["pii"] == "yes"]
    if any(f["pii"] == "unknown" for f in flows):
        found.unknown.append(f"whether {name} receives PII")
    before = (len(found.bad), len(found.unknown))
    if pii and "purpose" in aspects:
        fields = sorted({v for f in pii for v in f["pii_fields"]})
        if party["purpose"] is None:
            found.unknown.append(f"the purpose for which {name} receives PII")
        elif party["purpose"] not in allowed:
            found.bad.append(
                f"{name} receives PII ({_names(fields)}) for {party['purpose']}, not for {' or '.join(allowed)}"
            )
    if "assessment" in aspects:
        _assessment(ctx, party, name, limit, found)
    if pii and "contract" in aspects:
        if party["has_contract"] is None:
            found.unknown.append(f"whether a contract covers the PII {name} receives")
        elif not party["has_contract"]:
            found.bad.append(f"{name} receives PII with no contract (DPA) in place")
    if (len(found.bad), len(found.unknown)) == before:
        found.good += 1


def _assessment(ctx: CheckContext, party: dict[str, Any], name: str, limit: int, found: Findings) -> None:
    as_of = ctx.as_of.date()
    if party["last_assessment"] is None:
        found.unknown.append(f"when {name} was last assessed")
        return
    assessed = date.fromisoformat(party["last_assessment"])
    if assessed > as_of:
        found.unknown.append(f"an assessment of {name} on or before {as_of.isoformat()} (the last is dated later)")
    elif (as_of - assessed).days > limit:
        found.bad.append(
            f"{name} was last assessed {assessed.isoformat()}, {(as_of - assessed).days} days before "
            f"{as_of.isoformat()}, over the {limit}-day limit"
        )


@check("dataflow_third_parties", reads=(KIND,))
def dataflow_third_parties(ctx: CheckContext) -> CheckOutcome:
    """Third parties get PII only for fulfilment or tax, under a contract, after a recent assessment."""
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return finish(ctx, early)
    found = Findings()
    recipients = pii_recipients = 0
    for item in maps:
        by_id = {p["id"]: p for p in item.facts["third_parties"]}
        for party_id, flows in sorted(_recipients(item).items()):
            recipients += 1
            pii_recipients += any(f["pii"] == "yes" for f in flows)
            _party_findings(ctx, item, by_id[party_id], flows, found)
    if not recipients:
        return finish(ctx, ctx.met(
            f"{', '.join(label(m) for m in maps)} declares no flow of data to a third party",
            evidence=maps, third_parties_receiving=0,
        ))
    return judge(
        ctx, maps, found,
        f"of {recipients} third part(y/ies) receiving Amazon data ({pii_recipients} receiving PII), "
        f"{len(found.bad)} finding(s)",
        f"all {recipients} third part(y/ies) receiving Amazon data ({pii_recipients} receiving PII) in "
        f"{', '.join(label(m) for m in maps)} meet the purpose, assessment and contract rules checked here",
        third_parties_receiving=recipients,
        third_parties_receiving_pii=pii_recipients,
        third_party_findings=len(found.bad),
    )


# ----------------------------------------------------------------------------- devices, classification


@check("dataflow_no_pii_on_devices", reads=(KIND,))
def dataflow_no_pii_on_devices(ctx: CheckContext) -> CheckOutcome:
    """No PII on removable media or personal devices (older text: only when encrypted)."""
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return finish(ctx, early)
    allow_encrypted = bool(ctx.params.get("allow_if_encrypted", False))
    found = Findings()
    devices = 0
    for item in maps:
        device_systems = {s["id"] for s in item.facts["systems"] if s["device"]}
        for store in item.facts["stores"]:
            if not store["device"]:
                continue
            devices += 1
            if store["pii"] == "unknown":
                found.unknown.append(f"whether device store {store['id']} holds PII ({item.id})")
            elif store["pii"] == "yes" and not (allow_encrypted and store["encrypted_at_rest"]):
                found.bad.append(f"{store['kind']} {store['id']} holds PII ({_names(store['pii_fields'])}) ({item.id})")
        devices += len(device_systems)
        for flow in item.facts["flows"]:
            if flow["to"] not in device_systems:
                continue
            name = f"{flow['from']} -> {flow['to']}"
            if flow["pii"] == "unknown":
                found.unknown.append(f"whether {name} sends PII to a device ({item.id})")
            elif flow["pii"] == "yes" and allow_encrypted:
                found.unknown.append(f"whether device {flow['to']} encrypts the PII {name} sends it ({item.id})")
            elif flow["pii"] == "yes":
                found.bad.append(f"{name} sends PII to a personal device or removable media ({item.id})")
    rule = "unless encrypted" if allow_encrypted else "at all"
    return judge(
        ctx, maps, found,
        f"PII reaches removable media or personal devices, which the policy forbids {rule}",
        f"{', '.join(label(m) for m in maps)} puts no PII on removable media or personal devices "
        f"({devices} such device(s) declared)",
        devices_declared=devices,
        device_findings=len(found.bad),
    )


@check("dataflow_map_complete", reads=(KIND,))
def dataflow_map_complete(ctx: CheckContext) -> CheckOutcome:
    """The data map classifies every store's data (PII or not) and says which PII stores are encrypted."""
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return early
    found = Findings()
    stores = 0
    for item in maps:
        for store in item.facts["stores"]:
            stores += 1
            if not store["data_declared"]:
                found.unknown.append(f"what store {store['id']} holds ({item.id})")
            elif store["unclassified"]:
                found.unknown.append(
                    f"whether {len(store['unclassified'])} data item(s) of store {store['id']} are PII ({item.id})"
                )
            elif store["pii"] == "yes" and store["encrypted_at_rest"] is None:
                found.unknown.append(f"whether PII store {store['id']} must be and is encrypted ({item.id})")
            else:
                found.good += 1
    return judge(
        ctx, maps, found,
        f"{len(found.unknown)} of {stores} store(s) are not fully classified",
        f"all {stores} store(s) in {', '.join(label(m) for m in maps)} say which PII fields and other Amazon "
        "data they hold, and every PII store states its encryption at rest",
        stores_classified=found.good,
        stores=stores,
    )
