"""Which TLS protocol versions an Elastic Load Balancing security policy allows.

A live collector asks ``DescribeSSLPolicies``; saved CLI outputs and Terraform name only the
policy, so the predefined policies AWS documents are known here. Unknown names stay unknown
(never assumed safe). Source: "Security policies for your Application Load Balancer" and
"... Network Load Balancer" in the Elastic Load Balancing user guides.
"""

from __future__ import annotations

import re

_ALL_TO_12 = ("TLSv1", "TLSv1.1", "TLSv1.2")

#: Predefined policies whose names do not spell their versions.
_NAMED = {
    "ELBSecurityPolicy-2016-08": _ALL_TO_12,
    "ELBSecurityPolicy-2015-05": _ALL_TO_12,
    "ELBSecurityPolicy-TLS-1-0-2015-04": _ALL_TO_12,
    "ELBSecurityPolicy-FS-2018-06": _ALL_TO_12,
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": ("TLSv1.2",),
}

# ELBSecurityPolicy-TLS13-1-2-2021-06, ...-TLS13-1-2-Res-PQ-2025-09, ...-TLS13-1-0-FIPS-2023-04
_TLS13 = re.compile(r"^ELBSecurityPolicy-TLS13-1-(?P<min>[0-3])-")
# ELBSecurityPolicy-TLS-1-2-2017-01, ELBSecurityPolicy-FS-1-1-2019-08, ...-FS-1-2-Res-2020-10
_TLS12 = re.compile(r"^ELBSecurityPolicy-(?:TLS|FS)-1-(?P<min>[0-2])-")

_ORDER = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")


def known_protocols(policy: str) -> tuple[str, ...] | None:
    """Protocols a predefined policy allows, or None when the policy is not a known one."""
    if policy in _NAMED:
        return _NAMED[policy]
    match = _TLS13.match(policy)
    if match:
        return _ORDER[int(match["min"]) :]
    match = _TLS12.match(policy)
    if match:
        return _ORDER[int(match["min"]) : 3]
    return None


def normalise_protocol(name: str) -> str:
    """``TLSv1.0``/``TLS1.0``/``TLSv1`` -> ``TLSv1``; ``TLSv1.2`` unchanged; ``SSLv3`` unchanged."""
    cleaned = name.strip().replace("TLS1", "TLSv1")
    return "TLSv1" if cleaned in ("TLSv1.0", "TLSv1") else cleaned
