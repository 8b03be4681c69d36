"""``postgresql.conf``: the TLS, password and connection-logging settings, with where each was set.

PostgreSQL reads the file top to bottom and the last value of a parameter wins; ``include``,
``include_if_exists`` and ``include_dir`` are followed relative to the including file. A
parameter that is never set takes PostgreSQL's default, recorded as such; when the file
carries the parameter commented out (as ``postgresql.conf.sample`` does), that line is
recorded too, so a reader can find it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from evidence.collectors.host_config.reading import ConfigReading, setting

#: The parameters collected, with PostgreSQL's defaults (13 and later; password_encryption 14+).
DEFAULTS: dict[str, str] = {
    "ssl": "off",
    "ssl_min_protocol_version": "TLSv1.2",
    "ssl_max_protocol_version": "",
    "ssl_ciphers": "HIGH:MEDIUM:+3DES:!aNULL",
    "password_encryption": "scram-sha-256",
    "log_connections": "off",
    "log_disconnections": "off",
    "listen_addresses": "localhost",
    "port": "5432",
}
BOOLEANS = {"ssl", "log_connections", "log_disconnections"}
#: Settings that belong to logging.config as well as database.settings.
LOGGING = ("log_connections", "log_disconnections")

_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(?:=\s*|\s+)(.*?)\s*$")
_COMMENTED = re.compile(r"^\s*#\s*([A-Za-z_][\w.]*)\s*=")


def normalise_bool(value: str) -> str | None:
    """``on``/``off`` for PostgreSQL's boolean spellings (on, true, yes, 1 and unique prefixes)."""
    lowered = value.strip().lower()
    if not lowered:
        return None
    if lowered in ("on", "1") or any(word.startswith(lowered) for word in ("true", "yes")):
        return "on"
    if lowered in ("off", "of", "0") or any(word.startswith(lowered) for word in ("false", "no")):
        return "off"
    return None


def parse(reading: ConfigReading) -> dict[str, Any]:
    """Return ``database.settings`` facts for the postgresql.conf read."""
    found = _Found(reading)
    found.read(reading.main)
    settings: dict[str, Any] = {}
    for name, default in DEFAULTS.items():
        if name in found.values:
            value, where = found.values[name]
            settings[name] = setting(value, where)
        else:
            settings[name] = setting(
                default, None, default=True, commented_at=found.commented.get(name)
            )
    return {
        "server": "postgresql",
        "origin": "file",
        "target": reading.shown(reading.main),
        "files": reading.files(),
        "settings": settings,
        "hba_rules": None,
    }


class _Found:
    """The parameters read so far (last value wins) and where each appears commented out."""

    def __init__(self, reading: ConfigReading) -> None:
        self.reading = reading
        self.values: dict[str, tuple[str, str]] = {}
        self.commented: dict[str, str] = {}

    def read(self, path: Path) -> None:
        lines = self.reading.lines(path)
        self.reading.enter(path)
        try:
            for number, raw in lines:
                self._line(path, number, raw)
        finally:
            self.reading.leave()

    def _line(self, path: Path, number: int, raw: str) -> None:
        reading = self.reading
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            hint = _COMMENTED.match(raw)
            if hint and hint[1].lower() in DEFAULTS:
                self.commented.setdefault(hint[1].lower(), reading.where(path, number))
            return
        match = _LINE.match(raw)
        if not match:
            reading.reject(path, number, "expected `name = value`")
            return
        name = match[1].lower()
        try:
            value = _value(match[2])
        except _BadValue as exc:
            reading.reject(path, number, str(exc))
            return
        reading.stats.keep()
        if name in ("include", "include_if_exists", "include_dir"):
            self._include(path, number, name, value)
            return
        if name in BOOLEANS:
            normal = normalise_bool(value)
            if normal is None:
                reading.reject(
                    path, number, "not a boolean value (PostgreSQL would refuse to start)"
                )
                return
            value = normal
        if name in DEFAULTS:
            self.values[name] = (value, reading.where(path, number))

    def _include(self, path: Path, number: int, directive: str, value: str) -> None:
        target = self.reading.locate(value, path.parent)
        if directive == "include_dir":
            if not target.is_dir():
                self.reading.reject(
                    path, number, "include_dir names no folder (its settings are unknown)"
                )
                return
            for file in sorted(p for p in target.iterdir() if p.suffix == ".conf"):
                if not file.name.startswith("."):
                    self.read(file)
        elif target.is_file():
            self.read(target)
        elif directive == "include":
            self.reading.reject(path, number, "included file not found (its settings are unknown)")


class _BadValue(Exception):
    """A parameter line whose value PostgreSQL would refuse (the reason never quotes it)."""


def _value(text: str) -> str:
    """Parse a parameter's value: a quoted string (with '' escapes) or one bare word."""
    if not text.startswith("'"):
        bare = text.split("#", 1)[0].strip()
        if not bare or len(bare.split()) > 1:
            raise _BadValue("expected `name = value` with one value")
        return bare
    out, i = [], 1
    while i < len(text):
        if text[i] == "'":
            if text[i + 1 : i + 2] == "'":
                out.append("'")
                i += 2
                continue
            rest = text[i + 1 :].split("#", 1)[0].strip()
            if rest:
                raise _BadValue("text after the quoted value")
            return "".join(out)
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        out.append(text[i])
        i += 1
    raise _BadValue("unterminated quoted value")
