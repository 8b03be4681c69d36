"""Facts of ``dataflow.map``: the developer's own data map, with the PII status of each element.

The map is attested: a declared weakness is a finding, an element the map leaves unknown gives
insufficient evidence. Free text is scrubbed; principals appear by name (the map declares them)
beside their keyed pseudonyms, which match the access logs'. See docs/dataflow.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, JsonValue

from evidence.model.facts import Facts, Part

PiiStatus = Literal["yes", "no", "unknown"]


class MapCounts(Part):
    """How many elements the map declares."""

    systems: int = Field(description="systems")
    stores: int = Field(description="stores")
    pii_stores: int = Field(description='stores holding PII (mixed stores too: `pii` is "yes")')
    flows: int = Field(description="flows")
    pii_flows: int = Field(description="flows carrying PII")
    third_parties: int = Field(description="third parties")
    roles: int = Field(description="roles")
    gaps: int = Field(description="things the map does not state (see `gaps`)")


class MapSystem(Part):
    """A system of the map (an application, a worker, a laptop...)."""

    id: str = Field(description="its id in the map")
    name: str | None = Field(description="its label")
    kind: str | None = Field(description="its kind (personal-device and removable-media are devices)")
    zone: str | None = Field(description="its network zone")
    device: bool = Field(description="whether it is a personal device or removable media")


class HeldData(Part):
    """What a store holds or a flow carries, with its PII status.

    A store that mixes PII with other data counts as a PII store (``pii: yes``); unclassified
    data makes the status ``unknown``, as does a store or flow that does not say what it holds.
    """

    pii: PiiStatus = Field(description="whether it holds PII")
    data_declared: bool = Field(description="whether the map says what it holds at all")
    pii_fields: list[str] = Field(description="the PII fields held")
    amazon_data: list[str] = Field(description="other Amazon data held")
    unclassified: list[str] = Field(description="data items not classified as PII or not")


class StoreRetention(Part):
    """How long a store keeps PII, as declared."""

    pii_days: int | None = Field(description="days PII is kept (null: not stated)")
    after: str = Field(description="the event the days count from: delivery, shipment or creation")
    legal_hold: str | None = Field(description="the law that makes it keep PII longer, if any")
    job: str | None = Field(description="the purge job's name (matched with retention.job_runs)")


class StoreBackups(Part):
    """A store's backups, as declared."""

    enabled: bool = Field(description="whether it is backed up")
    encrypted: bool | None = Field(description="whether backups are encrypted (null: not stated)")
    retention_days: int | None = Field(description="how long backups are kept")
    region: str | None = Field(description="where backups are kept")


class MapResource(Part):
    """A cloud resource behind a store, or declared out of scope."""

    type: str = Field(description="s3_bucket, rds_instance, ... (as encryption.at_rest names them)")
    id: str = Field(description="the resource's id")


class OutOfScope(MapResource):
    """A resource the map declares out of scope, with why."""

    reason: str = Field(description="why it is out of scope")


class MapStore(HeldData):
    """A store of the map (database, bucket, queue, log, cache, device...)."""

    id: str = Field(description="its id in the map")
    name: str | None = Field(description="its label")
    kind: str | None = Field(description="its kind (personal-device and removable-media are devices)")
    zone: str | None = Field(description="its network zone")
    mixed: bool = Field(description="whether it mixes PII with other data")
    device: bool = Field(description="whether it is a personal device or removable media")
    encrypted_at_rest: bool | None = Field(description="declared encryption at rest (null: not stated)")
    encryption_algorithm: str | None = Field(description="the algorithm, e.g. AES-256")
    encryption_key: str | None = Field(description="the key management, e.g. a KMS key")
    retention: StoreRetention | None = Field(description="how long it keeps PII (null: not stated)")
    region: str | None = Field(description="its region")
    backups: StoreBackups | None = Field(description="its backups (null: not stated)")
    resources: list[MapResource] = Field(description="the cloud resources behind it")
    aliases: list[str] = Field(description="other names the logs may use for it")
    tables: list[str] = Field(description="its tables (matched with retention.pii_age)")


class MapFlow(HeldData):
    """A flow of data between two elements of the map."""

    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True, validate_by_name=True)

    id: str = Field(description="its id (given, or made from its ends)")
    from_: str = Field(alias="from", description="the element it leaves (the key is `from`)")
    to: str = Field(description="the element it reaches")
    protocol: str | None = Field(description="its protocol, e.g. HTTPS")
    tls: str | None = Field(description='its TLS version: "none", "1.0" ... "1.3" (null: not stated)')
    ssh: int | None = Field(description="its SSH version, 1 or 2")
    encrypted: bool | None = Field(description="whether it is encrypted otherwise")
    endpoint: str | None = Field(description="the host:port it reaches (matched with tls.endpoints)")
    bidirectional: bool = Field(description="whether data flows both ways")


class MapContract(Part):
    """A third party's contract (DPA)."""

    type: str | None = Field(description="its type, e.g. DPA")
    signed: str | None = Field(description="when it was signed (ISO date)")
    reference: str | None = Field(description="its reference")


class MapThirdParty(Part):
    """A third party that receives data."""

    id: str = Field(description="its id in the map")
    name: str | None = Field(description="its label")
    purpose: str | None = Field(description="why it receives data: fulfilment, tax, ... (null: not stated)")
    purpose_detail: str | None = Field(description="the purpose in words")
    last_assessment: str | None = Field(description="when it was last assessed (ISO date)")
    contract: MapContract | None = Field(description="its contract, if declared")
    has_contract: bool | None = Field(description="whether a contract is in place (null: not stated)")
    region: str | None = Field(description="where it processes the data")


class RolePrincipal(Part):
    """A principal of a role: the name the map declares and its keyed pseudonym."""

    name: str = Field(description="the name as the map declares it")
    pseudonym: str = Field(description="Redactor.principal(name), as in the access logs")


class MapRole(Part):
    """A role of the map: who holds it and which stores it may reach."""

    id: str = Field(description="its id in the map")
    principals: list[RolePrincipal] = Field(description="who holds it")
    access: dict[str, str] = Field(description="store id to access level (read, write, read-write, admin)")


class DataMapFacts(Facts):
    """One data map: systems, stores, flows, third parties, roles, out-of-scope resources, gaps.

    Stores carry their PII status, encryption, retention and resources; flows their PII status,
    protocol and TLS; roles their principals by name and pseudonym. ``gaps`` lists what the map
    does not state that a check needs. The map's own format is described in docs/dataflow.md.
    """

    kind = "dataflow.map"
    produced_by = ("dataflow",)

    map: str = Field(description="the map's name")
    format: str = Field(description="the format it was read from (native YAML or an importer's)")
    owner: str | None = Field(description="who owns the map")
    updated: str | None = Field(description="when it was last updated (ISO date)")
    counts: MapCounts = Field(description="how many elements it declares")
    systems: list[MapSystem] = Field(description="its systems")
    stores: list[MapStore] = Field(description="its stores")
    flows: list[MapFlow] = Field(description="its flows")
    third_parties: list[MapThirdParty] = Field(description="its third parties")
    roles: list[MapRole] = Field(description="its roles")
    out_of_scope: list[OutOfScope] = Field(description="resources it declares out of scope")
    gaps: list[dict[str, JsonValue]] = Field(
        description="what the map does not state: the element, the field and what needs it"
    )
    notes: list[str] = Field(description="notes of the import (what an importer could not map)")
