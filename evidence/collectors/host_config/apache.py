r"""Apache httpd configuration: ``SSLProtocol`` and ``SSLCipherSuite`` as set, and plain-HTTP hosts.

Lines are read as httpd does (``\\`` continues a line, ``#`` starts a comment, sections such as
``<VirtualHost *:80>`` nest), ``Include``/``IncludeOptional`` are followed in place, and
``<IfModule>``/``<IfDefine>`` sections are read as if their condition held (the settings a
module would apply count). A virtual host with ``SSLEngine on`` and no ``SSLProtocol`` gets
httpd's documented default, ``all -SSLv3``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence.collectors.host_config.reading import ConfigReading
from evidence.errors import InputError
from evidence.model.protocols import VERSIONS

#: What ``all`` stands for: every protocol mod_ssl can enable (SSLv3 needs an OpenSSL with it).
_ALL = ("SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
_NAMES = {
    "sslv3": "SSLv3",
    "tlsv1": "TLSv1.0",
    "tlsv1.1": "TLSv1.1",
    "tlsv1.2": "TLSv1.2",
    "tlsv1.3": "TLSv1.3",
}
DEFAULT_PROTOCOL = "SSLProtocol all -SSLv3"
DEFAULT_NOTE = "SSLProtocol is not set: httpd's built-in default is `all -SSLv3`"
_SECTION_OPEN = re.compile(r"^<\s*([A-Za-z]+)\b([^>]*)>\s*$")
_SECTION_CLOSE = re.compile(r"^</\s*([A-Za-z]+)\s*>\s*$")


@dataclass
class _Line:
    name: str
    args: list[str]
    path: Path
    line: int

    @property
    def text(self) -> str:
        return " ".join([self.name, *self.args])


@dataclass
class _Host:
    """A ``<VirtualHost>`` section (or the main server) and what it sets."""

    label: str
    path: Path
    line: int
    ports: list[int | None] = field(default_factory=list)
    ssl_engine: bool = False
    protocol: _Line | None = None
    redirects: bool = False
    setting: str | None = None


def parse(reading: ConfigReading) -> dict[str, Any]:
    """Facts of kind ``transport.config`` for the Apache configuration at ``reading.main``."""
    facts: dict[str, Any] = {
        "server": "apache",
        "tls_settings": [],
        "cipher_settings": [],
        "plaintext_listeners": [],
        "tls_listeners": [],
    }
    state = _State(reading, facts, server_root=reading.main.parent)
    state.read(reading.main)
    state.finish()
    facts["files"] = reading.files()
    return facts


class _State:
    def __init__(self, reading: ConfigReading, facts: dict[str, Any], server_root: Path) -> None:
        self.reading = reading
        self.facts = facts
        self.server_root = server_root
        self.sections: list[tuple[str, int, Path]] = []
        self.host: _Host | None = None
        self.hosts: list[_Host] = []
        self.global_protocol: _Line | None = None
        # The main server (outside any <VirtualHost>): its Listen lines, SSLEngine, redirects.
        self.listens: list[tuple[int | None, bool, _Line]] = []
        self.main = _Host("apache main server", reading.main, 1)

    def read(self, path: Path) -> None:
        lines = self.reading.lines(path)
        self.reading.enter(path)
        depth = len(self.sections)
        try:
            for entry in _logical_lines(self.reading, path, lines):
                self._line(entry)
            if len(self.sections) > depth:
                name, line, where = self.sections[-1]
                raise InputError(where, f"<{name}> section is never closed", line)
        finally:
            self.reading.leave()

    def _line(self, entry: _Line) -> None:
        opened = _SECTION_OPEN.match(entry.text) if entry.name.startswith("<") else None
        closed = _SECTION_CLOSE.match(entry.text) if entry.name.startswith("</") else None
        if closed:
            self._close(entry, closed[1])
        elif opened:
            self._open(entry, opened[1], opened[2].strip())
        elif entry.name.startswith("<"):
            raise InputError(entry.path, "malformed section tag (expected <Name ...>)", entry.line)
        else:
            self._directive(entry)
        self.reading.stats.keep()

    def _open(self, entry: _Line, name: str, arg: str) -> None:
        self.sections.append((name, entry.line, entry.path))
        if name.lower() == "virtualhost":
            self.host = _Host(
                f"apache <VirtualHost {arg}>", entry.path, entry.line, ports=_ports(arg)
            )

    def _close(self, entry: _Line, name: str) -> None:
        if not self.sections or self.sections[-1][0].lower() != name.lower():
            raise InputError(
                entry.path, f"</{name}> does not close an open <{name}> section", entry.line
            )
        self.sections.pop()
        if name.lower() == "virtualhost" and self.host is not None:
            self.hosts.append(self.host)
            self.host = None

    def _directive(self, entry: _Line) -> None:
        name = entry.name.lower()
        where = self.reading.where(entry.path, entry.line)
        scope = self.host.label if self.host else "apache server config"
        if name in ("include", "includeoptional"):
            self._include(entry, optional=name == "includeoptional")
        elif name == "serverroot" and entry.args:
            self.server_root = self.reading.locate(entry.args[0], self.reading.main.parent)
        elif name == "sslprotocol":
            protocols = _protocols(entry.args)
            if protocols is None:
                self.reading.reject(entry.path, entry.line, "SSLProtocol names an unknown protocol")
                return
            if self.host:
                self.host.protocol = entry
            else:
                self.global_protocol = entry
            self.facts["tls_settings"].append(
                {
                    "resource": scope,
                    "location": where,
                    "setting": entry.text,
                    "protocols": protocols,
                    "default": False,
                    "note": None,
                }
            )
        elif name == "sslciphersuite" and entry.args:
            ciphers = entry.args[-1]
            self.facts["cipher_settings"].append(
                {"resource": scope, "location": where, "setting": entry.text, "ciphers": ciphers}
            )
        elif name == "listen" and entry.args:
            port = _ports(entry.args[0] if ":" in entry.args[0] else f":{entry.args[0]}")[0]
            https = len(entry.args) > 1 and entry.args[1].lower() == "https"
            self.listens.append((port, https, entry))
        elif name == "sslengine":
            (self.host or self.main).ssl_engine = (
                entry.args[:1] != [] and entry.args[0].lower() == "on"
            )
        elif _is_https_redirect(name, entry.args):
            (self.host or self.main).redirects = True

    def _include(self, entry: _Line, optional: bool) -> None:
        if not entry.args:
            self.reading.reject(entry.path, entry.line, "Include names no file")
            return
        files, is_glob = self.reading.included(entry.args[0], self.server_root)
        if is_glob and not files and not optional:
            self.reading.reject(
                entry.path, entry.line, "Include pattern matches no file (httpd would not start)"
            )
        for file in files:
            if file.is_dir():
                for inner in sorted(p for p in file.rglob("*") if p.is_file()):
                    self.read(inner)
            elif file.is_file():
                self.read(file)
            elif not optional:
                self.reading.reject(
                    entry.path, entry.line, "included file not found (its settings are unknown)"
                )

    def finish(self) -> None:
        """Record every virtual host, and every Listen no virtual host takes, as a listener."""
        taken = {port for host in self.hosts for port in host.ports}
        for port, https, line in self.listens:
            if port in taken:
                continue
            taken.add(port)
            main = _Host(
                "apache main server",
                line.path,
                line.line,
                ports=[port],
                ssl_engine=https or self.main.ssl_engine,
                redirects=self.main.redirects,
                setting=line.text,
            )
            self.hosts.append(main)
        for host in self.hosts:
            where = self.reading.where(host.path, host.line)
            for port in host.ports or [None]:
                if host.ssl_engine:
                    self.facts["tls_listeners"].append(
                        {
                            "resource": host.label,
                            "location": where,
                            "port": port,
                            "setting": "SSLEngine on",
                        }
                    )
                else:
                    self.facts["plaintext_listeners"].append(
                        {
                            "resource": host.label,
                            "location": where,
                            "port": port,
                            "setting": host.setting or host.label.removeprefix("apache "),
                            "action": "redirects" if host.redirects else "serves",
                            "carries": "http",
                        }
                    )
            if host.ssl_engine and host.protocol is None and self.global_protocol is None:
                self.facts["tls_settings"].append(
                    {
                        "resource": host.label,
                        "location": where,
                        "setting": DEFAULT_PROTOCOL,
                        "protocols": _protocols(["all", "-SSLv3"]),
                        "default": True,
                        "note": DEFAULT_NOTE,
                    }
                )


def _logical_lines(reading: ConfigReading, path: Path, lines: list[tuple[int, str]]) -> list[_Line]:
    out: list[_Line] = []
    pending: list[str] = []
    start = 0
    for number, raw in lines:
        text = raw.strip()
        if not pending:
            start = number
            if not text or text.startswith("#"):
                continue
        if text.endswith("\\"):
            pending.append(text[:-1])
            continue
        pending.append(text)
        joined = " ".join(pending).strip()
        pending = []
        try:
            words = shlex.split(joined, comments=False, posix=True)
        except ValueError:
            reading.reject(path, start, "unbalanced quotes")
            continue
        if words:
            out.append(_Line(words[0], words[1:], path, start))
    return out


def _ports(arg: str) -> list[int | None]:
    ports: list[int | None] = []
    for address in arg.split():
        match = re.search(r":(\d+)$", address)
        ports.append(int(match[1]) if match else None)
    return ports


def _protocols(args: list[str]) -> list[str] | None:
    """Return the protocols an ``SSLProtocol`` line enables (``all``, ``+X``, ``-X`` in order)."""
    enabled: set[str] = set()
    for arg in args:
        sign = arg[0] if arg[:1] in "+-" else ""
        word = arg[len(sign) :].lower()
        names = set(_ALL) if word == "all" else {_NAMES[word]} if word in _NAMES else None
        if names is None:
            return None
        if sign == "-":
            enabled -= names
        elif sign == "+" or not sign:
            # A bare name (no sign) replaces the list in httpd only when it comes first.
            if not sign and arg is args[0]:
                enabled = set(names)
            else:
                enabled |= names
    return sorted(enabled, key=VERSIONS.index)


def _is_https_redirect(name: str, args: list[str]) -> bool:
    if name in ("redirect", "redirectmatch", "redirectpermanent"):
        return any(a.startswith("https://") for a in args)
    if name == "rewriterule" and len(args) >= 2:
        return args[1].startswith("https://") and (len(args) < 3 or "R" in args[2].upper())
    return False
