"""A control's population for sampling, built from the evidence items its checks read.

Each evidence kind has an extractor that turns one item into population members: a document
into itself, an ``access.activity`` item into its principals, a ``retention.job_runs`` item into
its jobs (or its individual runs, when the facts list them). Kinds without an extractor count
each item as one member. Members dated outside the period are left out, and said so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidence.errors import SampleError
from evidence.model.catalogue import Catalogue, Control, EvidenceNeed
from evidence.model.evidence import EvidenceItem
from evidence.model.period import Period
from evidence.model.sampling import PopulationMember

Extractor = Callable[[EvidenceItem, EvidenceNeed, Control], Iterator[PopulationMember]]
EXTRACTORS: dict[str, Extractor] = {}


def extractor(kind: str) -> Callable[[Extractor], Extractor]:
    """Register the function that lists the population members in items of ``kind``."""

    def register(function: Extractor) -> Extractor:
        EXTRACTORS[kind] = function
        return function

    return register


@dataclass
class Population:
    """The members of a control's population, sorted by id, and what was left out and why."""

    control: Control
    kinds: list[str]
    members: list[PopulationMember]
    notes: list[str] = field(default_factory=list)


def build_population(
    control: Control, evidence: Sequence[EvidenceItem], period: Period, kinds: Sequence[str] = ()
) -> Population:
    """Build the members from the usable evidence of the control's needs (only ``kinds``)."""
    known = sorted({need.kind for need in control.evidence})
    unknown = sorted(set(kinds) - set(known))
    if unknown:
        raise SampleError(
            f"{control.id} needs no evidence of kind {', '.join(unknown)}; "
            f"its kinds are {', '.join(known)}"
        )
    needs = [n for n in control.evidence if not kinds or n.kind in kinds]
    members: dict[str, PopulationMember] = {}
    outside = 0
    for need in needs:
        extract = EXTRACTORS.get(need.kind, _whole_item)
        for item in evidence:
            if item.kind != need.kind or not item.usable:
                continue
            for member in extract(item, need, control):
                if member.when is not None and not _within(member.when, period):
                    outside += 1
                    continue
                members.setdefault(member.id, member)
    notes = []
    if outside:
        notes.append(f"{outside} member(s) dated outside {period.label} were left out")
    failed = sorted(
        {i.source for i in evidence if i.kind in {n.kind for n in needs} and not i.usable}
    )
    if failed:
        notes.append(f"source(s) {', '.join(failed)} could not be read: their members are missing")
    return Population(
        control=control,
        kinds=sorted({n.kind for n in needs}),
        members=sorted(members.values(), key=lambda m: m.id),
        notes=notes,
    )


def find_control(catalogues: Sequence[Catalogue], control_id: str) -> tuple[Catalogue, Control]:
    """Find a control (case-insensitive id) in the catalogues of a run; SampleError if absent."""
    for catalogue in catalogues:
        for control in catalogue.controls:
            if control.id == control_id.upper():
                return catalogue, control
    refs = ", ".join(c.ref for c in catalogues)
    raise SampleError(f"no control {control_id!r} in {refs}; see `evidence policies show`")


def _within(when: str, period: Period) -> bool:
    day = when[:10]
    return period.start.isoformat() <= day <= period.end.isoformat()


def _whole_item(
    item: EvidenceItem, need: EvidenceNeed, control: Control
) -> Iterator[PopulationMember]:
    yield PopulationMember(
        id=item.id, evidence_id=item.id, kind=item.kind, label=f"{item.kind}: {item.subject}"
    )


@extractor("document")
def documents(
    item: EvidenceItem, need: EvidenceNeed, control: Control
) -> Iterator[PopulationMember]:
    """List documents of the need's types registered for the control (or for no control)."""
    facts = item.facts
    if need.doc_types and facts.get("doc_type") not in need.doc_types:
        return
    supported = facts.get("controls") or []
    if supported and control.id not in supported:
        return
    yield PopulationMember(
        id=item.id,
        evidence_id=item.id,
        kind=item.kind,
        label=(
            f"{facts.get('title', item.subject)} "
            f"({facts.get('doc_type')}, dated {facts.get('date')})"
        ),
        when=facts.get("date"),
    )


