"""What a check sees: the control, its parameters, the period, and the evidence by kind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from evidence.model.catalogue import Control
from evidence.model.evidence import EvidenceItem
from evidence.model.facts import F
from evidence.model.period import Period
from evidence.model.results import CheckOutcome, Figure, Status


class Params(BaseModel):
    """The parameters a check reads, declared so the catalogue is checked when it loads.

    A field without a default must be stated by the catalogue (the control's ``parameters`` or the
    check's ``with``); a check never reads a default the catalogue did not state. Parameters of
    the control that this check does not declare are ignored here (another check of the control
    reads them).
    """

    model_config = ConfigDict(extra="ignore", frozen=True)


class NoParams(Params):
    """A check that reads no parameter."""


P = TypeVar("P", bound=Params)


@dataclass(frozen=True)
class CheckContext:
    """Read-only view handed to each check function.

    ``params`` are the control's parameters overlaid with the check's own ``with`` arguments.
    Every date judgement must use ``as_of`` (never the wall clock).
    """

    control: Control
    params: dict[str, Any]
    period: Period
    as_of: datetime
    evidence: Sequence[EvidenceItem]
    settings: dict[str, Any]
    #: Days a cadence interval may run over (the catalogue's ``grace_days`` or the config's).
    grace_days: int = 0

    def items(self, kind: str) -> list[EvidenceItem]:
        """Usable evidence items of ``kind`` (items whose source failed are left out)."""
        return [item for item in self.evidence if item.kind == kind and item.usable]

    def facts(self, model: type[F]) -> list[tuple[EvidenceItem, F]]:
        """Usable items of ``model``'s kind, each with its facts read as ``model``."""
        return [(item, item.facts_as(model)) for item in self.items(model.kind)]

    def parameters(self, model: type[P]) -> P:
        """The check's parameters read as ``model`` (its declared parameter model).

        The catalogue's parameters are validated against the model when the catalogue loads, so
        a failure here means a config override (a reading, a grace) gave an ill-typed value.
        """
        try:
            return model.model_validate(self.params)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"parameter {where} of {self.control.id}: {first['msg']}") from None

    def met(self, *reasons: str, evidence: Sequence[EvidenceItem] = (), **figures: Figure) -> CheckOutcome:
        """A met outcome; name the evidence and figures that decided it."""
        return _outcome(Status.MET, reasons, evidence, figures)

    def not_met(self, *reasons: str, evidence: Sequence[EvidenceItem] = (), **figures: Figure) -> CheckOutcome:
        """A not-met outcome: evidence shows the requirement is not fulfilled."""
        return _outcome(Status.NOT_MET, reasons, evidence, figures)

    def insufficient(
        self, *reasons: str, evidence: Sequence[EvidenceItem] = (), **figures: Figure
    ) -> CheckOutcome:
        """Not enough (or not fresh enough) evidence to decide either way."""
        return _outcome(Status.INSUFFICIENT, reasons, evidence, figures)

    def not_applicable(
        self, *reasons: str, evidence: Sequence[EvidenceItem] = (), **figures: Figure
    ) -> CheckOutcome:
        """Say the check has nothing to judge here (e.g. the config declares no S3 bucket of PII).

        It neither passes nor blocks its control; a control whose checks are all not
        applicable is "insufficient evidence", never met.
        """
        return _outcome(Status.NOT_APPLICABLE, reasons, evidence, figures)


def _outcome(
    status: Status, reasons: Sequence[str], evidence: Sequence[EvidenceItem], figures: dict[str, Figure]
) -> CheckOutcome:
    return CheckOutcome(
        check="",
        status=status,
        reasons=list(reasons),
        evidence_ids=sorted({item.id for item in evidence}),
        figures=figures,
    )
