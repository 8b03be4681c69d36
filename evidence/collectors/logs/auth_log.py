"""[auth-log] SSH, sudo, PAM and account changes from syslog and ``journalctl -o json``.

Reads ``auth.log``/``secure`` (rotated and compressed files too, oldest first) in the classic
syslog form (``Sep  6 09:57:21 host sshd[581]: ...``), the RFC 3339 form rsyslog writes with
high-precision timestamps, and journal exports (one JSON object per line). A line by which the
syslog daemon says the message before it was repeated N times (rsyslog, BSD syslogd, syslog-ng:
see :mod:`evidence.collectors.logs.syslog_repeats`) counts as N more copies of that message, so a burst
of failed logins folded into one line still counts in full. Yields logins with
their method and MFA state (an SSH login is multi-factor when sshd first logged a ``Partial``
authentication, or a one-time-password PAM module, for the same process), failed logins, PAM
lockouts (pam_faillock, pam_tally2), sudo use, and accounts locked or deleted (``usermod -L``,
``usermod -e``, ``userdel``), which are the disable timestamps of offboarding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import orjson
from pydantic import Field

from evidence.collectors.logs.base import (
    LineLogCollector,
    LogState,
    ZonedLogSettings,
    month_known,
    yearless,
)
from evidence.collectors.logs.pii import name_field_redactor, redact_name_fields
from evidence.collectors.logs.syslog_repeats import (
    MAX_COPIES,
    UNTAGGED_BSD,
    UNTAGGED_RFC3339,
    Message,
    Repeat,
    repeat_of,
    withhold_quote,
)
from evidence.redact import Redactor

# The host may be empty: rsyslog 5 (Ubuntu 12.04) wrote its tagged repeat lines without one.
_BSD = re.compile(
    r"^(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<clock>\d\d:\d\d:\d\d) (?P<host>\S*) "
    r"(?P<prog>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?: ?(?P<msg>.*)$"
)
_RFC3339 = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) (?P<host>\S+) "
    r"(?P<prog>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?: ?(?P<msg>.*)$"
)

_ACCEPTED = re.compile(r"^Accepted (?P<method>\S+) for (?P<user>\S+) from (?P<addr>\S+)")
_PARTIAL = re.compile(r"^Partial (?P<method>\S+) for (?P<user>\S+) from ")
_FAILED = re.compile(
    r"^Failed (?P<method>\S+) for (?P<invalid>invalid user )?(?P<user>\S+) from (?P<addr>\S+)"
)
_INVALID = re.compile(r"^Invalid user (?P<user>\S*) from (?P<addr>\S+)")
_NOT_ALLOWED = re.compile(r"^User (?P<user>\S+) from (?P<addr>\S+) not allowed because")
_PAM_FAIL = re.compile(
    r"^pam_unix\((?P<svc>[\w-]+):auth\): authentication failure;.*?(?:\buser=(?P<user>\S+))?\s*$"
)
_OTP = re.compile(r"pam_(?:google_authenticator|duo|oath|yubico|u2f)|google_authenticator|Duo")
_SESSION = re.compile(
    r"^pam_unix\((?P<svc>[\w-]+):session\): session opened for user "
    r"(?P<user>[^\s(]+)(?:\(uid=\d+\))?(?: by (?P<by>[^\s(]*))?"
)
#: PAM services whose sessions are the system's own (cron) or counted elsewhere (sudo).
_SYSTEM_SESSIONS = {
    "cron",
    "crond",
    "systemd-user",
    "sudo",
    "sudo-i",
    "runuser",
    "runuser-l",
    "atd",
}
_LOCKED = re.compile(
    r"(?:Consecutive login failures for user (?P<faillock>\S+) account temporarily locked"
    r"|user (?P<tally>\S+) \(\d+\) tally \d+, deny \d+)"
)
_SUDO = re.compile(r"^\s*(?P<user>\S+) : (?:(?P<problem>[^;]*?) ; )?TTY=")
_USERMOD_LOCK = re.compile(r"^lock user '(?P<user>[^']+)' password")
_USERMOD_EXPIRE = re.compile(r"^change user '(?P<user>[^']+)' expiration from")
_USERDEL = re.compile(r"^delete user '(?P<user>[^']+)'")
# A login may hold dots (tom.okafor): only a dot that ends the message ends the name.
_LOGIND = re.compile(r"^New session \S+ of user (?P<user>\S+?)\.?(?=\s|$)")

#: Patterns whose ``user`` (and ``addr``) groups are pseudonymised in stored copies.
_NAMED = (
    _ACCEPTED,
    _PARTIAL,
    _FAILED,
    _INVALID,
    _NOT_ALLOWED,
    _SESSION,
    _SUDO,
    _USERMOD_LOCK,
    _USERMOD_EXPIRE,
    _USERDEL,
    _LOGIND,
)
_SSH = {"sshd", "sshd-session"}
_MAX_PENDING = 10_000


class AuthLogSettings(ZonedLogSettings):
    """Syslog or journal files; the hosts' time zone; the year of year-less syslog dates."""

    year: int | None = Field(default=None, ge=1970, le=2100)


