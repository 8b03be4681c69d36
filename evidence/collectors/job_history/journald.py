"""systemd service runs from ``journalctl -o json``: the manager's unit messages mark start and end.

systemd (PID 1) logs a catalogued MESSAGE_ID for each step of a unit's life, with the unit in
``UNIT`` (``USER_UNIT`` for user services): starting, started/finished, failed, the main
process's exit status, "deactivated successfully", skipped by a condition. A timer-driven
``Type=oneshot`` service produces one run per activation. Exports without MESSAGE_ID fall
back to the message text systemd has printed since version 230.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import orjson

from evidence.collectors.job_history.runs import FileResult, JobRun, RunStatus
from evidence.collectors.timestamps import TimestampError, parse_timestamp
from evidence.model.evidence import ParseStats

# sd-messages.h
_STARTING = "7d4958e842da4a758f6c1cdc7b36dcc5"
_STARTED = "39f53479d3a045ac8e11786248231fbf"
_FAILED = "be02cf6855d2428ba40df7e9d022f03d"
_SUCCESS = "7ad2d189f7e94e70a38c781354912448"
_FAILURE_RESULT = "d9b373ed55a64feb8242e02dbe79a49c"
_PROCESS_EXIT = "98e322203f7a4ed290d09fe03c09fe15"
_SKIPPED = "0e4284a0caca4bfc81c0bb6786972673"

_TEXT_EVENTS = [
    (re.compile(r"^Starting .*\.\.\.$"), _STARTING),
    (re.compile(r"^(?:Finished|Started) "), _STARTED),
    (re.compile(r"^Failed to start "), _FAILED),
    (re.compile(r"(?:^|: )Failed with result '"), _FAILURE_RESULT),
    (re.compile(r"(?:^|: )(?:Deactivated successfully|Succeeded)\.$"), _SUCCESS),
    (
        re.compile(r"(?:^|: )Main process exited, code=exited, status=(?P<status>\d+)"),
        _PROCESS_EXIT,
    ),
]


def parse_journal(lines: Iterable[tuple[int, str]], path: str, stats: ParseStats) -> FileResult:
    """One run per activation of each unit found in a journal export."""
    result = FileResult()
    open_runs: dict[str, JobRun] = {}
    for number, raw in lines:
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            entry = orjson.loads(raw)
        except orjson.JSONDecodeError:
            stats.reject(where, "not a JSON object (expected journalctl -o json output)")
            continue
        if not isinstance(entry, dict):
            stats.reject(where, "not a JSON object (expected journalctl -o json output)")
            continue
        try:
            moment = parse_timestamp(_field(entry, "__REALTIME_TIMESTAMP"))
        except TimestampError:
            stats.reject(where, "__REALTIME_TIMESTAMP missing or not microseconds since the epoch")
            continue
        result.coverage.see(moment)
        unit = _field(entry, "UNIT") or _field(entry, "USER_UNIT")
        event, exit_status = _event(entry)
        if not unit or event is None:
            stats.skip()  # a service's own output, kernel lines, other units' chatter
            continue
        run = open_runs.get(unit)
        if event == _STARTING:
            if _field(entry, "JOB_TYPE") not in (None, "start"):
                stats.skip()
                continue
            run = JobRun(
                names=_names(unit),
                started=moment,
                status=RunStatus.RUNNING,
                origin="systemd",
                location=where,
            )
            open_runs[unit] = run
            result.runs.append(run)
            continue
        stats.skip()
        if run is None:
            continue  # the end of a run that started before this export
        _apply(run, event, entry, exit_status, moment)
    return result


def _apply(
    run: JobRun, event: str, entry: dict[str, Any], exit_status: str | None, moment: Any
) -> None:
    """Move ``run`` on by one lifecycle event; a failure is final for the activation."""
    if run.status is RunStatus.FAILED:
        run.finished = max(run.finished or moment, moment)
        return
    if event == _STARTED:
        result = _field(entry, "JOB_RESULT")
        run.status = RunStatus.FAILED if result not in (None, "done") else RunStatus.SUCCEEDED
    elif event in (_FAILED, _FAILURE_RESULT):
        run.status = RunStatus.FAILED
    elif event == _PROCESS_EXIT:
        status = _field(entry, "EXIT_STATUS") or exit_status
        if status not in (None, "0") or _field(entry, "EXIT_CODE") in ("killed", "dumped"):
            run.status = RunStatus.FAILED
    elif event == _SUCCESS:
        run.status = RunStatus.SUCCEEDED
    elif event == _SKIPPED:
        run.status = RunStatus.SKIPPED
    run.finished = moment


def _event(entry: dict[str, Any]) -> tuple[str | None, str | None]:
    message_id = _field(entry, "MESSAGE_ID")
    if message_id in (
        _STARTING,
        _STARTED,
        _FAILED,
        _SUCCESS,
        _FAILURE_RESULT,
        _PROCESS_EXIT,
        _SKIPPED,
    ):
        return message_id, None
    if message_id is not None:
        return None, None
    if _field(entry, "_PID") not in (None, "1") and _field(entry, "SYSLOG_IDENTIFIER") != "systemd":
        return None, None
    message = _field(entry, "MESSAGE")
    if not message:
        return None, None
    for pattern, event in _TEXT_EVENTS:
        if match := pattern.search(message):
            return event, match.groupdict().get("status")
    return None, None


def _field(entry: dict[str, Any], key: str) -> str | None:
    """Return a journal field as text (binary values, written as arrays of bytes, are ignored)."""
    value = entry.get(key)
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return None


def _names(unit: str) -> tuple[str, ...]:
    base = unit.rsplit(".", 1)[0] if unit.endswith((".service", ".timer")) else unit
    return (unit, base) if base != unit else (unit,)


def looks_like_journal(entry: dict[str, Any]) -> bool:
    """Whether a JSON object is a journal entry."""
    return "__REALTIME_TIMESTAMP" in entry or "__CURSOR" in entry
