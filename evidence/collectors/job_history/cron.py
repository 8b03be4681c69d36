"""Cron runs from syslog: ``CRON[pid]: (user) CMD (command)`` starts a run; END and errors close it.

Debian's cron logs the start of every job; with ``-L`` levels it also logs ``(user) END (cmd)``
and ``(CRON) error (grandchild #N failed with exit status S)`` from the same process, and
cronie logs ``CMDEND``. No cron logs a success, so a run's outcome stays unknown unless the
job's own log says it (the collector pairs the two records): the history proves the job was
launched on time, not that it worked. Syslog never folds cron's run lines into a ``message
repeated`` line: each run logs from its own process, so no two are identical.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo

from evidence.collectors.job_history.runs import FileResult, JobRun, RunStatus
from evidence.model.evidence import ParseStats

_MONTHS = {
    m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)
}

_BSD = re.compile(
    r"^(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<hms>\d\d:\d\d:\d\d) (?P<host>\S+) (?P<rest>.*)$"
)
_RFC3339 = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) "
    r"(?P<host>\S+) (?P<rest>.*)$"
)
_TAG = re.compile(r"^(?P<tag>[^\s:\[]+)(?:\[(?P<pid>\d+)\])?: (?P<msg>.*)$")
_CRON_TAGS = {"cron", "crond", "/usr/sbin/cron", "/usr/sbin/crond"}
_CMD = re.compile(r"^\((?P<user>[^)]*)\) (?P<what>CMD|END|CMDEND) \((?P<command>.*)\)\s*$")
_EXIT = re.compile(r"^\(CRON\) error \(grandchild #\d+ failed with exit status (?P<status>\d+)\)")


class SyslogClock:
    """Turns syslog's year-less ``Dec  6 13:05:01`` into an instant, never later than as-of.

    Classic syslog lines carry no year and no zone: the zone is the configured one, and the
    year is the latest that puts the line on or before the as-of date (plus a day of slack).
    """

    def __init__(self, as_of: datetime, zone: tzinfo, year: int | None = None) -> None:
        self._as_of = as_of
        self._zone = zone
        self._year = year

    def bsd(self, mon: str, day: str, hms: str) -> datetime | None:
        """Return the instant of a BSD syslog timestamp, or None when it is not a real date."""
        month = _MONTHS.get(mon)
        if month is None:
            return None
        hour, minute, second = (int(part) for part in hms.split(":"))
        years = (
            [self._year]
            if self._year
            else [self._as_of.year + 1, self._as_of.year, self._as_of.year - 1]
        )
        for year in years:
            try:
                moment = datetime(year, month, int(day), hour, minute, second, tzinfo=self._zone)
            except ValueError:
                continue
            if self._year or (moment.astimezone(UTC) - self._as_of).days < 1:
                return moment.astimezone(UTC)
        return None

    def rfc3339(self, text: str) -> datetime | None:
        """Return the instant of an RFC 3339 syslog timestamp (rsyslog's precise format)."""
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return (moment if moment.tzinfo else moment.replace(tzinfo=self._zone)).astimezone(UTC)


def parse_cron(
    lines: Iterable[tuple[int, str]], path: str, clock: SyslogClock, stats: ParseStats
) -> FileResult:
    """Find the runs cron started in a syslog file; other lines count as skipped."""
    result = FileResult()
    open_runs: dict[str, JobRun] = {}
    for number, raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        moment, rest = _header(line, clock)
        if moment is None:
            stats.skip()  # continuation lines, file headers, other log formats
            continue
        result.coverage.see(moment)
        tag = _TAG.match(rest)
        if not tag or tag["tag"].lower() not in _CRON_TAGS:
            stats.skip()
            continue
        pid = tag["pid"] or ""
        message = tag["msg"]
        if cmd := _CMD.match(message):
            command = cmd["command"].strip()
            if not command:
                stats.reject(f"{path}:{number}", "cron CMD line names no command")
                continue
            if cmd["what"] == "CMD":
                started = JobRun(
                    names=(command,),
                    started=moment,
                    status=RunStatus.UNKNOWN,
                    origin="cron",
                    location=f"{path}:{number}",
                )
                result.runs.append(started)
                open_runs[pid] = started
            elif (ended := open_runs.get(pid)) is not None:
                ended.finished = moment
                stats.skip()
            else:
                stats.skip()
        elif (failure := _EXIT.match(message)) and (exited := open_runs.get(pid)) is not None:
            exited.status = RunStatus.FAILED if failure["status"] != "0" else RunStatus.SUCCEEDED
            exited.finished = exited.finished or moment
            stats.skip()
        else:
            stats.skip()  # "(CRON) info (No MTA installed...)", session lines, reloads
    return result


def _header(line: str, clock: SyslogClock) -> tuple[datetime | None, str]:
    if bsd := _BSD.match(line):
        return clock.bsd(bsd["mon"], bsd["day"], bsd["hms"]), bsd["rest"]
    if rfc := _RFC3339.match(line):
        return clock.rfc3339(rfc["ts"]), rfc["rest"]
    return None, ""


def looks_like_syslog(head: str) -> bool:
    """Whether the first lines of a file look like syslog (BSD or RFC 3339 timestamps)."""
    lines = [line for line in head.splitlines()[:20] if line.strip()]
    return any(_BSD.match(line) or _RFC3339.match(line) for line in lines)
