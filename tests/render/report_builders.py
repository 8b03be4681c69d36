"""Report data built from the real catalogues and hand-made evaluations (no collectors, no store).

Used by the render tests and by benchmarks/bench_render.py for large evidence sets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from evidence.controls.catalogue import load_catalogue
from evidence.controls.profile import answer_profile, load_profile_questions
from evidence.model.catalogue import Catalogue
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput, stable_evidence_id
from evidence.model.period import parse_period
from evidence.model.report import OrganisationSummary, ReportSetData, Signatories
from evidence.model.results import CheckOutcome, ControlResult, Evaluation, Status
from evidence.model.run import RunInfo

PERIOD = parse_period("2026-Q3")
STARTED = datetime(2026, 10, 2, 9, 30, tzinfo=UTC)
STATUS_CYCLE = (Status.MET, Status.NOT_MET, Status.INSUFFICIENT, Status.MET)


def run_info(catalogues: Sequence[Catalogue]) -> RunInfo:
    """Make a run of the sample organisation for 2026-Q3, started at a fixed instant."""
    return RunInfo(
        id=1,
        uid="5f2c1e7a-0000-4000-8000-00000000a001",
        organisation="Fennel & Finch Commerce Ltd",
        developer_id="amzn1.sp.solution.7f3c2a10-4b8e-4d1a-9c55-2e0f6a9b1d34",
        period=PERIOD,
        as_of=PERIOD.end_at,
        started_at=STARTED,
        finished_at=STARTED,
        tool_version="test",
        catalogues=[c.ref for c in catalogues],
        config_sha256="0" * 64,
    )


def evidence_item(control_id: str, index: int, **facts: object) -> EvidenceItem:
    """One sealed evidence item about ``control_id`` with a raw input and a few facts."""
    raw = RawInput(
        location=f"exports/{control_id}-{index}.json", sha256=f"{index:064x}", size=1000 + index
    )
    item = EvidenceItem(
        id=stable_evidence_id("bulk", "document", f"{control_id}-{index}", [raw.sha256]),
        kind="document",
        collector="documents",
        source="bulk",
        subject=f"Export {index} for {control_id}",
        location=raw.location,
        collected_at=STARTED,
        covers_start=PERIOD.start_at,
        covers_end=PERIOD.end_at,
        raw_inputs=[raw],
        facts={
            "control": control_id,
            "index": index,
            "checks": [{"name": "a", "ok": True}],
            **facts,
        },
        stats=ParseStats(scope=raw.location, read=10, kept=9, rejected=1),
    )
    return item.seal()


def evaluation_for(
    catalogues: Sequence[Catalogue],
    items_per_control: int,
    status_of: Callable[[int], Status] = lambda i: STATUS_CYCLE[i % len(STATUS_CYCLE)],
    reason: Callable[[str, int], str] = lambda cid, n: (
        f"{n} evidence items were examined for {cid}"
    ),
) -> tuple[Evaluation, list[EvidenceItem]]:
    """Evaluate every control, each decided by ``items_per_control`` evidence items."""
    results: list[ControlResult] = []
    evidence: list[EvidenceItem] = []
    index = 0
    for catalogue in catalogues:
        for control in catalogue.controls:
            items = [evidence_item(control.id, n) for n in range(items_per_control)]
            evidence.extend(items)
            status = status_of(index)
            index += 1
            ids = sorted(i.id for i in items)
            reasons = [reason(control.id, len(items))]
            results.append(
                ControlResult(
                    control_id=control.id,
                    catalogue=catalogue.ref,
                    status=status,
                    reasons=reasons,
                    evidence_ids=ids,
                    figures={"items": len(items), "share_ok": 0.9},
                    outcomes=[
                        CheckOutcome(
                            check="document_current",
                            status=status,
                            reasons=reasons,
                            evidence_ids=ids,
                        )
                    ],
                )
            )
    evaluation = Evaluation(
        as_of=PERIOD.end_at, catalogues=[c.ref for c in catalogues], results=results
    )
    return evaluation, evidence


def report_set(
    refs: Sequence[str] = ("amazon-dpp@2025-11", "amazon-aup@2025-11"),
    items_per_control: int = 1,
    *,
    catalogues: Sequence[Catalogue] | None = None,
    evaluation: tuple[Evaluation, list[EvidenceItem]] | None = None,
    owners: dict[str, str] | None = None,
) -> ReportSetData:
    """Report data for ``refs`` (or the given catalogues), every control decided by evidence."""
    selected = list(catalogues) if catalogues is not None else [load_catalogue(r) for r in refs]
    result, evidence = evaluation or evaluation_for(selected, items_per_control)
    owners = (
        owners
        if owners is not None
        else {"access": "Head of Engineering", "incident": "Security Lead"}
    )
    return ReportSetData(
        run=run_info(selected),
        organisation=OrganisationSummary(
            legal_name="Fennel & Finch Commerce Ltd",
            developer_id="amzn1.sp.solution.7f3c2a10-4b8e-4d1a-9c55-2e0f6a9b1d34",
            applications=["ParcelPilot"],
            impoc_name="Priya Raman",
            impoc_email="security@fennelfinch.example",
        ),
        catalogues=selected,
        evaluation=result,
        evidence=evidence,
        owners=owners,
        tool_version="test",
        generated_at=STARTED,
        signatories=Signatories(preparer="Tomás Byrne", security_lead="Priya Raman"),
        profile=answer_profile(load_profile_questions(), result, selected, evidence, owners),
    )


def small_catalogue(ref: str = "amazon-aup@2025-11", controls: int = 3) -> Catalogue:
    """Cut a real catalogue to its first ``controls`` controls, for quick renders."""
    catalogue = load_catalogue(ref)
    return catalogue.model_copy(update={"controls": catalogue.controls[:controls]})