class AuthLogCollector(LineLogCollector[AuthLogSettings]):
    """SSH logins (with MFA state), failures, lockouts, sudo and account removals from auth logs."""

    id = "auth-log"
    description = "SSH, sudo and PAM logins, failures, lockouts, account removals (syslog)"
    default_channel = "host"

    def read_lines(self, path: str, lines: Iterator[tuple[int, str]], state: LogState) -> None:
        """Stream one syslog or journal file into ``state``."""
        reader = _Reader(self.settings, self.context.as_of, state, path)
        for number, line in lines:
            reader.line(number, line.rstrip("\r\n"))

    def line_redactor(self) -> Callable[[str], str]:
        """User names and addresses pseudonymised, other PII scrubbed."""
        redactor = self.context.redactor
        fields = name_field_redactor(list(self.settings.name_fields))

        def redact(line: str) -> str:
            line = redact_name_fields(pseudonymise_names(withhold_quote(line), redactor), fields)
            return redactor.scrub(line)

        return redact


class _Reader:
    """Per-file parsing state: pending multi-factor logins by process."""

    def __init__(
        self, settings: AuthLogSettings, as_of: datetime, state: LogState, path: str
    ) -> None:
        self.settings = settings
        self.zone = ZoneInfo(settings.timezone)
        self.as_of = as_of
        self.state = state
        self.path = path
        self.partial: dict[tuple[str, str], set[str]] = {}

    def line(self, number: int, text: str) -> None:
        stats = self.state.stats
        if not text.strip():
            stats.skip()
            return
        if text[0] in " \t":
            stats.skip()  # continuation of the previous record (e.g. macOS ASL notices)
            return
        try:
            parsed = self._journal(text) if text[0] == "{" else self._syslog(text)
        except ValueError as exc:
            self.state.reject(self.path, number, str(exc))
            return
        if parsed is None:
            self.state.reject(self.path, number, "not a syslog line (expected 'Mon DD HH:MM:SS host program: message')")
            return
        when, host, program, pid, message = parsed
        ts = int(when.timestamp())
        self.state.coverage.add(ts)
        self.state.pii.scan(message, self.path, number)
        copies = 1
        repeat = repeat_of(message, tagged=bool(program))
        if repeat is None:
            self.state.previous.remember(Message(host, program, pid, message))
        else:
            original = self._repeated(number, repeat, host, program, pid)
            if original is None:
                return
            copies, program, pid, message = (
                repeat.counted,
                original.program,
                original.pid,
                original.text,
            )
        access_event = False
        for _ in range(copies):
            access_event = self._event(ts, host, program, pid, message)
        if repeat is not None and repeat.copies > MAX_COPIES:
            self.state.reject(
                self.path,
                number,
                f"{repeat.describe()}; counted as {MAX_COPIES:,} (the most one line counts)",
            )
        elif access_event:
            stats.keep()
        else:
            stats.skip()

    def _repeated(
        self, number: int, repeat: Repeat, host: str, program: str, pid: str
    ) -> Message | None:
        """The message a repeat line copies; None (and a reject) when the log does not show it."""
        original = self.state.previous.resolve(repeat, host, program, pid)
        if original is None:
            whose = f"program {program} on host {host or '(none)'}"
            if not repeat.same_program:
                whose = f"host {host}" if host else "any host"
            self.state.reject(
                self.path,
                number,
                f"{repeat.describe()}, but the log holds no earlier message of {whose} "
                "that it can repeat, so what was repeated is unknown",
            )
        elif repeat.message is not None:  # rsyslog quotes it: a later BSD repeat may copy it
            self.state.previous.remember(original)
        return original

    def _syslog(self, text: str) -> tuple[datetime, str, str, str, str] | None:
        match = _BSD.match(text) or _RFC3339.match(text)
        if match is not None and _month_known(match):
            return self._when(match), match["host"], match["prog"], match["pid"] or "", match["msg"]
        # BSD syslogd's repeat line names no program: ``host last message repeated 5 times``.
        match = UNTAGGED_BSD.match(text) or UNTAGGED_RFC3339.match(text)
        if match is not None and _month_known(match):
            return self._when(match), match["host"] or "", "", "", match["msg"]
        return None

    def _when(self, match: re.Match[str]) -> datetime:
        """The instant of a syslog header: RFC 3339, or year-less BSD in the hosts' zone."""
        if "ts" in match.re.groupindex:
            return datetime.fromisoformat(match["ts"].replace("Z", "+00:00"))
        try:
            return yearless(
                match["mon"],
                int(match["day"]),
                match["clock"],
                self.as_of,
                self.settings.year,
                self.zone,
            )
        except ValueError:
            raise ValueError("impossible date in syslog timestamp") from None

    def _journal(self, text: str) -> tuple[datetime, str, str, str, str]:
        try:
            record = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise ValueError("malformed JSON (expected one journal record per line)") from None
        if not isinstance(record, dict) or "__REALTIME_TIMESTAMP" not in record:
            raise ValueError(
                "JSON record without __REALTIME_TIMESTAMP (expected `journalctl -o json`)"
            )
        try:
            micros = int(record["__REALTIME_TIMESTAMP"])
        except (TypeError, ValueError):
            raise ValueError("__REALTIME_TIMESTAMP is not a number") from None
        message = record.get("MESSAGE")
        if isinstance(message, list):  # the journal exports non-UTF-8 messages as byte arrays
            message = bytes(b for b in message if isinstance(b, int) and 0 <= b < 256).decode(
                "utf-8", "replace"
            )
        program = str(record.get("SYSLOG_IDENTIFIER") or record.get("_COMM") or "")
        pid = str(record.get("_PID") or record.get("SYSLOG_PID") or "")
        when = datetime.fromtimestamp(micros / 1_000_000, self.zone).astimezone(self.zone)
        return when, str(record.get("_HOSTNAME") or ""), program, pid, str(message or "")

    def _event(self, ts: int, host: str, program: str, pid: str, message: str) -> bool:
        """Apply one message; True when it was an access event."""
        access = self.state.access
        if program in _SSH:
            return self._ssh(ts, (host, pid), message)
        if program == "sudo":
            match = _SUDO.match(message)
            if match and not match["problem"]:
                access.activity(ts, match["user"])
            elif (failure := _PAM_FAIL.match(message)) and failure["user"]:
                access.login(ts, failure["user"], success=False, method="sudo")
            return bool(match or failure)
        if failure := _PAM_FAIL.match(message):
            if failure["user"]:
                access.login(ts, failure["user"], success=False, method=failure["svc"])
            return True
        if locked := _LOCKED.search(message):
            access.lockout(ts, locked["faillock"] or locked["tally"])
            return True
        for pattern, how in (
            (_USERMOD_LOCK, "usermod -L"),
            (_USERMOD_EXPIRE, "usermod -e"),
            (_USERDEL, "userdel"),
        ):
            if (match := pattern.match(message)) and program in (how.split()[0], "passwd", "chage"):
                access.disabled(ts, match["user"], how)
                return True
        if session := _SESSION.match(message):
            if session["svc"] in ("su", "su-l") and session["by"]:
                access.activity(ts, session["by"])  # who switched user, not the account switched to
            elif session["svc"] not in _SYSTEM_SESSIONS and session["svc"] not in _SSH:
                access.activity(ts, session["user"])
            return True
        if session := _LOGIND.match(message):
            access.activity(ts, session["user"])
            return True
        return False

    def _ssh(self, ts: int, process: tuple[str, str], message: str) -> bool:
        access = self.state.access
        if match := _ACCEPTED.match(message):
            factors = self.partial.pop(process, set())
            method = match["method"].split("/")[0]
            mfa: bool | None
            if factors:
                mfa = True
            elif method in ("keyboard-interactive", "gssapi-with-mic"):
                mfa = None  # the PAM stack or the Kerberos realm may have asked for a second factor
            else:
                mfa = False
            access.login(
                ts,
                match["user"],
                success=True,
                method=f"ssh-{method}",
                mfa=mfa,
                address=match["addr"],
            )
            return True
        if match := _PARTIAL.match(message):
            if len(self.partial) >= _MAX_PENDING:
                self.partial.clear()
            self.partial.setdefault(process, set()).add(match["method"])
            return True
        if _OTP.search(message) and "Accepted" in message:
            self.partial.setdefault(process, set()).add("otp")
            return True
        if match := _FAILED.match(message):
            access.login(
                ts,
                match["user"],
                success=False,
                method=f"ssh-{match['method'].split('/')[0]}",
                address=match["addr"],
                invalid_user=bool(match["invalid"]),
            )
            return True
        if match := _INVALID.match(message):
            access.login(
                ts,
                match["user"],
                success=False,
                method="ssh",
                address=match["addr"],
                invalid_user=True,
            )
            return True
        if match := _NOT_ALLOWED.match(message):
            access.login(ts, match["user"], success=False, method="ssh", address=match["addr"])
            return True
        if locked := _LOCKED.search(message):
            access.lockout(ts, locked["faillock"] or locked["tally"])
            return True
        return bool(_SESSION.match(message))


