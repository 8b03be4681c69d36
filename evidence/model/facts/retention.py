"""Facts of the retention kinds: data ages in a database, purge-job runs, deletion requests."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from evidence.model.facts import Facts, Part

Purges = Literal["pii", "non-pii", "backups"]


class TableAge(Part):
    """One table and category measured by aggregate queries (figures only, never a row).

    ``rows_past_limit`` counts rows whose clock event (``clock``, read from
    ``timestamp_column``) is older than ``cutoff`` = as-of minus ``limit_days`` and that still
    hold a value in one of ``columns`` (for non-PII with no columns: any row), excluding rows
    under legal hold. ``oldest_age_days`` is the age in whole days, at as-of, of the oldest such
    row: an age since the clock event, not days past the limit.
    """

    table: str = Field(description="the table measured")
    category: Literal["pii", "non-pii"] = Field(description="what is measured: PII columns or other Amazon data")
    columns: list[str] = Field(description="the PII columns whose values count (empty for non-PII: any row)")
    timestamp_column: str = Field(description="the column giving the clock event")
    clock: Literal["delivery", "shipment"] = Field(description="the event the retention limit counts from")
    limit_days: int = Field(description="the probe's limit in days after the clock event")
    cutoff: str | None = Field(description="as-of minus limit_days (ISO instant)")
    rows_past_limit: int = Field(description="rows past the limit still holding the data, legal holds excluded")
    oldest: str | None = Field(description="clock event of the oldest such row (ISO instant)")
    oldest_age_days: int | None = Field(description="its age in whole days at as-of")
    legal_hold_column: str | None = Field(description="the column marking a legal hold, if configured")
    rows_on_legal_hold: int = Field(description="rows past the limit kept under legal hold")
    oldest_held_age_days: int | None = Field(description="age of the oldest held row in days")
    error: str | None = Field(description="why the table could not be measured (then the figures mean nothing)")


class PiiAge(Facts):
    """Per table and category (PII, non-PII): rows past the limit, the oldest age, rows on legal hold.

    Measured by the pii-age probe with aggregate queries on a read-only connection; ``database``
    never holds a user name or password. A snapshot for another as-of date cannot be judged.
    """

    kind = "retention.pii_age"
    produced_by = ("pii-age",)

    database: str = Field(description="the database, without credentials")
    dialect: str = Field(description="the SQL dialect (sqlite, postgresql)")
    as_of: str | None = Field(description="the as-of instant the ages were measured at (ISO)")
    read_only: bool = Field(description="always true: the probe connects read-only")
    statements: int = Field(description="statements sent (all kept in the transcript)")
    tables: list[TableAge] = Field(description="one entry per table and category measured")


class Span(Part):
    """A stretch of time between two ISO instants."""

    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True, validate_by_name=True)

    from_: str | None = Field(alias="from", description="start (ISO instant; the key is `from`)")
    to: str | None = Field(description="end (ISO instant)")


class Covered(Span):
    """The time the job history covers: from its files, or declared in the config."""

    declared: bool = Field(description="whether the config declares it (`covers`)")


class Gap(Span):
    """A stretch longer than the job's interval without a run known to have worked."""

    hours: float = Field(description="its length in hours")
    unknown_runs: int = Field(description="runs of unknown outcome that started inside it (0: a proven gap)")


class Run(Part):
    """One run of a job started in the period."""

    started: str | None = Field(description="start (ISO instant)")
    finished: str | None = Field(description="end (ISO instant), when recorded")
    status: str = Field(description="succeeded, failed, skipped, running or unknown")
    rows: int | None = Field(description="rows the run says it purged, when recorded")


