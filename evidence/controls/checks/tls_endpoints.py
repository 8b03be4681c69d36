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
from evidence.controls.checks.transport_policy import minimum_tls
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.protocols import older_than
from evidence.model.results import CheckOutcome

#: Smallest acceptable key of each type besides RSA (whose floor is a control parameter).
MIN_KEY_BITS = {"EC": 256, "DSA": 3072}
DEFAULT_MAX_PROBE_AGE_DAYS = 90


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


@check("tls_min_version", reads=("tls.endpoints",))
def tls_min_version(ctx: CheckContext) -> CheckOutcome:
    """Probed endpoints accept no protocol below the minimum; certificates and keys are sound."""
    minimum = minimum_tls(ctx)
    items = ctx.items("tls.endpoints")
    if not items:
        return ctx.insufficient(
            "no TLS endpoint was probed (add a `tls` source naming the endpoints)"
        )
    verdicts = _Verdicts()
    count = 0
    for item in items:
        for endpoint in item.facts.get("endpoints", []):
            count += 1
            _judge(ctx, item, endpoint, minimum, verdicts)
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
    item: EvidenceItem,
    endpoint: dict[str, Any],
    minimum: str,
    verdicts: _Verdicts,
) -> None:
    name = f"{endpoint.get('protocol', 'tls')} endpoint {endpoint['target']} ({item.id})"
    if endpoint.get("error"):
        verdicts.unknown.append(f"{name} could not be probed: {endpoint['error']}")
        return
    probed = item.collected_at
    max_age = int(ctx.params.get("max_probe_age_days", DEFAULT_MAX_PROBE_AGE_DAYS))
    distance = abs((probed - ctx.as_of).days)
    if distance > max_age:
        verdicts.unknown.append(
            f"{name} was probed on {probed.date().isoformat()}, "
            f"{distance} days from the as-of date "
            f"{ctx.as_of.date().isoformat()} (limit {max_age} days): probe it again"
        )
        return
    if endpoint.get("tls_offered") is False:
        verdicts.failing.append(
            f"{name} does not offer TLS: it answered 'N' to PostgreSQL's SSLRequest, "
            "so clients connect unencrypted"
        )
        return
    accepted = list(endpoint.get("accepted") or [])
    old = older_than(accepted, minimum)
    untested_old = older_than(list(endpoint.get("not_tested") or []), minimum)
    problems: list[str] = []
    if old:
        verdicts.old_protocols += 1
        negotiated = (
            f"; it negotiated {endpoint['cipher']} over {endpoint['cipher_protocol']}"
            if endpoint.get("cipher") and endpoint.get("cipher_protocol") in old
            else ""
        )
        problems.append(f"accepts {', '.join(old)} (minimum {minimum}){negotiated}")
    certificate = endpoint.get("certificate")
    problems.extend(_certificate_problems(ctx, certificate, verdicts))
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
    if not certificate or "not_after" not in certificate:
        verdicts.unknown.append(
            f"{name} accepts {', '.join(accepted)}, but its certificate could not be read"
        )
        return
    if certificate.get("not_yet_valid"):
        verdicts.unknown.append(
            f"{name}: the certificate seen was issued on {certificate['not_before'][:10]}, "
            "after the as-of "
            f"date, so the probe cannot show the certificate served then"
        )
        return
    days = int(certificate["days_left"])
    verdicts.nearest_expiry_days = (
        days if verdicts.nearest_expiry_days is None else min(days, verdicts.nearest_expiry_days)
    )
    verdicts.passing.append(
        f"{name} accepts only {', '.join(accepted)} (probed {probed.date().isoformat()}); "
        f"certificate {certificate['key_type']} {certificate['key_bits']} bits, "
        f"valid until {certificate['not_after'][:10]} "
        f"({days} days after the as-of date)"
    )


def _certificate_problems(
    ctx: CheckContext, certificate: dict[str, Any] | None, verdicts: _Verdicts
) -> list[str]:
    if not certificate or "not_after" not in certificate:
        return []
    problems = []
    if certificate.get("expired"):
        verdicts.expired += 1
        expiry = datetime.fromisoformat(certificate["not_after"]).date().isoformat()
        problems.append(
            f"serves a certificate ({certificate['subject']}) that expired on {expiry}, "
            f"before the as-of date {ctx.as_of.date().isoformat()}"
        )
    key_type, bits = certificate.get("key_type"), certificate.get("key_bits")
    floor = (
        int(ctx.params.get("min_rsa_bits", 2048))
        if key_type == "RSA"
        else MIN_KEY_BITS.get(str(key_type))
    )
    if floor is not None and bits is not None and int(bits) < floor:
        verdicts.weak_keys += 1
        problems.append(f"its certificate key is {key_type} {bits} bits (minimum {floor})")
    return problems
