"""nginx configuration: TLS protocols and ciphers as configured, and plain-HTTP servers.

The file is tokenised as nginx does (quotes, ``#`` comments, ``;`` and braces), ``include``
directives are followed in place, and then every ``ssl_protocols`` and ``ssl_ciphers``
directive is recorded with its file and line. Every ``server`` block that listens without
TLS is recorded with what it does with a request: redirect to HTTPS, refuse, or serve.
A syntax error (unbalanced braces, an unterminated quote) rejects the whole file, as nginx would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.collectors.host_config.reading import ConfigReading
from evidence.errors import InputError
from evidence.model.protocols import VERSIONS

# nginx changed its built-in ssl_protocols default over time (TLS 1.0 and 1.1 were on by
# default in older releases), so an unset directive cannot be judged from the file alone.
UNSET_NOTE = (
    "ssl_protocols is not set: nginx's built-in default depends on its version "
    "(older releases enable TLSv1 and TLSv1.1); set it explicitly"
)

_REDIRECT_CODES = {"301", "302", "303", "307", "308"}
_CARRIES = {"http": "http", "stream": "tcp", "mail": "mail"}

#: What each ``ssl_protocols`` parameter means, in canonical names.
NGINX_PROTOCOLS = {
    "SSLv2": "SSLv2",
    "SSLv3": "SSLv3",
    "TLSv1": "TLSv1.0",
    "TLSv1.1": "TLSv1.1",
    "TLSv1.2": "TLSv1.2",
    "TLSv1.3": "TLSv1.3",
}


@dataclass
class Directive:
    """One nginx directive, its arguments, where it is, and its block (if it opens one)."""

    name: str
    args: list[str]
    path: Path
    line: int
    block: list[Directive] | None = None

    @property
    def text(self) -> str:
        """The directive as written (arguments joined by spaces)."""
        return " ".join([self.name, *self.args])


@dataclass
class _Token:
    value: str
    line: int
    quoted: bool = False


@dataclass
class _Context:
    """What a block inherits: the ``ssl_protocols`` in force, ``ssl on``, the protocol served."""

    protocols: Directive | None = None
    ssl_on: bool = False
    #: What a plain listener in this block carries: http, tcp (``stream``) or mail.
    carries: str = "http"


def parse(reading: ConfigReading) -> dict[str, Any]:
    """Facts of kind ``transport.config`` for the nginx configuration at ``reading.main``."""
    tree = _read_file(reading, reading.main)
    facts: dict[str, Any] = {
        "server": "nginx",
        "tls_settings": [],
        "cipher_settings": [],
        "plaintext_listeners": [],
        "tls_listeners": [],
    }
    _walk(reading, tree, _Context(), "top level", facts)
    facts["files"] = reading.files()
    return facts


def _read_file(reading: ConfigReading, path: Path) -> list[Directive]:
    lines = reading.lines(path)
    reading.enter(path)
    try:
        directives = _parse_tokens(path, _tokens(path, lines))
        return _expand_includes(reading, directives, path)
    finally:
        reading.leave()


def _expand_includes(
    reading: ConfigReading, directives: list[Directive], path: Path
) -> list[Directive]:
    out: list[Directive] = []
    for directive in directives:
        if directive.name == "include" and directive.block is None:
            if len(directive.args) != 1:
                reading.reject(path, directive.line, "include takes exactly one file or pattern")
                continue
            files, is_glob = reading.included(directive.args[0], reading.main.parent)
            for file in files:
                if not file.is_file():
                    # nginx refuses to start on a missing include; what it would hold is unknown.
                    reading.reject(
                        path, directive.line, "included file not found (its settings are unknown)"
                    )
                    continue
                out.extend(_read_file(reading, file))
            if files or is_glob:
                reading.stats.keep()
            continue
        reading.stats.keep()
        if directive.block is not None:
            directive.block = _expand_includes(reading, directive.block, path)
        out.append(directive)
    return out


def _tokens(path: Path, lines: list[tuple[int, str]]) -> Iterator[_Token]:
    numbered = "\n".join(text for _, text in lines)
    line = 1
    i, n = 0, len(numbered)
    while i < n:
        ch = numbered[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch.isspace():
            i += 1
        elif ch == "#":
            while i < n and numbered[i] != "\n":
                i += 1
        elif ch in "{};":
            yield _Token(ch, line)
            i += 1
        elif ch in "\"'":
            start_line, quote, i = line, ch, i + 1
            buf = []
            while i < n and numbered[i] != quote:
                if numbered[i] == "\\" and i + 1 < n:
                    buf.append(numbered[i + 1])
                    i += 2
                    continue
                if numbered[i] == "\n":
                    line += 1
                buf.append(numbered[i])
                i += 1
            if i >= n:
                raise InputError(path, "unterminated quoted string", start_line)
            i += 1
            yield _Token("".join(buf), start_line, quoted=True)
        else:
            start = i
            while i < n and not numbered[i].isspace() and numbered[i] not in "{};":
                if numbered[i] == "$" and i + 1 < n and numbered[i + 1] == "{":
                    close = numbered.find("}", i)
                    i = close + 1 if close != -1 else n
                    continue
                i += 1
            yield _Token(numbered[start:i], line)


def _parse_tokens(path: Path, tokens: Iterator[_Token]) -> list[Directive]:
    stack: list[tuple[list[Directive], int | None]] = [([], None)]
    words: list[_Token] = []
    for token in tokens:
        if token.quoted or token.value not in "{};":
            words.append(token)
            continue
        current, _ = stack[-1]
        if token.value == ";":
            if not words:
                raise InputError(path, "unexpected ';'", token.line)
            current.append(_directive(path, words))
            words = []
        elif token.value == "{":
            if not words:
                raise InputError(path, "unexpected '{' (a block needs a name)", token.line)
            opened = _directive(path, words)
            opened.block = []
            current.append(opened)
            stack.append((opened.block, token.line))
            words = []
        else:
            if words:
                raise InputError(path, "directive is not terminated by ';'", words[0].line)
            if len(stack) == 1:
                raise InputError(path, "unexpected '}'", token.line)
            stack.pop()
    if words:
        raise InputError(
            path, "unexpected end of file: directive is not terminated by ';'", words[0].line
        )
    if len(stack) > 1:
        raise InputError(
            path, "unexpected end of file: expecting '}' for the block opened here", stack[-1][1]
        )
    return stack[0][0]


def _directive(path: Path, words: list[_Token]) -> Directive:
    return Directive(words[0].value, [w.value for w in words[1:]], path, words[0].line)


def _walk(
    reading: ConfigReading,
    directives: list[Directive],
    inherited: _Context,
    scope: str,
    facts: dict[str, Any],
) -> None:
    context = _Context(inherited.protocols, inherited.ssl_on, inherited.carries)
    for directive in directives:
        if directive.name == "ssl_protocols":
            protocols = _protocols(reading, directive)
            if protocols is not None:
                context.protocols = directive
                facts["tls_settings"].append(
                    {
                        "resource": f"nginx {scope}",
                        "location": reading.where(directive.path, directive.line),
                        "setting": directive.text,
                        "protocols": protocols,
                        "default": False,
                        "note": None,
                    }
                )
        elif directive.name == "ssl_ciphers" and directive.args:
            facts["cipher_settings"].append(
                {
                    "resource": f"nginx {scope}",
                    "location": reading.where(directive.path, directive.line),
                    "setting": directive.text,
                    "ciphers": directive.args[0],
                }
            )
        elif directive.name == "ssl" and directive.args[:1] == ["on"]:
            context.ssl_on = True
    for directive in directives:
        if directive.block is None:
            continue
        if directive.name == "server":
            _server(reading, directive, context, facts)
        elif directive.name in _CARRIES:
            inner = _Context(context.protocols, context.ssl_on, _CARRIES[directive.name])
            _walk(reading, directive.block, inner, f"{directive.name} block", facts)


def _server(
    reading: ConfigReading, server: Directive, inherited: _Context, facts: dict[str, Any]
) -> None:
    assert server.block is not None
    names = [a for d in server.block if d.name == "server_name" for a in d.args]
    label = f"nginx server {' '.join(names) or '(no server_name)'}"
    _walk(reading, server.block, inherited, label.removeprefix("nginx "), facts)
    ssl_on = inherited.ssl_on or any(d.name == "ssl" and d.args[:1] == ["on"] for d in server.block)
    protocols_set = inherited.protocols is not None or any(
        d.name == "ssl_protocols" for d in server.block
    )
    action = _plain_action(server.block) if inherited.carries == "http" else "serves"
    listens: list[Directive | None] = [d for d in server.block if d.name == "listen"] or [None]
    unset_noted = False
    plain: list[dict[str, Any]] = []
    for listen in listens:
        port, tls, setting = _listen(listen, ssl_on)
        where = (
            reading.where(listen.path, listen.line)
            if listen
            else reading.where(server.path, server.line)
        )
        if not tls:
            same_port = [p for p in plain if p["port"] == port]
            if same_port:  # `listen 80` and `listen [::]:80`: one listener, two addresses
                same_port[0]["setting"] += f"; {setting}"
                continue
            plain.append(
                {
                    "resource": label,
                    "location": where,
                    "port": port,
                    "setting": setting,
                    "action": action,
                    "carries": inherited.carries,
                }
            )
            continue
        facts["tls_listeners"].append(
            {"resource": label, "location": where, "port": port, "setting": setting}
        )
        if not protocols_set and not unset_noted:
            unset_noted = True
            facts["tls_settings"].append(
                {
                    "resource": label,
                    "location": where,
                    "setting": setting,
                    "protocols": None,
                    "default": True,
                    "note": UNSET_NOTE,
                }
            )
    facts["plaintext_listeners"].extend(plain)


def _listen(listen: Directive | None, ssl_on: bool) -> tuple[int | None, bool, str]:
    """Port, whether it terminates TLS, and the setting text of a ``listen`` (None: the default)."""
    if listen is None:
        return 80, ssl_on, "no listen directive (nginx listens on port 80)"
    address = listen.args[0] if listen.args else ""
    tls = ssl_on or "ssl" in listen.args[1:] or "quic" in listen.args[1:]
    port: int | None = None
    if address.startswith("unix:"):
        port = None
    else:
        match = re.search(r"(?:^|:)(\d+)$", address)
        port = int(match[1]) if match else 80
    return port, tls, listen.text


def _plain_action(block: list[Directive]) -> str:
    """Tell what a server does with plain HTTP: ``redirects``, ``refuses`` or ``serves``."""
    for directive in block:
        if directive.name == "return" and directive.args:
            return _return_action(directive.args)
        if (
            directive.name == "rewrite"
            and len(directive.args) >= 2
            and directive.args[1].startswith("https://")
        ):
            return "redirects"
        if (
            directive.name == "if"
            and directive.block is not None
            and "$scheme" in " ".join(directive.args)
        ):
            if any(
                d.name == "return" and _return_action(d.args) == "redirects"
                for d in directive.block
            ):
                return "redirects"
        if directive.name == "location" and directive.block is not None and directive.args == ["/"]:
            for inner in directive.block:
                if inner.name == "return" and inner.args:
                    return _return_action(inner.args)
    return "serves"


def _return_action(args: list[str]) -> str:
    code, target = (
        (args[0], args[1] if len(args) > 1 else "") if args[0].isdigit() else ("302", args[0])
    )
    if code in _REDIRECT_CODES and target.startswith("https://"):
        return "redirects"
    if code.isdigit() and int(code) >= 400:
        return "refuses"
    return "serves"


def _protocols(reading: ConfigReading, directive: Directive) -> list[str] | None:
    names = []
    for arg in directive.args:
        name = NGINX_PROTOCOLS.get(arg)
        if name is None:
            reading.reject(
                directive.path, directive.line, "ssl_protocols names an unknown protocol"
            )
            return None
        names.append(name)
    if not names:
        reading.reject(directive.path, directive.line, "ssl_protocols names no protocol")
        return None
    return sorted(set(names), key=VERSIONS.index)
