"""[postgres-log] PostgreSQL server logs: connections, authentication failures, pgaudit records.

Reads stderr logs with any ``log_line_prefix`` that starts with a timestamp (``%m`` or ``%t``)
and carries the user as ``user=%u`` or ``%u@%d`` (otherwise the user comes from the process's
``connection authorized`` line), ``csvlog`` files and ``jsonlog`` files (PostgreSQL 15+).
With ``log_connections`` on, each authorised connection is a login; ``password authentication
failed`` and ``no pg_hba.conf entry`` lines are failed logins. pgaudit ``AUDIT:`` records and
logged statements that name a configured PII table count as access to that store, and their
text is scanned for PII. Logs routed through syslog (rsyslog's RFC 3339 timestamps, Debian 12's
default) are read too: a line by which rsyslog or syslog-ng says a message was repeated N times
counts as N more copies of it (:mod:`evidence.collectors.logs.syslog_repeats`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import orjson

from evidence.collectors.inputs import csv_rows
from evidence.collectors.logs.base import LineLogCollector, LogState, ZonedLogSettings
from evidence.collectors.logs.pii import name_field_redactor, redact_name_fields
from evidence.collectors.logs.syslog_repeats import (
    MAX_COPIES,
    LastMessages,
    repeat_of,
    tagged,
    withhold_quote,
)
from evidence.collectors.store_matching import StoreMatcher
from evidence.errors import InputError

_STAMP = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?)(?: "
    r"?(?P<tz>[A-Z]{2,5}|[+-]\d\d(?::?\d\d)?))?(?P<rest>[ ,].*)$"
)
_LEVEL = re.compile(
    r"\b(?P<level>LOG|ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|DEBUG\d?|STATEMENT|DETAIL|HINT|CONTEXT)"
    r":  (?P<msg>.*)$"
)
_PREFIX_USER = re.compile(r"(?:\buser=(?P<user>[^,\s]*)|(?P<at>[\w.-]+)@[\w.-]+)")
_PREFIX_CLIENT = re.compile(r"\b(?:client|host)=(?P<host>[^,\s]+)")
_PID = re.compile(r"\[(?P<pid>\d+)\]")
_AUTHORIZED = re.compile(r"^connection authorized: user=(?P<user>\S+)")
_RECEIVED = re.compile(r"^connection received: host=(?P<host>[^\s]+)")
_FAILED = re.compile(r'^(?:password )?authentication failed for user "(?P<user>[^"]+)"')
_NO_HBA = re.compile(r'^no pg_hba\.conf entry for host "(?P<host>[^"]+)", user "(?P<user>[^"]+)"')
_NO_ROLE = re.compile(r'^role "(?P<user>[^"]+)" does not exist')
_DISCONNECT = re.compile(r"^disconnection: .*?\buser=(?P<user>\S+)")
_AUDIT = re.compile(
    r"^AUDIT: (?:SESSION|OBJECT),\d+,\d+,(?P<class>[A-Z "
    r"]+),(?P<command>[^,]*),(?P<otype>[^,]*),(?P<object>[^,]*),"
)
_STATEMENT = re.compile(r"^(?:duration: [\d.]+ ms\s+)?(?:statement|execute [^:]*): (?P<sql>.*)$")
_ZONES = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "IST": 5.5,
    "JST": 9,
    "KST": 9,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "NZDT": 13,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}
#: A file whose first this-many non-blank lines hold no log line is not a PostgreSQL log.
SNIFF_LINES = 50
_MAX_SESSIONS = 10_000


class PostgresLogSettings(ZonedLogSettings):
    """PostgreSQL log files; ``timezone`` serves for zone names the collector does not know."""


class PostgresLogCollector(LineLogCollector[PostgresLogSettings]):
    """Database logins and failures (log_connections), pgaudit and statement PII-table access."""

    id = "postgres-log"
    description = "PostgreSQL logs (stderr, csvlog, jsonlog): logins, failures, pgaudit, PII tables"
    default_channel = "database"

    def read_lines(self, path: str, lines: Iterator[tuple[int, str]], state: LogState) -> None:
        """Stream one PostgreSQL log (stderr, csvlog or jsonlog, told by its first line) into ``state``."""
        reader = _Reader(self.settings, state, path)
        first = next(((n, t) for n, t in lines if t.strip()), None)
        if first is not None and _is_csv(first[1]):
            reader.csv_records(_chain([first], lines))
        else:
            for number, text in _chain([first] if first else [], lines):
                reader.line(number, text.rstrip("\r\n"))

    def line_redactor(self) -> Callable[[str], str]:
        """User names pseudonymised, passwords in statements withheld, addresses and PII scrubbed."""
        redactor = self.context.redactor
        fields = name_field_redactor(list(self.settings.name_fields))

        def replace(match: re.Match[str]) -> str:
            if match["at"]:
                return redactor.principal(match["at"]) + "@"
            return match["pre"] + (redactor.principal(match["user"]) if match["user"] else "")

        def redact(line: str) -> str:
            line = redact_name_fields(_SQL_PASSWORD.sub(lambda m: m[1] + "[REDACTED]", withhold_quote(line)), fields)
            return redactor.scrub(_NAMES.sub(replace, line))

        return redact


def _chain(
    head: list[tuple[int, str]], tail: Iterator[tuple[int, str]]
) -> Iterator[tuple[int, str]]:
    yield from head
    yield from tail


def _is_csv(line: str) -> bool:
    match = _STAMP.match(line.strip())
    return bool(match and match["rest"].startswith(","))


class _Entry(NamedTuple):
    """One log record as read: line, time, severity, message, and who (user, process, client)."""

    number: int
    ts: int
    level: str
    msg: str
    user: str | None
    pid: str | None
    host: str | None


class _Reader:
    def __init__(self, settings: PostgresLogSettings, state: LogState, path: str) -> None:
        self.state = state
        self.path = path
        self.zone = ZoneInfo(settings.timezone)
        self.stores = StoreMatcher(settings.pii_stores)
        names = sorted(self.stores.tables, key=len, reverse=True)
        self.tables = (
            re.compile(
                r'(?i)(?<![\w"])"?(?:[\w]+"?\.)?"?(' + "|".join(map(re.escape, names)) + r")\b"
            )
            if names
            else None
        )
        self.sessions: dict[str, tuple[str, str | None]] = {}
        self.hosts: dict[str, str] = {}
        self.seen_log_line = False
        self.blank_prefix = 0
        self.last_ts: int | None = None
        self.last_user: str | None = None
        #: The last line with a timestamp, which a syslog repeat line may stand copies of.
        self.previous: str | None = None

    def line(self, number: int, text: str) -> None:
        stats = self.state.stats
        if not text.strip():
            stats.skip()
            return
        if text[0] in " \t" and self.seen_log_line:
            stats.skip()  # continuation of a multi-line statement
            self._scan(text, number)
            return
        if text.startswith("{"):
            self._json(number, text)
            return
        match = _STAMP.match(text)
        copies = 1
        if match is not None and "epeated" in text:
            unfolded = self._unfold(number, text, match)
            if unfolded is not None:
                copies, text = unfolded
                if not copies:
                    return
                match = _STAMP.match(text)
        if match is not None:
            self.previous = text
        level = _LEVEL.search(match["rest"]) if match else None
        if match is None or level is None:
            if self.seen_log_line:
                self.state.reject(self.path, number, "not a log line (no timestamp and severity)")
                return
            self.blank_prefix += 1
            if self.blank_prefix >= SNIFF_LINES:
                raise InputError(
                    self.path,
                    f"not a PostgreSQL log: none of the first {SNIFF_LINES} lines starts "
                    "with a timestamp and a severity (check log_line_prefix)",
                    1,
                )
            stats.skip()
            return
        self.seen_log_line = True
        ts = self._epoch(match["ts"], match["tz"])
        if ts is None:
            self.state.reject(self.path, number, "unreadable timestamp")
            return
        prefix = match["rest"][: level.start()]
        user_match = _PREFIX_USER.search(prefix)
        user = (user_match["user"] or user_match["at"]) if user_match else None
        pid_match = _PID.search(prefix)
        host_match = _PREFIX_CLIENT.search(prefix)
        self.record(
            _Entry(
                number,
                ts,
                level["level"],
                level["msg"],
                user or None,
                pid_match["pid"] if pid_match else None,
                host_match["host"] if host_match else None,
            ),
            copies,
        )

    def _unfold(self, number: int, text: str, match: re.Match[str]) -> tuple[int, str] | None:
        """For a syslog repeat line: the copies it stands for and the line they copy.

        None when the line is no repeat line; no copies (and a reject) when the line before
        it is not the message it repeats.
        """
        message = tagged(match["rest"])
        repeat = repeat_of(message.text) if message else None
        if message is None or repeat is None:
            return None
        stamp = text[: match.start("rest")]
        earlier = _STAMP.match(self.previous) if self.previous else None
        before = tagged(earlier["rest"]) if earlier else None
        known = LastMessages()
        if before is not None:
            known.remember(before)
        original = known.resolve(repeat, message.host, message.program, message.pid)
        if original is None or before is None or earlier is None:
            self.state.reject(
                self.path,
                number,
                f"{repeat.describe()}, but the line before it is not a message of "
                f"{message.program} it can repeat, so what was repeated is unknown",
            )
            return 0, text
        if repeat.copies > MAX_COPIES:
            self.state.reject(
                self.path,
                number,
                f"{repeat.describe()}; counted as {MAX_COPIES:,} (the most one line counts)",
            )
        if repeat.message is not None:  # rsyslog quotes the message under its own header
            return repeat.counted, text[: len(text) - len(message.text)] + repeat.message
        return repeat.counted, stamp + earlier["rest"]  # the earlier line at the repeat's time

    def _json(self, number: int, text: str) -> None:
        try:
            record = orjson.loads(text)
        except orjson.JSONDecodeError:
            self.state.reject(self.path, number, "malformed JSON (expected one jsonlog record per line)")
            return
        if not isinstance(record, dict) or not isinstance(record.get("timestamp"), str):
            self.state.reject(self.path, number, "jsonlog record without a timestamp")
            return
        stamp = _STAMP.match(record["timestamp"] + " ")
        ts = self._epoch(stamp["ts"], stamp["tz"]) if stamp else None
        if ts is None:
            self.state.reject(self.path, number, "unreadable timestamp")
            return
        self.seen_log_line = True
        self.record(
            _Entry(
                number,
                ts,
                str(record.get("error_severity") or "LOG"),
                str(record.get("message") or ""),
                _text(record.get("user")),
                _text(record.get("pid")),
                _text(record.get("remote_host")),
            )
        )

    def csv_records(self, lines: Iterator[tuple[int, str]]) -> None:
        """Read csvlog rows: time, user, database, pid, host:port, ..., severity, ..., message."""
        for number, row in csv_rows(lines):
            stamp = _STAMP.match(row[0] + " ") if row else None
            if stamp is None or len(row) < 14:
                self.state.reject(self.path, number, "not a csvlog record (expected 23 or more columns)")
                continue
            ts = self._epoch(stamp["ts"], stamp["tz"])
            if ts is None:
                self.state.reject(self.path, number, "unreadable timestamp")
                continue
            self.seen_log_line = True
            host = row[4].rsplit(":", 1)[0] if row[4] else None
            self.record(_Entry(number, ts, row[11], row[13], row[1] or None, row[3] or None, host))

    def record(self, entry: _Entry, copies: int = 1) -> None:
        """Apply one log record (``copies`` times: syslog may fold identical ones into a line)."""
        state, stats = self.state, self.state.stats
        state.coverage.add(entry.ts)
        if entry.pid and not entry.user and entry.pid in self.sessions:
            user, host = self.sessions[entry.pid]
            entry = entry._replace(user=user, host=entry.host or host)
        relevant = True
        for _ in range(copies):
            relevant = self._apply(entry)
        (stats.keep if relevant else stats.skip)()

    def _apply(self, entry: _Entry) -> bool:
        """Count one record's access events; True when the record was relevant."""
        number, ts, level, msg, user, pid, host = entry
        state, access = self.state, self.state.access
        relevant = True
        if match := _RECEIVED.match(msg):
            if pid:
                self._remember_host(pid, match["host"])
        elif match := _AUTHORIZED.match(msg):
            host = host or (self.hosts.pop(pid, None) if pid else None)
            if pid:
                self._remember(pid, match["user"], host)
            access.login(ts, match["user"], success=True, method="database", address=host)
        elif (match := _FAILED.match(msg)) or (match := _NO_HBA.match(msg)):
            access.login(ts, match["user"], success=False, method="database", address=host)
        elif match := _NO_ROLE.match(msg):
            access.login(
                ts, match["user"], success=False, method="database", address=host, invalid_user=True
            )
        elif match := _DISCONNECT.match(msg):
            if pid:
                self.sessions.pop(pid, None)
        elif match := _AUDIT.match(msg):
            if user:
                access.activity(ts, user, host)
                store = self.stores.table(match["object"]) if match["object"] else None
                if store:
                    access.touch_store(ts, user, store, host)
                else:
                    self._statement_stores(ts, user, msg, host)
            self._scan(msg, number)
        elif match := _STATEMENT.match(msg):
            if user:
                access.activity(ts, user, host)
                self._statement_stores(ts, user, match["sql"], host)
            self._scan(msg, number)
        else:
            relevant = level in ("STATEMENT", "DETAIL", "ERROR", "FATAL")
            if relevant:
                self._scan(msg, number)
            else:
                state.pii.skip()
        return relevant

    def _statement_stores(self, ts: int, user: str, sql: str, host: str | None) -> None:
        if self.tables is None:
            return
        for name in {m[1].lower() for m in self.tables.finditer(sql)}:
            store = self.stores.table(name)
            if store:
                self.state.access.touch_store(ts, user, store, host)

    def _scan(self, text: str, number: int) -> None:
        self.state.pii.scan(text, self.path, number)

    def _remember(self, pid: str, user: str, host: str | None) -> None:
        if len(self.sessions) >= _MAX_SESSIONS:
            self.sessions.clear()
        self.sessions[pid] = (user, host)

    def _remember_host(self, pid: str, host: str) -> None:
        if len(self.hosts) >= _MAX_SESSIONS:
            self.hosts.clear()
        self.hosts[pid] = host

    def _epoch(self, stamp: str, zone_name: str | None) -> int | None:
        try:
            moment = datetime.fromisoformat(stamp.replace(" ", "T"))
        except ValueError:
            return None
        zone: tzinfo = self.zone
        if zone_name:
            if zone_name[0] in "+-":
                zone = (
                    datetime.strptime(zone_name.replace(":", "").ljust(5, "0"), "%z").tzinfo or UTC
                )
            elif zone_name in _ZONES:
                zone = timezone(timedelta(hours=_ZONES[zone_name]))
        return int(moment.replace(tzinfo=zone).timestamp())


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


_NAMES = re.compile(
    r'(?P<pre>\buser=|user "|role "|identity=")(?P<user>[^,\s"]+)|(?P<at>\b[\w.-]+)@(?=[\w.-]+ '
    r"(?:LOG|ERROR|FATAL|WARNING|STATEMENT|DETAIL|NOTICE|HINT):)"
)


# ALTER/CREATE ROLE ... PASSWORD 'x' (pgaudit redacts these itself; plain statement logs do not).
_SQL_PASSWORD = re.compile(r"(?i)(\bPASSWORD\s+)(?:'(?:[^']|'')*'|\$\w*\$.*?\$\w*\$|\S+)")
