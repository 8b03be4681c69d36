"""Checks of CloudTrail trails and log retention in the cloud account."""

from __future__ import annotations

from typing import Any

from evidence.controls.checks import check
from evidence.controls.context import CheckContext, NoParams, Params
from evidence.controls.settings_facts import Verdicts, cite, in_terraform, listing, snapshot_facts, where
from evidence.controls.settings_timeline import Judgement, over_period
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.logging_config import LoggingConfig, Trail
from evidence.model.results import CheckOutcome
from evidence.model.settings_history import CHANGES


def _trail_gaps(trail: Trail) -> tuple[list[str], list[str]]:
    """Return (settings that fail, settings not known) for one trail."""
    terraform = in_terraform(trail)
    names = {
        "multi_region": (
            "is_multi_region_trail" if terraform else "IsMultiRegionTrail",
            "logs one region only",
        ),
        "is_logging": ("enable_logging" if terraform else "IsLogging", "is not logging"),
        "log_file_validation": (
            "enable_log_file_validation" if terraform else "LogFileValidationEnabled",
            "has no log-file validation",
        ),
        "management_events": (
            "event_selector" if terraform else "EventSelectors",
            "does not log read and write management events",
        ),
    }
    gaps, unknown = [], []
    for field, (setting, meaning) in names.items():
        value = getattr(trail, field)
        if value is False:
            gaps.append(f"{meaning} ({setting}=false)")
        elif value is None:
            unknown.append(f"{setting} not known")
    return gaps, unknown


def _trail_judge(trail: Trail, item: EvidenceItem) -> Judgement:
    label = f"trail {trail.name}" + (f" (home {trail.home_region})" if trail.home_region else "")
    if trail.error:
        return Judgement("unknown", f"{trail.error} ({item.id})", label)
    gaps, missing = _trail_gaps(trail)
    destination = f"logs to s3://{trail.s3_bucket}" if trail.s3_bucket else "no S3 destination"
    if gaps:
        return Judgement("bad", f"{', '.join(gaps)} ({item.id})", label)
    if missing:
        return Judgement("unknown", f"{', '.join(missing)} ({item.id})", label)
    return Judgement(
        "good",
        f"{label}: multi-region, logging, log-file validation on, management events, {destination}",
        label,
    )


@check("cloudtrail_configured", reads=(LoggingConfig.kind, CHANGES), params=NoParams)
def cloudtrail_configured(ctx: CheckContext) -> CheckOutcome:
    """Check a multi-region trail logged management events, with log-file validation on, all period.

    Met when a trail is multi-region, logging, validating log files and logging read and write
    management events on every day; no trail at all is not met.
    """
    judged = over_period(ctx, LoggingConfig, ("trails",), Trail, _trail_judge)
    verdicts = judged.verdicts
    notes = verdicts.notes
    complete, failing, unknown = verdicts.good, verdicts.bad, [*judged.errors, *verdicts.unknown]
    figures = {"trails": len(verdicts), "trails_complete": len(complete), "days_in_period": judged.days}
    if complete:
        others = [f"another trail: {f}" for f in [*failing, *verdicts.unknown]]
        return ctx.met(
            f"{listing(complete)} ({cite(judged.evidence)})",
            *others,
            *notes,
            evidence=judged.evidence,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"no trail is known to be complete on every day of the period: {listing(unknown)}",
            *failing,
            *notes,
            evidence=judged.evidence,
            **figures,
        )
    if failing:
        return ctx.not_met(
            f"no CloudTrail trail is complete on every day of the period: {listing(failing)}",
            *notes,
            evidence=judged.evidence,
            **figures,
        )
    fresh = [
        (i, i.facts_as(LoggingConfig))
        for i in judged.evidence
        if i.kind == LoggingConfig.kind and i.facts_as(LoggingConfig).trails is not None
    ]
    if fresh:
        first = fresh[0][1]
        return ctx.not_met(
            f"{first.account or 'the account'} has no CloudTrail trail in the regions read "
            f"({', '.join(first.regions) or 'as collected'}) "
            f"({cite(i for i, _ in fresh)})",
            *notes,
            evidence=[i for i, _ in fresh],
            **figures,
        )
    return ctx.insufficient("no CloudTrail settings were collected", *notes, evidence=judged.evidence)


class RetentionParams(Params):
    """How long logs must be kept."""

    log_retention_days: int


@check("log_group_retention", reads=(LoggingConfig.kind,), params=RetentionParams)
def log_group_retention(ctx: CheckContext) -> CheckOutcome:
    """Log groups and CloudTrail buckets keep logs at least the required number of days.

    Every log group (as scoped by the source) and every CloudTrail bucket with a known lifecycle
    must keep logs at least ``log_retention_days``.
    """
    limit = ctx.parameters(RetentionParams).log_retention_days
    shots = snapshot_facts(ctx, LoggingConfig, "log_groups")
    verdicts = Verdicts()
    notes = shots.reasons(ctx)
    for group, item in shots.records(lambda facts: facts.log_groups):
        identity: tuple[Any, ...] = ("log group", group.region, group.name)
        label = f"log group {group.name}{where(group)}"
        days = group.retention_days
        setting = (
            f"retention_in_days = {days}" if in_terraform(group) else f"retentionInDays={days}"
        )
        if days is None:
            verdicts.add(identity, "good", f"{label}: never expires")
        elif days < limit:
            verdicts.add(
                identity,
                "bad",
                f"{label}: keeps events {days} days ({setting}), under {limit} ({item.id})",
            )
        else:
            verdicts.add(identity, "good", f"{label}: {days} days")
    for trail, item in shots.records(lambda facts: facts.trails):
        days = trail.s3_retention_days
        if not trail.s3_bucket or not trail.s3_lifecycle_known:
            continue
        identity = ("trail bucket", trail.s3_bucket)
        label = f"trail {trail.name} bucket s3://{trail.s3_bucket}"
        if days is None:
            verdicts.add(identity, "good", f"{label}: no expiration rule")
        elif days < limit:
            verdicts.add(
                identity,
                "bad",
                f"{label}: a lifecycle rule expires logs after {days} days, under {limit} "
                f"({item.id})",
            )
        else:
            verdicts.add(identity, "good", f"{label}: expires after {days} days")
    bad, good = verdicts.bad, verdicts.good
    unknown = shots.errors()
    figures = {"log_stores": len(good) + len(bad), "under_retention": len(bad), "limit_days": limit}
    if bad:
        return ctx.not_met(
            f"{len(bad)} log store(s) keep logs less than {limit} days: {listing(bad)}",
            *unknown[:3],
            *notes,
            evidence=shots.fresh,
            **figures,
        )
    if unknown:
        return ctx.insufficient(
            f"log retention could not be read everywhere: {listing(unknown)}",
            *notes,
            evidence=shots.fresh,
            **figures,
        )
    if not good:
        return ctx.insufficient(
            "no log group or CloudTrail bucket lifecycle was collected",
            *notes,
            evidence=shots.fresh,
        )
    return ctx.met(
        f"all {len(good)} log store(s) keep logs at least {limit} days: {listing(good)} "
        f"({cite(shots.fresh)})",
        *notes,
        evidence=shots.fresh,
        **figures,
    )
