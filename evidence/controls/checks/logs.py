"""Checks decided by the logs themselves: channels, gaps, retention span, PII, integrity."""

from __future__ import annotations

from datetime import date

from evidence.controls.checks import check
from evidence.controls.checks.access import label
from evidence.controls.context import CheckContext
from evidence.model.results import CheckOutcome

COVERAGE = "logging.coverage"
PII = "logging.pii_in_logs"
INTEGRITY = "logging.integrity"


@check("logging_all_channels", reads=(COVERAGE,))
def logging_all_channels(ctx: CheckContext) -> CheckOutcome:
    """Check that every channel in [access].channels has a log source with events in the period."""
    items = ctx.items(COVERAGE)
    expected = sorted({c for i in items for c in i.facts.get("expected_channels", [])})
    if not items:
        return ctx.insufficient("no log sources were collected")
    if not expected:
        return ctx.insufficient(
            "no channel inventory is declared ([access].channels), so 'every channel' cannot "
            "be judged",
            evidence=items,
        )
    found, missing, used = [], [], []
    for channel in expected:
        logged = [
            i
            for i in items
            if i.facts.get("channel") == channel and i.facts.get("events_in_period")
        ]
        if logged:
            events = sum(i.facts["events_in_period"] for i in logged)
            found.append(f"{channel}: {events:,} events ({', '.join(label(i) for i in logged)})")
            used.extend(logged)
        else:
            silent = [i for i in items if i.facts.get("channel") == channel]
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


@check("log_coverage_complete", reads=(COVERAGE,))
def log_coverage_complete(ctx: CheckContext) -> CheckOutcome:
    """Check that no log source is silent longer than its ``max_gap_hours`` in the period."""
    items = ctx.items(COVERAGE)
    if not items:
        return ctx.insufficient("no log sources were collected")
    override = ctx.params.get("max_gap_hours")
    empty = [i for i in items if not i.facts.get("events_in_period")]
    gaps, longest = [], 0.0
    for item in items:
        if item in empty:
            continue
        limit = float(override or item.facts["max_gap_hours"])
        over = (
            [g for g in item.facts.get("gaps", []) if g["hours"] > limit]
            if override
            else item.facts.get("gaps", [])
        )
        longest = max(longest, item.facts.get("longest_gap_hours", 0))
        for gap in over:
            gaps.append(
                (
                    item,
                    f"{label(item)} has no events from {gap['start']} to {gap['end']} "
                    f"({gap['hours']:.1f} hours, limit {limit:g})",
                )
            )
    empty_days = sum(i.facts.get("days_without_logs", 0) for i in items if i not in empty)
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


@check("log_retention_span", reads=(COVERAGE,))
def log_retention_span(ctx: CheckContext) -> CheckOutcome:
    """Check that every source's logs reach back ``log_retention_days`` (or to operation start)."""
    required = int(ctx.params.get("log_retention_days", 365))
    items = ctx.items(COVERAGE)
    if not items:
        return ctx.insufficient("no log sources were collected")
    short, fine, unknown = [], [], []
    for item in items:
        oldest = item.facts.get("oldest_event")
        if not oldest:
            unknown.append(f"{label(item)} holds no dated events")
            continue
        since = item.facts.get("operating_since")
        needed = required
        if since:
            needed = min(required, (ctx.as_of.date() - date.fromisoformat(since)).days)
        available = item.facts["retention_days_available"]
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


@check("no_pii_in_logs", reads=(PII,))
def no_pii_in_logs(ctx: CheckContext) -> CheckOutcome:
    """Check that no e-mail, phone, street address or configured name field is in the logs."""
    items = ctx.items(PII)
    scanned = sum(i.facts.get("records_scanned", 0) for i in items)
    if not scanned:
        return ctx.insufficient("no log records were scanned for PII", evidence=items)
    found = [i for i in items if i.facts.get("records_with_pii")]
    if found:
        reasons = []
        for item in found:
            counts = ", ".join(
                f"{k.replace('_', ' ')} ×{v}" for k, v in item.facts["counts"].items()
            )
            where = ", ".join(item.facts["locations"][:5])
            more = item.facts["records_with_pii"] - min(5, len(item.facts["locations"]))
            reasons.append(
                f"{item.facts['records_with_pii']:,} records with PII in {label(item)} "
                f"({counts}) at "
                f"{where}" + (f" and {more:,} more" if more > 0 else "")
            )
        return ctx.not_met(
            *reasons,
            evidence=found,
            records_with_pii=sum(i.facts["records_with_pii"] for i in found),
            records_scanned=scanned,
        )
    fields = sorted({f for i in items for f in i.facts.get("name_fields", [])})
    named = f", or values in the name fields {', '.join(fields)}" if fields else ""
    return ctx.met(
        f"{scanned:,} log records in {len(items)} sources scanned: no e-mail addresses, phone "
        "numbers or street "
        f"addresses{named}",
        evidence=items,
        records_scanned=scanned,
        records_with_pii=0,
    )


@check("log_integrity_validated", reads=(INTEGRITY,))
def log_integrity_validated(ctx: CheckContext) -> CheckOutcome:
    """Check that CloudTrail digests cover the period, files match, and signatures verify."""
    items = ctx.items(INTEGRITY)
    with_digests = [i for i in items if i.facts.get("digest_files")]
    if not with_digests:
        return ctx.insufficient(
            "no CloudTrail digest files for the period: log file validation is off or the "
            "digests were not collected",
            evidence=items,
        )
    bad, unchecked, fine = [], [], []
    for item in with_digests:
        f = item.facts
        problems = []
        if f["log_files_missing"]:
            problems.append(
                f"{f['log_files_missing']} listed log files missing (e.g. {f['missing'][0]})"
            )
        if f["log_files_altered"]:
            problems.append(f"{f['log_files_altered']} log files altered (e.g. {f['altered'][0]})")
        if f["chain_breaks"]:
            problems.append(
                f"{f['chain_breaks']} breaks in the digest chain ({f['chain_problems'][0]})"
            )
        if problems:
            bad.append((item, f"{label(item)}: " + "; ".join(problems)))
        elif f["signatures_unchecked"]:
            why = "; ".join(
                f"{n} × {reason}" for reason, n in f["signatures_unchecked_reasons"].items()
            )
            unchecked.append(
                f"{label(item)}: {f['log_files_verified']} log files match {f['digest_files']} "
                "digests, "
                f"but {f['signatures_unchecked']} digest signatures are unchecked ({why})"
            )
        else:
            chains = "1 chain" if f["chains"] == 1 else f"{f['chains']} chains"
            fine.append(
                f"{label(item)}: {f['digest_files']} digests in {chains}, signatures verified, "
                f"{f['log_files_verified']} log files match their digests"
            )
    figures = {
        "digests": sum(i.facts["digest_files"] for i in with_digests),
        "log_files_verified": sum(i.facts["log_files_verified"] for i in with_digests),
    }
    if bad:
        return ctx.not_met(*(t for _, t in bad), evidence=[i for i, _ in bad], **figures)
    if unchecked:
        return ctx.insufficient(*unchecked, *fine, evidence=with_digests, **figures)
    return ctx.met(*fine, evidence=with_digests, **figures)
