"""OpenSSH ``sshd_config``: log-in settings and the ciphers, MACs and key exchanges it allows.

sshd uses the first value it reads for each keyword, follows ``Include`` in place (relative
paths are under ``/etc/ssh``), and applies a ``Match`` block's settings only to the
connections it matches. So the facts hold the effective global value of each setting (or
OpenSSH's default, marked as such, when the keyword is absent) and, separately, what each
``Match`` block overrides. Algorithm lists with ``+``, ``-`` or ``^`` are applied to OpenSSH's
default list, as sshd does.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from pathlib import Path
from typing import Any

from evidence.collectors.host_config.reading import ConfigReading, setting

# OpenSSH 9.x defaults (sshd_config(5)); the ones an auditor asks about.
DEFAULTS: dict[str, str] = {
    "PasswordAuthentication": "yes",
    "PermitRootLogin": "prohibit-password",
    "PermitEmptyPasswords": "no",
    "KbdInteractiveAuthentication": "yes",
    "PubkeyAuthentication": "yes",
    "AuthenticationMethods": "any",
    "UsePAM": "no",
    "Port": "22",
    "Protocol": "2",
}
DEFAULT_ALGORITHMS: dict[str, tuple[str, ...]] = {
    "Ciphers": (
        "chacha20-poly1305@openssh.com",
        "aes128-ctr",
        "aes192-ctr",
        "aes256-ctr",
        "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
    ),
    "MACs": (
        "umac-64-etm@openssh.com",
        "umac-128-etm@openssh.com",
        "hmac-sha2-256-etm@openssh.com",
        "hmac-sha2-512-etm@openssh.com",
        "hmac-sha1-etm@openssh.com",
        "umac-64@openssh.com",
        "umac-128@openssh.com",
        "hmac-sha2-256",
        "hmac-sha2-512",
        "hmac-sha1",
    ),
    "KexAlgorithms": (
        "sntrup761x25519-sha512@openssh.com",
        "curve25519-sha256",
        "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256",
        "ecdh-sha2-nistp384",
        "ecdh-sha2-nistp521",
        "diffie-hellman-group-exchange-sha256",
        "diffie-hellman-group16-sha512",
        "diffie-hellman-group18-sha512",
        "diffie-hellman-group14-sha256",
    ),
}
_KEYWORD_LINE = re.compile(r"^([^\s=]+)\s*(?:=\s*)?(.*)$")
_ALIASES = {"challengeresponseauthentication": "KbdInteractiveAuthentication"}
_KEYWORDS = {k.lower(): k for k in [*DEFAULTS, *DEFAULT_ALGORITHMS]}
# Match criteria whose values name people or addresses: pseudonymised in the facts.
_PRINCIPAL_CRITERIA = {"user", "group"}
_ADDRESS_CRITERIA = {"address", "localaddress", "host"}


def parse(reading: ConfigReading) -> dict[str, Any]:
    """Facts of kind ``host.config`` for the sshd configuration at ``reading.main``."""
    parser = _Parser(reading)
    parser.read(reading.main, Path("/etc/ssh"))
    settings: dict[str, Any] = {}
    for keyword, default in DEFAULTS.items():
        found = parser.global_values.get(keyword)
        settings[keyword] = (
            setting(found[0], found[1]) if found else setting(default, None, default=True)
        )
    algorithms: dict[str, Any] = {}
    for keyword, default_list in DEFAULT_ALGORITHMS.items():
        found = parser.global_values.get(keyword)
        if found:
            algorithms[keyword] = setting(
                _apply(default_list, found[0]), found[1], written=found[0]
            )
        else:
            algorithms[keyword] = setting(list(default_list), None, default=True)
    return {
        "service": "sshd",
        "files": reading.files(),
        "settings": settings,
        "algorithms": algorithms,
        "match_blocks": parser.match_blocks,
    }


class _Parser:
    def __init__(self, reading: ConfigReading) -> None:
        self.reading = reading
        self.global_values: dict[str, tuple[str, str]] = {}
        self.match_blocks: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None

    def read(self, path: Path, etc_ssh: Path) -> None:
        lines = self.reading.lines(path)
        self.reading.enter(path)
        try:
            for number, raw in lines:
                self._line(path, number, raw, etc_ssh)
        finally:
            self.reading.leave()

    def _line(self, path: Path, number: int, raw: str, etc_ssh: Path) -> None:
        text = raw.strip()
        if not text or text.startswith("#"):
            return
        match = _KEYWORD_LINE.match(text)
        assert match is not None  # any non-blank line has a first word
        keyword, rest = match[1], match[2]
        try:
            args = shlex.split(rest, comments=True)
        except ValueError:
            self.reading.reject(path, number, "unbalanced quotes")
            return
        lower = keyword.lower()
        if not args:
            self.reading.reject(path, number, "keyword has no value")
            return
        self.reading.stats.keep()
        where = self.reading.where(path, number)
        if lower == "include":
            self._include(path, number, args, etc_ssh)
        elif lower == "match":
            self._match(args, where)
        else:
            name = _ALIASES.get(lower) or _KEYWORDS.get(lower)
            if name is None:
                return
            value = " ".join(args)
            if self.current is not None:
                self.current["settings"].setdefault(name, setting(value, where))
            else:
                self.global_values.setdefault(name, (value, where))

    def _include(self, path: Path, number: int, args: list[str], etc_ssh: Path) -> None:
        for pattern in args:
            root = etc_ssh
            if self.reading.include_root is not None:
                root = self.reading.include_root / "etc" / "ssh"
            files, is_glob = self.reading.included(pattern, root)
            for file in files:
                if file.is_file():
                    self.read(file, etc_ssh)
                elif not is_glob:
                    self.reading.reject(
                        path, number, "included file not found (its settings are unknown)"
                    )

    def _match(self, args: list[str], where: str) -> None:
        if [a.lower() for a in args] == ["all"]:
            self.current = None  # `Match all` returns to settings that apply to every connection
            return
        self.current = {
            "criteria": _criteria(self.reading, args),
            "location": where,
            "settings": {},
        }
        self.match_blocks.append(self.current)


def _criteria(reading: ConfigReading, args: list[str]) -> str:
    """Match criteria with user names and addresses replaced by pseudonyms."""
    out: list[str] = []
    redactor = reading.redactor
    pending: str | None = None
    for arg in args:
        if pending is None:
            out.append(arg)
            pending = arg.lower() if arg.lower() != "all" else None
            continue
        values = arg.split(",")
        if pending in _PRINCIPAL_CRITERIA:
            values = [v if v in ("*", "root") else redactor.principal(v) for v in values]
        elif pending in _ADDRESS_CRITERIA:
            values = [redactor.address(v) for v in values]
        out.append(",".join(values))
        pending = None
    return " ".join(out)


def _apply(defaults: tuple[str, ...], written: str) -> list[str]:
    """Apply a written algorithm list as sshd does (``+`` appends, ``-`` drops, ``^`` prepends)."""
    if written.startswith("+"):
        extra = [a for a in written[1:].split(",") if a not in defaults]
        return [*defaults, *extra]
    if written.startswith("-"):
        patterns = written[1:].split(",")
        return [a for a in defaults if not any(fnmatch.fnmatchcase(a, p) for p in patterns)]
    if written.startswith("^"):
        first = written[1:].split(",")
        return [*first, *[a for a in defaults if a not in first]]
    return [a for a in written.split(",") if a]
