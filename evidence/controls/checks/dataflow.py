"""Checks of the declared data map: TLS on every PII flow, and every PII store protected.

A store that mixes PII with other data counts as a PII store (its facts say ``pii: yes``).
"""

from __future__ import annotations

import re
from typing import Any

from evidence.controls.checks import check
from evidence.controls.checks.dataflow_support import (
    KIND,
    TLS_ORDER,
    Findings,
    joined,
    judge,
    labels,
    map_items,
    pii_free,
    plural,
)
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.results import CheckOutcome

_BITS = re.compile(r"(aes|rsa)[\s_-]*(?:gcm[\s_-]*)?(\d{2,5})", re.IGNORECASE)
_WEAK = re.compile(r"\b(?:3?des|triple[\s_-]?des|rc4|blowfish|xor|rot13)\b", re.IGNORECASE)


@check("dataflow_pii_flows_tls", reads=(KIND,))
def dataflow_pii_flows_tls(ctx: CheckContext) -> CheckOutcome:
    """Every flow the data map declares as carrying PII uses TLS 1.2 or later (or SSH 2)."""
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return early
    wanted = str(ctx.params.get("min_tls_version", "1.2"))
    min_ssh = int(ctx.params.get("min_ssh_version", 2))
    found = Findings()
    total = 0
    for item in maps:
        for flow in item.facts["flows"]:
            name = f"{flow['from']} -> {flow['to']}"
            if flow["pii"] == "unknown":
                found.unknown.append(f"whether {name} carries PII ({item.id})")
            elif flow["pii"] == "yes":
                total += 1
                _transport(flow, name, item, TLS_ORDER[wanted], min_ssh, found)
    return judge(
        ctx,
        maps,
        found,
        f"of {plural(total, 'flow')} carrying PII in {labels(maps)}, {len(found.bad)} use a "
        f"protocol older than TLS {wanted}",
        f"all {plural(total, 'flow')} carrying PII in {labels(maps)} declare TLS {wanted} or "
        f"later (or SSH {min_ssh})",
        pii_flows=total,
        pii_flows_below_min_tls=len(found.bad),
        flows_not_stated=len(found.unknown),
    )


def _transport(
    flow: dict[str, Any], name: str, item: EvidenceItem, minimum: int, min_ssh: int, found: Findings
) -> None:
    tls, ssh = flow["tls"], flow["ssh"]
    if (ssh is not None and ssh >= min_ssh) or (tls in TLS_ORDER and TLS_ORDER[tls] >= minimum):
        found.good += 1
    elif tls in TLS_ORDER or ssh is not None:
        shown = "no TLS" if tls == "none" else (f"TLS {tls}" if tls else f"SSH {ssh}")
        protocol = flow["protocol"] or "an unnamed protocol"
        fields = joined(flow["pii_fields"], 4, ", ")
        found.bad.append(f"{name} carries PII ({fields}) over {protocol} with {shown} ({item.id})")
    else:
        found.unknown.append(f"the TLS version of {name}, which carries PII ({item.id})")


def key_bits(algorithm: str | None) -> tuple[str, int] | None:
    """Read ``("aes", 256)`` from "AES-256", "aes256-gcm" or "RSA 2048"; None without a size."""
    match = _BITS.search(algorithm or "")
    return (match[1].lower(), int(match[2])) if match else None


def _encryption(
    ctx: CheckContext, item: EvidenceItem, store: dict[str, Any], found: Findings
) -> None:
    name = f"{store['id']} ({item.id})"
    algorithm = store["encryption_algorithm"]
    bits = key_bits(algorithm)
    minimum = {
        "aes": int(ctx.params.get("min_aes_bits", 128)),
        "rsa": int(ctx.params.get("min_rsa_bits", 2048)),
    }
    backups = store["backups"] or {"enabled": False}
    if store["encrypted_at_rest"] is None:
        found.unknown.append(f"whether PII store {name} is encrypted at rest")
    elif store["encrypted_at_rest"] is False:
        found.bad.append(f"PII store {name} is declared not encrypted at rest")
    elif _WEAK.search(algorithm or ""):
        found.bad.append(f"PII store {name} uses {algorithm}, not AES or RSA")
    elif bits and bits[1] < minimum[bits[0]]:
        floor = f"{bits[0].upper()}-{minimum[bits[0]]}"
        found.bad.append(f"PII store {name} uses {algorithm}, under the {floor} minimum")
    elif backups["enabled"] and backups["encrypted"] is False:
        found.bad.append(f"backups of PII store {name} are declared not encrypted")
    elif backups["enabled"] and backups["encrypted"] is None:
        found.unknown.append(f"whether the backups of PII store {name} are encrypted")
    else:
        found.good += 1


def _retention(
    ctx: CheckContext, item: EvidenceItem, store: dict[str, Any], found: Findings
) -> None:
    name = f"{store['id']} ({item.id})"
    limit = int(ctx.params.get("pii_retention_days", 30))
    clock = str(ctx.params.get("retention_clock", "delivery"))
    kept = store["retention"] or {"pii_days": None, "legal_hold": None, "after": None}
    if kept["legal_hold"]:
        found.good += 1  # kept longer by law; the legal-hold register must name the law
    elif kept["pii_days"] is None:
        found.unknown.append(f"how long PII store {name} keeps PII")
    elif kept["pii_days"] > limit:
        days = f"{kept['pii_days']} days after {kept['after']}"
        found.bad.append(f"PII store {name} keeps PII {days}, over {limit}")
    elif clock == "shipment" and kept["after"] == "delivery":
        found.bad.append(
            f"PII store {name} counts its {kept['pii_days']} days from delivery; this policy "
            "version counts from shipment"
        )
    else:
        found.good += 1


_ASPECTS = {
    "encryption": (_encryption, "encrypted at rest"),
    "retention": (_retention, "purged in time"),
}


@check("dataflow_pii_stores_protected", reads=(KIND,))
def dataflow_pii_stores_protected(ctx: CheckContext) -> CheckOutcome:
    """Every store holding PII (mixed ones too) is encrypted at rest and purges PII in time."""
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return early
    aspects = [str(a) for a in ctx.params.get("aspects") or _ASPECTS]
    found = Findings()
    pii_stores = mixed = 0
    for item in maps:
        for store in item.facts["stores"]:
            if store["pii"] == "unknown":
                found.unknown.append(f"whether store {store['id']} holds PII ({item.id})")
            elif store["pii"] == "yes":
                pii_stores += 1
                mixed += bool(store["mixed"])
                for aspect in aspects:
                    _ASPECTS[aspect][0](ctx, item, store, found)
    wanted = " and ".join(_ASPECTS[a][1] for a in aspects)
    stores = f"{plural(pii_stores, 'store')} holding PII ({mixed} mixing PII with other data"
    return judge(
        ctx,
        maps,
        found,
        f"of {stores}), some are not {wanted}",
        f"all {stores}, counted as PII stores) in {labels(maps)} are declared {wanted}",
        pii_stores=pii_stores,
        mixed_stores=mixed,
        pii_store_findings=len(found.bad),
        not_stated=len(found.unknown),
    )
