"""Checks that read imported scanner findings (Prowler, Security Hub).

A finding is judged by its latest observation on or before the as-of date: a check that failed
in the last scan and passed in none since is still open. Findings are supporting evidence: a
mapped FAIL makes a control not met, a PASS is reported but never makes a control met.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from pydantic import Field

from evidence.controls.checks import check
from evidence.controls.context import CheckContext, NoParams, Params
from evidence.controls.scanner_mappings import scanner_mappings
from evidence.controls.settings_facts import cite, listing, parse_time
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.scanner import Finding, ScannerFindings
from evidence.model.results import CheckOutcome, Figure

KIND = ScannerFindings.kind

_SCANNERS = {"prowler": "Prowler", "securityhub": "Security Hub"}


@dataclass
class Track:
    """Every observation of one finding (scanner, check, resource), oldest first."""

    key: str
    observations: list[tuple[datetime | None, Finding, EvidenceItem]]

    @property
    def latest(self) -> tuple[datetime | None, Finding, EvidenceItem]:
        """The newest observation."""
        return self.observations[-1]

    def first_failure(self) -> datetime | None:
        """When the finding was first seen failing (its first-seen time, else the scan time)."""
        times = [
            parse_time(f.first_seen) or moment
            for moment, f, _ in self.observations
            if f.status == "FAIL"
        ]
        known = [t for t in times if t is not None]
        return min(known) if known else None

    def last_failure(self) -> datetime | None:
        """Return the last scan that still saw it failing."""
        times = [
            moment for moment, f, _ in self.observations if f.status == "FAIL" and moment
        ]
        return max(times) if times else None


def tracks(ctx: CheckContext) -> tuple[list[Track], list[EvidenceItem]]:
    """Group findings by identity, keeping observations up to the as-of date only."""
    collected = ctx.facts(ScannerFindings)
    items = [item for item, _ in collected]
    grouped: dict[str, list[tuple[datetime | None, Finding, EvidenceItem]]] = defaultdict(list)
    for item, facts in collected:
        for finding in facts.findings:
            moment = parse_time(finding.observed_at)
            if moment is not None and moment > ctx.as_of:
                continue
            grouped[finding.key].append((moment, finding, item))
    found = []
    for key, observations in grouped.items():
        observations.sort(
            key=lambda o: (o[0] is not None, o[0] or datetime.min.replace(tzinfo=ctx.as_of.tzinfo))
        )
        found.append(Track(key, observations))
    found.sort(key=lambda t: t.key)
    return found, items


def _describe(finding: Finding, moment: datetime | None, item: EvidenceItem) -> str:
    scanner = _SCANNERS.get(finding.scanner, finding.scanner)
    where = f" on {finding.resource}" if finding.resource else ""
    seen = f", seen {moment.date()}" if moment else ""
    severity = f"severity {finding.severity}{seen}"
    return f"{scanner} {finding.check_id} failed{where} ({severity}) ({item.id})"


class ResolvedParams(Params):
    """What ``scanner_findings_resolved`` reads: the fix limits by severity."""

    critical_fix_days: int = Field(description="days a critical finding may stay open")
    high_fix_days: int = Field(description="days a high finding may stay open")


@check("scanner_mapped_findings", reads=(KIND,), params=NoParams)
def scanner_mapped_findings(ctx: CheckContext) -> CheckOutcome:
    """No scanner check mapped to the control fails in the period (a pass alone never meets it).

    Not met when a scanner check mapped to the control in policies/scanner-mappings.yaml fails
    in its latest observation in the period; otherwise insufficient: a scanner pass alone never
    meets a control.
    """
    mapping = scanner_mappings().controls.get(ctx.control.id)
    if mapping is None:
        return ctx.insufficient(
            f"no scanner check is mapped to {ctx.control.id} (policies/scanner-mappings.yaml)"
        )
    found, items = tracks(ctx)
    mapped = [
        t
        for t in found
        if mapping.covers(t.latest[1].scanner, t.latest[1].check_id)
    ]
    recent = [t for t in mapped if t.latest[0] is None or t.latest[0].date() >= ctx.period.start]
    stale = len(mapped) - len(recent)
    failing = [t for t in recent if t.latest[1].active]
    passing = [t for t in recent if t.latest[1].status == "PASS"]
    used = sorted({t.latest[2].id for t in recent})
    evidence = [i for i in items if i.id in used]
    notes = (
        [f"{stale} mapped finding(s) last observed before the period began were not used"]
        if stale
        else []
    )
    figures: dict[str, Figure] = {
        "mapped_findings_failing": len(failing),
        "mapped_findings_passing": len(passing),
    }
    if failing:
        return ctx.not_met(
            f"{len(failing)} scanner finding(s) mapped to {ctx.control.id} fail "
            f"({mapping.rationale.rstrip('.')}): "
            + listing([_describe(t.latest[1], t.latest[0], t.latest[2]) for t in failing]),
            *notes,
            evidence=evidence,
            **figures,
        )
    if passing:
        checks = sorted({t.latest[1].check_id for t in passing})
        return ctx.insufficient(
            f"{len(passing)} mapped scanner finding(s) passed ({', '.join(checks[:6])}"
            f"{', ...' if len(checks) > 6 else ''}) ({cite(evidence)}); "
            "a scanner pass supports a control but "
            "never proves it on its own",
            *notes,
            evidence=evidence,
            **figures,
        )
    return ctx.insufficient(
        f"no scanner finding of the review period maps to {ctx.control.id}", *notes
    )


@check("scanner_findings_resolved", reads=(KIND,), params=ResolvedParams)
def scanner_findings_resolved(ctx: CheckContext) -> CheckOutcome:
    """Critical and high findings were fixed within their limits, judged from repeated scans.

    Met when no critical or high finding has been failing longer than ``critical_fix_days`` /
    ``high_fix_days`` as of the as-of date and none was fixed late; the latest scan must fall in
    the period.
    """
    params = ctx.parameters(ResolvedParams)
    limits = {"critical": params.critical_fix_days, "high": params.high_fix_days}
    found, items = tracks(ctx)
    scans = [moment for t in found for moment, _, _ in t.observations if moment is not None]
    if not found or not scans:
        return ctx.insufficient(
            "no scanner finding with an observation time is on record", evidence=items
        )
    latest_scan = max(scans)
    if latest_scan.date() < ctx.period.start:
        return ctx.insufficient(
            f"the latest scan on record ({latest_scan.date()}) is before the review period began "
            f"({ctx.period.start}) ({cite(items)})",
            evidence=items,
        )
    overdue: list[str] = []
    late: list[str] = []
    open_within: list[str] = []
    muted = 0
    for track in found:
        moment, finding, item = track.latest
        limit = limits.get(finding.severity)
        if limit is None:
            continue
        first = track.first_failure()
        label = _describe(finding, moment, item).replace(" failed", "")
        if finding.muted:
            muted += 1
            continue
        if finding.active:
            if first is None:
                open_within.append(f"{label}: open, first failure time not known")
                continue
            age = (ctx.as_of - first).days
            text = f"{label}: failing since {first.date()}, {age} days open (limit {limit})"
            (overdue if age > limit else open_within).append(text)
        else:
            last_fail = track.last_failure()
            if (
                first
                and last_fail
                and last_fail.date() >= ctx.period.start
                and (last_fail - first).days > limit
            ):
                late.append(
                    f"{label}: still failing {(last_fail - first).days} days after {first.date()} "
                    f"(limit {limit}) before it was fixed"
                )
    figures: dict[str, Figure] = {
        "overdue_findings": len(overdue),
        "fixed_late": len(late),
        "open_within_limit": len(open_within),
        "suppressed_findings": muted,
        "latest_scan": latest_scan.date().isoformat(),
    }
    notes = (
        [
            f"{muted} critical/high finding(s) are suppressed in the scanner and were not judged; "
            "a suppression "
            "needs a recorded waiver"
        ]
        if muted
        else []
    )
    if overdue or late:
        return ctx.not_met(
            f"{len(overdue) + len(late)} critical/high finding(s) not fixed in time: "
            f"{listing(overdue + late)}",
            *notes,
            evidence=items,
            **figures,
        )
    within = (
        f"; {len(open_within)} open within their limits: {listing(open_within, 4)}"
        if open_within
        else ""
    )
    return ctx.met(
        "no critical or high finding is past its fix limit "
        f"({limits['critical']} days critical, {limits['high']} high) as of {ctx.as_of.date()}, "
        f"latest scan {latest_scan.date()} ({cite(items)}){within}; ages count "
        "from the first scan that saw each finding",
        *notes,
        evidence=items,
        **figures,
    )
