"""What an auditor tests on each drawn member, the tool's own result, and the population's completeness."""

from __future__ import annotations

from collections.abc import Sequence

from evidence.model.catalogue import Control
from evidence.model.evidence import EvidenceItem
from evidence.model.results import Evaluation
from evidence.model.sampling import Completeness, SampleDraw, SampleItem


def describe_items(
    draw: SampleDraw, control: Control, evaluation: Evaluation | None
) -> list[SampleItem]:
    """One item per drawn member: the elements to test on it and what the tool decided.

    The attributes are the control's elements whose deciding evidence includes the member's
    evidence item (all elements when none names it); the result is the control's status and
    those elements' statuses in the newest evaluation of the run.
    """
    result = None
    if evaluation is not None:
        result = next(
            (
                r
                for r in evaluation.results
                if r.control_id == control.id and r.catalogue == draw.catalogue
            ),
            None,
        )
    members = {m.id: m for m in draw.population}
    items = []
    for member_id in draw.chosen:
        member = members[member_id]
        elements = []
        if result is not None:
            elements = [e for e in result.elements if member.evidence_id in e.evidence_ids]
        texts = (
            [f"{e.id}: {e.text}" for e in elements]
            if elements
            else [f"{e.id}: {e.text}" for e in control.elements]
        )
        attributes = f"{member.label} — test: " + "; ".join(texts)
        if result is None:
            outcome = "not evaluated: no evaluation of this run"
        else:
            shown = elements or result.elements
            outcome = f"control {result.status.label.lower()}; " + "; ".join(
                f"{e.id} {e.status.label.lower()}" for e in shown
            )
        items.append(SampleItem(id=member_id, attributes=attributes, result=outcome))
    return items


def completeness(draw: SampleDraw, evidence: Sequence[EvidenceItem]) -> Completeness:
    """Where the population came from and how many, reconciled where a second source exists."""
    used = {m.evidence_id for m in draw.population}
    by_id = {item.id: item for item in evidence}
    sources = sorted(
        f"{by_id[i].source} ({by_id[i].kind}, {i}, {by_id[i].location})" for i in used if i in by_id
    )
    reconciliation = None
    kinds = {m.kind for m in draw.population}
    if "identity.leavers" in kinds:
        accounts = [e for e in evidence if e.kind.startswith("identity.") and e.kind != "identity.leavers"]
        if accounts:
            reconciliation = (
                f"{draw.population_size} leaver(s) from the HR export(s); matched against the "
                f"accounts of {len(accounts)} identity source(s) "
                f"({', '.join(sorted({a.source for a in accounts}))}) by the offboarding check"
            )
    return Completeness(sources=sources, count=draw.population_size, reconciliation=reconciliation)
