"""Queries for run seals (the per-organisation hash chain) and recorded sample draws.

Seals are written once, inside the run's own transaction; nothing here updates a sealed run.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidence.model.chain import ChainEntry, ChainLink
from evidence.model.period import Period
from evidence.model.run import RunInfo
from evidence.model.sampling import SampleDraw
from evidence.model.signoff import SignOff, SignOffRecord, signoff_text
from evidence.store.tables import RunRow, SampleDrawRow, SignOffRow


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_info(row: RunRow) -> RunInfo:
    """Return the run a row describes."""
    return RunInfo(
        id=row.id,
        uid=row.uid,
        organisation=row.organisation,
        developer_id=row.developer_id,
        period=Period(label=row.period_label, start=row.period_start, end=row.period_end),
        as_of=_utc(row.as_of),
        started_at=_utc(row.started_at),
        finished_at=_utc(row.finished_at) if row.finished_at else None,
        tool_version=row.tool_version,
        catalogues=list(row.catalogues),
        config_sha256=row.config_sha256,
        root_hash=row.root_hash,
    )


def link_of(row: RunRow) -> ChainLink | None:
    """Return the chain link of a sealed run row, or None for a run never sealed."""
    if row.root_hash is None or row.manifest_sha256 is None or row.prev_root_hash is None:
        return None
    return ChainLink(
        run_id=row.id,
        run_uid=row.uid,
        period=row.period_label,
        started_at=_utc(row.started_at),
        manifest_sha256=row.manifest_sha256,
        prev_root_hash=row.prev_root_hash,
        root_hash=row.root_hash,
    )


def chain_head(
    session: Session, developer_id: str, before_run: int | None = None
) -> ChainLink | None:
    """Return the newest sealed run of an organisation (older than ``before_run``, if given)."""
    query = (
        select(RunRow)
        .where(RunRow.developer_id == developer_id, RunRow.root_hash.is_not(None))
        .order_by(RunRow.id.desc())
    )
    if before_run is not None:
        query = query.where(RunRow.id < before_run)
    row = session.scalars(query).first()
    return link_of(row) if row is not None else None


def chain(session: Session, developer_id: str) -> list[ChainEntry]:
    """Every run of an organisation, oldest first, with its seal when it has one."""
    rows = session.scalars(
        select(RunRow).where(RunRow.developer_id == developer_id).order_by(RunRow.id)
    )
    return [
        ChainEntry(
            run=run_info(row),
            link=link_of(row),
            manifest=row.manifest,
            sealed_evaluation_id=row.sealed_evaluation_id,
        )
        for row in rows
    ]


def organisations(session: Session) -> list[tuple[str, str]]:
    """(developer id, newest legal name) of every organisation with runs in the store."""
    names: dict[str, str] = {}
    for row in session.scalars(select(RunRow).order_by(RunRow.id)):
        names[row.developer_id] = row.organisation
    return sorted(names.items())


def add_sample(session: Session, run_id: int, draw: SampleDraw) -> tuple[int, SampleDraw]:
    """Record ``draw`` for a run; an identical earlier draw is returned instead of a duplicate."""
    for row in session.scalars(
        select(SampleDrawRow).where(
            SampleDrawRow.run_id == run_id,
            SampleDrawRow.catalogue == draw.catalogue,
            SampleDrawRow.control_id == draw.control_id,
            SampleDrawRow.seed == draw.seed,
            SampleDrawRow.size == draw.size,
            SampleDrawRow.population_sha256 == draw.population_sha256,
        )
    ):
        earlier = SampleDraw.model_validate(row.draw)
        if earlier.kinds == draw.kinds and earlier.chosen == draw.chosen:
            return row.id, earlier
    assert draw.drawn_at is not None
    row = SampleDrawRow(
        run_id=run_id,
        catalogue=draw.catalogue,
        control_id=draw.control_id,
        seed=draw.seed,
        size=draw.size,
        population_sha256=draw.population_sha256,
        draw=draw.model_dump(mode="json"),
        drawn_at=draw.drawn_at,
    )
    session.add(row)
    session.flush()
    return row.id, draw


def samples(session: Session, run_id: int) -> list[SampleDraw]:
    """Sample draws recorded for a run, in the order they were drawn."""
    rows = session.scalars(
        select(SampleDrawRow).where(SampleDrawRow.run_id == run_id).order_by(SampleDrawRow.id)
    )
    return [SampleDraw.model_validate(row.draw) for row in rows]


def signoffs(session: Session, run_id: int) -> list[SignOff]:
    """Sign-offs recorded for a run, oldest first."""
    rows = session.scalars(
        select(SignOffRow).where(SignOffRow.run_id == run_id).order_by(SignOffRow.id)
    )
    return [
        SignOff(
            record=SignOffRecord.model_validate_json(row.record),
            sha256=row.sha256,
            prev_hash=row.prev_hash,
            root_hash=row.root_hash,
            signature=row.signature,
            certificate_pem=row.certificate_pem,
        )
        for row in rows
    ]


def add_signoff(
    session: Session, run_id: int, evaluation_id: int, signoff: SignOff, created_at: datetime
) -> None:
    """Record a sign-off (its seal must chain from the evaluation's last seal or sign-off)."""
    session.add(
        SignOffRow(
            run_id=run_id,
            evaluation_id=evaluation_id,
            record=signoff_text(signoff.record).decode("utf-8"),
            sha256=signoff.sha256,
            prev_hash=signoff.prev_hash,
            root_hash=signoff.root_hash,
            signature=signoff.signature,
            certificate_pem=signoff.certificate_pem,
            created_at=created_at,
        )
    )
    session.flush()
