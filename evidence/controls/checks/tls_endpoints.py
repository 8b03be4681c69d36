"""Check decided by live TLS probes: protocol versions accepted, certificate validity and key size.

A probe observes what a client actually gets, so this is the one transport check that can
make a transport-encryption control met on its own: every probed endpoint refuses every
protocol older than the minimum, serves a certificate valid at the as-of date with a strong
enough key, and was probed close enough to the as-of date to speak for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evidence.controls.checks import check
from evidence.controls.checks.transport_policy import TlsParams, minimum_tls
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.tls_endpoints import Certificate, Endpoint, TlsEndpoints
from evidence.model.protocols import older_than
from evidence.model.results import CheckOutcome

#: Smallest acceptable key of each type besides RSA (whose floor is a control parameter).
MIN_KEY_BITS = {"EC": 256, "DSA": 3072}


class ProbeParams(TlsParams):
    """The TLS floor, the RSA key floor, and how far from the as-of date a probe may be."""

    min_rsa_bits: int
    max_probe_age_days: int


@dataclass
class _Verdicts:
    """Sentences sorted by what they mean for the control."""

    failing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    passing: list[str] = field(default_factory=list)
    old_protocols: int = 0
    expired: int = 0
    weak_keys: int = 0
    nearest_expiry_days: int | None = None


@check("tls_min_version", reads=(TlsEndpoints.kind,), params=ProbeParams)
def tls_min_version(ctx: CheckContext) -> CheckOutcome:
    """Probed endpoints accept no protocol below the minimum; certificates and keys are sound.

    Not met when a probed endpoint accepts a protocol older than ``min_tls_version``, serves a
    certificate expired at the as-of date or an RSA key under ``min_rsa_bits`` (EC under 256), or
    is PostgreSQL without TLS; insufficient when an endpoint was unreachable, an old version
    untested, or the probe is over ``max_probe_age_days`` from the as-of date; met otherwise.
    """
    minimum = minimum_tls(ctx)
    params = ctx.parameters(ProbeParams)
    found = ctx.facts(TlsEndpoints)
    items = [item for item, _ in found]
    if not items:
        return ctx.insufficient(
            "no TLS endpoint was probed (add a `tls` source naming the endpoints)"
        )
    verdicts = _Verdicts()
    count = 0
    for item, facts in found:
        for endpoint in facts.endpoints:
            count += 1
            _judge(ctx, params, item, endpoint, minimum, verdicts)
    figures: dict[str, Any] = {
        "endpoints_probed": count,
        "endpoints_accepting_old_protocols": verdicts.old_protocols,
        "expired_certificates": verdicts.expired,
        "weak_keys": verdicts.weak_keys,
    }
    if verdicts.failing:
        return ctx.not_met(
            *verdicts.failing, *verdicts.unknown, *verdicts.passing, evidence=items, **figures
        )
    if verdicts.unknown:
        return ctx.insufficient(*verdicts.unknown, *verdicts.passing, evidence=items, **figures)
    figures["nearest_certificate_expiry_days"] = verdicts.nearest_expiry_days
    return ctx.met(*verdicts.passing, evidence=items, **figures)


def _judge(
    ctx: CheckContext,
    params: ProbeParams,
    item: EvidenceItem,
    endpoint: Endpoint,
    minimum: str,
    verdicts: _Verdicts,
) -> None:
    protocol = endpoint.protocol if "protocol" in endpoint.model_fields_set else "tls"
    name = f"{protocol} endpoint {endpoint.target} ({item.id})"
    if endpoint.error:
        verdicts.unknown.append(f"{name} could not be probed: {endpoint.error}")
        return
    probed = item.collected_at
    max_age = params.max_probe_age_days
    distance = abs((probed - ctx.as_of).days)
    if distance > max_age:
        verdicts.unknown.append(
            f"{name} was probed on {probed.date().isoformat()}, "
            f"{distance} days from the as-of date "
            f"{ctx.as_of.date().isoformat()} (limit {max_age} days): probe it again"
        )
        return
    if endpoint.tls_offered is False:
        verdicts.failing.append(
            f"{name} does not offer TLS: it answered 'N' to PostgreSQL's SSLRequest, "
            "so clients connect unencrypted"
        )
        return
    accepted = list(endpoint.accepted)
    old = older_than(accepted, minimum)
    untested_old = older_than(list(endpoint.not_tested), minimum)
    problems: list[str] = []
    if old:
        verdicts.old_protocols += 1
        negotiated = (
            f"; it negotiated {endpoint.cipher} over {endpoint.cipher_protocol}"
            if endpoint.cipher and endpoint.cipher_protocol in old
            else ""
        )
        problems.append(f"accepts {', '.join(old)} (minimum {minimum}){negotiated}")
    certificate = endpoint.certificate
    problems.extend(_certificate_problems(ctx, params, certificate, verdicts))
    if problems:
        verdicts.failing.append(f"{name} {'; '.join(problems)}")
        return
    if untested_old:
        verdicts.unknown.append(
            f"{name}: {', '.join(untested_old)} could not be tested, so refusal is not shown"
        )
        return
    if not accepted:
        verdicts.unknown.append(f"{name} completed no handshake at any protocol version")
        return
    if not certificate or certificate.not_after is None or certificate.days_left is None:
        verdicts.unknown.append(
            f"{name} accepts {', '.join(accepted)}, but its certificate could not be read"
        )
        return
    if certificate.not_yet_valid:
        verdicts.unknown.append(
            f"{name}: the certificate seen was issued on {str(certificate.not_before)[:10]}, "
            "after the as-of "
            f"date, so the probe cannot show the certificate served then"
        )
        return
    days = certificate.days_left
    verdicts.nearest_expiry_days = (
        days if verdicts.nearest_expiry_days is None else min(days, verdicts.nearest_expiry_days)
    )
    verdicts.passing.append(
        f"{name} accepts only {', '.join(accepted)} (probed {probed.date().isoformat()}); "
        f"certificate {certificate.key_type} {certificate.key_bits} bits, "
        f"valid until {certificate.not_after[:10]} "
        f"({days} days after the as-of date)"
    )


def _certificate_problems(
    ctx: CheckContext, params: ProbeParams, certificate: Certificate | None, verdicts: _Verdicts
) -> list[str]:
    if not certificate or certificate.not_after is None:
        return []
    problems = []
    if certificate.expired:
        verdicts.expired += 1
        expiry = datetime.fromisoformat(certificate.not_after).date().isoformat()
        problems.append(
            f"serves a certificate ({certificate.subject}) that expired on {expiry}, "
            f"before the as-of date {ctx.as_of.date().isoformat()}"
        )
    key_type, bits = certificate.key_type, certificate.key_bits
    floor = params.min_rsa_bits if key_type == "RSA" else MIN_KEY_BITS.get(str(key_type))
    if floor is not None and bits is not None and bits < floor:
        verdicts.weak_keys += 1
        problems.append(f"its certificate key is {key_type} {bits} bits (minimum {floor})")
    return problems
