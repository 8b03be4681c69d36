"""Checks of network exposure and load balancer TLS settings in the cloud account."""

from __future__ import annotations

from typing import Any

from evidence.controls.checks import check
from evidence.controls.checks.transport_policy import TlsParams
from evidence.controls.context import CheckContext, Params
from evidence.controls.settings_facts import Verdicts, cite, in_terraform, listing, snapshot_facts, where
from evidence.controls.settings_timeline import Judge, Judgement, over_period
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.cloud_storage import NetworkExposure, SecurityGroup, WorldOpenRule
from evidence.model.facts.transport import TransportConfig
from evidence.model.results import CheckOutcome
from evidence.model.settings_history import CHANGES

#: Administration and database ports that must never be open to the whole internet.
ADMIN_PORTS = {
    21: "FTP",
    22: "SSH",
    23: "Telnet",
    135: "MS RPC",
    139: "NetBIOS",
    445: "SMB",
    1433: "SQL Server",
    1521: "Oracle",
    2375: "Docker API",
    2376: "Docker API (TLS)",
    3306: "MySQL",
    3389: "RDP",
    5432: "PostgreSQL",
    5601: "Kibana",
    5900: "VNC",
    5984: "CouchDB",
    5985: "WinRM",
    5986: "WinRM (TLS)",
    6379: "Redis",
    6443: "Kubernetes API",
    9042: "Cassandra",
    9200: "Elasticsearch",
    9300: "Elasticsearch",
    10250: "kubelet",
    11211: "Memcached",
    27017: "MongoDB",
}

_TLS_ORDER = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]


def _exposed(rule: WorldOpenRule, ports: dict[int, str]) -> list[str]:
    if rule.protocol not in ("tcp", "udp", "all"):
        return []
    low, high = rule.from_port, rule.to_port
    return [f"{port} ({name})" for port, name in sorted(ports.items()) if low <= port <= high]


def _group_judge(ports: dict[int, str]) -> Judge[SecurityGroup]:
    def judge(group: SecurityGroup, item: EvidenceItem) -> Judgement:
        label = f"security group {group.id}" + (f" ({group.name})" if group.name else "")
        label += where(group) + (f" [{group.origin}]" if in_terraform(group) else "")
        rules = group.world_open
        if rules is None:
            return Judgement("unknown", f"its inbound rules are not known ({item.id})", label)
        bad = []
        for rule in rules:
            exposed = _exposed(rule, ports)
            if exposed:
                span = (
                    "all traffic"
                    if rule.protocol == "all"
                    else f"{rule.protocol} {rule.from_port}-{rule.to_port}"
                )
                more = f" and {len(exposed) - 5} more" if len(exposed) > 5 else ""
                bad.append(f"allows {rule.cidr} on {span}, exposing {', '.join(exposed[:5])}{more}")
        if bad:
            return Judgement("bad", f"{'; '.join(bad)} ({item.id})", label)
        return Judgement("good", label, label)

    return judge


class PortsParams(Params):
    """The ports judged: ``with: {ports: [...]}`` replaces the administration and database ports."""

    #: None: the ports of ADMIN_PORTS (named in the check's reasons, so not a hidden number).
    ports: list[int] | None = None


@check("no_world_open_admin_ports", reads=(NetworkExposure.kind, CHANGES), params=PortsParams)
def no_world_open_admin_ports(ctx: CheckContext) -> CheckOutcome:
    """No security group opened an administration or database port to 0.0.0.0/0 or ::/0 in the period.

    The ports are SSH, RDP, the SQL engines, Redis and the others of ``ADMIN_PORTS``, or those
    ``with: {ports: [...]}`` names.
    """
    wanted = ctx.parameters(PortsParams).ports
    ports = {p: ADMIN_PORTS.get(p, "port") for p in wanted} if wanted else ADMIN_PORTS
    judged = over_period(ctx, NetworkExposure, ("security_groups",), SecurityGroup, _group_judge(ports))
    verdicts = judged.verdicts
    other_open = {
        (group.id, rule.protocol, rule.from_port, rule.to_port, rule.cidr)
        for _, facts in ctx.facts(NetworkExposure)
        for group in facts.security_groups or []
        for rule in group.world_open or []
        if not _exposed(rule, ports)
    }
    bad, good, unknown = verdicts.bad, verdicts.good, [*judged.errors, *verdicts.unknown]
    notes = verdicts.notes
    figures = {
        "security_groups": len(verdicts),
        "groups_exposing_admin_ports": len(bad),
        "world_open_other_rules": len(other_open),
        "days_in_period": judged.days,
    }
    if bad:
        return ctx.not_met(
            f"{len(bad)} security group(s) opened administration or database ports to the internet: "
            f"{listing(bad)}",
            *unknown[:3],
            *notes,
            evidence=judged.evidence,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"security groups could not be established for every day of the period: {listing(unknown)}",
            *notes,
            evidence=judged.evidence,
            **figures,
        )
    if not good:
        return ctx.insufficient("no security group was collected", *notes, evidence=judged.evidence)
    shown = ", ".join(str(p) for p in sorted(ports)[:12]) + (", ..." if len(ports) > 12 else "")
    return ctx.met(
        f"none of {len(verdicts)} security group(s) opened an administration or database port "
        f"({shown}) to 0.0.0.0/0 or ::/0 on any day of the period ({listing(good)}); {len(other_open)} "
        "rule(s) open other ports (such as 443) to the internet "
        f"({cite(judged.evidence)})",
        *notes,
        evidence=judged.evidence,
        **figures,
    )


