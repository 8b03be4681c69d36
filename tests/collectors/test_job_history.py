"""The job-history collector: every history format, schedule adherence, rejects and redaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from evidence.collectors import registry
from evidence.collectors.base import CollectorContext
from evidence.collectors.job_history.collector import JobHistoryCollector, JobHistorySettings
from evidence.model.evidence import EvidenceItem
from evidence.model.period import parse_period
from evidence.redact import Redactor

FIXTURES = Path(__file__).parent / "fixtures" / "job-history"
REALDATA = sorted(p for p in (FIXTURES / "realdata").iterdir() if p.name != "README.md")
PERIOD = parse_period("2026-Q3")


def collect(
    tmp_path: Path, paths: list[Path], jobs: list[dict[str, Any]] | None = None, **extra: Any
) -> EvidenceItem:
    settings = JobHistorySettings.model_validate(
        {"paths": [str(p) for p in paths], "jobs": jobs or [], **extra}
    )
    context = CollectorContext(
        source="jobs",
        base_dir=tmp_path,
        period=PERIOD,
        as_of=PERIOD.end_at,
        redactor=Redactor(b"k" * 32),
    )
    items = list(JobHistoryCollector(settings, context).collect())
    assert len(items) == 1
    return items[0].seal()


def job(item: EvidenceItem, name: str) -> dict[str, Any]:
    return next(j for j in item.facts["jobs"] if j["job"] == name)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_entry_point_name_is_the_collector_id() -> None:
    assert registry.get("job-history") is JobHistoryCollector


# --- every real history parses -------------------------------------------------------------------

EXPECTED_REAL = {
    # file: (format, runs seen, first name seen)
    "derived_kubectl_get_jobs_List.json": ("kubernetes", 3, "argoci-workflows/fail"),
    "gitops-engine_health_testdata_job-failed.yaml": ("kubernetes", 1, "argoci-workflows/fail"),
    "gitops-engine_health_testdata_job-running.yaml": ("kubernetes", 1, "argoci-workflows/succeed"),
    "gitops-engine_health_testdata_job-succeeded.yaml": (
        "kubernetes",
        1,
        "argoci-workflows/succeed",
    ),
    "gitops-engine_health_testdata_job-suspended.yaml": ("kubernetes", 0, None),
    "k9s_render_testdata_cj.json": ("kubernetes", 1, "default/hello"),
    "k9s_render_testdata_job.json": ("kubernetes", 1, "default/hello"),
    "lnav_logfile_filter.0_syslog_with_CRON_CMD.log": (
        "cron",
        1,
        "command -v debian-sa1 > /dev/null && debian-sa1 1 1",
    ),
    "lnav_logfile_journald.json": ("journald", 0, None),
    "popeye_lint_testdata_batch_cjob_List.yaml": ("kubernetes", 1, "default/cj1"),
    "popeye_lint_testdata_batch_job_List.yaml": ("kubernetes", 3, "default/cj1"),
}


def test_every_real_history_file_is_covered() -> None:
    assert sorted(p.name for p in REALDATA) == sorted(EXPECTED_REAL)


@pytest.mark.parametrize("path", REALDATA, ids=lambda p: p.name)
def test_real_history_parses(tmp_path: Path, path: Path) -> None:
    item = collect(tmp_path, [path])
    fmt, runs, first = EXPECTED_REAL[path.name]
    assert item.usable
    assert item.stats.rejected == 0, item.stats.rejects
    assert item.facts["formats"] == {fmt: 1}
    assert sum(s["runs"] for s in item.facts["seen"]) == runs
    if first is not None:
        assert item.facts["seen"][0]["name"] == first
    assert item.raw_inputs[0].size == path.stat().st_size


def test_real_kubernetes_outcomes(tmp_path: Path) -> None:
    item = collect(
        tmp_path,
        [FIXTURES / "realdata" / "derived_kubectl_get_jobs_List.json"],
        jobs=[{"name": "all", "purges": "pii", "every": "1d", "match": ["*"]}],
        covers="2018-12-01..2019-09-01",
    )
    runs = job(item, "all")
    # The period is 2026-Q3: these 2018-2019 runs lie before it, so none counts as actual.
    assert runs["actual"] == 0
    assert item.covers_start == datetime(2018, 12, 1, tzinfo=UTC)


def test_kubernetes_job_states_in_the_period(tmp_path: Path) -> None:
    def kube_job(
        name: str, status: dict[str, Any], owner: str | None = "purge-pii"
    ) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name, "namespace": "parcelpilot"}
        if owner:
            meta["ownerReferences"] = [{"kind": "CronJob", "name": owner}]
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "status": status}

    items = [
        kube_job(
            "purge-pii-1",
            {
                "startTime": "2026-07-05T03:00:02Z",
                "completionTime": "2026-07-05T03:01:00Z",
                "succeeded": 1,
                "conditions": [{"type": "Complete", "status": "True"}],
            },
        ),
        kube_job(
            "purge-pii-2",
            {
                "startTime": "2026-07-12T03:00:03Z",
                "failed": 1,
                "conditions": [
                    {
                        "type": "Failed",
                        "status": "True",
                        "lastTransitionTime": "2026-07-12T03:05:00Z",
                    }
                ],
            },
        ),
        kube_job("purge-pii-3", {"startTime": "2026-07-19T03:00:01Z", "active": 1}),
        kube_job("other", {"startTime": "2026-07-19T03:00:01Z", "succeeded": 1}, owner=None),
    ]
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "purge-pii", "namespace": "parcelpilot"},
        "spec": {"schedule": "0 3 * * 0"},
        "status": {
            "lastScheduleTime": "2026-07-19T03:00:00Z",
            "lastSuccessfulTime": "2026-07-05T03:01:00Z",
        },
    }
    path = write(
        tmp_path,
        "jobs.json",
        json.dumps({"apiVersion": "v1", "kind": "List", "items": [*items, cronjob]}),
    )
    item = collect(
        tmp_path,
        [path],
        jobs=[
            {
                "name": "purge-pii",
                "purges": "pii",
                "schedule": "0 3 * * 0",
                "match": ["parcelpilot/purge-pii"],
            }
        ],
        covers="2026-07-01..2026-07-20",
    )
    runs = job(item, "purge-pii")
    statuses = [r["status"] for r in runs["runs"]]
    # The CronJob's last schedule repeats purge-pii-3, so it is dropped; "other" matches no job.
    assert statuses == ["succeeded", "failed", "running"]
    assert runs["failed"] == ["2026-07-12T03:00:00Z"]
    assert item.stats.kept == 4
    assert item.stats.skipped == 1


# --- cron ----------------------------------------------------------------------------------------


def test_cron_lines_with_end_and_exit_status(tmp_path: Path) -> None:
    lines = []
    for day in range(1, 31):
        stamp = f"Jul {day:>2} 02:30:01"
        lines.append(
            f"{stamp} host CRON[{100 + day}]: (app) CMD (/usr/local/bin/purge-pii --days 23)"
        )
        if day == 12:
            lines.append(
                f"Jul {day:>2} 02:31:09 host CRON[{100 + day}]: "
                "(CRON) error (grandchild #7 failed with exit status 2)"
            )
        lines.append(
            f"Jul {day:>2} 02:31:10 host CRON[{100 + day}]: "
            "(app) END (/usr/local/bin/purge-pii --days 23)"
        )
        lines.append(f"{stamp} host sshd[9]: Accepted publickey for deploy from 192.0.2.10 port 22")
    path = write(tmp_path, "syslog", "\n".join(lines) + "\nnot a syslog line\n")
    item = collect(
        tmp_path,
        [path],
        jobs=[
            {"name": "purge", "purges": "pii", "schedule": "30 2 * * *", "match": ["*/purge-pii *"]}
        ],
    )
    runs = job(item, "purge")
    assert runs["failed"] == ["2026-07-12T02:30:00Z"]
    assert runs["runs"][0]["finished"] == "2026-07-01T02:31:10Z"
    assert runs["outcome_unknown"] == 29
    # The history ends on 30 July: the 62 daily runs after it are uncovered, not missed.
    assert runs["missed"] == []
    assert len(runs["uncovered"]) == 62
    assert item.stats.rejected == 0


def test_cron_launches_take_the_outcome_of_the_jobs_own_log(tmp_path: Path) -> None:
    # Cron says when it launched the purge; the purge's own JSON-lines log says how each run
    # ended. Two records of one run (within five minutes, from two sources) are one run.
    cron, own = [], []
    for day in range(1, 11):
        stamp = f"Jul {day:>2} 04:15:01"
        cron.append(
            f"{stamp} pp-worker-1 CRON[{7000 + day}]: (app) CMD (/opt/app/bin/purge-backups "
            ">> /var/log/app/purge-backups.log 2>&1)"
        )
        if day == 9:
            continue  # the job died before writing its log: the launch's outcome stays unknown
        status = "failed" if day == 4 else "succeeded"
        own.append(
            json.dumps(
                {
                    "job": "purge-backups",
                    "started": f"2026-07-{day:02d}T04:15:02Z",
                    "finished": f"2026-07-{day:02d}T04:15:40Z",
                    "status": status,
                    "objects_deleted": 12,
                }
            )
        )
    item = collect(
        tmp_path,
        [
            write(tmp_path, "syslog", "\n".join(cron) + "\n"),
            write(tmp_path, "own.jsonl", "\n".join(own)),
        ],
        jobs=[
            {
                "name": "purge-backups",
                "purges": "backups",
                "schedule": "15 4 * * *",
                "match": ["*/purge-backups *", "purge-backups"],
            }
        ],
        covers="2026-07-01..2026-07-10",
    )
    runs = job(item, "purge-backups")
    assert runs["actual"] == 10  # ten runs, not twenty records
    assert runs["ran"] == 8
    assert runs["failed"] == ["2026-07-04T04:15:00Z"]
    assert runs["unknown"] == ["2026-07-09T04:15:00Z"]
    assert (runs["outcome_unknown"], runs["unknown_runs"]) == (1, ["2026-07-09T04:15:01Z"])


def test_records_of_one_source_are_never_paired(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "runs.csv",
        "job,started,status\npurge,2026-07-05T03:00:00Z,unknown\npurge,2026-07-05T03:02:00Z,success\n",
    )
    runs = job(collect(tmp_path, [path], jobs=WEEKLY, covers="2026-07-05..2026-07-06"), "purge")
    assert (runs["actual"], runs["outcome_unknown"], runs["ran"]) == (2, 1, 1)


def test_syslog_repeat_lines_in_a_cron_history_are_neither_runs_nor_rejects(tmp_path: Path) -> None:
    # Cron logs each run from its own process, so no two run lines are identical and syslog
    # never folds them; a repeat line of another program's message is read past.
    syslog = (FIXTURES.parent / "syslog-repeats" / "inetutils-syslogd-2.4-repeated.log").read_text()
    path = write(
        tmp_path,
        "syslog",
        syslog + "Dec  7 13:20:01 localhost CRON[5120]: (root) CMD (purge)\n",
    )
    item = collect(
        tmp_path, [path], jobs=[{"name": "purge", "purges": "pii", "every": "1d"}], year=2026
    )
    assert item.facts["seen"][0]["runs"] == 1
    assert item.stats.rejected == 0


def test_cron_rfc3339_timestamps_and_year_inference(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "syslog.log",
        "2026-07-05T03:00:01.123456+02:00 host CRON[1]: (root) CMD (purge)\n"
        "Dec 30 03:00:01 host CRON[2]: (root) CMD (purge)\n",
    )
    item = collect(tmp_path, [path], jobs=[{"name": "purge", "purges": "pii", "every": "1d"}])
    seen = item.facts["seen"][0]
    assert seen["runs"] == 2
    # No year in BSD syslog: December is read as the December before the as-of date.
    assert seen["first"] == "2025-12-30T03:00:01Z"
    assert seen["last"] == "2026-07-05T01:00:01Z"


def test_cron_timezone_setting_applies_to_bsd_timestamps(tmp_path: Path) -> None:
    path = write(tmp_path, "syslog", "Jul  5 03:00:01 host CRON[1]: (root) CMD (purge)\n")
    item = collect(tmp_path, [path], timezone="Europe/London")
    assert item.facts["seen"][0]["first"] == "2026-07-05T02:00:01Z"


# --- systemd journal -----------------------------------------------------------------------------

STARTING, STARTED, FAILED, SUCCESS, FAILURE_RESULT, PROCESS_EXIT = (
    "7d4958e842da4a758f6c1cdc7b36dcc5",
    "39f53479d3a045ac8e11786248231fbf",
    "be02cf6855d2428ba40df7e9d022f03d",
    "7ad2d189f7e94e70a38c781354912448",
    "d9b373ed55a64feb8242e02dbe79a49c",
    "98e322203f7a4ed290d09fe03c09fe15",
)


def journal_line(
    moment: datetime, message: str, message_id: str | None = None, **fields: str
) -> str:
    entry = {
        "__REALTIME_TIMESTAMP": str(int(moment.timestamp() * 1_000_000)),
        "_PID": "1",
        "SYSLOG_IDENTIFIER": "systemd",
        "MESSAGE": message,
        **fields,
    }
    if message_id:
        entry["MESSAGE_ID"] = message_id
    return json.dumps(entry)


def test_journal_runs_succeed_and_fail(tmp_path: Path) -> None:
    lines = []
    start = datetime(2026, 7, 5, 3, 0, tzinfo=UTC)
    for week in range(13):
        t = start + timedelta(weeks=week)
        unit = {"UNIT": "purge-pii.service"}
        lines.append(
            journal_line(t, "Starting purge-pii.service...", STARTING, JOB_TYPE="start", **unit)
        )
        if week == 3:
            lines.append(
                journal_line(
                    t + timedelta(seconds=5),
                    "purge-pii.service: Main process exited, code=exited, status=1/FAILURE",
                    PROCESS_EXIT,
                    EXIT_CODE="exited",
                    EXIT_STATUS="1",
                    **unit,
                )
            )
            lines.append(
                journal_line(
                    t + timedelta(seconds=5),
                    "purge-pii.service: Failed with result 'exit-code'.",
                    FAILURE_RESULT,
                    **unit,
                )
            )
            lines.append(
                journal_line(
                    t + timedelta(seconds=5),
                    "Failed to start purge-pii.service.",
                    FAILED,
                    JOB_TYPE="start",
                    JOB_RESULT="failed",
                    **unit,
                )
            )
        elif week == 6:
            continue  # started, never finished in this export: running
        else:
            lines.append(
                journal_line(
                    t + timedelta(seconds=9),
                    "purge-pii.service: Deactivated successfully.",
                    SUCCESS,
                    **unit,
                )
            )
            lines.append(
                journal_line(
                    t + timedelta(seconds=9),
                    "Finished purge-pii.service.",
                    STARTED,
                    JOB_TYPE="start",
                    JOB_RESULT="done",
                    **unit,
                )
            )
        lines.append(
            json.dumps(
                {
                    "__REALTIME_TIMESTAMP": str(int((t + timedelta(days=3)).timestamp() * 1e6)),
                    "_SYSTEMD_UNIT": "nginx.service",
                    "_PID": "812",
                    "MESSAGE": "reloaded",
                }
            )
        )
    lines.append("{ not json")
    path = write(tmp_path, "journal.json", "\n".join(lines) + "\n")
    item = collect(
        tmp_path,
        [path],
        jobs=[
            {
                "name": "purge-pii",
                "purges": "pii",
                "schedule": "0 3 * * 0",
                "match": ["purge-pii.service"],
            }
        ],
    )
    runs = job(item, "purge-pii")
    assert runs["expected"] == 13
    # The run of 16 August never finished in this export: not known to have worked, so its
    # slot is unknown (it used to count as ran).
    assert runs["ran"] == 11
    assert runs["unknown"] == ["2026-08-16T03:00:00Z"]
    assert runs["outcome_unknown"] == 1
    assert runs["failed"] == ["2026-07-26T03:00:00Z"]
    assert runs["runs"][0] == {
        "started": "2026-07-05T03:00:00Z",
        "finished": "2026-07-05T03:00:09Z",
        "status": "succeeded",
        "rows": None,
    }
    assert [r["status"] for r in runs["runs"]].count("running") == 1
    assert item.stats.rejected == 1
    assert item.stats.rejects[0].location == f"{path}:{len(lines)}"
    assert "not a JSON object" in item.stats.rejects[0].reason


def test_journal_without_message_ids_falls_back_to_text(tmp_path: Path) -> None:
    t = datetime(2026, 7, 5, 3, 0, tzinfo=UTC)
    lines = [
        journal_line(t, "Starting Purge PII...", UNIT="purge-pii.service"),
        journal_line(
            t + timedelta(seconds=3),
            "purge-pii.service: Failed with result 'exit-code'.",
            UNIT="purge-pii.service",
        ),
    ]
    path = write(tmp_path, "old-journal.json", "\n".join(lines))
    item = collect(tmp_path, [path], jobs=[{"name": "purge-pii", "purges": "pii", "every": "7d"}])
    assert job(item, "purge-pii")["failed_runs"] == 1


# --- Airflow -------------------------------------------------------------------------------------


def test_airflow_task_instances_json_and_csv(tmp_path: Path) -> None:
    instances = [
        {
            "dag_id": "retention",
            "task_id": "purge_pii",
            "dag_run_id": f"scheduled__2026-07-{d:02d}",
            "start_date": f"2026-07-{d:02d}T01:00:05.123456+00:00",
            "end_date": f"2026-07-{d:02d}T01:02:00+00:00",
            "state": "failed" if d == 3 else "success",
            "try_number": 1,
        }
        for d in range(1, 8)
    ]
    instances.append(
        {"dag_id": "retention", "task_id": "purge_pii", "start_date": None, "state": "queued"}
    )
    rest = write(tmp_path, "ti.json", json.dumps({"task_instances": instances, "total_entries": 8}))
    csv_rows = ["dag_id,execution_date,task_id,state,start_date,end_date"] + [
        f"retention,2026-07-{d:02d} 00:00:00+00:00,purge_pii,{'skipped' if d == 9 else 'success'},"
        f"2026-07-{d:02d} 01:00:04+00:00,2026-07-{d:02d} 01:01:00+00:00"
        for d in range(8, 15)
    ]
    export = write(tmp_path, "ti.csv", "\n".join(csv_rows) + "\n")
    item = collect(
        tmp_path,
        [rest, export],
        jobs=[
            {
                "name": "purge",
                "purges": "pii",
                "schedule": "0 1 * * *",
                "match": ["retention.purge_pii"],
            }
        ],
        covers="2026-07-01..2026-07-14",
    )
    runs = job(item, "purge")
    assert item.facts["formats"] == {"airflow": 1, "csv": 1}
    assert runs["failed"] == ["2026-07-03T01:00:00Z"]
    assert runs["skipped"] == ["2026-07-09T01:00:00Z"]
    assert runs["missed"] == ["2026-07-09T01:00:00Z"]
    assert runs["ran"] == 12
    assert item.stats.skipped == 1  # the queued task instance never started


# --- plain CSV and JSON lines --------------------------------------------------------------------


def test_plain_csv_rows_and_rejects_name_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "runs.csv",
        "job,started,finished,status,rows_affected\n"
        "purge,2026-07-01T02:00:00Z,2026-07-01T02:01:00Z,success,120\n"
        "purge,2026-07-02T02:00:00Z,2026-07-02T02:01:00Z,ok,\n"
        "purge,yesterday,,success,1\n"
        "purge,2026-07-04T02:00:00Z,2026-07-04T01:00:00Z,success,1\n"
        "purge,2026-07-05T02:00:00Z,,exploded,1\n"
        "purge,2026-07-06T02:00:00Z,,success,many\n"
        "purge,2026-07-07T02:00:00Z\n",
    )
    item = collect(tmp_path, [path], jobs=[{"name": "purge", "purges": "pii", "every": "1d"}])
    assert job(item, "purge")["rows_affected"] == 120
    reasons = {r.location.rsplit(":", 1)[1]: r.reason for r in item.stats.rejects}
    assert set(reasons) == {"4", "5", "6", "7", "8"}
    assert "not an ISO 8601 timestamp" in reasons["4"]
    assert reasons["5"] == "finishes before it starts"
    assert "status" in reasons["6"]
    assert "exploded" not in reasons["6"]
    assert reasons["7"] == "rows affected is not a whole number"
    assert reasons["8"] == "2 fields where the header has 5"


def test_json_lines_with_exit_codes(tmp_path: Path) -> None:
    rows = [
        {"job": "purge", "started": f"2026-07-0{d}T02:00:00Z", "exit_code": 0 if d != 2 else 3}
        for d in range(1, 4)
    ]
    path = write(tmp_path, "runs.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    item = collect(tmp_path, [path], jobs=[{"name": "purge", "purges": "pii", "every": "1d"}])
    assert item.facts["formats"] == {"jsonl": 1}
    assert [r["status"] for r in job(item, "purge")["runs"]] == ["succeeded", "failed", "succeeded"]


# --- schedule adherence --------------------------------------------------------------------------


def weekly_history(tmp_path: Path, skip: set[int], fail: set[int], late_hours: float = 0) -> Path:
    rows = ["job,started,finished,status"]
    t = datetime(2026, 7, 5, 3, 0, tzinfo=UTC)
    while t <= PERIOD.end_at:
        week = (t - datetime(2026, 7, 5, 3, 0, tzinfo=UTC)).days // 7
        if week not in skip:
            start = t + timedelta(hours=late_hours)
            rows.append(
                f"purge,{start.isoformat()},{(start + timedelta(minutes=2)).isoformat()},"
                f"{'failed' if week in fail else 'success'}"
            )
        t += timedelta(weeks=1)
    return write(tmp_path, "weekly.csv", "\n".join(rows) + "\n")


WEEKLY = [{"name": "purge", "purges": "pii", "schedule": "0 3 * * 0"}]


def test_one_missed_and_one_failed_run_have_dates_and_gaps(tmp_path: Path) -> None:
    item = collect(
        tmp_path, [weekly_history(tmp_path, skip={5}, fail={10})], jobs=WEEKLY, covers="2026-Q3"
    )
    runs = job(item, "purge")
    assert runs["expected"] == 13
    assert runs["actual"] == 12
    assert runs["ran"] == 11
    assert runs["missed"] == ["2026-08-09T03:00:00Z"]
    assert runs["failed"] == ["2026-09-13T03:00:00Z"]
    assert runs["longest_gap_hours"] == 14 * 24
    assert runs["gaps_over_interval"] == [
        {
            "from": "2026-08-02T03:00:00Z",
            "to": "2026-08-16T03:00:00Z",
            "hours": 336.0,
            "unknown_runs": 0,
        },
        {
            "from": "2026-09-06T03:00:00Z",
            "to": "2026-09-20T03:00:00Z",
            "hours": 336.0,
            "unknown_runs": 0,
        },
    ]


def test_runs_within_tolerance_count_and_late_ones_do_not(tmp_path: Path) -> None:
    on_time = collect(
        tmp_path,
        [weekly_history(tmp_path, set(), set(), late_hours=11)],
        jobs=WEEKLY,
        covers="2026-Q3",
    )
    assert job(on_time, "purge")["ran"] == 13
    assert job(on_time, "purge")["tolerance_hours"] == 12
    late = collect(
        tmp_path,
        [weekly_history(tmp_path, set(), set(), late_hours=13)],
        jobs=WEEKLY,
        covers="2026-Q3",
    )
    assert len(job(late, "purge")["missed"]) == 13
    assert job(late, "purge")["unscheduled"] == 13


def test_history_that_starts_late_leaves_slots_uncovered(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "late.csv",
        "job,started,status\n"
        + "".join(f"purge,2026-09-{d:02d}T03:00:00Z,success\n" for d in (6, 13, 20, 27)),
    )
    runs = job(collect(tmp_path, [path], jobs=WEEKLY), "purge")
    assert runs["ran"] == 4
    assert runs["missed"] == []
    assert runs["uncovered"][0] == "2026-07-05T03:00:00Z"
    assert len(runs["uncovered"]) == 9


def test_no_jobs_declared_lists_what_was_seen(tmp_path: Path) -> None:
    item = collect(tmp_path, [weekly_history(tmp_path, set(), set())])
    assert item.facts["jobs"] == []
    assert item.facts["seen"][0] == {
        "name": "purge",
        "origin": "csv",
        "runs": 13,
        "first": "2026-07-05T03:00:00Z",
        "last": "2026-09-27T03:00:00Z",
        "job": None,
    }


# --- bad input, redaction ------------------------------------------------------------------------


def test_unreadable_file_is_a_reject_and_good_files_are_kept(tmp_path: Path) -> None:
    bad = write(tmp_path, "broken.json", '{"apiVersion": "v1", "kind": "List", "items": [')
    item = collect(tmp_path, [bad, weekly_history(tmp_path, set(), set())], jobs=WEEKLY)
    assert job(item, "purge")["ran"] == 13
    assert item.stats.rejects[0].location.startswith(str(bad))
    assert "malformed JSON" in item.stats.rejects[0].reason


def test_nothing_readable_is_an_input_error(tmp_path: Path) -> None:
    from evidence.errors import InputError

    bad = write(tmp_path, "notes.txt", "just some words\n")
    settings = JobHistorySettings.model_validate({"paths": [str(bad)]})
    context = CollectorContext(
        source="jobs",
        base_dir=tmp_path,
        period=PERIOD,
        as_of=PERIOD.end_at,
        redactor=Redactor(b"k" * 32),
    )
    with pytest.raises(InputError, match="no readable history"):
        list(JobHistoryCollector(settings, context).collect())


def test_settings_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="exactly one of schedule"):
        JobHistorySettings.model_validate(
            {"paths": ["x"], "jobs": [{"name": "a", "purges": "pii"}]}
        )
    with pytest.raises(ValueError, match="not a valid cron expression"):
        JobHistorySettings.model_validate(
            {"paths": ["x"], "jobs": [{"name": "a", "purges": "pii", "schedule": "daily"}]}
        )
    with pytest.raises(ValueError, match="duration"):
        JobHistorySettings.model_validate(
            {"paths": ["x"], "jobs": [{"name": "a", "purges": "pii", "every": "soon"}]}
        )


def test_seen_names_and_redacted_copies_hold_no_secrets(tmp_path: Path) -> None:
    syslog = write(
        tmp_path,
        "syslog",
        "Jul  5 03:00:01 host CRON[1]: "
        "(root) CMD (PGPASSWORD=hunter22 purge --notify ops@fennelfinch.example)\n",
    )
    kube = write(
        tmp_path,
        "job.yaml",
        """apiVersion: batch/v1
kind: Job
metadata: {name: purge, namespace: app}
spec:
  template:
    spec:
      containers:
      - name: purge
        env:
        - {name: DB_PASSWORD, value: hunter22}
status: {startTime: "2026-07-05T03:00:00Z", succeeded: 1}
""",
    )
    item = collect(tmp_path, [syslog, kube])
    text = json.dumps(item.facts)
    assert "hunter22" not in text
    assert "ops@fennelfinch.example" not in text
    settings = JobHistorySettings.model_validate({"paths": [str(syslog)]})
    context = CollectorContext(
        source="jobs",
        base_dir=tmp_path,
        period=PERIOD,
        as_of=PERIOD.end_at,
        redactor=Redactor(b"k" * 32),
    )
    collector = JobHistoryCollector(settings, context)
    for path in (syslog, kube):
        copy = b"".join(collector.redacted_copy(str(path)) or [])
        assert b"hunter22" not in copy
        assert copy
    assert b"DB_PASSWORD" in b"".join(collector.redacted_copy(str(kube)) or [])
