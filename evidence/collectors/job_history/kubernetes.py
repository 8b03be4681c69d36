"""Kubernetes Jobs and CronJobs from ``kubectl get jobs|cronjobs -o json|yaml`` (List or object).

A Job is one run: ``status.startTime`` to ``completionTime`` (or the time of its Complete or
Failed condition). A Job created by a CronJob is matched by the CronJob's name, from its
owner reference. A CronJob holds no history, only ``lastScheduleTime`` and
``lastSuccessfulTime``: it yields one summary run, dropped when a Job records the same run.
Kubernetes keeps only ``successfulJobsHistoryLimit`` finished Jobs (3 by default), so a
``kubectl`` export rarely covers a whole quarter; the coverage it gives is what it records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evidence.collectors.job_history.runs import FileResult, JobRun, RunStatus
from evidence.collectors.timestamps import TimestampError, parse_timestamp
from evidence.model.evidence import ParseStats


def parse_kubernetes(document: Any, path: str, stats: ParseStats) -> FileResult:
    """Read the runs of a decoded kubectl document (a List, a JobList, a Job or a CronJob)."""
    result = FileResult()
    if not isinstance(document, dict):
        stats.reject(path, "not a Kubernetes object or List")
        return result
    objects = document.get("items") if "items" in document else [document]
    if not isinstance(objects, list):
        stats.reject(path, "`items` is not a list")
        return result
    for index, obj in enumerate(objects):
        where = f"{path}:items[{index}]" if "items" in document else path
        if not isinstance(obj, dict):
            stats.reject(where, "item is not an object")
            continue
        kind = obj.get("kind") or _kind_of_list(document)
        try:
            if kind == "Job":
                run = _job(obj, where)
            elif kind == "CronJob":
                run = _cronjob(obj, where)
            else:
                stats.skip()  # Pods, Events, ... in a mixed List
                continue
        except TimestampError as exc:
            stats.reject(where, f"{kind}: {exc}")
            continue
        except _NotARun:
            stats.skip()  # suspended or never started: nothing ran
            continue
        result.runs.append(run)
        result.coverage.see(run.started)
        result.coverage.see(run.finished)
    return result


class _NotARun(Exception):
    """A Job or CronJob that records no run (suspended, never scheduled)."""


def _job(obj: dict[str, Any], where: str) -> JobRun:
    meta = obj.get("metadata") or {}
    status = obj.get("status") or {}
    name = str(meta.get("name") or "")
    if not name:
        raise TimestampError("metadata.name is missing")
    if status.get("startTime") is None:
        raise _NotARun
    started = parse_timestamp(status["startTime"])
    conditions = {c.get("type"): c for c in status.get("conditions") or [] if isinstance(c, dict)}
    gave_up = (
        bool(status.get("failed")) and not status.get("succeeded") and not status.get("active")
    )
    if _true(conditions.get("Failed")) or gave_up:
        outcome = RunStatus.FAILED
        finished = _when(conditions.get("Failed"))
    elif _true(conditions.get("Complete")) or status.get("succeeded"):
        outcome = RunStatus.SUCCEEDED
        finished = (
            parse_timestamp(status["completionTime"])
            if status.get("completionTime")
            else _when(conditions.get("Complete"))
        )
    else:
        outcome = RunStatus.RUNNING
        finished = None
    namespace = str(meta.get("namespace") or "default")
    owner = next(
        (
            ref.get("name")
            for ref in meta.get("ownerReferences") or []
            if ref.get("kind") == "CronJob"
        ),
        None,
    )
    names = [f"{namespace}/{owner}", str(owner)] if owner else []
    names += [f"{namespace}/{name}", name]
    return JobRun(
        names=tuple(names),
        started=started,
        status=outcome,
        origin="kubernetes",
        location=where,
        finished=finished,
    )


def _cronjob(obj: dict[str, Any], where: str) -> JobRun:
    meta = obj.get("metadata") or {}
    status = obj.get("status") or {}
    name = str(meta.get("name") or "")
    if not name or status.get("lastScheduleTime") is None:
        raise _NotARun
    scheduled = parse_timestamp(status["lastScheduleTime"])
    succeeded = (
        parse_timestamp(status["lastSuccessfulTime"]) if status.get("lastSuccessfulTime") else None
    )
    active = bool(status.get("active"))
    if succeeded is not None and succeeded >= scheduled:
        outcome, finished = RunStatus.SUCCEEDED, succeeded
    else:
        outcome, finished = (RunStatus.RUNNING if active else RunStatus.UNKNOWN), None
    namespace = str(meta.get("namespace") or "default")
    return JobRun(
        names=(f"{namespace}/{name}", name),
        started=scheduled,
        status=outcome,
        origin="kubernetes",
        location=where,
        finished=finished,
        summary=True,
    )


def _true(condition: dict[str, Any] | None) -> bool:
    return bool(condition) and str(condition.get("status")) == "True"  # type: ignore[union-attr]


def _when(condition: dict[str, Any] | None) -> datetime | None:
    if not condition or condition.get("lastTransitionTime") is None:
        return None
    return parse_timestamp(condition["lastTransitionTime"])


def _kind_of_list(document: dict[str, Any]) -> str | None:
    kind = document.get("kind")
    return (
        kind.removesuffix("List")
        if isinstance(kind, str) and kind.endswith("List") and kind != "List"
        else None
    )


def looks_like_kubernetes(document: Any) -> bool:
    """Whether a decoded JSON/YAML document is a kubectl object or List."""
    return isinstance(document, dict) and "apiVersion" in document and "kind" in document
