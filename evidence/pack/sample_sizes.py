"""Sample sizes for tests of controls, by how often the control operates (docs/sampling.md).

The table follows the one auditors use for tests of operating effectiveness of controls that
operate a known number of times a period, from the AICPA Audit Guide *Audit Sampling*
(chapter 3, tests of controls; the table of sample sizes for small populations and for
controls that operate annually, quarterly, monthly, weekly, daily or many times a day):

=================== ===================== =============
Frequency           Operations a year     Sample size
=================== ===================== =============
annual              1                     1
quarterly           2 to 4                2
monthly             5 to 12               2 to 5
weekly              13 to 52              5 to 15
daily               53 to 365             20 to 40
many times a day    more than 365         25 to 60
=================== ===================== =============

A control with a cadence in the catalogue (an IR-plan review every 182 days) takes its
frequency from the cadence; an event-driven one (an offboarding per leaver, a deletion per
request) from the size of its population over the period, scaled to a year. The tool
proposes the low end of the range, never more than the population; the auditor raises it with
``--size`` for a control at higher risk, and the draw records the row used.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.model.catalogue import Control
from evidence.model.period import Period

SOURCE = "AICPA Audit Guide, Audit Sampling, chapter 3 (tests of controls): sample sizes by control frequency"


@dataclass(frozen=True)
class SizeRow:
    """One row of the table: a frequency, the operations a year it covers, and the sizes."""

    frequency: str
    max_per_year: float
    low: int
    high: int

    @property
    def text(self) -> str:
        """The row as the draw records it ("monthly: 2-5")."""
        sizes = str(self.low) if self.low == self.high else f"{self.low}-{self.high}"
        return f"{self.frequency}: {sizes}"


TABLE: tuple[SizeRow, ...] = (
    SizeRow("annual", 1, 1, 1),
    SizeRow("quarterly", 4, 2, 2),
    SizeRow("monthly", 12, 2, 5),
    SizeRow("weekly", 52, 5, 15),
    SizeRow("daily", 365, 20, 40),
    SizeRow("many times a day", float("inf"), 25, 60),
)


def row_for(per_year: float) -> SizeRow:
    """The table row of a control that operates ``per_year`` times a year."""
    for row in TABLE:
        if per_year <= row.max_per_year:
            return row
    return TABLE[-1]


@dataclass(frozen=True)
class SizeChoice:
    """The proposed size, the frequency it came from, and why (as the draw records it)."""

    size: int
    frequency: str
    basis: str


def recommended_size(control: Control, population: int, period: Period) -> SizeChoice:
    """Propose a sample size for ``control`` with ``population`` members in ``period``."""
    days = max((period.end - period.start).days + 1, 1)
    if control.cadence is not None:
        per_year = 365 / control.cadence.every_days
        how = f"its cadence ({control.cadence.label}, every {control.cadence.every_days} days)"
    else:
        per_year = population * 365 / days
        how = (
            f"its population ({population} in {days} days, about {per_year:.0f} a year; "
            "event-driven)"
        )
    row = row_for(per_year)
    size = max(1, min(row.low, population)) if population else row.low
    basis = f"{row.text} ({SOURCE}), frequency from {how}; the low end of the range"
    if population and population < row.low:
        basis += f", capped at the population of {population}"
    return SizeChoice(size=size, frequency=row.frequency, basis=basis)
