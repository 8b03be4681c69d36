"""Syslog's folded duplicates: one line that stands for N more copies of a message.

Syslog daemons write a run of identical messages once and then a line saying how many more
there were. Three forms exist, all written by the daemon, not by the program that logged:

* rsyslog (``$RepeatedMsgReduction on``, Ubuntu's default) keeps the header of the original
  and quotes its message: ``sshd[4811]: message repeated 5 times: [ Failed password for ...]``;
* BSD syslogd, sysklogd, inetutils syslogd and macOS write a line with no program:
  ``localhost last message repeated 5 times`` (macOS: ``--- last message repeated 1 time ---``),
  a copy of the previous message from that host;
* syslog-ng (``suppress()``) names the program and the first 20 characters of the message:
  ``sshd[31694]: Last message 'Failed password for ' repeated 5 times, suppressed by syslog-ng
  on vm`` (the pid is syslog-ng's own), a copy of that program's previous message.

A collector that counts events counts the copies too: five more failed logins are five more,
whichever form says so. :class:`LastMessages` remembers what each host and program said last,
so the forms without the message can be resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Copies counted for one line at most; a larger count is counted as this many and reported.
MAX_COPIES = 100_000
#: What a redacted copy shows instead of syslog-ng's quote, which may cut a name in half.
QUOTE_WITHHELD = "(withheld)"

_RSYSLOG = re.compile(r"^message repeated (?P<n>\d+) times?: \[(?P<msg>.*)\]$")
_PREVIOUS = re.compile(r"^(?:--- )?last message repeated (?P<n>\d+) times?(?: ---)?\s*$")
_SYSLOG_NG = re.compile(
    r"^Last message '(?P<quote>.*)' repeated (?P<n>\d+) times?"
    r"(?:, suppressed by syslog-ng on \S+)?\s*$"
)
#: A whole BSD line whose message is a repeat with no program (``Mon DD HH:MM:SS host ...``).
UNTAGGED_BSD = re.compile(
    r"^(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<clock>\d\d:\d\d:\d\d) +"
    r"(?:(?P<host>(?!---)\S+) )?(?P<msg>(?:--- )?last message repeated \d+ times?(?: ---)?)\s*$"
)
#: The same for rsyslog's RFC 3339 timestamps.
UNTAGGED_RFC3339 = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) "
    r"(?:(?P<host>(?!---)\S+) )?(?P<msg>(?:--- )?last message repeated \d+ times?(?: ---)?)\s*$"
)
_QUOTE = re.compile(r"^(Last message ')(.*)(' repeated \d+ times?)")
#: What follows the timestamp of a syslog line: `` host program[pid]: message``.
_AFTER_STAMP = re.compile(
    r"^ (?P<host>\S*) (?P<program>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?: (?P<text>.*)$"
)


@dataclass(frozen=True)
class Repeat:
    """A line that stands for ``copies`` more copies of a message."""

    copies: int
    #: The message repeated, when the line quotes it whole (rsyslog); else the previous one.
    message: str | None = None
    #: syslog-ng's first 20 characters of the message, to confirm which one it was.
    quote: str | None = None
    #: Whether the copies are of the same program's previous message (else the host's).
    same_program: bool = False

    @property
    def counted(self) -> int:
        """The copies counted (at most :data:`MAX_COPIES`)."""
        return min(self.copies, MAX_COPIES)

    def describe(self) -> str:
        """Say what the line claims, for a reject reason."""
        return f"a syslog line saying a message was repeated {self.copies:,} more times"


def repeat_of(message: str, *, tagged: bool = True) -> Repeat | None:
    """Read ``message`` (the text after ``program[pid]:``) as a repeat line, or None.

    ``tagged`` says whether the line carried a program: an untagged repeat copies the host's
    previous message, a tagged one (``sshd[1]: last message repeated 2 times``) the program's.
    """
    if "epeated" not in message:  # the hot path: almost no line is a repeat
        return None
    if match := _RSYSLOG.match(message):
        text = match["msg"]
        return Repeat(int(match["n"]), message=text[1:] if text.startswith(" ") else text)
    if match := _PREVIOUS.match(message):
        return Repeat(int(match["n"]), same_program=tagged)
    if match := _SYSLOG_NG.match(message):
        quote = match["quote"]
        return Repeat(
            int(match["n"]), quote=None if quote == QUOTE_WITHHELD else quote, same_program=True
        )
    return None


@dataclass(frozen=True)
class Message:
    """One syslog message as a collector read it."""

    host: str
    program: str
    pid: str
    text: str


def tagged(rest: str) -> Message | None:
    """Split what follows a syslog line's timestamp (`` host program[pid]: message``), or None."""
    match = _AFTER_STAMP.match(rest)
    if match is None:
        return None
    return Message(match["host"], match["program"], match["pid"] or "", match["text"])


class LastMessages:
    """The last message of every host and of every program on a host, to resolve repeats.

    Kept across the files of one source, so a repeat line at the top of a rotated file finds
    the message at the end of the file before it.
    """

    def __init__(self) -> None:
        self._by_host: dict[str, Message] = {}
        self._by_program: dict[tuple[str, str], Message] = {}
        self._last: Message | None = None

    def remember(self, message: Message) -> None:
        """Note ``message`` as the latest of its host and of its program."""
        self._by_host[message.host] = message
        self._by_program[(message.host, message.program)] = message
        self._last = message

    def resolve(self, repeat: Repeat, host: str, program: str, pid: str) -> Message | None:
        """The message ``repeat`` (read on a line of ``host``/``program``) stands copies of.

        None when the file shows no such earlier message, or syslog-ng's quote does not match
        it: then nobody can tell what was repeated.
        """
        if repeat.message is not None:
            return Message(host, program, pid, repeat.message)
        if not repeat.same_program:
            return self._by_host.get(host) if host else self._last
        found = self._by_program.get((host, program))
        if found is None and not host:  # old rsyslog wrote tagged repeats with an empty host
            found = next(
                (m for m in reversed(self._by_program.values()) if m.program == program), None
            )
        if found is None or (repeat.quote is not None and not _quotes(repeat.quote, found)):
            return None
        return found


def _quotes(quote: str, message: Message) -> bool:
    """Whether syslog-ng's 20-character quote starts ``message`` (it may cut a character)."""
    quote = quote.rstrip("\ufffd")
    tagged = f"{message.program}[{message.pid}]: {message.text}" if message.pid else ""
    return message.text.startswith(quote) or bool(tagged) and tagged.startswith(quote)


def withhold_quote(line: str) -> str:
    """Replace syslog-ng's quote in a line for a redacted copy (it may hold half a name)."""
    start = line.find("Last message '")
    if start < 0:
        return line
    return line[:start] + _QUOTE.sub(rf"\g<1>{QUOTE_WITHHELD}\g<3>", line[start:], count=1)
