"""Cross-checks of the declared data map against collected evidence; each finding names both sides.

``compare`` selects what is compared: ``encryption`` (stores declared encrypted vs
``encryption.at_rest``), ``tls`` (flows declared TLS 1.2+ vs ``tls.endpoints``), ``retention``
(PII stores vs ``retention.pii_age``, ``retention.job_runs`` and ``storage.lifecycle``),
``access`` (principals the map grants vs ``access.activity`` on PII stores) and ``inventory``
(observed resources and stores vs the map). Collectors know nothing of each other: their
evidence meets only here, through the fact contracts of docs/evidence-kinds.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from evidence.controls.checks import check
from evidence.controls.checks.dataflow_support import (
    KIND,
    SHOWN,
    TLS_ORDER,
    data_map,
    joined,
    label,
    labels,
    map_items,
    needs_figures,
)
from evidence.controls.context import CheckContext, Params
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.access import AccessActivity, StoreAccess
from evidence.model.facts.cloud_storage import BucketLifecycle, EncryptionAtRest, StorageLifecycle, StoreEncryption
from evidence.model.facts.dataflow import MapStore
from evidence.model.facts.retention import JobRuns, PiiAge
from evidence.model.facts.tls_endpoints import Endpoint, TlsEndpoints
from evidence.model.results import CheckOutcome

Aspect = Literal["encryption", "tls", "retention", "access", "inventory"]
MAX_FINDINGS = 20
_TLS_NAMES = {
    "SSLv2": 2,
    "SSLv3": 3,
    "TLSv1": 10,
    "TLSv1.0": 10,
    "TLSv1.1": 11,
    "TLSv1.2": 12,
    "TLSv1.3": 13,
}


@dataclass
class Comparison:
    """One aspect compared.

    ``findings`` are disagreements, ``unreadable`` observations that exist but could not be
    read, ``uncompared`` declarations with nothing observed, and ``compared`` counts the pairs.
    """

    aspect: str
    findings: list[dict[str, str]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    uncompared: list[str] = field(default_factory=list)
    compared: int = 0
    observed: list[EvidenceItem] = field(default_factory=list)

    def finding(self, declared: str, observed: str, sentence: str) -> None:
        """Record a disagreement; ``sentence`` names both sides with their evidence ids."""
        self.findings.append(
            {"aspect": self.aspect, "declared": declared, "observed": observed, "finding": sentence}
        )

    def saw(self, items: Sequence[EvidenceItem]) -> None:
        """Remember the observed items (each once, in id order) as evidence of the outcome."""
        self.observed = sorted(
            {i.id: i for i in [*self.observed, *items]}.values(), key=lambda i: i.id
        )


class CrosscheckParams(Params):
    """What ``dataflow_crosscheck`` reads: the aspects compared, and the PII limit for retention."""

    pii_retention_days: int | None = Field(
        default=None, description="the longest PII may be kept, for lifecycle rules (retention)"
    )
    # Last, so its validator sees the figure above.
    compare: list[Aspect] = Field(min_length=1, description="what is compared with the map")

    @field_validator("compare")
    @classmethod
    def _retention_has_its_limit(cls, compare: list[Aspect], info: ValidationInfo) -> list[Aspect]:
        return needs_figures(compare, {"retention": ("pii_retention_days",)}, info)


def _stores(maps: Sequence[EvidenceItem]) -> Iterator[tuple[EvidenceItem, MapStore]]:
    for item in maps:
        for store in data_map(item).stores:
            yield item, store


def _resources(ctx: CheckContext) -> list[tuple[StoreEncryption, EvidenceItem]]:
    """Every data store the cloud collectors observed, with its item."""
    return [(r, item) for item, facts in ctx.facts(EncryptionAtRest) for r in facts.resources or []]


def _endpoints(ctx: CheckContext) -> list[tuple[Endpoint, EvidenceItem]]:
    """Every endpoint the TLS probe tried, with its item."""
    return [(e, item) for item, facts in ctx.facts(TlsEndpoints) for e in facts.endpoints]


def _buckets(ctx: CheckContext) -> list[tuple[BucketLifecycle, EvidenceItem]]:
    """Every bucket whose lifecycle rules were read, with its item."""
    return [(b, item) for item, facts in ctx.facts(StorageLifecycle) for b in facts.buckets or []]


# ----------------------------------------------------------------------------- encryption


def compare_encryption(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> Comparison:
    """Find stores declared encrypted (or holding PII) whose resources are found unencrypted."""
    result = Comparison("encryption")
    observed = _resources(ctx)
    result.saw([item for _, item in observed])
    by_key = {(r.type, r.id): (r, item) for r, item in observed}
    for item, store in _stores(maps) if observed else ():
        if store.pii == "yes" and not store.resources:
            result.uncompared.append(f"PII store {store.id} names no cloud resource ({item.id})")
        for declared in store.resources:
            what = f"{declared.type} {declared.id}"
            found = by_key.get((declared.type, declared.id))
            if found is None:
                result.uncompared.append(f"{what} of store {store.id} was not observed")
                continue
            resource, source = found
            if resource.encrypted is None:
                why = resource.error or "no reason given"
                result.unreadable.append(f"{what} could not be read ({why}) ({source.id})")
                continue
            result.compared += 1
            if resource.encrypted is not False:
                continue
            observed_side = (
                f"{what} is not encrypted: {resource.setting or 'encrypted=false'} "
                f"({source.collector} {source.id})"
            )
            if store.encrypted_at_rest is True:
                result.finding(
                    f"store {store.id} encrypted at rest ({item.id})",
                    observed_side,
                    f"store {store.id} is declared encrypted at rest in {label(item)}, "
                    f"but {observed_side}",
                )
            elif store.pii == "yes":
                result.finding(
                    f"PII store {store.id} ({item.id})",
                    observed_side,
                    f"PII store {store.id} in {label(item)} rests on {what}, "
                    f"but {observed_side}",
                )
    return result


# ----------------------------------------------------------------------------- tls


def _endpoint_key(text: str) -> str:
    text = text.strip().lower()
    return text if ":" in text.rsplit("]", 1)[-1] else f"{text}:443"


def compare_tls(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> Comparison:
    """Find endpoints declared TLS 1.2+ that the TLS probe found accepting an older protocol."""
    result = Comparison("tls")
    observed = [(e, i) for e, i in _endpoints(ctx) if e.target]
    result.saw([item for _, item in observed])
    probed = {_endpoint_key(e.target): (e, item) for e, item in observed}
    flows = [(item, flow) for item in maps for flow in data_map(item).flows]
    for item, flow in flows if probed else ():
        if not flow.endpoint or flow.tls not in ("1.2", "1.3"):
            continue
        name = f"{flow.from_} -> {flow.to}"
        found = probed.get(_endpoint_key(flow.endpoint))
        if found is None:
            result.uncompared.append(f"{flow.endpoint} ({name}) was not probed")
            continue
        endpoint, source = found
        if endpoint.error:
            result.unreadable.append(
                f"{endpoint.target} could not be probed: {endpoint.error} ({source.id})"
            )
            continue
        result.compared += 1
        floor = TLS_ORDER[flow.tls]
        older = [v for v in endpoint.accepted if _TLS_NAMES.get(v, 99) < floor]
        if older:
            accepting = ", ".join(sorted(older, key=lambda v: _TLS_NAMES.get(v, 0)))
            result.finding(
                f"flow {name} TLS {flow.tls}+ at {flow.endpoint} ({item.id})",
                f"{endpoint.target} accepts {accepting} ({source.id})",
                f"flow {name} is declared TLS {flow.tls} or later at {flow.endpoint} in "
                f"{label(item)}, but the TLS probe found {endpoint.target} accepting "
                f"{accepting} ({source.collector} {source.id})",
            )
    return result


# ----------------------------------------------------------------------------- retention


def _table(name: str) -> str:
    return name.strip().lower().rsplit(".", 1)[-1]


@dataclass
class _Purges:
    """The retention evidence collected: probed tables, purge jobs and bucket rules."""

    ages: dict[str, EvidenceItem]
    jobs: dict[str, EvidenceItem]
    buckets: dict[str, tuple[BucketLifecycle, EvidenceItem]]

    def items(self) -> list[EvidenceItem]:
        """Every item the retention evidence came from."""
        return [*self.ages.values(), *self.jobs.values(), *(i for _, i in self.buckets.values())]

    def describe(self) -> str:
        """Say what the evidence covers, with its evidence ids."""
        parts = []
        for what, names, items in (
            ("tables", self.ages, self.ages.values()),
            ("jobs", self.jobs, self.jobs.values()),
            ("buckets", self.buckets, (i for _, i in self.buckets.values())),
        ):
            if names:
                ids = ", ".join(sorted({i.id for i in items}))
                parts.append(f"{what} {joined(sorted(names), SHOWN, ', ')} ({ids})")
        return "; ".join(parts)


def compare_retention(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> Comparison:
    """Find PII stores with no PII-age probe, no purge-job history and no bucket expiration rule."""
    result = Comparison("retention")
    limit = ctx.parameters(CrosscheckParams).pii_retention_days
    assert limit is not None  # the model requires it when retention is compared
    purges = _Purges(
        ages={_table(t.table): i for i, ages in ctx.facts(PiiAge) for t in ages.tables},
        jobs={j.job: i for i, runs in ctx.facts(JobRuns) for j in runs.jobs},
        buckets={b.bucket: (b, i) for b, i in _buckets(ctx)},
    )
    result.saw(purges.items())
    for item, store in _stores(maps) if result.observed else ():
        retention = store.retention
        if store.pii != "yes" or (retention is not None and retention.legal_hold):
            continue
        result.compared += 1
        expiring = [
            (rule, source)
            for r in store.resources
            if r.type == "s3_bucket" and r.id in purges.buckets
            for bucket, source in [purges.buckets[r.id]]
            for rule in bucket.rules or []
            if rule.status == "Enabled" and rule.expiration_days is not None
        ]
        for rule, source in expiring:
            if rule.expiration_days is not None and rule.expiration_days > limit:
                days = f"{rule.expiration_days} days"
                result.finding(
                    f"PII store {store.id} ({item.id})",
                    f"lifecycle rule {rule.id} expires after {days} ({source.id})",
                    f"PII store {store.id} in {label(item)} is purged by lifecycle rule "
                    f"{rule.id!r}, which expires objects after {days}, over {limit} "
                    f"({source.id})",
                )
        probed = {_table(t) for t in store.tables} & set(purges.ages)
        if probed or (retention is not None and retention.job in purges.jobs) or expiring:
            continue
        result.finding(
            f"PII store {store.id} ({item.id})",
            purges.describe(),
            f"PII store {store.id} in {label(item)} has {_missing(store)}; the retention "
            f"evidence collected covers {purges.describe()}",
        )
    return result


def _missing(store: MapStore) -> str:
    job = store.retention.job if store.retention is not None else None
    wanted = []
    if store.tables:
        wanted.append(f"no PII-age probe of its tables {joined(store.tables, 4, ', ')}")
    wanted.append(f"no run history of its purge job {job!r}" if job else "no purge job in the map")
    if any(r.type == "s3_bucket" for r in store.resources):
        wanted.append("no enabled expiration rule on its buckets")
    return ", ".join(wanted)


# ----------------------------------------------------------------------------- access, inventory


def _store_index(maps: Sequence[EvidenceItem]) -> dict[str, tuple[EvidenceItem, MapStore]]:
    """Index stores by every name the logs may use: id, name, alias, resource id (lower case)."""
    index: dict[str, tuple[EvidenceItem, MapStore]] = {}
    for item, store in _stores(maps):
        names = [
            store.id,
            store.name,
            *store.aliases,
            *(r.id for r in store.resources),
        ]
        for name in names:
            if name:
                index.setdefault(str(name).strip().lower(), (item, store))
    return index


def _accesses(ctx: CheckContext) -> list[tuple[StoreAccess, EvidenceItem]]:
    """Every logged access to a PII store by a known principal, with its item."""
    return [
        (r, item)
        for item, facts in ctx.facts(AccessActivity)
        for r in facts.pii_store_access
        if r.store and r.principal
    ]


def compare_access(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> Comparison:
    """Find principals in the access logs of a PII store that the map grants no access to it."""
    result = Comparison("access")
    records = _accesses(ctx)
    result.saw([item for _, item in records])
    index = _store_index(maps)
    for record, source in records:
        found = index.get(record.store.strip().lower())
        if found is None:
            result.uncompared.append(
                f"access to {record.store!r} ({source.id}), a store not in the map"
            )
            continue
        item, store = found
        if store.pii != "yes":
            continue
        result.compared += 1
        roles = [r for r in data_map(item).roles if store.id in r.access]
        if record.principal in {p.pseudonym for r in roles for p in r.principals}:
            continue
        allowed = ", ".join(r.id for r in roles) or "no role"
        times = f"{record.count} time(s)"
        result.finding(
            f"PII store {store.id} granted to {allowed} ({item.id})",
            f"{record.principal} accessed {record.store} {times} ({source.id})",
            f"{record.principal} accessed PII store {store.id} {times} according to "
            f"{source.source!r} ({source.id}), but {label(item)} grants {store.id} only to "
            f"{allowed}",
        )
    return result


def compare_inventory(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> Comparison:
    """Find observed resources and stores that the map neither declares nor puts out of scope."""
    result = Comparison("inventory")
    declared: set[tuple[Any, Any]] = {(r.type, r.id) for _, s in _stores(maps) for r in s.resources}
    declared |= {(o.type, o.id) for m in maps for o in data_map(m).out_of_scope}
    ids = ", ".join(m.id for m in maps)
    for item, store in _stores(maps):
        if not store.data_declared:
            result.unreadable.append(f"store {store.id} does not say what it holds ({item.id})")
    resources = [(r, i) for r, i in _resources(ctx) if r.type != "ebs_default"]
    for resource, source in resources:
        result.compared += 1
        what = f"{resource.type} {resource.id}"
        if (resource.type, resource.id) not in declared:
            result.finding(
                f"no store or out-of-scope entry for {what} ({ids})",
                f"{what} ({source.id})",
                f"{source.collector} found {what} ({source.id}), which {labels(maps)} neither "
                "lists as a store's resource nor declares out of scope",
            )
    index = _store_index(maps)
    records = _accesses(ctx)
    for name, (record, source) in {r.store.strip().lower(): (r, i) for r, i in records}.items():
        result.compared += 1
        if name not in index:
            result.finding(
                f"no store named {record.store!r} ({ids})",
                f"access to {record.store!r} ({source.id})",
                f"{source.source!r} logged access to store {record.store!r} ({source.id}), "
                f"which {labels(maps)} does not declare",
            )
    result.saw([item for _, item in [*resources, *records]])
    return result


COMPARERS: dict[str, Callable[[CheckContext, Sequence[EvidenceItem]], Comparison]] = {
    "encryption": compare_encryption,
    "tls": compare_tls,
    "retention": compare_retention,
    "access": compare_access,
    "inventory": compare_inventory,
}

_OBSERVED_KINDS = {
    "encryption": "encryption.at_rest",
    "tls": "tls.endpoints",
    "retention": "retention.pii_age, retention.job_runs or storage.lifecycle",
    "access": "access.activity with pii_store_access",
    "inventory": "encryption.at_rest or access.activity",
}


@check(
    "dataflow_crosscheck",
    params=CrosscheckParams,
    reads=(
        KIND,
        "encryption.at_rest",
        "tls.endpoints",
        "retention.pii_age",
        "retention.job_runs",
        "storage.lifecycle",
        "access.activity",
    ),
)
def dataflow_crosscheck(ctx: CheckContext) -> CheckOutcome:
    """Check that what the data map declares agrees with what the collectors observed.

    Per ``compare``: declared encryption, TLS, retention coverage, granted access and inventory
    against what was observed; each finding names both sides; insufficient with nothing observed.
    """
    maps, early = map_items(ctx)
    if early:
        return early
    aspects = ctx.parameters(CrosscheckParams).compare
    comparisons = [COMPARERS[a](ctx, maps) for a in aspects]
    evidence = [*maps, *{i.id: i for c in comparisons for i in c.observed}.values()]
    findings = [f for c in comparisons for f in c.findings]
    unreadable = [u for c in comparisons for u in c.unreadable]
    figures: dict[str, int] = {f"{c.aspect}_compared": c.compared for c in comparisons}
    figures["crosscheck_findings"] = len(findings)
    if findings:
        outcome = ctx.not_met(
            *[f["finding"] for f in findings[:MAX_FINDINGS]], evidence=evidence, **figures
        )
        if len(findings) > MAX_FINDINGS:
            outcome.reasons.append(f"and {len(findings) - MAX_FINDINGS} more finding(s)")
    elif unreadable:
        reason = f"{len(unreadable)} declaration(s) could not be compared: {joined(unreadable)}"
        outcome = ctx.insufficient(reason, evidence=evidence, **figures)
    elif not any(c.compared for c in comparisons):
        wanted = "; ".join(f"{c.aspect}: {_OBSERVED_KINDS[c.aspect]}" for c in comparisons)
        reason = f"nothing observed to compare {labels(maps)} with ({wanted})"
        outcome = ctx.insufficient(reason, evidence=evidence, **figures)
    else:
        compared = ", ".join(f"{c.compared} {c.aspect}" for c in comparisons if c.compared)
        reason = f"{labels(maps)} agrees with the collected evidence ({compared} comparison(s))"
        outcome = ctx.met(reason, evidence=evidence, **figures)
    outcome.reasons.extend(f"not compared: {u}" for c in comparisons for u in c.uncompared[:SHOWN])
    outcome.detail["findings"] = findings
    return outcome
