"""The normalised data map: what the native YAML declares and what every importer produces.

Fields a source does not state stay ``None`` ("unknown"), never a guessed default, so the
checks can tell "declared unencrypted" from "not declared" and give insufficient evidence
for the latter.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NodeId = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9][\w.:/-]*$")]

TlsVersion = Literal["none", "1.0", "1.1", "1.2", "1.3"]

SystemKind = Literal[
    "service",
    "worker",
    "web-app",
    "api",
    "amazon",
    "user",
    "external",
    "workstation",
    "personal-device",
    "removable-media",
    "other",
]
StoreKind = Literal[
    "database",
    "object-storage",
    "file-storage",
    "cache",
    "queue",
    "search-index",
    "log",
    "backup",
    "spreadsheet",
    "saas",
    "removable-media",
    "personal-device",
    "other",
]
ResourceType = Literal[
    "s3_bucket",
    "rds_instance",
    "rds_cluster",
    "ebs_volume",
    "dynamodb_table",
    "other",
]
Purpose = Literal[
    "fulfilment",
    "tax",
    "legal",
    "hosting",
    "payments",
    "support",
    "analytics",
    "marketing",
    "other",
]
AccessLevel = Literal["read", "write", "read-write", "admin"]

#: Kinds of node on which the DPP forbids PII (removable media, personal devices).
DEVICE_KINDS = frozenset({"removable-media", "personal-device"})

_TLS_TEXT = re.compile(r"^(?:tls\s*v?|v)?\s*(1\.[0-3])\+?$", re.IGNORECASE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DataHeld(_Strict):
    """Data a store holds or a flow carries: PII fields, other Amazon data, and unclassified data.

    ``unclassified`` names data whose PII status the source does not say (typical of imports).
    """

    pii: list[str] = Field(default_factory=list)
    amazon: list[str] = Field(default_factory=list)
    unclassified: list[str] = Field(default_factory=list)

    @property
    def pii_status(self) -> Literal["yes", "no", "unknown"]:
        """Say "yes" when any PII is held (mixed stores too), "unknown" for unclassified data."""
        if self.pii:
            return "yes"
        return "unknown" if self.unclassified else "no"


class Encryption(_Strict):
    """Encryption at rest as declared: on or off, with the algorithm and key management if known."""

    enabled: bool
    algorithm: str | None = None
    key: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"enabled": value} if isinstance(value, bool) else value


class Retention(_Strict):
    """How long PII is kept: days after delivery (or shipment), or the legal hold keeping it."""

    pii_days: int | None = Field(default=None, ge=0)
    after: Literal["delivery", "shipment", "creation"] = "delivery"
    legal_hold: str | None = None
    job: str | None = None


class Backups(_Strict):
    """Backups of a store: whether there are any, encrypted, how long kept, where."""

    enabled: bool
    encrypted: bool | None = None
    retention_days: int | None = Field(default=None, ge=0)
    region: str | None = None


class Resource(_Strict):
    """A cloud resource behind a store, as the encryption collectors name it (type and id)."""

    type: ResourceType
    id: str = Field(min_length=1)


class Contract(_Strict):
    """The contract under which a third party receives data (a DPA, SCCs, ...)."""

    type: str = Field(min_length=1)
    signed: date | None = None
    reference: str | None = None


class System(_Strict):
    """A process, application or outside actor that sends or receives data."""

    id: NodeId
    name: str | None = None
    kind: SystemKind | None = None
    description: str | None = None
    zone: str | None = None

    @property
    def label(self) -> str:
        """The name, or the id when there is none."""
        return self.name or self.id


class Store(_Strict):
    """A place data rests: database, bucket, queue, cache, log, spreadsheet, device."""

    id: NodeId
    name: str | None = None
    kind: StoreKind | None = None
    description: str | None = None
    zone: str | None = None
    holds: DataHeld | None = None
    encryption_at_rest: Encryption | None = None
    retention: Retention | None = None
    region: str | None = None
    backups: Backups | None = None
    resources: list[Resource] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    tables: list[str] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """The name, or the id when there is none."""
        return self.name or self.id


class ThirdParty(_Strict):
    """An outside organisation that receives data: purpose, last vendor assessment, contract."""

    id: NodeId
    name: str | None = None
    description: str | None = None
    purpose: Purpose | None = None
    purpose_detail: str | None = None
    last_assessment: date | None = None
    contract: Contract | None = None
    region: str | None = None

    @property
    def label(self) -> str:
        """The name, or the id when there is none."""
        return self.name or self.id

    @field_validator("purpose", mode="before")
    @classmethod
    def _spelling(cls, value: Any) -> Any:
        return "fulfilment" if isinstance(value, str) and value.lower() == "fulfillment" else value

    @field_validator("contract", mode="before")
    @classmethod
    def _contract_shorthand(cls, value: Any) -> Any:
        """``contract: DPA`` names the type; ``contract: none`` (or false) says there is none."""
        if value is False or (isinstance(value, str) and value.strip().lower() == "none"):
            return {"type": "none"}
        return {"type": value} if isinstance(value, str) else value

    @property
    def has_contract(self) -> bool | None:
        """True or False when the map says, None when it does not."""
        return None if self.contract is None else self.contract.type.lower() != "none"


class Flow(_Strict):
    """Data moving from one node to another, with the protocol and the TLS version it uses."""

    id: NodeId | None = None
    source: NodeId = Field(alias="from")
    target: NodeId = Field(alias="to")
    description: str | None = None
    carries: DataHeld | None = None
    protocol: str | None = None
    tls: TlsVersion | None = None
    ssh: Literal[1, 2] | None = None
    encrypted: bool | None = None
    endpoint: str | None = None
    bidirectional: bool = False

    @field_validator("tls", mode="before")
    @classmethod
    def _tls_text(cls, value: Any) -> Any:
        """Accept 1.2 (YAML reads it as a number), "TLSv1.2", "TLS 1.2", "1.2+" and "none"."""
        if isinstance(value, float):
            return f"{value:.1f}"
        if isinstance(value, str):
            text = value.strip()
            if text.lower() in ("none", "off", "plaintext", "plain"):
                return "none"
            match = _TLS_TEXT.match(text)
            if match:
                return match[1]
        return value


class Role(_Strict):
    """Principals (people or service accounts, by name) and the stores they may access."""

    id: NodeId
    description: str | None = None
    principals: list[str] = Field(min_length=1)
    access: dict[str, AccessLevel] = Field(default_factory=dict)


class OutOfScope(_Strict):
    """A cloud resource that holds no Amazon data, with the reason (so cross-checks skip it)."""

    type: ResourceType
    id: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class DataMap(_Strict):
    """The whole map. ``version`` is the native schema version."""

    version: Literal[1] = 1
    name: str = Field(min_length=1)
    owner: str | None = None
    updated: date | None = None
    description: str | None = None
    systems: list[System] = Field(default_factory=list)
    stores: list[Store] = Field(default_factory=list)
    third_parties: list[ThirdParty] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    out_of_scope: list[OutOfScope] = Field(default_factory=list)

    def node_kinds(self) -> dict[str, str]:
        """Every node id with what it is: "system", "store" or "third_party"."""
        kinds: dict[str, str] = {}
        for kind, nodes in (
            ("system", self.systems),
            ("store", self.stores),
            ("third_party", self.third_parties),
        ):
            for node in nodes:
                kinds.setdefault(node.id, kind)
        return kinds


Location = tuple[str | int, ...]


def reference_errors(data_map: DataMap) -> list[tuple[Location, str]]:
    """Problems the schema alone cannot see: duplicate ids and references to unknown nodes.

    Each comes with the pydantic-style location of the offending value, so the native loader
    can name its line.
    """
    errors: list[tuple[Location, str]] = []
    seen: dict[str, str] = {}
    for section in ("systems", "stores", "third_parties"):
        for index, node in enumerate(getattr(data_map, section)):
            if node.id in seen:
                errors.append(
                    (
                        (section, index, "id"),
                        f"id {node.id!r} is already used by one of the {seen[node.id]}",
                    )
                )
            else:
                seen[node.id] = section.replace("_", " ")
    stores = {store.id for store in data_map.stores}
    for index, flow in enumerate(data_map.flows):
        for field, ref in (("from", flow.source), ("to", flow.target)):
            if ref not in seen:
                errors.append(
                    (
                        ("flows", index, field),
                        f"names {ref!r}, which is no system, store or third party",
                    )
                )
    flow_ids: set[str] = set()
    for index, flow in enumerate(data_map.flows):
        if flow.id is not None:
            if flow.id in flow_ids:
                errors.append((("flows", index, "id"), f"flow id {flow.id!r} is used twice"))
            flow_ids.add(flow.id)
    role_ids: set[str] = set()
    for index, role in enumerate(data_map.roles):
        if role.id in role_ids:
            errors.append((("roles", index, "id"), f"role id {role.id!r} is used twice"))
        role_ids.add(role.id)
        for store_id in role.access:
            if store_id not in stores:
                errors.append(
                    (("roles", index, "access", store_id), f"names {store_id!r}, which is no store")
                )
    return errors


def flow_ids(data_map: DataMap) -> list[str]:
    """Give each flow a stable id: its own, or ``source->target`` (numbered when repeated)."""
    ids: list[str] = []
    used: set[str] = {flow.id for flow in data_map.flows if flow.id}
    for flow in data_map.flows:
        if flow.id:
            ids.append(flow.id)
            continue
        base = f"{flow.source}->{flow.target}"
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}#{n}", n + 1
        used.add(candidate)
        ids.append(candidate)
    return ids
