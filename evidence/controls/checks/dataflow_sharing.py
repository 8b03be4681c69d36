"""Checks of the declared data map: third parties, personal devices and complete classification."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from evidence.controls.checks import check
from evidence.controls.checks.dataflow_support import (
    KIND,
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
from evidence.controls.context import CheckContext, NoParams, Params
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.dataflow import MapFlow, MapThirdParty
from evidence.model.results import CheckOutcome

PartyAspect = Literal["purpose", "assessment", "contract"]


class ThirdPartiesParams(Params):
    """What ``dataflow_third_parties`` reads: its aspects, and the figures each one needs.

    ``purpose`` needs ``pii_purposes``; ``assessment`` needs ``assessment_every_days``.
    """

    pii_purposes: list[str] | None = Field(
        default=None, description="the purposes for which a third party may receive PII (purpose)"
    )
    assessment_every_days: int | None = Field(
        default=None, description="the recommended reassessment interval, an uncertain figure (assessment)"
    )
    # Last, so its validator sees the figures above.
    aspects: list[PartyAspect] = Field(min_length=1, description="what is judged of each third party")

    @field_validator("aspects")
    @classmethod
    def _aspects_have_their_figures(cls, aspects: list[PartyAspect], info: ValidationInfo) -> list[PartyAspect]:
        needs = {"purpose": ("pii_purposes",), "assessment": ("assessment_every_days",)}
        return needs_figures(aspects, needs, info)


class DevicesParams(Params):
    """What ``dataflow_no_pii_on_devices`` reads: whether encrypted device stores are allowed."""

    allow_if_encrypted: bool = Field(
        description="the older text: PII on a device is allowed when the device store is encrypted"
    )


def _recipients(item: EvidenceItem) -> dict[str, list[MapFlow]]:
    """Map each third party to the flows it receives (either end of a bidirectional flow)."""
    facts = data_map(item)
    parties = {p.id for p in facts.third_parties}
    found: dict[str, list[MapFlow]] = {}
    for flow in facts.flows:
        for end in [flow.to, *([flow.from_] if flow.bidirectional else [])]:
            if end in parties:
                found.setdefault(end, []).append(flow)
    return found


def _party(
    ctx: CheckContext,
    params: ThirdPartiesParams,
    party: MapThirdParty,
    flows: list[MapFlow],
    found: Findings,
    name: str,
) -> None:
    aspects = params.aspects
    allowed = params.pii_purposes or []
    pii = [f for f in flows if f.pii == "yes"]
    before = (len(found.bad), len(found.unknown))
    if any(f.pii == "unknown" for f in flows):
        found.unknown.append(f"whether {name} receives PII")
    if pii and "purpose" in aspects:
        fields = joined(sorted({v for f in pii for v in f.pii_fields}), 4, ", ")
        if party.purpose is None:
            found.unknown.append(f"the purpose for which {name} receives PII")
        elif party.purpose not in allowed:
            found.bad.append(
                f"{name} receives PII ({fields}) for {party.purpose}, "
                f"not for {' or '.join(allowed)}"
            )
    if "assessment" in aspects:
        _assessment(ctx, params, party, name, found)
    if pii and "contract" in aspects:
        if party.has_contract is None:
            found.unknown.append(f"whether a contract covers the PII {name} receives")
        elif not party.has_contract:
            found.bad.append(f"{name} receives PII with no contract (DPA) in place")
    if (len(found.bad), len(found.unknown)) == before:
        found.good += 1


def _assessment(
    ctx: CheckContext, params: ThirdPartiesParams, party: MapThirdParty, name: str, found: Findings
) -> None:
    """The party was assessed before it received data; an old assessment is only advice.

    The yearly reassessment figure is uncertain (one secondary reading, not in the AUP), so a
    gap against it is reported as a recommendation and never fails the control.
    """
    limit = params.assessment_every_days
    assert limit is not None  # the model requires it for this aspect
    as_of = ctx.as_of.date()
    if party.last_assessment is None:
        found.unknown.append(f"when {name} was last assessed")
        return
    assessed = date.fromisoformat(party.last_assessment)
    age = (as_of - assessed).days
    if assessed > as_of:
        found.unknown.append(
            f"an assessment of {name} on or before {as_of.isoformat()} (the last is dated later)"
        )
    elif age > limit:
        found.advice.append(
            f"{name} was last assessed {assessed.isoformat()}, {age} days before "
            f"{as_of.isoformat()}, over the recommended {limit} days"
        )


@check("dataflow_third_parties", reads=(KIND,), params=ThirdPartiesParams)
def dataflow_third_parties(ctx: CheckContext) -> CheckOutcome:
    """Third parties get PII only for fulfilment or tax, under contract, after an assessment.

    Per ``aspects``: PII to third parties only for ``pii_purposes``; last assessment within
    ``assessment_every_days`` of the as-of date (a gap is a recommendation); a contract for PII.
    """
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return early
    params = ctx.parameters(ThirdPartiesParams)
    found = Findings()
    recipients = pii_recipients = 0
    for item in maps:
        by_id = {p.id: p for p in data_map(item).third_parties}
        for party_id, flows in sorted(_recipients(item).items()):
            recipients += 1
            pii_recipients += any(f.pii == "yes" for f in flows)
            party = by_id[party_id]
            _party(ctx, params, party, flows, found, f"{party.name} ({item.id})")
    if not recipients:
        met = ctx.met(f"{labels(maps)} declares no flow of data to a third party", evidence=maps)
        return met
    aspects = ", ".join(params.aspects)
    parties = (
        f"{plural(recipients, 'third party', 'third parties')} receiving Amazon data "
        f"({pii_recipients} receiving PII)"
    )
    return judge(
        ctx,
        maps,
        found,
        f"of {parties}, {plural(len(found.bad), 'finding')}",
        f"all {parties} in {labels(maps)} pass the checks of {aspects}",
        third_parties_receiving=recipients,
        third_parties_receiving_pii=pii_recipients,
        third_party_findings=len(found.bad),
    )


@check("dataflow_no_pii_on_devices", reads=(KIND,), params=DevicesParams)
def dataflow_no_pii_on_devices(ctx: CheckContext) -> CheckOutcome:
    """No PII on removable media or personal devices (the older text: only when encrypted).

    Not met when a removable-media or personal-device store or system receives PII
    (``allow_if_encrypted`` allows encrypted device stores).
    """
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return early
    allow_encrypted = ctx.parameters(DevicesParams).allow_if_encrypted
    found = Findings()
    devices = 0
    for item in maps:
        facts = data_map(item)
        for store in (s for s in facts.stores if s.device):
            devices += 1
            fields = joined(store.pii_fields, 4, ", ")
            if store.pii == "unknown":
                found.unknown.append(f"whether device store {store.id} holds PII ({item.id})")
            elif store.pii == "yes" and not (allow_encrypted and store.encrypted_at_rest):
                found.bad.append(f"{store.kind} {store.id} holds PII ({fields}) ({item.id})")
        device_systems = {s.id for s in facts.systems if s.device}
        devices += len(device_systems)
        for flow in (f for f in facts.flows if f.to in device_systems):
            name = f"{flow.from_} -> {flow.to}"
            if flow.pii == "unknown":
                found.unknown.append(f"whether {name} sends PII to a device ({item.id})")
            elif flow.pii == "yes" and allow_encrypted:
                found.unknown.append(
                    f"whether {flow.to} encrypts the PII {name} sends ({item.id})"
                )
            elif flow.pii == "yes":
                found.bad.append(
                    f"{name} sends PII to a personal device or removable media ({item.id})"
                )
    rule = "unless encrypted" if allow_encrypted else "at all"
    return judge(
        ctx,
        maps,
        found,
        f"PII reaches removable media or personal devices, which the policy forbids {rule}",
        f"{labels(maps)} puts no PII on removable media or personal devices "
        f"({plural(devices, 'such device')} declared)",
        devices_declared=devices,
        device_findings=len(found.bad),
    )


@check("dataflow_map_complete", reads=(KIND,), params=NoParams)
def dataflow_map_complete(ctx: CheckContext) -> CheckOutcome:
    """Check that the map classifies every store's data and states each PII store's encryption.

    Met when every store says what it holds, none is unclassified and every PII store states its
    encryption at rest.
    """
    maps, early = map_items(ctx)
    if early or (early := pii_free(ctx, maps)):
        return early
    found = Findings()
    stores = 0
    for item in maps:
        for store in data_map(item).stores:
            stores += 1
            name = f"store {store.id} ({item.id})"
            if not store.data_declared:
                found.unknown.append(f"what {name} holds")
            elif store.unclassified:
                count = plural(len(store.unclassified), "data item")
                found.unknown.append(f"whether {count} of {name} are PII")
            elif store.pii == "yes" and store.encrypted_at_rest is None:
                found.unknown.append(f"whether PII {name} is encrypted at rest")
            else:
                found.good += 1
    return judge(
        ctx,
        maps,
        found,
        f"{len(found.unknown)} of {plural(stores, 'store')} are not fully classified",
        f"all {plural(stores, 'store')} in {labels(maps)} say which PII fields and other Amazon "
        "data they hold, and every PII store states its encryption at rest",
        stores_classified=found.good,
        stores=stores,
    )
