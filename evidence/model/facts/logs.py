"""Facts of the logs themselves: coverage of the period, PII found in them, CloudTrail integrity."""

from __future__ import annotations

from pydantic import Field

from evidence.model.facts import Facts, Part
from evidence.model.facts.access import PRODUCERS

#: The log collectors that scan their records for PII (identity providers' logs carry no buyer data).
PII_SCANNERS = ("cloudtrail", "access-log", "auth-log", "postgres-log", "app-audit-log")


class Gap(Part):
    """A silence of a log source longer than its limit, inside the period."""

    start: str | None = Field(description="the last event before the silence (or the period's start)")
    end: str | None = Field(description="the first event after it (or the period's end)")
    hours: float = Field(description="its length in hours")


class LoggingCoverage(Facts):
    """Per log source: channel, events in the period, oldest/newest event, gaps over the limit, retention span.

    Days without logs are counted and listed too. One item per log source, beside its
    `access.activity`. Gaps are measured between events inside the period; a source silent longer
    than `max_gap_hours` has a gap listed.
    """

    kind = "logging.coverage"
    produced_by = PRODUCERS

    source_type: str = Field(description="the kind of log (the collector id)")
    channel: str = Field(description="the channel the source covers (`[access].channels` vocabulary)")
    expected_channels: list[str] = Field(description="`[access].channels`: every channel that must have logs")
    operating_since: str | None = Field(
        description="`[access].operating_since` (ISO date): logs cannot reach back before it"
    )
    files: int = Field(description="input files found")
    files_read: int = Field(description="input files read")
    files_rejected: int = Field(description="input files that could not be read")
    events_total: int = Field(description="events read, at any time")
    events_after_as_of: int = Field(description="events after the as-of instant (not counted)")
    events_in_period: int = Field(description="events inside the period, up to as-of")
    oldest_event: str | None = Field(description="the oldest event retained (ISO time)")
    newest_event: str | None = Field(description="the newest event up to as-of (ISO time)")
    first_in_period: str | None = Field(description="the first event in the period")
    last_in_period: str | None = Field(description="the last event in the period")
    window_start: str | None = Field(description="the period's start")
    window_end: str | None = Field(description="the period's end, or as-of when earlier")
    days_in_period: int = Field(description="days of the window")
    days_with_logs: int = Field(description="days with at least one event")
    days_without_logs: int = Field(description="days without any event")
    empty_days: list[str] = Field(description="the days without events (the first 100)")
    max_gap_hours: int | float = Field(description="the longest silence allowed (`[access].max_gap_hours`)")
    longest_gap_hours: float = Field(description="the longest silence in the period, in hours")
    gaps_over_limit: int = Field(description="silences longer than `max_gap_hours`")
    gaps: list[Gap] = Field(description="those silences (the first 100)")
    retention_days_available: int = Field(description="whole days from the oldest event to as-of")


class LoggingPiiInLogs(Facts):
    """Records scanned, records with PII, counts per category and `file:line` locations, never values.

    One item per log source that carries buyer data (identity providers' logs are not scanned).
    Categories: e-mail addresses, phone numbers, street addresses, and values of the configured
    name fields (`[access].name_fields`).
    """

    kind = "logging.pii_in_logs"
    produced_by = PII_SCANNERS

    source_type: str = Field(description="the kind of log (the collector id)")
    channel: str = Field(description="the channel the source covers")
    files: int = Field(description="input files found")
    files_read: int = Field(description="input files read")
    files_rejected: int = Field(description="input files that could not be read")
    records_scanned: int = Field(description="log records scanned")
    records_with_pii: int = Field(description="records holding PII")
    counts: dict[str, int] = Field(description="category -> findings")
    locations: list[str] = Field(description="`file:line` of the first records with PII")
    name_fields: list[str] = Field(description="the configured name fields whose values count as PII")
    categories: list[str] = Field(description="the categories scanned for")


class LoggingIntegrity(Facts):
    """CloudTrail digest chain: digests in the period, chain breaks, log files verified/missing/altered, signatures.

    Signatures are counted as verified, invalid or unchecked, with the reasons they were not checked.

    Each digest lists the SHA-256 of a delivery file's decompressed content; the item's provenance
    keeps those hashes beside the hash of each file as delivered, so an auditor can redo both checks.
    """

    kind = "logging.integrity"
    produced_by = ("cloudtrail",)

    digest_files: int = Field(description="digests ending inside the period")
    digest_files_total: int = Field(description="digests read")
    chains: int = Field(description="digest chains among those in the period")
    chain_breaks: int = Field(description="breaks in the chain")
    chain_problems: list[str] = Field(description="what broke, per digest (the first 100)")
    log_files_listed: int = Field(description="log files the digests list")
    log_files_verified: int = Field(description="listed log files present with the listed hash")
    log_files_missing: int = Field(description="listed log files not found")
    missing: list[str] = Field(description="their names (the first 100)")
    log_files_altered: int = Field(description="listed log files whose hash differs")
    altered: list[str] = Field(description="their names (the first 100)")
    log_files_not_in_digests: int = Field(description="log files read that no digest lists")
    not_in_digests: list[str] = Field(description="their names (the first 100)")
    signatures_verified: int = Field(description="digest signatures verified")
    signatures_invalid: int = Field(description="digest signatures that do not verify")
    signatures_unchecked: int = Field(description="digest signatures not checked")
    signatures_unchecked_reasons: dict[str, int] = Field(description="why not checked -> digests")
    public_keys: int = Field(description="CloudTrail public keys available")
    log_files_read: int = Field(description="delivery files read whose content hash was taken")
