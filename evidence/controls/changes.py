"""What changed between two periods: statuses, gaps, figures, and evidence that went stale.

Controls are matched by catalogue id (not version) and control id, so a quarter judged against
a newer catalogue version still compares with the one before. Every list is in catalogue order,
so the same two evaluations always give the same diff.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from evidence.controls.cadence import fact_date
from evidence.model.assurance import Assurance
from evidence.model.catalogue import Catalogue, Control
from evidence.model.evidence import EvidenceItem
from evidence.model.results import ControlResult, Evaluation, Status
from evidence.model.review import (
    Direction,
    FigureMove,
    MissingEvidence,
    PeriodDiff,
    PeriodRef,
    StaleEvidence,
    StatusChange,
)


@dataclass(frozen=True)
class PeriodState:
    """One side of a comparison: the run's identity, its evaluation and its evidence."""

    ref: PeriodRef
    evaluation: Evaluation
    evidence: Sequence[EvidenceItem]


def compare(old: PeriodState, new: PeriodState, catalogues: Sequence[Catalogue]) -> PeriodDiff:
    """List the changes from ``old`` to ``new``; ``catalogues`` give titles and age limits."""
    titles = {(_family(c.ref), ctrl.id): ctrl.title for c in catalogues for ctrl in c.controls}
    before = {_key(r): r for r in old.evaluation.results}
    after = {_key(r): r for r in new.evaluation.results}
    changes: list[StatusChange] = []
    for key in [*after, *(k for k in before if k not in after)]:
        was, now = before.get(key), after.get(key)
        old_status = was.status if was else None
        new_status = now.status if now else None
        old_level = was.assurance if was and was.status is Status.MET else None
        new_level = now.assurance if now and now.status is Status.MET else None
        if old_status == new_status and _verified(old_level) == _verified(new_level):
            continue
        shown = now or was
        assert shown is not None
        changes.append(
            StatusChange(
                catalogue=key[0],
                control_id=key[1],
                title=titles.get(key, key[1]),
                old=old_status,
                new=new_status,
                direction=_direction(old_status, new_status, old_level, new_level),
                reasons=shown.reasons[:3],
                old_assurance=old_level,
                new_assurance=new_level,
            )
        )
    days = (new.ref.as_of.date() - old.ref.as_of.date()).days
    return PeriodDiff(
        old=old.ref,
        new=new.ref,
        status_changes=changes,
        new_gaps=[
            c
            for c in changes
            if c.new is not None and c.new.is_gap and not (c.old and c.old.is_gap)
        ],
        resolved_gaps=[c for c in changes if c.direction == "better" and c.old is not None and c.old.is_gap],
        stale=_stale(old, new, catalogues),
        missing=_missing(old.evidence, new.evidence),
        figures=[
            move
            for key, now in after.items()
            if key in before
            for move in _moves(before[key], now, days)
        ],
        old_counts=old.evaluation.counts(),
        new_counts=new.evaluation.counts(),
        old_met=old.evaluation.met_split(),
        new_met=new.evaluation.met_split(),
    )


def _family(ref: str) -> str:
    return ref.split("@", 1)[0]


def _key(result: ControlResult) -> tuple[str, str]:
    return _family(result.catalogue), result.control_id


_RANK = {Status.NOT_MET: 0, Status.INSUFFICIENT: 1}


def _verified(level: Assurance | None) -> bool:
    return level is not None and level.verified


def _direction(
    old: Status | None, new: Status | None, old_level: Assurance | None = None, new_level: Assurance | None = None
) -> Direction:
    if old is Status.MET and new is Status.MET:
        # Met both times: only the assurance moved (verified <-> on attestation).
        return "better" if _verified(new_level) else "worse"
    if old is None:
        return "added"
    if new is None:
        return "removed"
    if old.is_gap and new is Status.WAIVED:
        return "waived"
    if old.is_gap != new.is_gap:
        return "better" if old.is_gap else "worse"
    if old.is_gap and _RANK[new] < _RANK[old]:
        return "worse"
    return "changed"


