"""``pg_hba.conf`` rules: who may connect from where, over TLS or not, and how they authenticate.

Each rule is classified by what matters to an auditor: does it admit connections from the
network (anything but the Unix socket, loopback and the server's own addresses), does it
require encryption (``hostssl``, ``hostgssenc``), and which authentication method it uses.
Role names become keyed pseudonyms and addresses keyed pseudonyms with their prefix length,
so the breadth of a rule stays visible without naming anyone. The live collector
(postgres-settings) classifies the rows of ``pg_hba_file_rules`` with the same function.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

from evidence.collectors.host_config.reading import ConfigReading
from evidence.errors import InputError
from evidence.redact import Redactor

TYPES = ("local", "host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc")
METHODS = (
    "trust",
    "reject",
    "scram-sha-256",
    "md5",
    "password",
    "gss",
    "sspi",
    "ident",
    "peer",
    "ldap",
    "radius",
    "cert",
    "pam",
    "bsd",
)
_ROLE_KEYWORDS = {"all", "sameuser", "samerole", "samegroup"}
_ANY = {"all", "0.0.0.0/0", "::/0", "0.0.0.0/0.0.0.0"}
_TEMPLATE = re.compile(r"@\w[\w-]*@")


def rule_facts(
    *,
    kind: str,
    databases: list[str],
    users: list[str],
    address: str | None,
    netmask: str | None,
    method: str,
    location: str | None,
    redactor: Redactor,
) -> dict[str, Any]:
    """One classified rule, with role names and addresses pseudonymised."""
    scope, shown = _address_scope(kind, address, netmask, redactor)
    return {
        "location": location,
        "type": kind,
        "database": ",".join(databases),
        "user": ",".join(_role(u, redactor) for u in users),
        "address": shown,
        "scope": scope,
        "method": method,
        "from_network": scope not in ("local", "loopback", "samehost"),
        "encrypted": kind in ("hostssl", "hostgssenc"),
    }


def parse(reading: ConfigReading) -> dict[str, Any]:
    """Return ``database.settings`` facts holding the rules of the pg_hba.conf read."""
    rules: list[dict[str, Any]] = []
    _read(reading, reading.main, rules)
    if not rules:
        first = reading.stats.rejects[0] if reading.stats.rejects else None
        detail = f"; {reading.stats.rejected} line(s) rejected, first: {first}" if first else ""
        raise InputError(reading.main, f"holds no valid pg_hba rule{detail}")
    return {
        "server": "postgresql",
        "origin": "file",
        "target": reading.shown(reading.main),
        "files": reading.files(),
        "settings": {},
        "hba_rules": rules,
    }


def _read(reading: ConfigReading, path: Path, rules: list[dict[str, Any]]) -> None:
    lines = reading.lines(path)
    reading.enter(path)
    try:
        pending, start = "", 0
        for number, raw in lines:
            text = _strip_comment(raw)
            if not pending:
                start = number
            if text.endswith("\\"):
                pending += text[:-1] + " "
                continue
            text, pending = pending + text, ""
            if text.strip():
                _rule(reading, path, start, text, rules)
    finally:
        reading.leave()


def _rule(
    reading: ConfigReading, path: Path, number: int, text: str, rules: list[dict[str, Any]]
) -> None:
    fields = _fields(text)
    if fields is None:
        reading.reject(path, number, "unbalanced quotes")
        return
    if _TEMPLATE.search(text):
        reading.reject(
            path,
            number,
            "holds an @placeholder@: this is the unprocessed pg_hba.conf.sample template",
        )
        return
    kind = fields[0].lower()
    if kind in ("include", "include_if_exists", "include_dir"):
        reading.stats.keep()
        _include(reading, path, number, kind, fields[1:], rules)
        return
    if kind not in TYPES:
        reading.reject(path, number, "unknown connection type in the first field")
        return
    needed = 4 if kind == "local" else 5
    if len(fields) < needed:
        reading.reject(path, number, f"a {kind} rule needs at least {needed} fields")
        return
    address, netmask = None, None
    rest = fields[3:]
    if kind != "local":
        address, rest = rest[0], rest[1:]
        if "/" not in address and _is_ip(address) and rest and _is_ip(rest[0]):
            netmask, rest = rest[0], rest[1:]
    if not rest:
        reading.reject(path, number, "no authentication method")
        return
    method = rest[0].lower()
    if method not in METHODS:
        reading.reject(path, number, "unknown authentication method")
        return
    reading.stats.keep()
    rules.append(
        rule_facts(
            kind=kind,
            databases=fields[1].split(","),
            users=fields[2].split(","),
            address=address,
            netmask=netmask,
            method=method,
            location=reading.where(path, number),
            redactor=reading.redactor,
        )
    )


def _include(
    reading: ConfigReading,
    path: Path,
    number: int,
    kind: str,
    args: list[str],
    rules: list[dict[str, Any]],
) -> None:
    if len(args) != 1:
        reading.reject(path, number, f"{kind} takes exactly one file name")
        return
    target = reading.included(args[0], path.parent)[0][0]
    if kind == "include_dir":
        if not target.is_dir():
            reading.reject(path, number, "include_dir names no folder (its rules are unknown)")
            return
        for file in sorted(p for p in target.iterdir() if p.suffix == ".conf"):
            _read(reading, file, rules)
    elif target.is_file():
        _read(reading, target, rules)
    elif kind == "include":
        reading.reject(path, number, "included file not found (its rules are unknown)")


def _strip_comment(raw: str) -> str:
    in_quotes = False
    for i, ch in enumerate(raw):
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == "#" and not in_quotes:
            return raw[:i].rstrip()
    return raw.rstrip()


def _fields(text: str) -> list[str] | None:
    """Whitespace-separated fields; double quotes keep spaces and commas inside a field."""
    fields: list[str] = []
    current: list[str] = []
    in_quotes, started = False, False
    for ch in text:
        if ch == '"':
            in_quotes, started = not in_quotes, True
        elif ch.isspace() and not in_quotes:
            if started:
                fields.append("".join(current))
                current, started = [], False
        else:
            current.append(ch)
            started = True
    if in_quotes:
        return None
    if started:
        fields.append("".join(current))
    return fields


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _role(name: str, redactor: Redactor) -> str:
    if name in _ROLE_KEYWORDS or name.startswith("@"):
        return name
    if name.startswith("+"):
        return "+" + redactor.principal(name[1:])
    return redactor.principal(name)


def _address_scope(
    kind: str, address: str | None, netmask: str | None, redactor: Redactor
) -> tuple[str, str | None]:
    """Classify an address: ``(scope, address as shown)``.

    The scope is local, loopback, samehost, samenet, any, private, public or hostname.
    """
    if kind == "local" or address is None:
        return "local", None
    lowered = address.lower()
    if lowered in _ANY or (netmask is not None and netmask in ("0.0.0.0", "::", "0:0:0:0:0:0:0:0")):
        return "any", address if netmask is None else f"{address}/0"
    if lowered in ("samehost", "samenet"):
        return lowered, lowered
    try:
        if netmask is not None:
            bits = bin(int(ipaddress.ip_address(netmask))).count("1")
            network = ipaddress.ip_network(f"{address}/{bits}", strict=False)
        else:
            network = ipaddress.ip_network(address, strict=False)
    except ValueError:
        return "hostname", redactor.pseudonym(lowered, "host")
    if network.is_loopback:
        return "loopback", str(network)
    scope = "private" if network.is_private else "public"
    return scope, f"{redactor.address(str(network.network_address))}/{network.prefixlen}"
