"""Checks decided by the logs themselves: channels, gaps, retention span, PII, integrity."""

from __future__ import annotations

from datetime import date

from evidence.controls.checks import check
from evidence.controls.checks.access import label
from evidence.controls.context import CheckContext, NoParams, Params
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.logs import LoggingCoverage, LoggingIntegrity, LoggingPiiInLogs
from evidence.model.results import CheckOutcome

COVERAGE = LoggingCoverage.kind
PII = LoggingPiiInLogs.kind
INTEGRITY = LoggingIntegrity.kind


@check("logging_all_channels", reads=(COVERAGE,), params=NoParams)
def logging_all_channels(ctx: CheckContext) -> CheckOutcome:
    """Check that every channel in [access].channels has a log source with events in the period.

    Insufficient otherwise (or with no channel inventory).
    """
    typed = ctx.facts(LoggingCoverage)
    items = [i for i, _ in typed]
    expected = sorted({c for _, f in typed for c in f.expected_channels})
    if not items:
        return ctx.insufficient("no log sources were collected")
    if not expected:
        return ctx.insufficient(
            "no channel inventory is declared ([access].channels), so 'every channel' cannot "
            "be judged",
            evidence=items,
        )
    found: list[str] = []
    missing: list[str] = []
    used: list[EvidenceItem] = []
    for channel in expected:
        logged = [(i, f) for i, f in typed if f.channel == channel and f.events_in_period]
        if logged:
            events = sum(f.events_in_period for _, f in logged)
            found.append(f"{channel}: {events:,} events ({', '.join(label(i) for i, _ in logged)})")
            used.extend(i for i, _ in logged)
        else:
            silent = [i for i, f in typed if f.channel == channel]
            missing.append(
                f"channel {channel!r}: "
                + (
                    "its log source has no events in the period"
                    if silent
                    else "no log source collected"
                )
            )
    figures = {"channels_expected": len(expected), "channels_logged": len(found)}
    if missing:
        return ctx.insufficient(*missing, *found, evidence=items, **figures)
    return ctx.met(
        f"all {len(expected)} channels produce logs in the period: " + "; ".join(found),
        evidence=used,
        **figures,
    )


class GapParams(Params):
    """The longest silence allowed; not given: each source's own ``[access].max_gap_hours``."""

    max_gap_hours: float | None = None


@check("log_coverage_complete", reads=(COVERAGE,), params=GapParams)
def log_coverage_complete(ctx: CheckContext) -> CheckOutcome:
    """Check that no log source is silent longer than its ``max_gap_hours`` in the period.

    Not met when a source is silent longer than its `max_gap_hours` inside the period (gap start,
    end and hours named); a `max_gap_hours` the catalogue states overrides the sources' own.
    """
    typed = ctx.facts(LoggingCoverage)
    items = [i for i, _ in typed]
    if not items:
        return ctx.insufficient("no log sources were collected")
    override = ctx.parameters(GapParams).max_gap_hours
    empty = [i for i, f in typed if not f.events_in_period]
    gaps, longest = [], 0.0
    for item, facts in typed:
        if item in empty:
            continue
        limit = float(override or facts.max_gap_hours)
        over = [g for g in facts.gaps if g.hours > limit] if override else facts.gaps
        longest = max(longest, facts.longest_gap_hours)
        for gap in over:
            gaps.append(
                (
                    item,
                    f"{label(item)} has no events from {gap.start} to {gap.end} "
                    f"({gap.hours:.1f} hours, limit {limit:g})",
                )
            )
    empty_days = sum(f.days_without_logs for i, f in typed if i not in empty)
    figures = {
        "gaps_over_limit": len(gaps),
        "longest_gap_hours": longest,
        "days_without_logs": empty_days,
    }
    if gaps:
        return ctx.not_met(*(t for _, t in gaps), evidence=[i for i, _ in gaps], **figures)
    if empty:
        return ctx.insufficient(
            *(f"{label(i)} has no events in the period" for i in empty), evidence=empty, **figures
        )
    return ctx.met(
        f"{len(items)} log sources cover the period with no silence over their limit (longest "
        f"gap {longest:.1f} hours)",
        evidence=items,
        **figures,
    )


class RetentionSpanParams(Params):
    """How far back the logs must reach."""

    log_retention_days: int