def _moves(old: ControlResult, new: ControlResult, days: int) -> list[FigureMove]:
    moves = []
    for name, value in new.figures.items():
        was = old.figures.get(name)
        if not (_numeric(value) and _numeric(was)) or value == was:
            continue
        assert isinstance(value, int | float)
        assert isinstance(was, int | float)
        moves.append(
            FigureMove(
                catalogue=_family(new.catalogue),
                control_id=new.control_id,
                figure=name,
                old=was,
                new=value,
                ageing=name.endswith("_age_days") and value - was == days,
            )
        )
    return moves


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _missing(old: Sequence[EvidenceItem], new: Sequence[EvidenceItem]) -> list[MissingEvidence]:
    before = Counter((i.source, i.kind) for i in old if i.usable)
    after = Counter((i.source, i.kind) for i in new if i.usable)
    errors = {(i.source, i.kind): i.error for i in new if i.error}
    return [
        MissingEvidence(source=source, kind=kind, before=count, error=errors.get((source, kind)))
        for (source, kind), count in sorted(before.items())
        if not after[(source, kind)]
    ]


def _stale(
    old: PeriodState, new: PeriodState, catalogues: Sequence[Catalogue]
) -> list[StaleEvidence]:
    """Find documents that were a control's newest evidence then, still are, and are now too old."""
    found: dict[str, StaleEvidence] = {}
    old_day, new_day = old.ref.as_of.date(), new.ref.as_of.date()
    for catalogue in catalogues:
        for control in catalogue.controls:
            for doc_types, limit in document_rules(control):
                then = latest_document(old.evidence, control, doc_types, old_day)
                now = latest_document(new.evidence, control, doc_types, new_day)
                if then is None or now is None or then.id != now.id:
                    continue
                reason = _why_stale(now, limit, old_day, new_day)
                if reason is None:
                    continue
                entry = found.setdefault(
                    now.id,
                    StaleEvidence(
                        evidence_id=now.id,
                        title=str(now.facts.get("title", now.subject)),
                        kind=now.kind,
                        controls=[],
                        reason=reason,
                    ),
                )
                if control.id not in entry.controls:
                    entry.controls.append(control.id)
    return sorted(found.values(), key=lambda s: s.evidence_id)


def _why_stale(item: EvidenceItem, limit: int | None, old_day: date, new_day: date) -> str | None:
    issued = fact_date(item.facts.get("date"))
    if issued is None:
        return None
    then, now = (old_day - issued).days, (new_day - issued).days
    if limit is not None and then <= limit < now:
        return (
            f"{then} days old on {old_day.isoformat()}, {now} days old on {new_day.isoformat()}: "
            f"past the {limit}-day limit since {issued + timedelta(days=limit + 1)}"
        )
    review = fact_date(item.facts.get("next_review"))
    if review is not None and old_day <= review < new_day:
        return f"its next review was due {review.isoformat()} and no newer version is registered"
    return None


def document_rules(control: Control) -> list[tuple[list[str], int | None]]:
    """(document types, age limit in days) of each document check of ``control``."""
    rules = []
    for ref in control.checks:
        doc_types = ref.with_.get("doc_types")
        if ref.planned or not doc_types:
            continue
        limit = ref.with_.get("max_age_days")
        if limit is None and control.cadence is not None:
            limit = control.cadence.every_days
        rules.append((list(doc_types), int(limit) if limit is not None else None))
    return rules


def latest_document(
    evidence: Sequence[EvidenceItem], control: Control, doc_types: Sequence[str], day: date
) -> EvidenceItem | None:
    """Find the newest usable document of ``doc_types`` for ``control`` dated by ``day``."""
    dated = [
        (issued, item.id, item)
        for item in evidence
        if item.usable
        and item.kind == "document"
        and item.facts.get("doc_type") in doc_types
        and (not item.facts.get("controls") or control.id in item.facts["controls"])
        and (issued := fact_date(item.facts.get("date"))) is not None
        and issued <= day
    ]
    return max(dated, key=lambda entry: (entry[0], entry[1]))[2] if dated else None
