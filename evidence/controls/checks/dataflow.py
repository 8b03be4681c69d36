"""Checks of the declared data map: TLS on every PII flow, and every PII store protected.

A store that mixes PII with other data counts as a PII store (its facts say ``pii: yes``).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from evidence.controls.checks import check
from evidence.controls.checks.dataflow_support import (
    KIND,
    TLS_ORDER,
    Findings,
    data_map,
    joined,
    judge,
    labels,
    map_items,
    needs_figures,
    pii_free,
    plural,
)
from evidence.controls.context import CheckContext, Params
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.dataflow import MapFlow, MapStore
from evidence.model.results import CheckOutcome

_BITS = re.compile(r"(aes|rsa)[\s_-]*(?:gcm[\s_-]*)?(\d{2,5})", re.IGNORECASE)
_WEAK = re.compile(r"\b(?:3?des|triple[\s_-]?des|rc4|blowfish|xor|rot13)\b", re.IGNORECASE)


class FlowsTlsParams(Params):
    """What ``dataflow_pii_flows_tls`` reads: the oldest TLS and SSH versions allowed."""

    min_tls_version: Literal["1.0", "1.1", "1.2", "1.3"] = Field(description="the oldest TLS version allowed")
    min_ssh_version: int = Field(description="the oldest SSH version allowed")


@check("dataflow_pii_flows_tls", reads=(KIND,), params=FlowsTlsParams)
def dataflow_pii_flows_tls(ctx: CheckContext) -> CheckOutcome:
    """Every flow the data map declares as carrying PII uses TLS 1.2 or later (or SSH 2).

    Not met when a flow carrying PII declares TLS below ``min_tls_version`` (or no TLS) and no
    SSH of ``min_ssh_version``; insufficient when a flow's PII status or TLS is not stated.
    """
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return early
    params = ctx.parameters(FlowsTlsParams)
    wanted = params.min_tls_version
    min_ssh = params.min_ssh_version
    found = Findings()
    total = 0
    for item in maps:
        for flow in data_map(item).flows:
            name = f"{flow.from_} -> {flow.to}"
            if flow.pii == "unknown":
                found.unknown.append(f"whether {name} carries PII ({item.id})")
            elif flow.pii == "yes":
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
    flow: MapFlow, name: str, item: EvidenceItem, minimum: int, min_ssh: int, found: Findings
) -> None:
    tls, ssh = flow.tls, flow.ssh
    if (ssh is not None and ssh >= min_ssh) or (tls in TLS_ORDER and TLS_ORDER[tls] >= minimum):
        found.good += 1
    elif tls in TLS_ORDER or ssh is not None:
        shown = "no TLS" if tls == "none" else (f"TLS {tls}" if tls else f"SSH {ssh}")
        protocol = flow.protocol or "an unnamed protocol"
        fields = joined(flow.pii_fields, 4, ", ")
        found.bad.append(f"{name} carries PII ({fields}) over {protocol} with {shown} ({item.id})")
    else:
        found.unknown.append(f"the TLS version of {name}, which carries PII ({item.id})")


def key_bits(algorithm: str | None) -> tuple[str, int] | None:
    """Read ``("aes", 256)`` from "AES-256", "aes256-gcm" or "RSA 2048"; None without a size."""
    match = _BITS.search(algorithm or "")
    return (match[1].lower(), int(match[2])) if match else None


class StoresProtectedParams(Params):
    """What ``dataflow_pii_stores_protected`` reads: its aspects, and the figures each one needs.

    ``encryption`` needs ``min_aes_bits`` and ``min_rsa_bits``; ``retention`` needs
    ``pii_retention_days`` and ``retention_clock``. A figure only another aspect reads may be left
    out; one the chosen aspects need is required when the catalogue loads.
    """

    min_aes_bits: int | None = Field(default=None, description="the smallest AES key allowed (encryption)")
    min_rsa_bits: int | None = Field(default=None, description="the smallest RSA key allowed (encryption)")
    pii_retention_days: int | None = Field(default=None, description="the longest PII may be kept (retention)")
    retention_clock: Literal["delivery", "shipment"] | None = Field(
        default=None, description="the event the retention days count from (retention)"
    )
    # Last, so its validator sees the figures above.
    aspects: list[Literal["encryption", "retention"]] = Field(min_length=1, description="what is judged")

    @field_validator("aspects")
    @classmethod
    def _aspects_have_their_figures(
        cls, aspects: list[Literal["encryption", "retention"]], info: ValidationInfo
    ) -> list[Literal["encryption", "retention"]]:
        needs = {
            "encryption": ("min_aes_bits", "min_rsa_bits"),
            "retention": ("pii_retention_days", "retention_clock"),
        }
        return needs_figures(aspects, needs, info)


def _encryption(params: StoresProtectedParams, item: EvidenceItem, store: MapStore, found: Findings) -> None:
    name = f"{store.id} ({item.id})"
    algorithm = store.encryption_algorithm
    bits = key_bits(algorithm)
    # The model requires both figures when encryption is judged.
    assert params.min_aes_bits is not None
    assert params.min_rsa_bits is not None
    minimum = {"aes": params.min_aes_bits, "rsa": params.min_rsa_bits}
    backups = store.backups
    if store.encrypted_at_rest is None:
        found.unknown.append(f"whether PII store {name} is encrypted at rest")
    elif store.encrypted_at_rest is False:
        found.bad.append(f"PII store {name} is declared not encrypted at rest")
    elif _WEAK.search(algorithm or ""):
        found.bad.append(f"PII store {name} uses {algorithm}, not AES or RSA")
    elif bits and bits[1] < minimum[bits[0]]:
        floor = f"{bits[0].upper()}-{minimum[bits[0]]}"
        found.bad.append(f"PII store {name} uses {algorithm}, under the {floor} minimum")
    elif backups is not None and backups.enabled and backups.encrypted is False:
        found.bad.append(f"backups of PII store {name} are declared not encrypted")
    elif backups is not None and backups.enabled and backups.encrypted is None:
        found.unknown.append(f"whether the backups of PII store {name} are encrypted")
    else:
        found.good += 1


def _retention(params: StoresProtectedParams, item: EvidenceItem, store: MapStore, found: Findings) -> None:
    name = f"{store.id} ({item.id})"
    limit = params.pii_retention_days
    assert limit is not None  # the model requires it for this aspect
    clock = params.retention_clock
    kept = store.retention
    if kept is not None and kept.legal_hold:
        found.good += 1  # kept longer by law; the legal-hold register must name the law
    elif kept is None or kept.pii_days is None:
        found.unknown.append(f"how long PII store {name} keeps PII")
    elif kept.pii_days > limit:
        days = f"{kept.pii_days} days after {kept.after}"
        found.bad.append(f"PII store {name} keeps PII {days}, over {limit}")
    elif clock == "shipment" and kept.after == "delivery":
        found.bad.append(
            f"PII store {name} counts its {kept.pii_days} days from delivery; this policy "
            "version counts from shipment"
        )
    else:
        found.good += 1


_ASPECTS = {
    "encryption": (_encryption, "encrypted at rest"),
    "retention": (_retention, "purged in time"),
}


@check("dataflow_pii_stores_protected", reads=(KIND,), params=StoresProtectedParams)
def dataflow_pii_stores_protected(ctx: CheckContext) -> CheckOutcome:
    """Every store holding PII (mixed ones too) is encrypted at rest and purges PII in time.

    Per ``aspects``: encrypted at rest with AES or RSA of the minimum key size, backups
    encrypted; PII kept at most ``pii_retention_days`` after delivery (after shipment where
    ``retention_clock`` says so) or under a named legal hold.
    """
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return early
    params = ctx.parameters(StoresProtectedParams)
    aspects = list(params.aspects)
    found = Findings()
    pii_stores = mixed = 0
    for item in maps:
        for store in data_map(item).stores:
            if store.pii == "unknown":
                found.unknown.append(f"whether store {store.id} holds PII ({item.id})")
            elif store.pii == "yes":
                pii_stores += 1
                mixed += bool(store.mixed)
                for aspect in aspects:
                    _ASPECTS[aspect][0](params, item, store, found)
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
