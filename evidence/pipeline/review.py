"""Reviewing periods: waivers, diffs between periods, what falls due, the quarterly PDF.

Like the rest of :mod:`evidence.pipeline`, this module only moves data between the stages: the
store gives runs, evaluations and waivers; the controls stage compares and dates them; the
render stage writes the PDF and the calendar.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from evidence import __version__
from evidence.config.schema import Config
from evidence.controls.catalogue import load_catalogue
from evidence.controls.changes import PeriodState, compare
from evidence.controls.due import due_items
from evidence.controls.evaluate import evaluate
from evidence.controls.waivers import new_waiver
from evidence.errors import ConfigError, StoreError
from evidence.model.catalogue import Catalogue
from evidence.model.period import Period, parse_period
from evidence.model.report import RenderedReport
from evidence.model.results import Waiver
from evidence.model.review import DueReport, PeriodDiff, PeriodRef, QuarterlyData, TrendPoint
from evidence.model.run import RunInfo
from evidence.pipeline.context import Timing, catalogues, latest_run, open_store, redactor
from evidence.pipeline.evaluation import evaluation_input, reading_choices
from evidence.pipeline.report import organisation_summary
from evidence.render.icalendar import calendar
from evidence.render.quarterly import render_quarterly
from evidence.store import Store

#: Periods shown in the quarterly review's trend chart.
TREND_PERIODS = 4


@dataclass
class LoadedPeriod:
    """A period's newest run with the evaluation that stands for it."""

    run: RunInfo
    state: PeriodState
    evaluation_id: int | None


def grant_waiver(
    config: Config, control_id: str, *, reason: str, approver: str, expires: date, by: str
) -> Waiver:
    """Record a waiver granted now (its reason scrubbed of secrets and PII), or refuse it."""
    known = {control.id for catalogue in catalogues(config) for control in catalogue.controls}
    scrub, _ = redactor(config)
    waiver = new_waiver(
        control_id,
        reason=scrub.scrub(reason),
        approver=approver,
        created_by=by,
        created_at=datetime.now(UTC).replace(microsecond=0),
        expires=expires,
        known_controls=known,
    )
    store = open_store(config)
    try:
        return store.waivers.grant(waiver)
    finally:
        store.close()


def revoke_waiver(config: Config, ident: str, *, reason: str, by: str) -> Waiver:
    """Record the revocation of waiver ``ident``: it stops counting from this instant."""
    if not reason.strip():
        raise ConfigError("a revocation needs a reason (--reason)")
    scrub, _ = redactor(config)
    store = open_store(config)
    try:
        return store.waivers.revoke(
            ident, scrub.scrub(reason.strip()), by, datetime.now(UTC).replace(microsecond=0)
        )
    finally:
        store.close()


def list_waivers(config: Config) -> list[Waiver]:
    """Every waiver in the store, revocations applied, oldest first."""
    store = open_store(config)
    try:
        return store.waivers.all()
    finally:
        store.close()


def load_period(config: Config, store: Store, period: Period, *, reraise: bool = False) -> LoadedPeriod:
    """Load the newest run of ``period`` and its newest evaluation (made now, unsaved, if none)."""
    run = latest_run(store, Timing(period, period.end_at))
    evidence = store.evidence(run.id)
    found = store.latest_evaluation(run.id)
    if found is None:
        evaluation = evaluate(
            catalogues(config, run.period),
            evaluation_input(
                config, evidence, Timing(run.period, run.as_of), store.waivers.all(), reraise=reraise
            ),
        )
        evaluation_id = None
    else:
        evaluation_id, evaluation = found
    ref = PeriodRef(
        label=run.period.label,
        start=run.period.start,
        end=run.period.end,
        as_of=evaluation.as_of,
        run_uid=run.uid,
        evaluated_now=found is None,
    )
    return LoadedPeriod(
        run=run, state=PeriodState(ref, evaluation, evidence), evaluation_id=evaluation_id
    )


def parse_periods(*texts: str) -> list[Period]:
    """Periods from the command line; ConfigError naming the one that does not parse."""
    try:
        return [parse_period(text) for text in texts]
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def diff_periods(config: Config, old: str, new: str, *, reraise: bool = False) -> PeriodDiff:
    """Compare the newest evaluation of ``old`` with that of ``new``."""
    old_period, new_period = parse_periods(old, new)
    store = open_store(config)
    try:
        before = load_period(config, store, old_period, reraise=reraise)
        after = load_period(config, store, new_period, reraise=reraise)
    finally:
        store.close()
    return compare(before.state, after.state, _catalogues_of(after.state, before.state))


def _catalogues_of(*states: PeriodState) -> list[Catalogue]:
    refs = dict.fromkeys(ref for state in states for ref in state.evaluation.catalogues)
    return [load_catalogue(ref) for ref in refs]


