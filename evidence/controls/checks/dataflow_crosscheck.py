"""Cross-checks of the declared data map against collected evidence; each finding names both sides.

``compare`` selects what is compared: ``encryption`` (stores declared encrypted vs
``encryption.at_rest``), ``tls`` (flows declared TLS 1.2+ vs ``tls.endpoints``), ``retention``
(PII stores vs ``retention.pii_age``, ``retention.job_runs`` and ``storage.lifecycle``),
``access`` (principals granted by the map vs ``access.activity`` on PII stores) and
``inventory`` (observed resources and stores vs the map). Collectors know nothing of each other:
the evidence meets only here, through the fact contracts in docs/evidence-kinds.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidence.controls.checks import check
from evidence.controls.checks.dataflow import TLS_ORDER, KIND, finish, label, map_items
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.results import CheckOutcome

ASPECTS = ("encryption", "tls", "retention", "access", "inventory")
_SHOWN = 5
_TLS_NAMES = {"SSLv2": 2, "SSLv3": 3, "TLSv1": 10, "TLSv1.0": 10, "TLSv1.1": 11, "TLSv1.2": 12, "TLSv1.3": 13}


@dataclass
class Comparison:
    """One aspect compared: findings (declared vs observed disagree), unreadable observations,
    declarations with nothing observed to compare, and how many pairs were compared."""

    aspect: str
    findings: list[dict[str, str]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    uncompared: list[str] = field(default_factory=list)
    compared: int = 0
    observed: list[EvidenceItem] = field(default_factory=list)

    def finding(self, declared: str, observed: str, sentence: str) -> None:
        """Record a disagreement; ``sentence`` names both sides with their evidence ids."""
        self.findings.append({"aspect": self.aspect, "declared": declared, "observed": observed, "finding": sentence})


def _stores(maps: Sequence[EvidenceItem]) -> Iterator[tuple[EvidenceItem, dict[str, Any]]]:
    for item in maps:
        for store in item.facts["stores"]:
            yield item, store


def _resources(ctx: CheckContext) -> list[tuple[dict[str, Any], EvidenceItem]]:
    return [
        (resource, item)
        for item in ctx.items("encryption.at_rest")
        for resource in item.facts.get("resources") or []
        if isinstance(resource, dict)
    ]


# ----------------------------------------------------------------------------- encryption


def compare_encryption(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> Comparison:
    """A store the map declares encrypted at rest that the encryption collectors found unencrypted."""
    result = Comparison("encryption")
    observed = _resources(ctx)
    result.observed = sorted({item.id: item for _, item in observed}.values(), key=lambda i: i.id)
    if not observed:
        return result
    by_key = {(r.get("type"), r.get("id")): (r, item) for r, item in observed}
    for item, store in _stores(maps):
        if store["pii"] == "yes" and not store["resources"]:
            result.uncompared.append(f"PII store {store['id']} names no cloud resource ({item.id})")
        for declared in store["resources"]:
            found = by_key.get((declared["type"], declared["id"]))
            what = f"{declared['type']} {declared['id']}"
            if found is None:
                result.uncompared.append(f"{what} of store {store['id']} was not among the observed resources")
                continue
            resource, source = found
            if resource.get("encrypted") is None:
                result.unreadable.append(
                    f"{what} could not be read ({resource.get('error') or 'no reason given'}) ({source.id})"
                )
                continue
            result.compared += 1
            if store["encrypted_at_rest"] is True and resource["encrypted"] is False:
                result.finding(
                    f"store {store['id']} encrypted at rest ({item.id})",
                    f"{what} unencrypted: {resource.get('setting')} ({source.id})",
                    f"store {store['id']} is declared encrypted at rest in {label(item)}, but {what} is not "
                    f"encrypted: {resource.get('setting') or 'encrypted=false'} ({source.collector} {source.id})",
                )
            elif store["pii"] == "yes" and resource["encrypted"] is False:
                result.finding(
                    f"PII store {store['id']} ({item.id})",
                    f"{what} unencrypted ({source.id})",
                    f"PII store {store['id']} in {label(item)} rests on {what}, which is not encrypted: "
                    f"{resource.get('setting') or 'encrypted=false'} ({source.collector} {source.id})",
                )
    return result


# ----------------------------------------------------------------------------- tls


def _endpoint_key(text: str) -> str:
    text = text.strip().lower()
    return text if ":" in text.rsplit("]", 1)[-1] else f"{text}:443"


def compare_tls(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> Comparison:
    """An endpoint the map declares TLS 1.2+ that the TLS probe found accepting an older protocol."""
    result = Comparison("tls")
    probed = {
        _endpoint_key(str(e.get("target"))): (e, item)
        for item in ctx.items("tls.endpoints")
        for e in item.facts.get("endpoints") or []
        if isinstance(e, dict) and e.get("target")
    }
    result.observed = sorted({item.id: item for _, item in probed.values()}.values(), key=lambda i: i.id)
    if not probed:
        return result
    for item in maps:
        for flow in item.facts["flows"]:
            if not flow["endpoint"] or flow["tls"] not in ("1.2", "1.3"):
                continue
            name = f"{flow['from']} -> {flow['to']}"
            found = probed.get(_endpoint_key(flow["endpoint"]))
            if found is None:
                result.uncompared.append(f"{flow['endpoint']} ({name}) was not probed")
                continue
            endpoint, source = found
            if endpoint.get("error"):
                result.unreadable.append(f"{endpoint['target']} could not be probed: {endpoint['error']} ({source.id})")
                continue
            result.compared += 1
            older = sorted(
                (v for v in endpoint.get("accepted") or [] if _TLS_NAMES.get(v, 99) < TLS_ORDER[flow["tls"]]),
                key=lambda v: _TLS_NAMES.get(v, 0),
            )
            if older:
                result.finding(
                    f"flow {name} TLS {flow['tls']}+ at {flow['endpoint']} ({item.id})",
                    f"{endpoint['target']} accepts {', '.join(older)} ({source.id})",
                    f"flow {name} is declared TLS {flow['tls']} or later at {flow['endpoint']} in {label(item)}, "
                    f"but the TLS probe found {endpoint['target']} accepting {', '.join(older)} ({source.collector} {source.id})",
                )
    return result


# ----------------------------------------------------------------------------- retention


def _table(name: str) -> str:
    return name.strip().lower().rsplit(".", 1)[-1]


def compare_retention(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> Comparison:
    """A PII store with no PII-age probe of its tables, no run history of its purge job and no
    lifecycle rule on its buckets."""
    result = Comparison("retention")
    limit = int(ctx.params.get("pii_retention_days", 30))
    ages = {
        _table(str(t.get("table"))): item
        for item in ctx.items("retention.pii_age") for t in item.facts.get("tables") or [] if isinstance(t, dict)
    }
    jobs = {
        str(j.get("job")): (j, item)
        for item in ctx.items("retention.job_runs") for j in item.facts.get("jobs") or [] if isinstance(j, dict)
    }
    rules = {
        str(b.get("bucket")): (b, item)
        for item in ctx.items("storage.lifecycle") for b in item.facts.get("buckets") or [] if isinstance(b, dict)
    }
    observed = {i.id: i for i in [*ages.values(), *(i for _, i in jobs.values()), *(i for _, i in rules.values())]}
    result.observed = sorted(observed.values(), key=lambda i: i.id)
    if not observed:
        return result
    inventory = _retention_inventory(ages, jobs, rules)
    for item, store in _stores(maps):
        if store["pii"] != "yes" or (store["retention"] or {}).get("legal_hold"):
            continue
        result.compared += 1
        probed = sorted({_table(t) for t in store["tables"]} & set(ages))
        job = (store["retention"] or {}).get("job")
        job_run = jobs.get(job) if job else None
        buckets = [rules[r["id"]] for r in store["resources"] if r["type"] == "s3_bucket" and r["id"] in rules]
        expiring = [
            (rule, source) for bucket, source in buckets for rule in bucket.get("rules") or []
            if rule.get("status") == "Enabled" and rule.get("expiration_days") is not None
        ]
        for rule, source in expiring:
            if rule["expiration_days"] > limit:
                result.finding(
                    f"PII store {store['id']} ({item.id})",
                    f"lifecycle rule {rule.get('id')} expires after {rule['expiration_days']} days ({source.id})",
                    f"PII store {store['id']} in {label(item)} is purged by lifecycle rule {rule.get('id')!r}, "
                    f"which expires objects after {rule['expiration_days']} days, over {limit} ({source.id})",
                )
        if probed or job_run or expiring:
            continue
        wanted = []
        if store["tables"]:
            wanted.append(f"no PII-age probe of its tables {', '.join(store['tables'][:4])}")
        wanted.append(f"no run history of its purge job {job!r}" if job else "no purge job named in the map")
        if any(r["type"] == "s3_bucket" for r in store["resources"]):
            wanted.append("no enabled expiration rule on its buckets")
        result.finding(
            f"PII store {store['id']} ({item.id})",
            inventory,
            f"PII store {store['id']} in {label(item)} has {', '.join(wanted)}; the retention evidence "
            f"collected covers {inventory}",
        )
    return result


def _retention_inventory(
    ages: dict[str, EvidenceItem],
    jobs: dict[str, tuple[dict[str, Any], EvidenceItem]],
    rules: dict[str, tuple[dict[str, Any], EvidenceItem]],
) -> str:
    parts = []
    if ages:
        parts.append(f"tables {', '.join(sorted(ages)[:5])} ({', '.join(sorted({i.id for i in ages.values()}))})")
    if jobs:
        parts.append(f"jobs {', '.join(sorted(jobs)[:5])} ({', '.join(sorted({i.id for _, i in jobs.values()}))})")
    if rules:
        parts.append(f"buckets {', '.join(sorted(rules)[:5])} ({', '.join(sorted({i.id for _, i in rules.values()}))})")
    return "; ".join(parts)


# ----------------------------------------------------------------------------- access and inventory


def _store_names(store: dict[str, Any]) -> set[str]:
    names = {store["id"], store["name"], *store["aliases"], *(r["id"] for r in store["resources"])}
    return {str(n).strip().lower() for n in names if n}


def _store_index(maps: Sequence[EvidenceItem]) -> dict[str, tuple[EvidenceItem, dict[str, Any]]]:
    index: dict[str, tuple[EvidenceItem, dict[str, Any]]] = {}
    for item, store in _stores(maps):
        for name in _store_names(store):
            index.setdefault(name, (item, store))
    return index


def _access_records(ctx: CheckContext) -> list[tuple[dict[str, Any], EvidenceItem]]:
    return [
        (record, item)
        for item in ctx.items("access.activity")
        for record in item.facts.get("pii_store_access") or []
        if isinstance(record, dict) and record.get("store") and record.get("principal")
    ]


def compare_access(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> Comparison:
    """Principals seen in the access logs of a PII store that the map grants no access to it."""
    result = Comparison("access")
    records = _access_records(ctx)
    result.observed = sorted({item.id: item for _, item in records}.values(), key=lambda i: i.id)
    index = _store_index(maps)
    for record, source in records:
        found = index.get(str(record["store"]).strip().lower())
        if found is None:
            result.uncompared.append(f"access to {record['store']!r} ({source.id}), a store the data map does not declare")
            continue
        item, store = found
        if store["pii"] != "yes":
            continue
        result.compared += 1
        roles = [r for r in item.facts["roles"] if store["id"] in r["access"]]
        granted = {p["pseudonym"] for r in roles for p in r["principals"]}
        if record["principal"] in granted:
            continue
        allowed = ", ".join(r["id"] for r in roles) or "no role"
        result.finding(
            f"PII store {store['id']} granted to {allowed} ({item.id})",
            f"{record['principal']} accessed {record['store']} {record.get('count', '?')} times ({source.id})",
            f"{record['principal']} accessed PII store {store['id']} {record.get('count', '?')} time(s) according to "
            f"{source.source!r} ({source.id}), but {label(item)} grants {store['id']} only to {allowed}",
        )
    return result


def compare_inventory(ctx: CheckContext, maps: Sequence[EvidenceItem]) -> Comparison:
    """Observed cloud resources and accessed stores that the map neither declares nor puts out of scope."""
    result = Comparison("inventory")
    declared = {(r["type"], r["id"]) for _, s in _stores(maps) for r in s["resources"]}
    declared |= {(o["type"], o["id"]) for m in maps for o in m.facts["out_of_scope"]}
    for item, store in _stores(maps):
        if not store["data_declared"]:
            result.unreadable.append(f"store {store['id']} does not say what it holds ({item.id})")
    observed = [(r, i) for r, i in _resources(ctx) if r.get("type") != "ebs_default"]
    for resource, source in observed:
        result.compared += 1
        if (resource.get("type"), resource.get("id")) not in declared:
            what = f"{resource.get('type')} {resource.get('id')}"
            result.finding(
                f"no store or out-of-scope entry for {what} ({', '.join(m.id for m in maps)})",
                f"{what} ({source.id})",
                f"{source.collector} found {what} ({source.id}), which {', '.join(label(m) for m in maps)} "
                "neither lists as a store's resource nor declares out of scope",
            )
    index = _store_index(maps)
    seen: set[str] = set()
    records = _access_records(ctx)
    for record, source in records:
        name = str(record["store"]).strip().lower()
        if name in seen:
            continue
        seen.add(name)
        result.compared += 1
        if name not in index:
            result.finding(
                f"no store named {record['store']!r} ({', '.join(m.id for m in maps)})",
                f"access to {record['store']!r} ({source.id})",
                f"{source.source!r} logged access to store {record['store']!r} ({source.id}), which "
                f"{', '.join(label(m) for m in maps)} does not declare",
            )
    result.observed = sorted({i.id: i for _, i in [*observed, *records]}.values(), key=lambda i: i.id)
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
    reads=(KIND, "encryption.at_rest", "tls.endpoints", "retention.pii_age", "retention.job_runs",
           "storage.lifecycle", "access.activity"),
)
def dataflow_crosscheck(ctx: CheckContext) -> CheckOutcome:
    """What the data map declares agrees with what the collectors observed."""
    maps, early = map_items(ctx)
    if early:
        return finish(ctx, early)
    aspects = [str(a) for a in ctx.params.get("compare") or ASPECTS]
    unknown = sorted(set(aspects) - set(COMPARERS))
    if unknown:
        raise ValueError(f"{ctx.control.id}: dataflow_crosscheck cannot compare {', '.join(unknown)}")
    comparisons = [COMPARERS[a](ctx, maps) for a in aspects]
    evidence = [*maps, *{i.id: i for c in comparisons for i in c.observed}.values()]
    findings = [f for c in comparisons for f in c.findings]
    figures = {f"{c.aspect}_compared": c.compared for c in comparisons}
    figures["crosscheck_findings"] = len(findings)
    notes = [f"not compared: {u}" for c in comparisons for u in c.uncompared[:_SHOWN]]
    if findings:
        outcome = ctx.not_met(*[f["finding"] for f in findings[:20]], evidence=evidence, **figures)
        if len(findings) > 20:
            outcome.reasons.append(f"and {len(findings) - 20} more finding(s)")
    elif any(c.unreadable for c in comparisons):
        unreadable = [u for c in comparisons for u in c.unreadable]
        outcome = ctx.insufficient(
            f"{len(unreadable)} declaration(s) could not be compared: {'; '.join(unreadable[:_SHOWN])}",
            evidence=evidence, **figures,
        )
    elif not any(c.compared for c in comparisons):
        wanted = "; ".join(f"{c.aspect}: {_OBSERVED_KINDS[c.aspect]}" for c in comparisons)
        outcome = ctx.insufficient(
            f"nothing observed to compare {', '.join(label(m) for m in maps)} with ({wanted})",
            evidence=evidence, **figures,
        )
    else:
        compared = ", ".join(f"{c.compared} {c.aspect}" for c in comparisons if c.compared)
        outcome = ctx.met(
            f"{', '.join(label(m) for m in maps)} agrees with the collected evidence ({compared} comparison(s))",
            evidence=evidence, **figures,
        )
    outcome.reasons.extend(notes)
    outcome.detail["findings"] = findings
    return finish(ctx, outcome)
