"""Evidence items built in tests of cadence slots, rotations, diffs and due dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from evidence.controls.catalogue import load_catalogue
from evidence.controls.evaluate import EvaluationInput, evaluate
from evidence.controls.readings import ReadingChoice
from evidence.model.assurance import Assurance
from evidence.model.evidence import EvidenceItem, stable_evidence_id
from evidence.model.facts import canonical_facts, dump_facts
from evidence.model.facts.documents import Document
from evidence.model.period import parse_period
from evidence.model.results import ControlResult, Evaluation, Waiver

DPP = "amazon-dpp@2025-11"


def document(
    doc_type: str,
    day: str,
    *,
    title: str | None = None,
    next_review: str | None = None,
    covers: tuple[str, str] | None = None,
    controls: list[str] | None = None,
    record: dict[str, str] | None = None,
    missing_fields: list[str] | None = None,
) -> EvidenceItem:
    """Build a registered document as the documents collector yields it (complete unless told)."""
    subject = f"{doc_type}:{doc_type}-{day}.md"
    return EvidenceItem(
        id=stable_evidence_id("documents", "document", subject, [subject]),
        kind="document",
        collector="documents",
        source="documents",
        subject=subject,
        location=f"documents/{doc_type}-{day}.md",
        collected_at=datetime(2026, 10, 1, tzinfo=UTC),
        covers_start=datetime.combine(date.fromisoformat(covers[0]), time.min, tzinfo=UTC)
        if covers
        else None,
        covers_end=datetime.combine(date.fromisoformat(covers[1]), time(23, 59, 59), tzinfo=UTC)
        if covers
        else None,
        facts=dump_facts(
            Document(
                doc_type=doc_type,
                title=title or f"{doc_type} {day}",
                controls=sorted(controls or []),
                owner="Security Lead",
                date=day,
                next_review=next_review,
                approved_by=None,
                approved_on=None,
                file=f"{doc_type}-{day}.md",
                sha256="0" * 64,
                size=10,
                record=record or {},
                missing_fields=missing_fields or [],
            )
        ),
        assurance=Assurance.ATTESTED,
    ).seal()


def aws_item(
    kind: str, facts: dict[str, Any], subject: str = "account 111122223333"
) -> EvidenceItem:
    """Build an item of an AWS kind (secrets.rotation, iam.credentials); its facts must fit the kind's model."""
    return EvidenceItem(
        id=stable_evidence_id("aws", kind, subject),
        kind=kind,
        collector="aws",
        source="aws",
        subject=subject,
        location="aws://eu-west-1",
        collected_at=datetime(2026, 10, 1, tzinfo=UTC),
        facts=canonical_facts(kind, facts, where="test item"),
        assurance=Assurance.OBSERVED,
    ).seal()


#: "Bi-weekly" log review read as every two weeks, as a developer may choose in the config.
FORTNIGHTLY = {
    "DPP-LOG-4": ReadingChoice("every_two_weeks", "tests of the cadence logic on a 14-day interval")
}


def judge(
    items: list[EvidenceItem],
    period: str = "2026-Q3",
    as_of: str | None = None,
    waivers: list[Waiver] | None = None,
    grace_days: dict[str, int] | None = None,
    readings: dict[str, ReadingChoice] | None = None,
) -> Evaluation:
    """Evaluate the current DPP catalogue against ``items`` (``readings`` as the config chose)."""
    resolved = parse_period(period)
    moment = (
        datetime.combine(date.fromisoformat(as_of), time(23, 59, 59), tzinfo=UTC)
        if as_of
        else resolved.end_at
    )
    data = EvaluationInput(
        evidence=items,
        period=resolved,
        as_of=moment,
        waivers=waivers or [],
        grace_days=grace_days or {},
        readings=readings or {},
    )
    return evaluate([load_catalogue(DPP)], data)


def result(evaluation: Evaluation, control_id: str) -> ControlResult:
    """Pick the result of ``control_id``."""
    return next(r for r in evaluation.results if r.control_id == control_id)


def quiet_trail(period: str = "2026-Q3") -> EvidenceItem:
    """A CloudTrail change log complete on every day of ``period`` with no setting change.

    Snapshots of settings are judged on every day of the period; this log carries them.
    """
    resolved = parse_period(period)
    body = {
        "source_type": "cloudtrail",
        "complete_days": [[resolved.start.isoformat(), resolved.end.isoformat()]],
        "changes": [],
        "truncated": False,
    }
    return EvidenceItem(
        id=stable_evidence_id("trail", "settings.changes", period),
        kind="settings.changes",
        collector="cloudtrail",
        source="trail",
        subject="setting changes",
        location="trail",
        collected_at=datetime(2026, 10, 1, tzinfo=UTC),
        facts=body,
        assurance=Assurance.EXPORTED,
    ).seal()