def _month_known(match: re.Match[str]) -> bool:
    return "mon" not in match.re.groupindex or month_known(match["mon"])


def pseudonymise_names(line: str, redactor: Redactor) -> str:
    """Replace the user names of known auth messages by their pseudonyms (addresses: by scrub)."""
    spans = set()
    for pattern in _UNANCHORED:
        for match in pattern.finditer(line):
            if match["user"]:
                spans.add(match.span("user"))
    limit = len(line)
    for start, end in sorted(spans, reverse=True):
        if end <= limit:  # overlapping matches of two patterns: the later one already replaced
            line = line[:start] + redactor.principal(line[start:end]) + line[end:]
            limit = start
    return line


#: Other places sshd, PAM, sudo and su name a user, in lines the collector reads for nothing else:
#: a redacted copy must not show the name beside the pseudonym of the line before it.
_MENTIONS = (
    r"\buser=(?P<user>[^\s;,()]+)",
    r"\b(?:authenticating|invalid|illegal) user (?P<user>[^\s;,()]+)",
    r"\b(?:for|of) user (?P<user>[^\s;,()]+?)(?:\(uid=\d+\))?(?=[\s;,]|\.(?:\s|$)|$)",
    r"\bauthentication (?:attempts exceeded|failures) for (?:invalid user )?(?P<user>[^\s;,()]+)",
    r"\(to \S+\) (?P<user>[^\s;,()]+) on ",
    r"\bnew (?:user|group): name=(?P<user>[^\s;,()]+)",  # a user's own group shares its name
    r"\bUSER=(?P<user>[^\s;,()]+)",  # sudo's target user
    r"/home/(?P<user>[^/\s;,()'\"]+)",  # home directories in sudo's PWD and COMMAND
)
_UNANCHORED = [re.compile(p.pattern.lstrip("^")) for p in _NAMED] + [
    re.compile(p) for p in _MENTIONS
]