@check("log_retention_span", reads=(COVERAGE,), params=RetentionSpanParams)
def log_retention_span(ctx: CheckContext) -> CheckOutcome:
    """Check that every source's logs reach back ``log_retention_days`` (or to operation start).

    Every source's oldest retained event is at least `log_retention_days` before as-of, or reaches
    `[access].operating_since`; not met when the collected logs are shorter.
    """
    required = ctx.parameters(RetentionSpanParams).log_retention_days
    typed = ctx.facts(LoggingCoverage)
    items = [i for i, _ in typed]
    if not items:
        return ctx.insufficient("no log sources were collected")
    short, fine, unknown = [], [], []
    for item, facts in typed:
        oldest = facts.oldest_event
        if not oldest:
            unknown.append(f"{label(item)} holds no dated events")
            continue
        since = facts.operating_since
        needed = required
        if since:
            needed = min(required, (ctx.as_of.date() - date.fromisoformat(since)).days)
        available = facts.retention_days_available
        note = f" (operating since {since})" if since and needed < required else ""
        if available < needed:
            short.append(
                (
                    item,
                    f"the logs collected from {label(item)} reach back {available} days "
                    "(oldest event "
                    f"{oldest}), less than the {needed} required{note}; collect older logs if they "
                    "are kept elsewhere",
                )
            )
        else:
            fine.append(
                f"{label(item)} reaches back {available} days (oldest event {oldest}, {needed} "
                f"required{note})"
            )
    figures = {"required_days": required, "sources_short": len(short)}
    if short:
        return ctx.not_met(*(t for _, t in short), *fine, evidence=[i for i, _ in short], **figures)
    if unknown:
        return ctx.insufficient(*unknown, *fine, evidence=items, **figures)
    return ctx.met(*fine, evidence=items, **figures)


@check("no_pii_in_logs", reads=(PII,), params=NoParams)
def no_pii_in_logs(ctx: CheckContext) -> CheckOutcome:
    """Check that no e-mail, phone, street address or configured name field is in the logs.

    Not met when PII is found (counts per category and the first `file:line` locations); met when
    records were scanned and none held PII.
    """
    typed = ctx.facts(LoggingPiiInLogs)
    items = [i for i, _ in typed]
    scanned = sum(f.records_scanned for _, f in typed)
    if not scanned:
        return ctx.insufficient("no log records were scanned for PII", evidence=items)
    found = [(i, f) for i, f in typed if f.records_with_pii]
    if found:
        reasons = []
        for item, facts in found:
            counts = ", ".join(f"{k.replace('_', ' ')} ×{v}" for k, v in facts.counts.items())
            where = ", ".join(facts.locations[:5])
            more = facts.records_with_pii - min(5, len(facts.locations))
            reasons.append(
                f"{facts.records_with_pii:,} records with PII in {label(item)} "
                f"({counts}) at "
                f"{where}" + (f" and {more:,} more" if more > 0 else "")
            )
        return ctx.not_met(
            *reasons,
            evidence=[i for i, _ in found],
            records_with_pii=sum(f.records_with_pii for _, f in found),
            records_scanned=scanned,
        )
    fields = sorted({n for _, f in typed for n in f.name_fields})
    named = f", or values in the name fields {', '.join(fields)}" if fields else ""
    return ctx.met(
        f"{scanned:,} log records in {len(items)} sources scanned: no e-mail addresses, phone "
        "numbers or street "
        f"addresses{named}",
        evidence=items,
        records_scanned=scanned,
        records_with_pii=0,
    )


@check("log_integrity_validated", reads=(INTEGRITY,), params=NoParams)
def log_integrity_validated(ctx: CheckContext) -> CheckOutcome:
    """Check that CloudTrail digests cover the period, files match, and signatures verify.

    Not met on missing or altered log files, chain breaks or invalid signatures; insufficient
    without digests or with unchecked signatures.
    """
    typed = ctx.facts(LoggingIntegrity)
    with_digests = [(i, f) for i, f in typed if f.digest_files]
    if not with_digests:
        return ctx.insufficient(
            "no CloudTrail digest files for the period: log file validation is off or the "
            "digests were not collected",
            evidence=[i for i, _ in typed],
        )
    bad, unchecked, fine = [], [], []
    for item, f in with_digests:
        problems = []
        if f.log_files_missing:
            problems.append(f"{f.log_files_missing} listed log files missing (e.g. {f.missing[0]})")
        if f.log_files_altered:
            problems.append(f"{f.log_files_altered} log files altered (e.g. {f.altered[0]})")
        if f.chain_breaks:
            problems.append(f"{f.chain_breaks} breaks in the digest chain ({f.chain_problems[0]})")
        if problems:
            bad.append((item, f"{label(item)}: " + "; ".join(problems)))
        elif f.signatures_unchecked:
            why = "; ".join(f"{n} × {reason}" for reason, n in f.signatures_unchecked_reasons.items())
            unchecked.append(
                f"{label(item)}: {f.log_files_verified} log files match {f.digest_files} "
                "digests, "
                f"but {f.signatures_unchecked} digest signatures are unchecked ({why})"
            )
        else:
            chains = "1 chain" if f.chains == 1 else f"{f.chains} chains"
            fine.append(
                f"{label(item)}: {f.digest_files} digests in {chains}, signatures verified, "
                f"{f.log_files_verified} log files match their digests"
            )
    figures = {
        "digests": sum(f.digest_files for _, f in with_digests),
        "log_files_verified": sum(f.log_files_verified for _, f in with_digests),
    }
    every = [i for i, _ in with_digests]
    if bad:
        return ctx.not_met(*(t for _, t in bad), evidence=[i for i, _ in bad], **figures)
    if unchecked:
        return ctx.insufficient(*unchecked, *fine, evidence=every, **figures)
    return ctx.met(*fine, evidence=every, **figures)
