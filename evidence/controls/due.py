"""What falls due: document reviews, cadence renewals (scans, reviews, tests), rotations, waivers.

Due dates come from the evidence and the catalogue, never from the clock: a register's
``next_review``, the latest document plus the control's cadence (or its age limit), a
credential's last rotation plus the cadence, a waiver's expiry. Items whose due date passed
before the as-of date are listed as overdue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from evidence.controls.cadence import fact_date
from evidence.controls.changes import document_rules, latest_document
from evidence.controls.checks.rotation import fact_entries, matches_secret
from evidence.controls.checks.secret_rotation import last_value_change
from evidence.controls.readings import ReadingChoice, apply_reading
from evidence.model.catalogue import Catalogue, Control
from evidence.model.evidence import EvidenceItem
from evidence.model.facts.cloud_account import Secret
from evidence.model.results import Waiver
from evidence.model.review import DueItem, DueReport


def due_items(
    catalogues: Sequence[Catalogue],
    evidence: Sequence[EvidenceItem],
    waivers: Sequence[Waiver],
    as_of: datetime,
    within_days: int,
    readings: Mapping[str, ReadingChoice] | None = None,
) -> DueReport:
    """Everything due up to ``within_days`` after ``as_of``, overdue items included.

    Cadences follow the reading the config chose for an ambiguous figure, as evaluation does.
    """
    day = as_of.date()
    until = day + timedelta(days=within_days)
    controls = [apply_reading(c, (readings or {}).get(c.id))[0] for c in _unique_controls(catalogues)]
    found = [
        *_document_reviews(controls, evidence, day),
        *_renewals(controls, evidence, day),
        *_rotations(controls, evidence, day),
        *(
            DueItem(
                due=w.expires.date(),
                kind="waiver-expiry",
                title=f"Waiver {w.id} for {w.control_id} expires",
                controls=[w.control_id],
                basis=f"approved by {w.approver}: {w.reason}",
            )
            for w in waivers
            if w.in_force(as_of)
        ),
    ]
    merged: dict[tuple[str, str, date, str | None], DueItem] = {}
    for item in found:
        key = (item.kind, item.title, item.due, item.evidence_id)
        if key in merged:
            merged[key].controls = sorted(set(merged[key].controls) | set(item.controls))
        else:
            merged[key] = item.model_copy(update={"overdue": item.due < day})
    chosen = [item for item in merged.values() if item.due <= until]
    chosen.sort(key=lambda i: (i.due, i.kind, i.title, i.controls))
    return DueReport(as_of=as_of, until=until, items=chosen)


def _unique_controls(catalogues: Sequence[Catalogue]) -> list[Control]:
    seen: dict[str, Control] = {}
    for catalogue in catalogues:
        for control in catalogue.controls:
            seen.setdefault(control.id, control)
    return list(seen.values())


def _document_reviews(
    controls: list[Control], evidence: Sequence[EvidenceItem], day: date
) -> list[DueItem]:
    """Give the next review date of the newest document of each type, for its controls."""
    users: dict[str, list[str]] = {}
    for control in controls:
        for doc_types, _ in document_rules(control):
            for doc_type in doc_types:
                users.setdefault(doc_type, []).append(control.id)
    items = []
    for doc_type, control_ids in sorted(users.items()):
        newest: dict[str, EvidenceItem] = {}
        for control in (c for c in controls if c.id in control_ids):
            latest = latest_document(evidence, control, [doc_type], day)
            if latest is not None and latest.facts.get("next_review"):
                newest.setdefault(latest.id, latest)
        for latest in newest.values():
            review = fact_date(latest.facts["next_review"])
            assert review is not None
            items.append(
                DueItem(
                    due=review,
                    kind="document-review",
                    title=f"Review of {latest.facts.get('title')!r}",
                    controls=sorted(set(control_ids)),
                    basis=(
                        f"next review date in the register ({doc_type}, "
                        f"dated {latest.facts.get('date')})"
                    ),
                    evidence_id=latest.id,
                )
            )
    return items


def _renewals(
    controls: list[Control], evidence: Sequence[EvidenceItem], day: date
) -> list[DueItem]:
    """Give the newest document of each cadence or age-limited check plus the cadence or limit."""
    items = []
    for control in controls:
        for doc_types, limit in document_rules(control):
            latest = latest_document(evidence, control, doc_types, day)
            issued = fact_date(latest.facts.get("date")) if latest else None
            if latest is None or issued is None or limit is None:
                continue
            every = f"{control.cadence.label}: " if control.cadence else "age limit: "
            items.append(
                DueItem(
                    due=issued + timedelta(days=limit),
                    kind="cadence",
                    title=f"Next {' or '.join(doc_types)}",
                    controls=[control.id],
                    basis=(
                        f"{every}{limit} days after {latest.facts.get('title')!r} "
                        f"dated {issued.isoformat()}"
                    ),
                    evidence_id=latest.id,
                )
            )
    return items


def _rotations(
    controls: list[Control], evidence: Sequence[EvidenceItem], day: date
) -> list[DueItem]:
    """Each secret's and active access key's last rotation plus the rotation cadence."""
    items = []
    for control in controls:
        if control.cadence is None:
            continue
        every = timedelta(days=control.cadence.every_days)
        for ref in control.checks:
            if ref.planned or ref.check not in ("secret_rotation", "access_key_age"):
                continue
            for item in evidence:
                if not item.usable:
                    continue
                for title, last in _credentials(ref.check, ref.with_.get("secret"), item):
                    if last is None or last > day:
                        continue
                    items.append(
                        DueItem(
                            due=last + every,
                            kind="rotation",
                            title=title,
                            controls=[control.id],
                            basis=f"{control.cadence.label}: last rotated {last.isoformat()}",
                            evidence_id=item.id,
                        )
                    )
    return items


def _value_changed(secret: dict[str, object]) -> date | None:
    """When a secret's current value was set (as the `secret_rotation` check reads it)."""
    moment, _ = last_value_change(Secret.model_validate(secret))
    return moment.date() if moment is not None else None


def _credentials(check: str, pattern: object, item: EvidenceItem) -> list[tuple[str, date | None]]:
    if check == "secret_rotation" and item.kind == "secrets.rotation":
        return [
            (f"Rotate secret {entry.get('name')!r}", _value_changed(entry))
            for entry in fact_entries(item.facts.get("secrets"))
            if pattern is None or matches_secret(str(entry.get("name", "")), str(pattern))
        ]
    if check == "access_key_age" and item.kind == "iam.credentials":
        return [
            (
                f"Rotate access key {key.get('slot', key.get('key', '?'))} of {user.get('user', '?')}",
                fact_date(key.get("last_rotated")),
            )
            for user in fact_entries(item.facts.get("users"))
            for key in fact_entries(user.get("access_keys"))
            if key.get("active") is not False
        ]
    return []