class JobAdherence(Part):
    """One declared retention job measured against its schedule from period start to as-of.

    ``missed``, ``failed``, ``unknown``, ``skipped`` and ``uncovered`` hold the scheduled times
    (UTC) of the slots: missed = no run within the tolerance, failed = only failed runs, unknown =
    runs whose outcome the history does not record (cron) or that were still running, uncovered =
    outside the time the history covers (neither ran nor missed). Gaps are measured between
    successful runs, within the covered time.
    """

    job: str = Field(description="the job's name in the config")
    purges: Purges = Field(description="what the job purges")
    schedule: str = Field(description="the schedule in words")
    interval_hours: float = Field(description="hours between scheduled runs")
    tolerance_hours: float = Field(description="how late a run may start and still fill its slot")
    expected: int = Field(description="scheduled slots in the window")
    actual: int = Field(description="runs started in the period")
    ran: int = Field(description="slots filled by a successful run")
    succeeded: int = Field(description="runs that succeeded")
    outcome_unknown: int = Field(description="runs of unknown outcome")
    unknown_runs: list[str | None] = Field(description="their start times (ISO)")
    failed_runs: int = Field(description="runs that failed")
    missed: list[str | None] = Field(description="slots with no run")
    failed: list[str | None] = Field(description="slots with only failed runs")
    unknown: list[str | None] = Field(description="slots with only runs of unknown outcome")
    skipped: list[str | None] = Field(description="slots whose run was skipped")
    uncovered: list[str | None] = Field(description="slots outside the time the history covers")
    unscheduled: int = Field(description="runs that fill no slot")
    longest_gap_hours: float | None = Field(description="the longest stretch without a working run, in hours")
    longest_gap: Span | None = Field(description="that stretch")
    gaps_over_interval: list[Gap] = Field(description="every stretch longer than interval plus tolerance")
    rows_affected: int | None = Field(description="rows purged by the runs, when they say")
    first_run: str | None = Field(description="the first run started in the period (ISO)")
    last_run: str | None = Field(description="the last run started in the period (ISO)")
    runs: list[Run] = Field(description="the runs, the first ones only when there are many")
    runs_truncated: bool = Field(description="whether `runs` was cut short (the counts are always exact)")


class SeenRuns(Part):
    """Runs found in the history under one name: what a user needs to write ``match`` patterns."""

    name: str = Field(description="the run's name (scrubbed)")
    origin: str = Field(description="where it came from (cron, journald, a file format)")
    runs: int = Field(description="how many runs")
    first: str | None = Field(description="the first start (ISO)")
    last: str | None = Field(description="the last start (ISO)")
    job: str | None = Field(description="the declared job it matched, if any")


class JobRuns(Facts):
    """Per declared retention job: expected, actual, missed and failed runs, the longest gap, every gap.

    Read from cron logs, journald, CSV or JSON lines of the job's own log, Kubernetes Jobs or
    Airflow records. A file listed in ``unreadable`` keeps adherence from being met: the runs it
    held might be the missing ones.
    """

    kind = "retention.job_runs"
    produced_by = ("job-history",)

    window: Span = Field(description="period start to the as-of date (or period end)")
    covers: Covered = Field(description="the time the history covers")
    formats: dict[str, int] = Field(description="files read per format")
    jobs: list[JobAdherence] = Field(description="one entry per declared job")
    seen: list[SeenRuns] = Field(description="names of runs found, most frequent first")
    unreadable: list[str] = Field(description="files of the history that could not be read, as `file: reason`")


class DeletionRequest(Part):
    """One deletion request received in or open during the period.

    A request completed after the as-of date is open as of the date judged.
    """

    id: str = Field(description="the request's id (scrubbed)")
    type: str | None = Field(description="its type, if the register says")
    received: str = Field(description="when it was received (ISO instant)")
    completed: str | None = Field(description="when it was completed (ISO instant); null while open")
    hours_to_complete: float | None = Field(description="hours from receipt to completion")
    confirmed_in_writing: bool | None = Field(description="whether completion was confirmed in writing, if recorded")


class DeletionRequests(Facts):
    """Each deletion request received in or open during the period: received, completed, hours taken."""

    kind = "retention.deletion_requests"
    produced_by = ("deletion-requests",)

    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True, validate_by_name=True)

    #: ``register`` in the facts (the name would shadow ``BaseModel.register``).
    register_file: str = Field(alias="register", description="the register's file name (the key is `register`)")
    requests: list[DeletionRequest] = Field(description="the requests, by receipt time")
    received_in_period: int = Field(description="requests received in the period")
    open: int = Field(description="requests not completed as of the as-of date")
