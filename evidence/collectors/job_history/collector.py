"""[job-history] Run histories of retention jobs, with schedule adherence over the review period.

Reads cron lines in syslog, ``journalctl -o json`` exports, ``kubectl get jobs|cronjobs``
(JSON or YAML), Airflow task instances or DAG runs (REST JSON or CSV export), and plain CSV
or JSON lines. The config declares each retention job: its schedule, what it purges and
which runs belong to it. One ``retention.job_runs`` item per source holds, per job, the
expected, actual, missed and failed runs with their dates and the longest gap.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import orjson
import yaml
from pydantic import Field, field_validator

from evidence.collectors.base import Collector, CollectorSettings
from evidence.collectors.inputs import expand_paths, open_input, open_text
from evidence.collectors.job_history.cron import SyslogClock, looks_like_syslog, parse_cron
from evidence.collectors.job_history.journald import looks_like_journal, parse_journal
from evidence.collectors.job_history.kubernetes import looks_like_kubernetes, parse_kubernetes
from evidence.collectors.job_history.runs import Coverage, FileResult, JobRun, RunStatus
from evidence.collectors.job_history.schedule import JobSpec, schedule_adherence
from evidence.collectors.job_history.tabular import (
    airflow_records,
    parse_csv,
    parse_json_lines,
    parse_records,
)
from evidence.collectors.timestamps import ZoneName, iso
from evidence.errors import InputError
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput
from evidence.model.period import parse_period
from evidence.redact import SECRET, looks_like_secret_key

KIND = "retention.job_runs"
Format = Literal["auto", "cron", "journald", "kubernetes", "airflow", "csv", "jsonl"]
_YAML_START = re.compile(r"^(?:---|apiVersion:|kind:|items:)", re.MULTILINE)
#: Names of runs listed in the facts to help write ``match`` patterns.
MAX_SEEN = 50


class JobHistorySettings(CollectorSettings):
    """Settings: history files, how to read them, and the retention jobs they should show."""

    paths: list[Path] = Field(min_length=1)
    format: Format = "auto"
    timezone: ZoneName = Field(default="UTC", description="zone of timestamps that carry no offset")
    year: int | None = Field(default=None, ge=1970, le=2100, description="year of BSD syslog lines")
    covers: str | None = Field(default=None, description="period the history is complete for")
    jobs: list[JobSpec] = Field(default_factory=list)

    @field_validator("covers")
    @classmethod
    def _covers(cls, value: str | None) -> str | None:
        if value is not None:
            parse_period(value)
        return value

    @field_validator("jobs")
    @classmethod
    def _unique(cls, value: list[JobSpec]) -> list[JobSpec]:
        names = [job.name for job in value]
        if len(set(names)) != len(names):
            raise ValueError("two jobs have the same name")
        return value


class JobHistoryCollector(Collector[JobHistorySettings]):
    """Reads job run histories and measures each declared retention job against its schedule."""

    id = "job-history"
    assurance = Assurance.EXPORTED
    description = (
        "Retention job runs (cron, systemd, Kubernetes, Airflow, CSV) and schedule adherence"
    )
    produces = (KIND,)
    paths_setting = "paths"

    def collect(self) -> Iterator[EvidenceItem]:
        """One ``retention.job_runs`` item for the source; unreadable files become rejects."""
        settings = self.settings
        before = self.redaction_counts()
        files = expand_paths([self.context.resolve(p) for p in settings.paths])
        stats = ParseStats(scope=f"source {self.context.source}")
        raw_inputs: list[RawInput] = []
        runs: list[JobRun] = []
        coverage = Coverage()
        formats: Counter[str] = Counter()
        unreadable: list[str] = []
        self.context.progress.start(f"job-history: {self.context.source}", total=len(files))
        for path in files:
            try:
                fmt, result, raw = self._read(path, stats)
            except InputError as exc:
                stats.reject(exc.location, exc.reason)
                unreadable.append(str(exc))
                continue
            finally:
                self.context.progress.advance(f"job-history: {self.context.source}")
            formats[fmt] += 1
            raw_inputs.append(raw)
            runs.extend(result.runs)
            coverage.merge(result.coverage)
        self.context.progress.finish(f"job-history: {self.context.source}")
        if not raw_inputs:
            first = stats.rejects[0] if stats.rejects else "no files"
            raise InputError(
                files[0] if len(files) == 1 else self.context.source,
                f"no readable history: {first}",
            )
        # A history with a file missing cannot prove a job ran: the check reads ``unreadable``.
        yield self._item(_deduplicated(runs), coverage, formats, stats, raw_inputs, before, unreadable)

    def _read(self, path: Path, stats: ParseStats) -> tuple[str, FileResult, RawInput]:
        fmt = self.settings.format if self.settings.format != "auto" else _sniff(path)
        zone = ZoneInfo(self.settings.timezone)
        where = str(path)
        if fmt in ("cron", "journald", "csv", "jsonl"):
            with open_text(path) as lines:
                if fmt == "cron":
                    clock = SyslogClock(self.context.as_of, zone, self.settings.year)
                    result = parse_cron(lines, where, clock, stats)
                elif fmt == "journald":
                    result = parse_journal(lines, where, stats)
                elif fmt == "csv":
                    result = parse_csv(lines, where, zone, stats)
                else:
                    result = parse_json_lines(lines, where, zone, stats)
                return fmt, result, lines.raw_input()
        if fmt == "unknown":
            raise InputError(
                path, "not a job history this collector reads (set format = ... to say which)"
            )
        with open_input(path) as tracked:
            data = tracked.stream.read()
            raw = tracked.raw_input()
        document = _decode(path, data)
        if looks_like_kubernetes(document):
            return "kubernetes", parse_kubernetes(document, where, stats), raw
        records = airflow_records(document)
        if records is not None:
            return "airflow", parse_records(records, where, zone, stats), raw
        raise InputError(
            path, "JSON/YAML document is neither a kubectl List/Job/CronJob nor Airflow records"
        )

    def _item(
        self,
        runs: list[JobRun],
        coverage: Coverage,
        formats: Counter[str],
        stats: ParseStats,
        raw_inputs: list[RawInput],
        before: Counter[str],
        unreadable: list[str],
    ) -> EvidenceItem:
        period, as_of = self.context.period, self.context.as_of
        start, end = period.start_at, min(period.end_at, as_of)
        covered = (coverage.first, coverage.last)
        if self.settings.covers:
            declared = parse_period(self.settings.covers)
            covered = (declared.start_at, declared.end_at)
        by_job: dict[str, list[JobRun]] = {job.name: [] for job in self.settings.jobs}
        owner: dict[int, str] = {}
        for index, run in enumerate(runs):
            job = next((j for j in self.settings.jobs if j.matches(run)), None)
            if job is None:
                stats.skip()
                continue
            by_job[job.name].append(run)
            owner[index] = job.name
            stats.keep()
        jobs = [
            schedule_adherence(
                job, _launches_paired(_without_repeats(by_job[job.name])), start, end, covered
            )
            for job in self.settings.jobs
        ]
        facts: dict[str, Any] = {
            "window": {"from": iso(start), "to": iso(end)},
            "covers": {
                "from": iso(covered[0]),
                "to": iso(covered[1]),
                "declared": self.settings.covers is not None,
            },
            "formats": dict(sorted(formats.items())),
            "jobs": jobs,
            "seen": self._seen(runs, owner),
            "unreadable": unreadable,
        }
        return self.item(
            KIND,
            subject=f"job history {self.context.source}",
            facts=facts,
            stats=stats,
            raw_inputs=raw_inputs,
            covers=covered,
            redactions=self.redaction_counts(before),
        )

    def _seen(self, runs: list[JobRun], owner: dict[int, str]) -> list[dict[str, Any]]:
        """Names of runs found, with counts: what a user needs to write ``match`` patterns."""
        groups: dict[tuple[str, str], list[int]] = {}
        for index, run in enumerate(runs):
            groups.setdefault((run.label, run.origin), []).append(index)
        rows: list[dict[str, Any]] = []
        for (label, origin), indexes in groups.items():
            starts = [runs[i].started for i in indexes]
            rows.append(
                {
                    "name": self.context.redactor.scrub(label)[:160],
                    "origin": origin,
                    "runs": len(indexes),
                    "first": iso(min(starts)),
                    "last": iso(max(starts)),
                    "job": owner.get(indexes[0]),
                }
            )
        rows.sort(key=lambda r: (-r["runs"], r["name"], r["origin"]))
        return rows[:MAX_SEEN]

    def redacted_file(self, path: Path) -> Iterator[bytes] | None:
        """Redact JSON/YAML documents by field (Kubernetes env pairs too) and text by line."""
        if _sniff(path) not in ("document", "unknown"):
            return self._scrubbed_lines(path)
        with open_input(path) as tracked:
            data = tracked.stream.read()
        try:
            document = _decode(path, data)
        except InputError:
            return self._scrubbed_lines(path)
        cleaned = self.context.redactor.scrub_data(_hide_env_values(document))
        return iter(
            [orjson.dumps(cleaned, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS, default=str)]
        )


def _sniff(path: Path) -> str:
    """``cron``, ``journald``, ``csv``, ``jsonl``, ``document`` (JSON/YAML) or ``unknown``."""
    with open_input(path) as tracked:
        head = tracked.stream.read(65536).decode("utf-8", errors="replace")
    stripped = head.lstrip("\ufeff \t\r\n")
    if not stripped:
        return "csv"  # an empty file: read as an empty table, which yields no runs
    first = stripped.splitlines()[0]
    suffix = "".join(s for s in path.suffixes[-2:] if s not in (".gz", ".bz2")).lower()
    if stripped.startswith("{"):
        try:
            entry = orjson.loads(first)
        except orjson.JSONDecodeError:
            return "document"
        if isinstance(entry, dict) and looks_like_journal(entry):
            return "journald"
        if isinstance(entry, dict) and (
            looks_like_kubernetes(entry) or airflow_records(entry) is not None
        ):
            return "document"
        return "jsonl"
    if (
        stripped.startswith("[")
        or suffix.endswith((".yaml", ".yml"))
        or _YAML_START.match(stripped)
    ):
        return "document"
    if looks_like_syslog(stripped):
        return "cron"
    if suffix.endswith(".csv") or "," in first:
        return "csv"
    return "unknown"


def _decode(path: Path, data: bytes) -> Any:
    text = data.decode("utf-8", errors="replace")
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        try:
            return orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            raise InputError(
                path, f"malformed JSON: {exc}", line=getattr(exc, "lineno", None)
            ) from None
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(path, "malformed YAML", line=mark.line + 1 if mark else None) from None
    if len(documents) == 1:
        return documents[0]
    return {"apiVersion": "v1", "kind": "List", "items": documents}


def _deduplicated(runs: list[JobRun]) -> list[JobRun]:
    """Sort runs by start and drop exact repeats (overlapping rotated logs list a run twice)."""
    seen: set[tuple[str, datetime, str]] = set()
    unique = []
    for run in sorted(runs, key=lambda r: (r.started, r.label, r.origin)):
        key = (run.label, run.started, run.origin)
        if key not in seen:
            seen.add(key)
            unique.append(run)
    return unique


def _without_repeats(runs: list[JobRun]) -> list[JobRun]:
    """Drop a CronJob's summary run when a Job object records the same run in full."""
    full = [r.started for r in runs if not r.summary]
    window = timedelta(minutes=5)
    return [r for r in runs if not r.summary or not any(abs(r.started - s) <= window for s in full)]