@extractor("access.activity")
def principals(
    item: EvidenceItem, need: EvidenceNeed, control: Control
) -> Iterator[PopulationMember]:
    """Each (pseudonymised) principal seen by an access-activity source."""
    for entry in _dicts(item.facts.get("principals")):
        name = entry.get("principal")
        if not name:
            continue
        logins = entry.get("logins", 0)
        without = entry.get("logins_without_mfa", 0)
        yield PopulationMember(
            id=f"{item.id}/principal/{name}",
            evidence_id=item.id,
            kind=item.kind,
            label=f"principal {name} in {item.source}: {logins} logins, {without} without MFA",
        )


@extractor("identity.leavers")
def leavers(item: EvidenceItem, need: EvidenceNeed, control: Control) -> Iterator[PopulationMember]:
    """Each leaver of an HR export, dated by the day they left (pseudonymised)."""
    for entry in _dicts(item.facts.get("leavers")):
        ref, left = entry.get("ref"), entry.get("left")
        if not ref or not isinstance(left, str):
            continue
        yield PopulationMember(
            id=f"{item.id}/leaver/{ref}/{left}",
            evidence_id=item.id,
            kind=item.kind,
            label=f"leaver {ref}, left {left} ({entry.get('row', 'HR export')})",
            when=left,
        )


@extractor("retention.job_runs")
def job_runs(
    item: EvidenceItem, need: EvidenceNeed, control: Control
) -> Iterator[PopulationMember]:
    """Each run of each purge job when the facts list runs, otherwise each job."""
    for job in _dicts(item.facts.get("jobs")):
        name = job.get("job")
        if not name:
            continue
        runs = [r for r in job.get("runs") or [] if isinstance(r, dict | str)]
        if not runs:
            yield PopulationMember(
                id=f"{item.id}/job/{name}",
                evidence_id=item.id,
                kind=item.kind,
                label=(
                    f"job {name} ({job.get('purges', 'unknown')}): {job.get('actual', '?')} of "
                    f"{job.get('expected', '?')} runs, {len(job.get('missed') or [])} missed, "
                    f"{len(job.get('failed') or [])} failed"
                ),
            )
            continue
        for run in runs:
            when = (
                run if isinstance(run, str) else str(run.get("at") or run.get("started_at") or "")
            )
            outcome = "" if isinstance(run, str) else f" ({run.get('status', 'status unknown')})"
            yield PopulationMember(
                id=f"{item.id}/job/{name}/run/{when}",
                evidence_id=item.id,
                kind=item.kind,
                label=f"run of job {name} at {when}{outcome}",
                when=when or None,
            )


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


@extractor("retention.deletion_requests")
def deletion_requests(
    item: EvidenceItem, need: EvidenceNeed, control: Control
) -> Iterator[PopulationMember]:
    """Each deletion request of a register, dated by when it was received."""
    for entry in _dicts(item.facts.get("requests")):
        ref, received = entry.get("id"), entry.get("received")
        if not ref or not isinstance(received, str):
            continue
        completed = entry.get("completed")
        yield PopulationMember(
            id=f"{item.id}/request/{ref}",
            evidence_id=item.id,
            kind=item.kind,
            label=(
                f"deletion request {ref}: received {received}, "
                f"{'completed ' + str(completed) if completed else 'not completed'}"
            ),
            when=received,
        )


#: When a control's evidence holds several kinds, the population is of one kind of like items,
#: the first of these it has (events an auditor samples before summaries), else the first need's.
LIKE_ITEMS = (
    "identity.leavers",
    "retention.deletion_requests",
    "settings.changes",
    "retention.job_runs",
    "document",
    "access.activity",
)


def like_items(population: Population, control: Control) -> str | None:
    """The one kind the population should hold when it mixes kinds (None when it does not)."""
    present = {m.kind for m in population.members}
    if len(present) < 2:
        return None
    for kind in LIKE_ITEMS:
        if kind in present:
            return kind
    return next(n.kind for n in control.evidence if n.kind in present)
