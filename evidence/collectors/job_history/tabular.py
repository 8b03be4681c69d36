"""Run records as rows: plain CSV, JSON lines, Airflow CSV exports and Airflow REST records.

Plain rows name the job, started, finished, status and rows affected. Airflow records are
task instances or DAG runs from its REST API or its CSV exports.

Column names are matched loosely (``started``, ``start_time``, ``start_date``...). A row with
``dag_id`` is an Airflow record: its job name is ``dag_id.task_id`` (and ``dag_id``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Any

import orjson

from evidence.collectors.inputs import column_roles, csv_rows, header_records
from evidence.collectors.job_history.runs import FileResult, JobRun, RunStatus
from evidence.collectors.timestamps import TimestampError, parse_timestamp
from evidence.model.evidence import ParseStats
from evidence.redact import normalise_field

_ALIASES = {
    "job": ("job", "jobname", "name", "task", "command", "unit"),
    "started": ("started", "startedat", "start", "starttime", "startdate", "begin", "ranat"),
    "finished": (
        "finished",
        "finishedat",
        "end",
        "endtime",
        "enddate",
        "completed",
        "completedat",
        "ended",
    ),
    "status": ("status", "state", "result", "outcome"),
    "exit_code": ("exitcode", "exitstatus", "returncode"),
    "rows": (
        "rows",
        "rowsaffected",
        "affectedrows",
        "rowsdeleted",
        "deleted",
        "purged",
        "rowcount",
    ),
    "dag_id": ("dagid",),
    "task_id": ("taskid",),
}

_STATUS = {
    RunStatus.SUCCEEDED: {
        "success",
        "succeeded",
        "successful",
        "ok",
        "done",
        "completed",
        "complete",
        "passed",
    },
    RunStatus.FAILED: {
        "failed",
        "failure",
        "fail",
        "error",
        "errored",
        "upstreamfailed",
        "upforretry",
        "timeout",
        "timedout",
        "crashed",
        "killed",
    },
    RunStatus.RUNNING: {
        "running",
        "started",
        "inprogress",
        "deferred",
        "restarting",
        "upforreschedule",
    },
    RunStatus.SKIPPED: {"skipped", "cancelled", "canceled"},
    RunStatus.UNKNOWN: {"", "unknown", "none", "null"},
}
#: Airflow states of task instances that never started: not runs.
_NOT_STARTED = {"queued", "scheduled", "removed", "noStatus", "nostatus"}


class RowError(ValueError):
    """A row that cannot be read as a run (the message never quotes the row)."""


def columns(header: Iterable[str]) -> dict[str, str]:
    """Map our column roles (job, started, ...) to the header's own names."""
    return column_roles(header, _ALIASES)


def row_to_run(
    row: Mapping[str, Any], roles: Mapping[str, str], where: str, zone: tzinfo, origin: str
) -> JobRun | None:
    """Read a run from one record; None when the record is of a run that never started."""

    def get(role: str) -> Any:
        key = roles.get(role)
        value = row.get(key) if key is not None else None
        return value.strip() if isinstance(value, str) else value

    if get("dag_id"):
        dag, task = str(get("dag_id")), get("task_id")
        names: tuple[str, ...] = (f"{dag}.{task}", dag) if task else (dag,)
        origin = "airflow"
    elif get("job"):
        names = (str(get("job")),)
    else:
        raise RowError("no job name (expected a `job` or `dag_id` column)")
    state = get("status")
    if get("started") in (None, ""):
        if state is not None and str(state) in _NOT_STARTED | {""}:
            return None
        raise RowError("no start time (expected a `started` column)")
    try:
        started = parse_timestamp(get("started"), zone)
        finished = (
            parse_timestamp(get("finished"), zone) if get("finished") not in (None, "") else None
        )
    except TimestampError as exc:
        raise RowError(f"start or finish time: {exc}") from None
    if finished is not None and finished < started:
        raise RowError("finishes before it starts")
    return JobRun(
        names=names,
        started=started,
        finished=finished,
        status=_status(state, get("exit_code")),
        rows=_rows(get("rows")),
        origin=origin,
        location=where,
    )


def _status(state: Any, exit_code: Any) -> RunStatus:
    if state in (None, "") and exit_code not in (None, ""):
        try:
            return RunStatus.SUCCEEDED if int(str(exit_code)) == 0 else RunStatus.FAILED
        except ValueError:
            raise RowError("exit code is not a number") from None
    if isinstance(state, bool):
        return RunStatus.SUCCEEDED if state else RunStatus.FAILED
    key = normalise_field(str(state if state is not None else ""))
    for status, words in _STATUS.items():
        if key in words:
            return status
    if key.lstrip("-").isdigit():
        return RunStatus.SUCCEEDED if int(key) == 0 else RunStatus.FAILED
    raise RowError("status is not one of success/failed/running/skipped (or an exit code)")


def _rows(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        rows = int(str(value).replace(",", "").replace("_", ""))
    except ValueError:
        raise RowError("rows affected is not a whole number") from None
    if rows < 0:
        raise RowError("rows affected is negative")
    return rows


def parse_csv(
    lines: Iterable[tuple[int, str]], path: str, zone: tzinfo, stats: ParseStats
) -> FileResult:
    """Read runs from a CSV file with a header row."""
    result = FileResult()
    rows = csv_rows(lines)
    first = next(rows, None)
    if first is None:
        return result
    header = first[1]
    roles = columns(header)
    if "started" not in roles or not ({"job", "dag_id"} & roles.keys()):
        stats.reject(f"{path}:1", "header names no job (or dag_id) and start-time columns")
        return result
    for where, record in header_records(rows, header, path, stats):
        _keep(record, roles, where, zone, "csv", stats, result)
    return result


def parse_json_lines(
    lines: Iterable[tuple[int, str]], path: str, zone: tzinfo, stats: ParseStats
) -> FileResult:
    """Read runs from JSON lines, one object per run."""
    result = FileResult()
    for number, line in lines:
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            stats.reject(where, "not a JSON object")
            continue
        if not isinstance(record, dict):
            stats.reject(where, "not a JSON object")
            continue
        _keep(record, columns(record), where, zone, "jsonl", stats, result)
    return result


def parse_records(records: list[Any], path: str, zone: tzinfo, stats: ParseStats) -> FileResult:
    """Read runs from Airflow ``task_instances``/``dag_runs`` records or a plain array."""
    result = FileResult()
    for index, record in enumerate(records):
        where = f"{path}:[{index}]"
        if not isinstance(record, dict):
            stats.reject(where, "record is not an object")
            continue
        _keep(record, columns(record), where, zone, "json", stats, result)
    return result


def _keep(
    record: Mapping[str, Any],
    roles: Mapping[str, str],
    where: str,
    zone: tzinfo,
    origin: str,
    stats: ParseStats,
    result: FileResult,
) -> None:
    try:
        run = row_to_run(record, roles, where, zone, origin)
    except RowError as exc:
        stats.reject(where, str(exc))
        return
    if run is None:
        stats.skip()
        return
    result.runs.append(run)
    result.coverage.see(run.started)
    result.coverage.see(run.finished)


def airflow_records(document: Any) -> list[Any] | None:
    """Return the records of an Airflow REST response (or a bare array of runs), else None."""
    if isinstance(document, dict):
        for key in ("task_instances", "dag_runs", "runs"):
            if isinstance(document.get(key), list):
                return list(document[key])
        return None
    if isinstance(document, list) and all(isinstance(r, dict) for r in document):
        return document
    return None
