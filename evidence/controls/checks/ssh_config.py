"""Check decided by sshd settings (``host.config``): SSH protocol 2 only, with current algorithms.

"Current" means an algorithm OpenSSH itself still enables by default: the ones listed here
were dropped from its defaults (CBC ciphers, RC4, MD5 and 96-bit MACs, SHA-1 key exchange)
and are flagged when a configuration turns them back on. Sound settings in every sshd
configuration collected decide the SSH element of the transport control for those hosts.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from evidence.controls.checks import check
from evidence.controls.context import CheckContext, NoParams
from evidence.model.facts.host_config import HostConfig, SshSetting
from evidence.model.results import CheckOutcome

WEAK_ALGORITHMS: dict[str, tuple[str, ...]] = {
    "Ciphers": (
        "3des-cbc",
        "aes128-cbc",
        "aes192-cbc",
        "aes256-cbc",
        "rijndael-cbc@lysator.liu.se",
        "blowfish-cbc",
        "cast128-cbc",
        "arcfour*",
        "none",
    ),
    "MACs": ("hmac-md5*", "hmac-sha1-96*", "hmac-ripemd160*", "umac-32*"),
    "KexAlgorithms": (
        "diffie-hellman-group1-sha1",
        "diffie-hellman-group14-sha1",
        "diffie-hellman-group-exchange-sha1",
        "gss-gex-sha1-*",
        "gss-group1-sha1-*",
        "gss-group14-sha1-*",
    ),
}


def weak_algorithms(kind: str, names: list[str]) -> list[str]:
    """Return the algorithms in ``names`` that OpenSSH no longer enables by default."""
    patterns = WEAK_ALGORITHMS.get(kind, ())
    return [name for name in names if any(fnmatch.fnmatchcase(name, p) for p in patterns)]


@check("host_transport_settings", reads=(HostConfig.kind,), params=NoParams)
def host_transport_settings(ctx: CheckContext) -> CheckOutcome:
    """Sshd allows only SSH protocol 2 with ciphers, MACs and key exchanges OpenSSH still trusts.

    Not met on sshd ``Protocol 1`` or a cipher, MAC or key exchange OpenSSH no longer enables
    by default; met for the sshd configurations collected otherwise.
    """
    found = [(item, facts) for item, facts in ctx.facts(HostConfig) if facts.service == "sshd"]
    items = [item for item, _ in found]
    if not items:
        return ctx.insufficient("no sshd configuration was collected")
    failing: list[str] = []
    sound: list[str] = []
    weak_total = 0
    for item, facts in found:
        protocol = facts.settings.get("Protocol") or SshSetting(value="2")
        if "1" in protocol.value.split(","):
            failing.append(
                f"{protocol.location} ({item.id}): `Protocol {protocol.value}` enables SSH version 1"
            )
        for kind, entry in sorted(facts.algorithms.items()):
            names = list(entry.value)
            weak = weak_algorithms(kind, names)
            where = entry.location or f"{item.subject} (OpenSSH default)"
            if weak:
                weak_total += len(weak)
                written = entry.written or ",".join(names)
                failing.append(
                    f"{where} ({item.id}): `{kind} {written}` enables {', '.join(weak)}, "
                    "which OpenSSH "
                    f"no longer enables by default"
                )
            else:
                sound.append(
                    f"{where} ({item.id}): {kind} holds only current algorithms ({len(names)})"
                )
    figures: dict[str, Any] = {"sshd_configurations": len(items), "weak_ssh_algorithms": weak_total}
    if failing:
        return ctx.not_met(*failing, evidence=items, **figures)
    return ctx.met(
        f"{len(items)} sshd configuration(s) allow only SSH protocol 2 with current algorithms",
        *sound,
        evidence=items,
        **figures,
    )