def due(config: Config, timing: Timing, within_days: int) -> DueReport:
    """List what falls due within ``within_days`` of the as-of date, from the newest run."""
    store = open_store(config)
    try:
        run = latest_run(store, timing)
        return due_items(
            catalogues(config, timing.period),
            store.evidence(run.id),
            store.waivers.all(),
            timing.as_of,
            within_days,
            reading_choices(config),
        )
    finally:
        store.close()


def write_calendar(config: Config, report: DueReport, target: Path) -> int:
    """Write the upcoming items of ``report`` as an iCalendar file; returns the number of events."""
    data = calendar(report, config.organisation.legal_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, target)
    return len(report.upcoming)


def trend(store: Store, period: Period, limit: int = TREND_PERIODS) -> list[TrendPoint]:
    """Status counts of the newest evaluation of up to ``limit`` periods ending with ``period``.

    Only periods of the same shape count (quarters with quarters, months with months).
    """
    shape = _shape(period.label)
    latest: dict[str, RunInfo] = {}
    for run in store.runs():
        if _shape(run.period.label) == shape and run.period.end <= period.end:
            latest[run.period.label] = run
    chosen = sorted(latest.values(), key=lambda r: r.period.end)[-limit:]
    points = []
    for run in chosen:
        found = store.latest_evaluation(run.id)
        if found is not None:
            points.append(
                TrendPoint(label=run.period.label, end=run.period.end, counts=found[1].counts())
            )
    return points


def _shape(label: str) -> str:
    return re.sub(r"\d", "9", label) if ".." not in label else "range"


def quarterly_review(
    config: Config,
    timing: Timing,
    out_dir: Path,
    *,
    previous: str | None = None,
    within_days: int = 30,
    trend_periods: int = TREND_PERIODS,
    generated_on: date | None = None,
    reraise: bool = False,
) -> tuple[RenderedReport, PeriodDiff | None]:
    """Render the quarterly review of the period against ``previous`` (default: the one before).

    It is judged as of the period's end and as of ``generated_on`` (default: the day of the
    period's newest run), never as of the clock.
    """
    store = open_store(config)
    try:
        current, data = _quarterly(
            config, store, timing, previous, within_days, trend_periods, generated_on, reraise
        )
        final = out_dir / f"quarterly-review-{timing.period.label.replace('..', '_to_')}.pdf"
        partial = final.with_name(f".{final.name}.partial")
        try:
            report = render_quarterly(data, partial)
            if current.evaluation_id is not None:
                with store.append_to(current.run.id) as writer:
                    writer.add_report(
                        current.evaluation_id,
                        report.kind,
                        str(final),
                        report.sha256,
                        report.pages,
                        current.run.started_at,
                    )
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
        return report.model_copy(update={"path": str(final)}), data.diff
    finally:
        store.close()


def quarterly_data(
    config: Config,
    timing: Timing,
    *,
    previous: str | None = None,
    within_days: int = 30,
    trend_periods: int = TREND_PERIODS,
    generated_on: date | None = None,
    reraise: bool = False,
) -> QuarterlyData:
    """What the quarterly review of the period is rendered from (see `quarterly_review`)."""
    store = open_store(config)
    try:
        return _quarterly(
            config, store, timing, previous, within_days, trend_periods, generated_on, reraise
        )[1]
    finally:
        store.close()


def _quarterly(
    config: Config,
    store: Store,
    timing: Timing,
    previous: str | None,
    within_days: int,
    trend_periods: int,
    generated_on: date | None = None,
    reraise: bool = False,
) -> tuple[LoadedPeriod, QuarterlyData]:
    (before_period,) = parse_periods(previous) if previous else (timing.period.previous(),)
    current = load_period(config, store, timing.period, reraise=reraise)
    try:
        before = load_period(config, store, before_period, reraise=reraise)
    except StoreError:
        before = None
    diff = (
        compare(before.state, current.state, _catalogues_of(current.state, before.state))
        if before is not None
        else None
    )
    waivers = store.waivers.all()
    evaluation = current.state.evaluation.model_copy(update={"waivers": waivers})
    on = generated_on or current.run.started_at.date()
    # Every deadline from the period's end to the window after the day of the review.
    window = max((on - evaluation.as_of.date()).days, 0) + within_days
    data = QuarterlyData(
        organisation=organisation_summary(config),
        run=current.run,
        evaluation=evaluation,
        catalogues=_catalogues_of(current.state),
        diff=diff,
        previous_label=before_period.label,
        due=due_items(
            _catalogues_of(current.state),
            current.state.evidence,
            waivers,
            evaluation.as_of,
            window,
            reading_choices(config),
        ),
        trend=trend(store, timing.period, trend_periods),
        owners=config.owners,
        waivers=waivers,
        tool_version=__version__,
        generated_at=current.run.started_at,
        generated_on=on,
        previous=before.state.evaluation if before is not None else None,
        team=config.team,
        due_days=dict(config.gap_plan.due_days),
    )
    return current, data