def _launches_paired(runs: list[JobRun]) -> list[JobRun]:
    """Drop a launch record without outcome that another source's record of the run completes.

    Cron logs that it started a job, not how the job ended; the job's own log (CSV or JSON
    lines) says how it ended. Two such records of one job starting within five minutes of each
    other are one run: the launch is dropped, the outcome kept (one launch per outcome record).
    """
    window = timedelta(minutes=5)
    outcomes = sorted(
        (r for r in runs if r.status is not RunStatus.UNKNOWN), key=lambda r: r.started
    )
    starts = [r.started for r in outcomes]
    used: set[int] = set()
    kept = []
    for run in runs:
        if run.status is RunStatus.UNKNOWN:
            near = range(
                bisect_left(starts, run.started - window),
                bisect_right(starts, run.started + window),
            )
            candidates = [i for i in near if i not in used and outcomes[i].origin != run.origin]
            if candidates:
                used.add(min(candidates, key=lambda i: abs(starts[i] - run.started)))
                continue
        kept.append(run)
    return kept


def _hide_env_values(value: Any) -> Any:
    """Kubernetes env entries ``{name, value}``: the value goes when the name says secret."""
    if isinstance(value, dict):
        if (
            isinstance(value.get("name"), str)
            and "value" in value
            and looks_like_secret_key(value["name"])
        ):
            value = {**value, "value": SECRET}
        return {k: _hide_env_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_hide_env_values(v) for v in value]
    return value
