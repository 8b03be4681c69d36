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
    """Facts of kind ``database.settings`` for the postgresql.conf at ``reading.main``."""
    found: dict[str, tuple[str, str]] = {}
    commented: dict[str, str] = {}
    _read(reading, reading.main, found, commented)
    settings: dict[str, Any] = {}
    for name, default in DEFAULTS.items():
        if name in found:
            value, where = found[name]
            settings[name] = setting(value, where)
        else:
            settings[name] = setting(default, None, default=True, commented_at=commented.get(name))
    return {
        "server": "postgresql",
        "origin": "file",
        "target": reading.shown(reading.main),
        "files": reading.files(),
        "settings": settings,
        "hba_rules": None,
    }


def _read(
    reading: ConfigReading, path: Path, found: dict[str, tuple[str, str]], commented: dict[str, str]
) -> None:
    lines = reading.lines(path)
    reading.enter(path)
    try:
        for number, raw in lines:
            _line(reading, path, number, raw, found, commented)
    finally:
        reading.leave()


def _line(
    reading: ConfigReading,
    path: Path,
    number: int,
    raw: str,
    found: dict[str, tuple[str, str]],
    commented: dict[str, str],
) -> None:
    stripped = raw.strip()
    if not stripped or stripped.startswith("#"):
        hint = _COMMENTED.match(raw)
        if hint and hint[1].lower() in DEFAULTS:
            commented.setdefault(hint[1].lower(), reading.where(path, number))
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
        _include(reading, path, number, name, value, found, commented)
        return
    if name in BOOLEANS:
        normal = normalise_bool(value)
        if normal is None:
            reading.reject(path, number, "not a boolean value (PostgreSQL would refuse to start)")
            return
        value = normal
    if name in DEFAULTS:
        found[name] = (value, reading.where(path, number))


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


def _include(
    reading: ConfigReading,
    path: Path,
    number: int,
    directive: str,
    value: str,
    found: dict[str, tuple[str, str]],
    commented: dict[str, str],
) -> None:
    files, _ = reading.included(value, path.parent)
    target = files[0]
    if directive == "include_dir":
        if not target.is_dir():
            reading.reject(path, number, "include_dir names no folder (its settings are unknown)")
            return
        for file in sorted(
            p for p in target.iterdir() if p.suffix == ".conf" and not p.name.startswith(".")
        ):
            _read(reading, file, found, commented)
        return
    if not target.is_file():
        if directive == "include":
            reading.reject(path, number, "included file not found (its settings are unknown)")
        return
    _read(reading, target, found, commented)
