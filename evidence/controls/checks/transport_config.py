"""Check decided by configured TLS settings: web servers and load balancers (``transport.config``).

A configuration shows a control not met (a listener that allows TLS 1.0, a plain-HTTP server
that serves pages), or met for the listeners in the files and resources collected: it decides
the external-endpoint and unencrypted-channel elements for those, and the reasons name each
setting found sound. A live probe decides the same elements from what clients actually get.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from evidence.controls.checks import check
from evidence.controls.checks.transport_policy import TlsParams, minimum_tls
from evidence.controls.context import CheckContext
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.transport import CipherSetting, PlaintextListener, TlsSetting, TransportConfig
from evidence.model.protocols import older_than
from evidence.model.results import CheckOutcome

# OpenSSL cipher-string words that enable no or broken encryption.
_WEAK_CIPHER_WORDS = {
    "NULL",
    "ENULL",
    "ANULL",
    "EXP",
    "EXPORT",
    "EXPORT40",
    "EXPORT56",
    "LOW",
    "RC4",
    "RC2",
    "DES",
    "3DES",
    "MD5",
    "ADH",
    "AECDH",
}
_CARRIES = {"http": "plain HTTP", "tcp": "unencrypted TCP", "mail": "unencrypted mail"}
_WEAK_CIPHER_NAME = re.compile(r"(?:^|-)(?:RC4|DES|NULL|EXP|MD5|RC2)(?:-|$)", re.IGNORECASE)


@check("transport_config_min_tls", reads=(TransportConfig.kind,), params=TlsParams)
def transport_config_min_tls(ctx: CheckContext) -> CheckOutcome:
    """No listener as configured allows an old protocol, a weak cipher or plain HTTP.

    Not met on a setting allowing a protocol older than ``min_tls_version`` (written or by
    default), a weak cipher word, or a plain-HTTP listener that serves content; otherwise
    insufficient when a setting's protocols are unknown, met for the listeners collected.
    """
    minimum = minimum_tls(ctx)
    found = ctx.facts(TransportConfig)
    items = [item for item, _ in found]
    if not items:
        return ctx.insufficient("no web-server or load-balancer TLS configuration was collected")
    failing: list[str] = []
    unknown: list[str] = []
    sound: list[str] = []
    counts: Counter[str] = Counter()
    for item, facts in found:
        _protocol_settings(item, facts, minimum, failing, unknown, sound, counts)
        _cipher_settings(item, facts, failing, counts)
        _plaintext(item, facts, failing, sound, counts)
    figures: dict[str, Any] = {
        "configurations_read": len(items),
        "settings_below_minimum": counts["old"],
        "weak_cipher_settings": counts["cipher"],
        "plain_http_listeners": counts["plain"],
    }
    if failing:
        return ctx.not_met(*failing, *unknown, evidence=items, **figures)
    if not sound and not unknown:
        return ctx.insufficient(
            "the configurations collected set no TLS protocol and no listener",
            evidence=items,
            **figures,
        )
    if unknown:
        return ctx.insufficient(*unknown, *sound, evidence=items, **figures)
    return ctx.met(*sound, evidence=items, **figures)


def _where(entry: TlsSetting | CipherSetting | PlaintextListener, item: EvidenceItem) -> str:
    return f"{entry.location or entry.resource} ({item.id})"


def _protocol_settings(
    item: EvidenceItem,
    facts: TransportConfig,
    minimum: str,
    failing: list[str],
    unknown: list[str],
    sound: list[str],
    counts: Counter[str],
) -> None:
    for entry in facts.tls_settings or []:
        protocols = entry.protocols
        where = _where(entry, item)
        if protocols is None:
            unknown.append(f"{where}: {entry.note or 'the allowed TLS protocols are unknown'}")
            continue
        old = older_than(list(protocols), minimum)
        default = f" ({entry.note})" if entry.default and entry.note else ""
        if old:
            counts["old"] += 1
            failing.append(
                f"{where}: `{entry.setting}` ({entry.resource}) allows {', '.join(old)}, "
                f"older than {minimum}{default}"
            )
        else:
            sound.append(f"{where}: `{entry.setting}` ({entry.resource}) allows only {', '.join(protocols)}")


def _cipher_settings(item: EvidenceItem, facts: TransportConfig, failing: list[str], counts: Counter[str]) -> None:
    for entry in facts.cipher_settings or []:
        weak = weak_cipher_words(entry.ciphers)
        if weak:
            counts["cipher"] += 1
            failing.append(
                f"{_where(entry, item)}: `{entry.setting}` "
                f"enables weak ciphers ({', '.join(weak)}) "
                f"for {entry.resource}"
            )


def _plaintext(
    item: EvidenceItem, facts: TransportConfig, failing: list[str], sound: list[str], counts: Counter[str]
) -> None:
    for entry in facts.plaintext_listeners or []:
        where = _where(entry, item)
        port = f"port {entry.port}" if entry.port is not None else "a plain socket"
        carries = _CARRIES.get(entry.carries or "http", "unencrypted traffic")
        if entry.action == "serves":
            counts["plain"] += 1
            redirect = " without redirecting to HTTPS" if carries == "plain HTTP" else ""
            failing.append(f"{where}: `{entry.setting}` serves {carries} on {port}{redirect} ({entry.resource})")
        else:
            redirects = entry.action == "redirects"
            verb = "redirects to HTTPS" if redirects else "refuses every request"
            sound.append(f"{where}: plain HTTP on {port} only {verb} ({entry.resource})")


def weak_cipher_words(ciphers: str) -> list[str]:
    """Return the words of an OpenSSL cipher string that switch on weak ciphers (not ``!-+``)."""
    weak = []
    for word in re.split(r"[:,\s]+", ciphers):
        if not word or word[0] in "!-+":
            continue
        parts = word.upper().split("+")
        if any(part in _WEAK_CIPHER_WORDS for part in parts) or _WEAK_CIPHER_NAME.search(word):
            weak.append(word)
    return weak
