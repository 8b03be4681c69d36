"""Checks of retention: how old PII and other Amazon data really are, and whether purges ran."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from evidence.controls.checks import check
from evidence.controls.context import CheckContext, Params
from evidence.model.facts.retention import JobRuns, Purges, TableAge
from evidence.model.facts.retention import PiiAge as PiiAgeFacts
from evidence.model.results import CheckOutcome

AGE_KIND = PiiAgeFacts.kind
RUNS_KIND = JobRuns.kind
#: How many dates a reason lists before it says "and N more".
MAX_DATES = 8

Clock = Literal["delivery", "shipment"]


class PiiAgeParams(Params):
    """What ``pii_age_within_limit`` reads: the PII limit and the event it counts from."""

    pii_retention_days: int = Field(description="the longest PII may be kept after the clock event")
    retention_clock: Clock = Field(description="the event the days count from: delivery or shipment")


class NonPiiAgeParams(Params):
    """What ``non_pii_age_within_limit`` reads: the non-PII limit and the event it counts from."""

    non_pii_retention_days: int = Field(description="the longest other Amazon data may be kept")
    retention_clock: Clock = Field(description="the event the days count from: delivery or shipment")


class JobAdherenceParams(Params):
    """What ``retention_job_adherence`` reads: which purges count, and whether one must exist."""

    purges: list[Purges] = Field(min_length=1, description="the purges judged: pii, non-pii, backups")
    required: bool = Field(description="whether a control without such a job lacks evidence (else: not applicable)")
    pii_retention_days: int | None = Field(
        default=None, description="the PII limit, to say how long a gap let data be kept (absent: not said)"
    )
    non_pii_retention_days: int | None = Field(
        default=None, description="the non-PII limit, used when no PII limit is given"
    )


@check("pii_age_within_limit", reads=(AGE_KIND,), params=PiiAgeParams)
def pii_age_within_limit(ctx: CheckContext) -> CheckOutcome:
    """No row holds PII longer than the limit after the retention clock, unless on legal hold.

    Not met when any table holds PII past ``pii_retention_days`` after the clock event (rows under
    legal hold are reported, not counted); insufficient when no table was measured, a table
    failed, the snapshot is for another as-of date, the probe's limit is looser than the
    catalogue's, or the catalogue counts from shipment (``retention_clock``) while the probe
    counted from delivery and found nothing.
    """
    params = ctx.parameters(PiiAgeParams)
    return _age_within_limit(ctx, "pii", params.pii_retention_days, params.retention_clock)


@check("non_pii_age_within_limit", reads=(AGE_KIND,), params=NonPiiAgeParams)
def non_pii_age_within_limit(ctx: CheckContext) -> CheckOutcome:
    """No Amazon data is kept longer than the non-PII limit (18 months), unless on legal hold.

    The same as ``pii_age_within_limit`` for ``category: non-pii`` rows against
    ``non_pii_retention_days``.
    """
    params = ctx.parameters(NonPiiAgeParams)
    return _age_within_limit(ctx, "non-pii", params.non_pii_retention_days, params.retention_clock)


def _age_within_limit(ctx: CheckContext, category: str, limit: int, clock: str) -> CheckOutcome:
    what = "PII" if category == "pii" else "Amazon data"
    ages = ctx.facts(PiiAgeFacts)
    items = [i for i, _ in ages]
    measured = [(i, t) for i, facts in ages for t in facts.tables if t.category == category]
    # A table measured on several clocks is judged on the catalogue's own; its other measurements
    # answer other questions (the profile asks about shipment) and would count its rows twice.
    judged = {(i.id, t.table) for i, t in measured if t.clock == clock}
    measured = [(i, t) for i, t in measured if t.clock == clock or (i.id, t.table) not in judged]
    if not measured:
        where = "name pii_columns" if category == "pii" else "set non_pii = true"
        return ctx.insufficient(
            f"no pii-age probe measured {what} in any table (configure a pii-age source and "
            f"{where} for the tables that hold it)",
            evidence=items,
        )
    violations, gaps, notes = [], [], []
    total = held = 0
    oldest: int | None = None
    for item, table in measured:
        label = f"table {table.table} ({item.id})"
        if table.error:
            gaps.append(f"{label} could not be measured: {table.error}")
            continue
        stale = _stale(item.facts_as(PiiAgeFacts), ctx.as_of)
        if stale:
            gaps.append(f"{label}: {stale}")
            continue
        verdict = _table_verdict(table, label, what, limit, clock, category)
        if verdict.violation:
            violations.append(verdict.reason)
            total += table.rows_past_limit
            oldest = max(oldest or 0, table.oldest_age_days or 0)
        elif verdict.gap:
            gaps.append(verdict.reason)
        else:
            notes.append(verdict.reason)
        if table.rows_on_legal_hold:
            held += table.rows_on_legal_hold
            notes.append(
                f"{label}: {table.rows_on_legal_hold} row(s) past the limit are under legal "
                f"hold ({table.legal_hold_column}), reported as held, not as violations; "
                f"the oldest is {table.oldest_held_age_days} days old"
            )
    figures: dict[str, Any] = {
        "tables_measured": len(measured),
        "rows_past_limit": total,
        "oldest_age_days": oldest,
        "rows_on_legal_hold": held,
        "limit_days": limit,
    }
    evidence = sorted({i.id: i for i, _ in measured}.values(), key=lambda i: i.id)
    if violations:
        return ctx.not_met(*violations, *gaps, *notes, evidence=evidence, **figures)
    if gaps:
        return ctx.insufficient(*gaps, *notes, evidence=evidence, **figures)
    return ctx.met(*notes, evidence=evidence, **figures)


class _Verdict:
    def __init__(self, reason: str, *, violation: bool = False, gap: bool = False) -> None:
        self.reason, self.violation, self.gap = reason, violation, gap


def _table_verdict(
    table: TableAge, label: str, what: str, limit: int, clock: str, category: str
) -> _Verdict:
    """Judge one measured table against the catalogue's limit and retention clock."""
    rows, probe_limit, age = table.rows_past_limit, table.limit_days, table.oldest_age_days
    measured_from = f"{table.clock} (column {table.timestamp_column})"
    columns = f" in {', '.join(table.columns)}" if table.columns else ""
    counted = (
        f"{label}: {rows:,} row(s) still hold {what}{columns} more than {probe_limit} days "
        f"after {measured_from}; the oldest is {age} days old"
    )
    # The catalogue may count from shipment (2021) where the probe counted from delivery, which
    # comes later: then rows found are violations, but finding none proves nothing.
    later_clock = category == "pii" and clock == "shipment" and table.clock == "delivery"
    if rows and probe_limit >= limit:
        return _Verdict(f"{counted}, over the {limit}-day limit", violation=True)
    if rows and age is not None and age > limit:
        return _Verdict(f"{counted}: at least one is over the {limit}-day limit", violation=True)
    if later_clock:
        return _Verdict(
            f"{label}: the catalogue counts the {limit} days from shipment, but the probe "
            f"measured from {measured_from}, which can only be later; configure the shipment "
            'timestamp (clock = "shipment") to decide',
            gap=True,
        )
    if probe_limit > limit:
        return _Verdict(
            f"{label}: the probe counted only rows older than {probe_limit} days, but the limit "
            f"is {limit} days; set the pii-age limit to {limit} days to decide",
            gap=True,
        )
    older = f"{rows:,}, the oldest {age} days old" if rows else "none"
    return _Verdict(
        f"{label}: no row holds {what}{columns} more than {limit} days after {measured_from} "
        f"(rows older than {probe_limit} days: {older})"
    )