def _min_version(value: str) -> str:
    text = str(value)
    return text if text.startswith(("TLS", "SSL")) else f"TLSv{text}"


@check("load_balancer_tls_policy", reads=(TransportConfig.kind,), params=TlsParams)
def load_balancer_tls_policy(ctx: CheckContext) -> CheckOutcome:
    """Load balancer listeners allow no TLS version below the minimum and serve no plain HTTP.

    Met when every HTTPS/TLS listener's policy allows no version below ``min_tls_version`` and HTTP
    listeners redirect to HTTPS; a policy that is not known is insufficient.
    """
    minimum = _min_version(ctx.parameters(TlsParams).min_tls_version)
    floor = _TLS_ORDER.index(minimum) if minimum in _TLS_ORDER else _TLS_ORDER.index("TLSv1.2")
    shots = snapshot_facts(ctx, TransportConfig, "listeners")
    listeners = shots.records(lambda facts: facts.listeners)
    verdicts = Verdicts()
    notes: list[str] = shots.reasons(ctx)
    redirects: set[Any] = set()
    for listener, item in listeners:
        identity = listener.listener
        name = f"{listener.load_balancer}:{listener.port}"
        label = f"{name} ({listener.protocol}){where(listener)}"
        protocol = str(listener.protocol or "").upper()
        if protocol in ("HTTPS", "TLS"):
            policy = listener.ssl_policy
            allowed = listener.protocols
            if allowed is None:
                verdicts.add(
                    identity,
                    "unknown",
                    f"{label}: TLS policy {policy or 'not recorded'} is not a known "
                    f"policy ({item.id})",
                )
                continue
            weak = [p for p in allowed if p in _TLS_ORDER and _TLS_ORDER.index(p) < floor]
            if weak:
                verdicts.add(
                    identity,
                    "bad",
                    f"{label}: policy {policy} allows {', '.join(weak)} (minimum {minimum}) "
                    f"({item.id})",
                )
            else:
                verdicts.add(identity, "good", f"{label}: {policy} ({', '.join(allowed)})")
        elif protocol == "HTTP":
            if listener.redirects_to_https:
                redirects.add(identity)
            else:
                action = f"{listener.default_action}s" if listener.default_action else "serves"
                verdicts.add(
                    identity,
                    "bad",
                    f"{label}: accepts plain HTTP and {action} it without redirecting to "
                    f"HTTPS ({item.id})",
                )
        else:
            notes.append(
                f"{label}: {protocol or 'unknown'} listener passes traffic through; not judged"
            )
    bad, good, unknown = verdicts.bad, verdicts.good, [*shots.errors(), *verdicts.unknown]
    figures = {
        "tls_listeners": len(good),
        "listeners_failing": len(bad),
        "http_redirects": len(redirects),
    }
    if bad:
        return ctx.not_met(
            f"{len(bad)} load balancer listener(s) allow weak or plain transport: {listing(bad)}",
            *unknown[:3],
            *notes,
            evidence=shots.fresh,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"listener TLS settings could not be established: {listing(unknown)}",
            *notes,
            evidence=shots.fresh,
            **figures,
        )
    if not good:
        return ctx.insufficient(
            "no HTTPS or TLS load balancer listener was collected",
            *notes,
            evidence=shots.fresh,
            **figures,
        )
    return ctx.met(
        f"all {len(good)} TLS listener(s) allow {minimum} or later only: {listing(good)}; "
        f"{len(redirects)} HTTP listener(s) redirect to HTTPS ({cite(shots.fresh)})",
        *notes,
        evidence=shots.fresh,
        **figures,
    )
