"""[access-log] nginx and Apache access logs: combined, common, or any nginx ``log_format`` string.

Rotated and compressed files (``.gz``, ``.bz2``) are read oldest first, one line at a time.
Each request counts for coverage; requests by an authenticated ``remote_user`` count as that
principal's activity (a 401 as a failed login); successful requests to the API paths of a PII
store count as access to that store, checked against the allowed networks; query strings and
referrers are scanned for PII.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from urllib.parse import unquote_plus

from pydantic import field_validator

from evidence.collectors.logs.base import LineLogCollector, LogSourceSettings, LogState
from evidence.collectors.logs.pii import name_field_redactor, redact_name_fields
from evidence.collectors.store_matching import StoreMatcher

_QUOTED = r'(?:[^"\\]|\\.)*'
COMBINED = (
    rf"^(?P<remote_addr>\S+) \S+ (?P<remote_user>\S+) \[(?P<time_local>[^\]]+)\] "
    rf'"(?P<request>{_QUOTED})" '
    rf'(?P<status>\d{{3}}) (?P<body_bytes_sent>\S+)(?: "(?P<http_referer>{_QUOTED})" '
    rf'"(?P<http_user_agent>{_QUOTED})")?'
)
PRESETS = {
    "combined": '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent"',
    "common": '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent',
}
# Apache LogFormat directives and the nginx variables they write.
_APACHE = {
    "%h": "$remote_addr",
    "%a": "$remote_addr",
    "%l": "$remote_logname",
    "%u": "$remote_user",
    "%t": "[$time_local]",
    "%r": "$request",
    "%>s": "$status",
    "%s": "$status",
    "%b": "$body_bytes_sent",
    "%B": "$body_bytes_sent",
    "%{Referer}i": "$http_referer",
    "%{User-Agent}i": "$http_user_agent",
    "%D": "$request_time_us",
    "%T": "$request_time",
    "%v": "$server_name",
    "%V": "$server_name",
}
_MONTH = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}


def compile_format(fmt: str) -> re.Pattern[str]:
    """Compile an nginx or Apache format into a regular expression, a group per variable."""
    if fmt in PRESETS:
        return re.compile(COMBINED)
    if "%" in fmt and "$" not in fmt:
        for directive in sorted(_APACHE, key=len, reverse=True):
            fmt = fmt.replace(directive, _APACHE[directive])
    parts = re.split(r"(\$[A-Za-z_][A-Za-z0-9_]*)", fmt)
    pattern, seen = "^", set()
    for index, part in enumerate(parts):
        if not part.startswith("$"):
            pattern += re.escape(part)
            continue
        name = part[1:]
        before = parts[index - 1][-1:] if index else ""
        if before == '"':
            body = _QUOTED
        elif before == "[":
            body = r"[^\]]*"
        else:
            body = r"\S*"
        pattern += f"(?P<{name}>{body})" if name not in seen else f"(?:{body})"
        seen.add(name)
    if "time_local" not in seen and "time_iso8601" not in seen:
        raise ValueError(
            "the log format has no $time_local or $time_iso8601, so requests cannot be dated"
        )
    return re.compile(pattern)


class AccessLogSettings(LogSourceSettings):
    """Access log files and their format: ``combined``, ``common`` or a log_format string."""

    format: str = "combined"

    @field_validator("format")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compile_format(value)
        except re.error as exc:
            raise ValueError(f"cannot read this log format: {exc}") from None
        return value


class AccessLogCollector(LineLogCollector[AccessLogSettings]):
    """Requests, authenticated users, PII-store API access and PII in URLs from web access logs."""

    id = "access-log"
    description = "nginx/Apache access logs (combined, common, log_format): users, PII API access"
    default_channel = "web"

    def read_lines(self, path: str, lines: Iterator[tuple[int, str]], state: LogState) -> None:
        """Stream one access log into ``state``."""
        reader = _Reader(self.settings, state, path)
        for number, line in lines:
            reader.line(number, line)
        reader.flush()

    def line_redactor(self) -> Callable[[str], str]:
        """Remote users pseudonymised, addresses and PII (decoded query strings too) scrubbed."""
        pattern = compile_format(self.settings.format)
        redactor = self.context.redactor
        fields = name_field_redactor(list(self.settings.name_fields))
        named = "remote_user" in pattern.groupindex

        def redact(line: str) -> str:
            match = pattern.match(line)
            if named and match and match["remote_user"] not in (None, "-", ""):
                start, end = match.span("remote_user")
                line = line[:start] + redactor.principal(line[start:end]) + line[end:]
            return redactor.scrub(_decoded_query(redact_name_fields(line, fields)))

        return redact


class _Reader:
    """Parses lines of one file; counts are added to the shared statistics at the end."""

    def __init__(self, settings: AccessLogSettings, state: LogState, path: str) -> None:
        self.pattern = compile_format(settings.format)
        self.state = state
        self.path = path
        self.stores = StoreMatcher(settings.pii_stores)
        self.has_paths = bool(self.stores.paths)
        self.kept = 0
        self.skipped = 0
        self._days: dict[str, int] = {}

    def line(self, number: int, text: str) -> None:
        match = self.pattern.match(text)
        if match is None:
            if text.strip():
                self.state.reject(self.path, number, "does not match the configured log format")
            else:
                self.skipped += 1
            return
        fields = match.groupdict()
        ts = self._time(fields)
        if ts is None:
            self.state.reject(self.path, number, "unreadable request time")
            return
        self.kept += 1
        self.state.coverage.add(ts)
        request = fields.get("request") or ""
        user = fields.get("remote_user")
        status = fields.get("status") or ""
        ok = status[:1] in ("2", "3")
        if user and user != "-":
            if status == "401":
                self.state.access.login(
                    ts,
                    user,
                    success=False,
                    method="web-basic-auth",
                    address=fields.get("remote_addr"),
                )
            elif ok:
                self.state.access.activity(ts, user, fields.get("remote_addr"))
        if self.has_paths and ok:
            target = request.split(" ", 2)[1] if request.count(" ") >= 1 else request
            store = self.stores.path(target)
            if store is not None:
                self.state.access.touch_store(
                    ts, user if user and user != "-" else None, store, fields.get("remote_addr")
                )
        referer = fields.get("http_referer") or ""
        if "?" in request or "@" in request or "?" in referer:
            self.state.pii.scan(_decoded(request) + " " + _decoded(referer), self.path, number)
        else:
            self.state.pii.skip()

    def _time(self, fields: dict[str, str | None]) -> int | None:
        local = fields.get("time_local")
        if local:
            # 17/May/2015:10:05:03 +0000, parsed by hand: strptime is the slowest step otherwise.
            day = self._days.get(local[:11] + local[20:])
            if day is None:
                try:
                    base = datetime(
                        int(local[7:11]), _MONTH[local[3:6]], int(local[0:2]), tzinfo=UTC
                    )
                    sign = -1 if local[21] == "-" else 1
                    offset = sign * (int(local[22:24]) * 3600 + int(local[24:26]) * 60)
                except (ValueError, KeyError, IndexError):
                    return None
                day = self._days[local[:11] + local[20:]] = int(base.timestamp()) - offset
            try:
                return day + int(local[12:14]) * 3600 + int(local[15:17]) * 60 + int(local[18:20])
            except ValueError:
                return None
        iso = fields.get("time_iso8601")
        if iso:
            try:
                moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
            except ValueError:
                return None
            # nginx writes the offset; a time without one is read as UTC, not as the local
            # time of the machine that reads it (which .timestamp() of a naive time would be).
            return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())
        return None

    def flush(self) -> None:
        self.state.stats.keep(self.kept)
        self.state.stats.skip(self.skipped)
        self.kept = self.skipped = 0


def _decoded(text: str) -> str:
    return unquote_plus(text) if "%" in text or "+" in text else text


def _decoded_query(line: str) -> str:
    """Percent-decoded query strings, so encoded PII (``%40``) is scrubbed like plain PII."""
    return re.sub(r"\?[^\s\"]*", lambda m: unquote_plus(m[0]), line)