def _stale(facts: PiiAgeFacts, as_of: datetime) -> str | None:
    """Say why a database snapshot taken for another as-of date cannot be judged at this one."""
    measured = facts.as_of
    if not measured:
        return None
    when = datetime.fromisoformat(measured.replace("Z", "+00:00"))
    if abs((when - as_of).total_seconds()) <= 86400:
        return None
    return (
        f"the database was measured as of {when.date().isoformat()}, not as of "
        f"{as_of.date().isoformat()}; collect again to judge this date"
    )


@check("retention_job_adherence", reads=(RUNS_KIND,), params=JobAdherenceParams)
def retention_job_adherence(ctx: CheckContext) -> CheckOutcome:
    """Every scheduled purge ran and worked, and no gap between runs let data outlive its limit.

    A run whose outcome the history does not record (cron logs starts only) is not known to
    have worked: while any run in the period is unknown the check cannot be met, and says
    how many and when, unless a proven miss (a missed or failed run, a gap with no run at all)
    already makes it not met. Not met also names the longest time data could have been kept
    (limit + gap). Insufficient when no history, no job that purges one of ``purges``, or
    scheduled runs fall outside the time the history covers; with ``required: false`` it does
    not apply when no such job is declared.
    """
    params = ctx.parameters(JobAdherenceParams)
    purges = list(params.purges)
    required = params.required
    limit = params.pii_retention_days or params.non_pii_retention_days or 0
    histories = ctx.facts(JobRuns)
    items = [i for i, _ in histories]
    jobs = [(i, j) for i, facts in histories for j in facts.jobs if j.purges in purges]
    kinds = " or ".join(purges)
    if not jobs:
        message = (
            f"no job history declares a retention job that purges {kinds} "
            f'([[sources.jobs]] with purges = "{purges[0]}" in a job-history source)'
        )
        if not items and required:
            message = "no job history (retention.job_runs) was collected"
        return (
            ctx.insufficient(message, evidence=items) if required else ctx.not_applicable(message)
        )
    failures, gaps, notes = [], [], []
    figures: dict[str, Any] = {
        "jobs": len(jobs),
        "expected_runs": 0,
        "runs_ran": 0,
        "missed_runs": 0,
        "failed_runs": 0,
        "runs_outcome_unknown": 0,
    }
    longest_days = 0.0
    for item, job in jobs:
        label = f"{job.job} ({item.id}, {job.schedule})"
        daily = job.interval_hours >= 24
        figures["expected_runs"] += job.expected
        figures["runs_ran"] += job.ran
        figures["missed_runs"] += len(job.missed)
        figures["failed_runs"] += len(job.failed)
        figures["runs_outcome_unknown"] += job.outcome_unknown
        if job.missed:
            failures.append(
                f"{label}: missed {len(job.missed)} of {job.expected} scheduled "
                f"runs: {_dates(job.missed, daily)}"
            )
        if job.failed:
            failures.append(
                f"{label}: {len(job.failed)} scheduled run(s) failed: "
                f"{_dates(job.failed, daily)}"
            )
        for gap in job.gaps_over_interval:
            days = gap.hours / 24
            interval = job.interval_hours / 24
            kept = (
                f"; {_noun(job.purges)} could have been kept up to {limit + days:.0f} days, "
                f"over the {limit}-day limit plus the job's {interval:g}-day interval"
                if limit
                else ""
            )
            stretch = (
                f"{days:.1f} days, from {_date(gap.from_, daily)} to {_date(gap.to, daily)}"
            )
            if gap.unknown_runs:
                gaps.append(
                    f"{label}: no run known to have worked for {stretch}; "
                    f"{gap.unknown_runs} run(s) in it recorded no outcome"
                )
            else:
                failures.append(f"{label}: no working run for {stretch}{kept}")
        if job.longest_gap_hours:
            longest_days = max(longest_days, job.longest_gap_hours / 24)
        if job.uncovered:
            covers = item.facts_as(JobRuns).covers
            gaps.append(
                f"{label}: the history covers {_date(covers.from_, True)} to "
                f"{_date(covers.to, True)} only; {len(job.uncovered)} scheduled run(s) "
                f"fall outside it ({_dates(job.uncovered, daily)})"
            )
        if job.expected == 0:
            gaps.append(
                f"{label}: no scheduled run falls between the period start and the as-of date"
            )
        if not job.missed and not job.failed and not job.gaps_over_interval and job.expected:
            notes.append(
                f"{label}: {job.ran} of {job.expected} scheduled runs ran and worked"
                + (
                    f"; the longest gap was {job.longest_gap_hours / 24:.1f} days"
                    if job.longest_gap_hours
                    else ""
                )
            )
        if job.outcome_unknown:
            gaps.append(
                f"{label}: {job.outcome_unknown} of its {job.actual} runs in the period "
                f"recorded no outcome (started {_dates(job.unknown_runs, daily)}), so they "
                "are not known to have purged anything; cron logs starts only: add the job's "
                "own log of exit statuses (CSV or JSON lines) to the history"
            )
    for item in {i.id: i for i, _ in jobs}.values():
        files = item.facts_as(JobRuns).unreadable
        if files:
            gaps.append(
                f"{len(files)} file(s) of the job history ({item.id}) could not be read, so runs "
                f"may be missing from it: {files[0]}"
            )
    figures["longest_gap_days"] = round(longest_days, 1)
    if limit:
        figures["max_age_days"] = round(limit + longest_days, 1)
    evidence = sorted({i.id: i for i, _ in jobs}.values(), key=lambda i: i.id)
    if failures:
        return ctx.not_met(*failures, *gaps, *notes, evidence=evidence, **figures)
    if gaps:
        return ctx.insufficient(*gaps, *notes, evidence=evidence, **figures)
    return ctx.met(*notes, evidence=evidence, **figures)


def _noun(purges: str) -> str:
    return {"pii": "PII", "backups": "PII in backups", "non-pii": "Amazon data"}.get(purges, purges)


def _date(value: str | None, daily: bool) -> str:
    if not value:
        return "—"
    return value[:10] if daily else value[:16].replace("T", " ")


def _dates(values: list[str | None], daily: bool) -> str:
    shown = ", ".join(_date(v, daily) for v in values[:MAX_DATES])
    more = len(values) - MAX_DATES
    return shown + (f" and {more} more" if more > 0 else "")
