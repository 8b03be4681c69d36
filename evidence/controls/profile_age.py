"""How long PII is kept after an order event, measured for a profile answer, never assumed.

A retention control may count its days from delivery while a profile question asks about
shipment, which comes earlier: "less than 31 days after delivery" does not make "less than 31
days after shipment" true. So a question that measures age reads the pii-age probe's tables
measured on the question's own clock, and answers only what they show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evidence.model.evidence import EvidenceItem
from evidence.model.profile import AgeMeasure

AGE_KIND = "retention.pii_age"
#: A measurement taken this far from the as-of date is of another date.
_STALE_SECONDS = 86400


@dataclass
class MeasuredAge:
    """The option the measured age falls in (None: not measurable), and the sentence why."""

    option: str | None
    text: str
    evidence_ids: list[str] = field(default_factory=list)


def measure_age(
    measure: AgeMeasure, options: list[str], evidence: Iterable[EvidenceItem], as_of: datetime
) -> MeasuredAge:
    """Measure how long PII is kept after ``measure.clock`` across every table holding PII."""
    clock = measure.clock
    tables = [
        (item, table)
        for item in evidence
        if item.kind == AGE_KIND and item.usable
        for table in item.facts.get("tables", [])
        if table.get("category") == "pii"
    ]
    if not tables:
        return MeasuredAge(
            None,
            f"No pii-age probe measured PII in any table, so how long PII is kept after {clock} "
            "is unknown.",
        )
    ids = sorted({item.id for item, _ in tables})
    on_clock = [(item, t) for item, t in tables if t.get("clock") == clock]
    measured = {(item.id, t["table"]) for item, t in on_clock}
    elsewhere = sorted(
        {
            f"{t['table']} ({item.id}, from {t.get('clock')})"
            for item, t in tables
            if (item.id, t["table"]) not in measured
        }
    )
    if elsewhere:
        why = (
            f"The question counts from {clock}, but the PII age of {', '.join(elsewhere)} was "
            f"measured from another event only; a limit kept from that event says nothing of "
            f"the age since {clock}, and no {clock} timestamp was collected for "
            f"{'it' if len(elsewhere) == 1 else 'them'} (add the table to a pii-age source "
            f'with clock = "{clock}" and its {clock} column).'
        )
        return MeasuredAge(None, why, ids)
    problems = [p for item, t in on_clock if (p := _unusable(item, t, as_of))]
    if problems:
        return MeasuredAge(None, " ".join(problems), ids)
    return _answer(measure, options, on_clock, ids)


def _unusable(item: EvidenceItem, table: dict[str, Any], as_of: datetime) -> str | None:
    label = f"table {table['table']} ({item.id})"
    if table.get("error"):
        return f"{label} could not be measured: {table['error']}."
    measured = item.facts.get("as_of")
    if measured:
        when = datetime.fromisoformat(str(measured).replace("Z", "+00:00"))
        if abs((when - as_of).total_seconds()) > _STALE_SECONDS:
            return (
                f"{label} was measured as of {when.date().isoformat()}, not as of the date judged."
            )
    return None


def _answer(
    measure: AgeMeasure,
    options: list[str],
    tables: list[tuple[EvidenceItem, dict[str, Any]]],
    ids: list[str],
) -> MeasuredAge:
    """The option of the oldest PII: exact where rows are past the probe's limit, else bounded."""
    clock = measure.clock
    oldest = [(t["oldest_age_days"] or 0, t, item) for item, t in tables if t["rows_past_limit"]]
    known = max((days for days, _, _ in oldest), default=0)
    bound = max([known, *(t["limit_days"] for item, t in tables if not t["rows_past_limit"])])
    low, high = _option(measure, options, known), _option(measure, options, bound)
    held = sum(int(t.get("rows_on_legal_hold") or 0) for _, t in tables)
    names = ", ".join(sorted({f"{t['table']} ({item.id})" for item, t in tables}))
    hold = f"; {held:,} row(s) under legal hold are not counted" if held else ""
    if low != high:
        return MeasuredAge(
            None,
            f"Measured from {clock} in {names}: the probe counts only rows older than {bound} "
            f"days, which cannot tell {low!r} from {high!r}; set the pii-age limit to "
            f"{measure.option_max_days[0]} days to decide.",
            ids,
        )
    if oldest:
        days, table, item = max(oldest, key=lambda o: (o[0], o[1]["table"]))
        text = (
            f"Measured from {clock}: the oldest PII is {days} days after {clock} (table "
            f"{table['table']}, {item.id}; {sum(t['rows_past_limit'] for _, t, _ in oldest):,} "
            f"row(s) older than {table['limit_days']} days){hold}."
        )
    else:
        text = f"Measured from {clock}: no PII is older than {bound} days after {clock} in {names}{hold}."
    return MeasuredAge(high, text, ids)


def _option(measure: AgeMeasure, options: list[str], days: int) -> str:
    for option, limit in zip(options, measure.option_max_days, strict=True):
        if limit is None or days <= limit:
            return option
    return options[-1]
