"""What every importer shares: the result type, stable ids from names, and reading JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence.collectors.dataflow.model import DataMap, Flow, TlsVersion
from evidence.errors import InputError


@dataclass
class Imported:
    """A map read from one source format, with notes on what the importer skipped or assumed."""

    data_map: DataMap
    format: str
    notes: list[str] = field(default_factory=list)


class NodeIds:
    """Turns a source's names or ids into unique map ids (``Web Server`` -> ``web-server``)."""

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._by_key: dict[str, str] = {}

    def make(self, key: str, name: str | None = None) -> str:
        """Give the map id of the source element ``key`` (made from ``name`` or ``key`` once)."""
        if key in self._by_key:
            return self._by_key[key]
        base = re.sub(r"[^a-z0-9]+", "-", (name or key).lower()).strip("-")[:60] or "node"
        candidate, n = base, 2
        while candidate in self._used:
            candidate, n = f"{base}-{n}", n + 1
        self._used.add(candidate)
        self._by_key[key] = candidate
        return candidate

    def get(self, key: str) -> str | None:
        """Look up the id already made for ``key``."""
        return self._by_key.get(key)


def read_json(path: Path, text: str) -> Any:
    """Parse JSON; a syntax error names its line and never quotes the text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"malformed JSON: {exc.msg}", exc.lineno) from None


def as_dict(value: Any) -> dict[str, Any]:
    """Return ``value`` when it is a mapping, else an empty one (sources leave keys out or null)."""
    return value if isinstance(value, dict) else {}


def one_line(text: Any) -> str | None:
    """Fold the newlines of a name from a drawing tool (Threat Dragon wraps labels by hand)."""
    if not isinstance(text, str):
        return None
    folded = " ".join(text.split())
    return folded or None


_VERSION = re.compile(r"(?:TLS|tls)\s*v?\s*(1)[._]?([0-3])")

#: Protocols that are TLS or SSH by definition (version unknown unless stated).
ENCRYPTED_PROTOCOLS = frozenset(
    {
        "https",
        "http/s",
        "tls",
        "ssl",
        "wss",
        "ldaps",
        "ftps",
        "sftp",
        "ssh",
        "smtps",
        "imaps",
        "jdbc-encrypted",
        "odbc-encrypted",
        "sql-access-protocol-encrypted",
        "nosql-access-protocol-encrypted",
        "binary-encrypted",
        "text-encrypted",
        "smtp-encrypted",
        "pop3-encrypted",
        "imap-encrypted",
        "iiop-encrypted",
        "jrmp-encrypted",
        "rmi-encrypted",
        "reverse-proxy-web-protocol-encrypted",
    }
)


def tls_from_text(*texts: Any) -> TlsVersion | None:
    """Find a TLS version named in free text ("TLS 1.2", "TLSv1.3", "TLSVersion.TLSv12")."""
    for text in texts:
        if isinstance(text, str):
            match = _VERSION.search(text)
            if match:
                version = f"{match[1]}.{match[2]}"
                if version in ("1.0", "1.1", "1.2", "1.3"):
                    return version  # type: ignore[return-value]
    return None


def declared_tls(protocol: str | None, encrypted: bool | None, *texts: Any) -> TlsVersion | None:
    """Give the TLS version a source states for a flow.

    A version named in the protocol or the other texts; "none" when the flow is marked
    unencrypted and its protocol is no TLS or SSH protocol; otherwise unknown (None).
    """
    named = tls_from_text(protocol, *texts)
    if named is not None:
        return named
    return "none" if encrypted is False and not is_encrypted_protocol(protocol) else None


def threat_model_flow(
    source: str, target: str, name: str, protocol: str | None, encrypted: bool | None, **more: Any
) -> Flow:
    """A flow drawn in a threat model; its TLS version, unless ``more`` states it, as :func:`declared_tls` gives."""
    tls = more.pop("tls", None) or declared_tls(protocol, encrypted)
    return Flow(
        source=source, target=target, description=name, protocol=protocol, tls=tls, encrypted=encrypted, **more
    )


def is_encrypted_protocol(protocol: str | None) -> bool | None:
    """Say True for TLS/SSH protocols, False for known plaintext ones, None when unsure."""
    if not protocol:
        return None
    name = protocol.strip().lower()
    if (
        name in ENCRYPTED_PROTOCOLS
        or name.endswith("-encrypted")
        or name.endswith("s")
        and name[:-1] in ("http", "ldap", "ftp", "smtp", "imap", "pop3", "ws")
    ):
        return True
    if name in {
        "http",
        "ldap",
        "ftp",
        "smtp",
        "imap",
        "pop3",
        "ws",
        "nfs",
        "smb",
        "jdbc",
        "odbc",
        "telnet",
        "sql-access-protocol",
        "nosql-access-protocol",
        "binary",
        "text",
        "mqtt",
        "iiop",
        "jrmp",
        "rmi",
        "reverse-proxy-web-protocol",
        "container-platform",
        "mail-transfer",
    }:
        return False
    return None
