"""Checks of network exposure and load balancer TLS settings in the cloud account."""

from __future__ import annotations

from typing import Any

from evidence.controls.checks import check
from evidence.controls.context import CheckContext
from evidence.controls.settings_facts import Verdicts, cite, in_terraform, listing, snapshots, where
from evidence.model.results import CheckOutcome

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


def _exposed(rule: dict[str, Any], ports: dict[int, str]) -> list[str]:
    if rule.get("protocol") not in ("tcp", "udp", "all"):
        return []
    low, high = int(rule.get("from_port", 0)), int(rule.get("to_port", 65535))
    return [f"{port} ({name})" for port, name in sorted(ports.items()) if low <= port <= high]


@check("no_world_open_admin_ports", reads=("network.exposure",))
def no_world_open_admin_ports(ctx: CheckContext) -> CheckOutcome:
    """No security group opens an administration or database port to 0.0.0.0/0 or ::/0."""
    wanted = ctx.params.get("ports")
    ports = {int(p): ADMIN_PORTS.get(int(p), "port") for p in wanted} if wanted else ADMIN_PORTS
    shots = snapshots(ctx, "network.exposure", "security_groups")
    groups = shots.records("security_groups")
    verdicts = Verdicts()
    other_open: set[tuple[Any, ...]] = set()
    for group, item in groups:
        identity = group.get("id")
        label = f"security group {group.get('id')}" + (
            f" ({group['name']})" if group.get("name") else ""
        )
        label += where(group) + (f" [{group['origin']}]" if in_terraform(group) else "")
        for rule in group.get("world_open") or []:
            exposed = _exposed(rule, ports)
            if exposed:
                span = (
                    "all traffic"
                    if rule.get("protocol") == "all"
                    else f"{rule.get('protocol')} {rule.get('from_port')}-{rule.get('to_port')}"
                )
                more = f" and {len(exposed) - 5} more" if len(exposed) > 5 else ""
                verdicts.add(
                    identity,
                    "bad",
                    f"{label} allows {rule.get('cidr')} on {span}, exposing "
                    f"{', '.join(exposed[:5])}{more} ({item.id})",
                )
            else:
                other_open.add(
                    (
                        identity,
                        rule.get("protocol"),
                        rule.get("from_port"),
                        rule.get("to_port"),
                        rule.get("cidr"),
                    )
                )
        verdicts.add(identity, "good", label)
    bad = verdicts.bad
    unknown = shots.errors()
    notes = shots.reasons(ctx)
    figures = {
        "security_groups": len(verdicts),
        "groups_exposing_admin_ports": len(bad),
        "world_open_other_rules": len(other_open),
    }
    if bad:
        return ctx.not_met(
            f"{len(bad)} security group(s) open administration or database ports to the internet: "
            f"{listing(bad)}",
            *unknown[:3],
            *notes,
            evidence=shots.fresh,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"security groups could not all be read: {listing(unknown)}",
            *notes,
            evidence=shots.fresh,
            **figures,
        )
    if not groups:
        return ctx.insufficient("no security group was collected", *notes, evidence=shots.fresh)
    shown = ", ".join(str(p) for p in sorted(ports)[:12]) + (", ..." if len(ports) > 12 else "")
    return ctx.met(
        f"none of {len(verdicts)} security group(s) opens an administration or database port "
        f"({shown}) to 0.0.0.0/0 or ::/0; {len(other_open)} rule(s) open other ports "
        "(such as 443) to the internet "
        f"({cite(shots.fresh)})",
        *notes,
        evidence=shots.fresh,
        **figures,
    )


def _min_version(value: Any) -> str:
    text = str(value or "1.2")
    return text if text.startswith(("TLS", "SSL")) else f"TLSv{text}"


@check("load_balancer_tls_policy", reads=("transport.config",))
def load_balancer_tls_policy(ctx: CheckContext) -> CheckOutcome:
    """Load balancer listeners allow no TLS version below the minimum and serve no plain HTTP."""
    minimum = _min_version(ctx.params.get("min_tls_version"))
    floor = _TLS_ORDER.index(minimum) if minimum in _TLS_ORDER else _TLS_ORDER.index("TLSv1.2")
    shots = snapshots(ctx, "transport.config", "listeners")
    listeners = shots.records("listeners")
    verdicts = Verdicts()
    notes: list[str] = shots.reasons(ctx)
    redirects: set[Any] = set()
    for listener, item in listeners:
        identity = listener.get("listener")
        name = f"{listener.get('load_balancer')}:{listener.get('port')}"
        label = f"{name} ({listener.get('protocol')}){where(listener)}"
        protocol = str(listener.get("protocol") or "").upper()
        if protocol in ("HTTPS", "TLS"):
            policy = listener.get("ssl_policy")
            allowed = listener.get("protocols")
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
            if listener.get("redirects_to_https"):
                redirects.add(identity)
            else:
                action = (
                    f"{listener['default_action']}s" if listener.get("default_action") else "serves"
                )
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
