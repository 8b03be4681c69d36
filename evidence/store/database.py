"""The evidence store: runs, evidence, evaluations and reports in any SQLAlchemy database.

A run is written in one transaction: a run killed midway leaves no rows behind, and its stray
copied files are swept by the next run. Runs are append-only: nothing here updates or deletes
a committed run.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session

from evidence.errors import StoreError
from evidence.model.assurance import Assurance
from evidence.model.canonical import sha256_hex
from evidence.model.chain import (
    ChainEntry,
    ChainLink,
    EvaluationSeal,
    evaluation_root,
    sealed_evaluation_text,
)
from evidence.model.evidence import EvidenceItem, ParseStats, RawInput
from evidence.model.period import Period
from evidence.model.results import ControlResult, Evaluation
from evidence.model.run import RunInfo
from evidence.model.sampling import SampleDraw
from evidence.model.signoff import SignOff
from evidence.store import seals
from evidence.store.blobs import BlobStore
from evidence.store.seals import run_info as _run_info
from evidence.store.tables import (
    ControlResultRow,
    EvaluationRow,
    EvaluationSealRow,
    EvidenceRow,
    IdentityKeyRow,
    RawInputRow,
    ReportRow,
    RunRow,
)
from evidence.store.waivers import WaiverLedger

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Key of the PostgreSQL advisory lock held while the schema is migrated.
_MIGRATION_LOCK = 7_310_014


def _utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything in the store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _utc_opt(moment: datetime | None) -> datetime | None:
    return _utc(moment) if moment is not None else None


class Store:
    """Opens (and migrates) the database at ``url`` and the copies folder beside it."""

    def __init__(
        self, url: str, copies_dir: Path, password: SecretStr | None = None, *, create: bool = True
    ) -> None:
        try:
            parsed: URL = make_url(url)
        except ArgumentError:
            raise StoreError(f"store URL {url!r} is not a database URL") from None
        if password is not None:
            parsed = parsed.set(password=password.get_secret_value())
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            database = Path(parsed.database)
            if not create and not database.is_file():
                raise StoreError(
                    f"no evidence store at {database}: run `evidence collect` or `evidence run` first"
                )
            try:
                database.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the store's folder {database.parent}: {exc.strerror}") from None
        self.display_url = parsed.render_as_string(hide_password=True)
        try:
            self.engine: Engine = create_engine(parsed)
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            raise StoreError(f"cannot use store {self.display_url}: {exc}") from None
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.blobs = BlobStore(copies_dir)
        self._migrate()

    def _migrate(self) -> None:
        """Bring the schema to the newest revision; two first runs at once both end up there.

        On PostgreSQL an advisory lock serialises the migrations; on SQLite (and wherever the
        other run won the race) the loser's "already exists" is retried once, after which the
        schema is current and nothing is left to do.
        """
        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS))
        for attempt in range(3):
            try:
                with self.engine.begin() as connection:
                    if connection.dialect.name == "postgresql":
                        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                return
            except (IntegrityError, ProgrammingError, OperationalError) as exc:
                racing = "already exists" in str(exc.orig) or isinstance(exc, IntegrityError)
                if racing and attempt < 2:
                    time.sleep(0.2 * (attempt + 1))
                    continue
                raise StoreError(f"cannot open store {self.display_url}: {str(exc.orig).strip()}") from None

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()

    @property
    def waivers(self) -> WaiverLedger:
        """The append-only ledger of waivers granted and revoked."""
        return WaiverLedger(self.engine)

    # Writing ----------------------------------------------------------------------------

    @contextmanager
    def new_run(
        self,
        *,
        organisation: str,
        developer_id: str,
        period: Period,
        as_of: datetime,
        catalogues: list[str],
        config_sha256: str,
        tool_version: str,
        started_at: datetime,
        kind: str = "full",
    ) -> Iterator[RunWriter]:
        """A run written in one transaction, committed only when the block ends without error.

        ``kind`` is "snapshot" for the settings snapshots of `evidence collect --snapshot`.
        """
        with self.blobs.run_lock():
            self._sweep()
            with self._transaction() as session:
                row = RunRow(
                    uid=str(uuid.uuid4()),
                    organisation=organisation,
                    developer_id=developer_id,
                    period_label=period.label,
                    period_start=period.start,
                    period_end=period.end,
                    as_of=as_of,
                    started_at=started_at,
                    tool_version=tool_version,
                    catalogues=catalogues,
                    config_sha256=config_sha256,
                    kind=kind,
                )
                session.add(row)
                session.flush()
                writer = RunWriter(session, row, self.blobs)
                yield writer
                row.finished_at = datetime.now(UTC)
            self.blobs.witness_seals(writer.witness)

    @contextmanager
    def append_to(self, run_id: int) -> Iterator[RunWriter]:
        """Add an evaluation or reports to a committed run, in one transaction."""
        with self.blobs.run_lock():
            with self._transaction() as session:
                row = session.get(RunRow, run_id)
                if row is None:
                    raise StoreError(f"run {run_id} is not in the store")
                writer = RunWriter(session, row, self.blobs)
                yield writer
            self.blobs.witness_seals(writer.witness)

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as exc:
            raise StoreError(f"store {self.display_url}: {exc.orig}") from None

    def _sweep(self) -> None:
        with Session(self.engine) as session:
            referenced = set(
                session.scalars(
                    select(RawInputRow.stored_sha256).where(RawInputRow.stored_sha256.is_not(None)).distinct()
                )
            )
        self.blobs.sweep({r for r in referenced if r})

    # Reading ----------------------------------------------------------------------------

    def runs(self, period_label: str | None = None, *, kind: str = "full") -> list[RunInfo]:
        """Committed runs of ``kind`` (snapshots apart), oldest first, optionally of one period."""
        query = select(RunRow).where(RunRow.kind == kind).order_by(RunRow.id)
        if period_label is not None:
            query = query.where(RunRow.period_label == period_label)
        with Session(self.engine) as session:
            return [_run_info(row) for row in session.scalars(query)]

    def latest_run(self, period_label: str) -> RunInfo | None:
        """The newest run of a period, or None."""
        runs = self.runs(period_label)
        return runs[-1] if runs else None

    def snapshot_evidence(self, developer_id: str, start: datetime, end: datetime) -> list[EvidenceItem]:
        """Items of the snapshots showing settings from ``start`` to ``end``, and of the last before.

        A snapshot's moment is the ``captured_at`` its items show (a saved CLI output may be
        snapshotted later than it was captured). The last one before the period lets a change
        log carry its settings into the period.
        """
        with Session(self.engine) as session:
            rows = list(
                session.scalars(
                    select(RunRow)
                    .where(RunRow.kind == "snapshot", RunRow.developer_id == developer_id)
                    .order_by(RunRow.started_at, RunRow.id)
                )
            )
        earlier = [r for r in rows if _utc(r.started_at) < start][-1:]
        shown: list[tuple[datetime, list[EvidenceItem]]] = []
        for row in [*earlier, *(r for r in rows if _utc(r.started_at) >= start)]:
            items = self.evidence(row.id)
            moments = [
                datetime.fromisoformat(str(i.facts["captured_at"]).replace("Z", "+00:00"))
                for i in items
                if i.facts.get("captured_at")
            ]
            shown.append((min(moments) if moments else _utc(row.started_at), items))
        within = [items for moment, items in shown if start <= moment <= end]
        before = sorted(((m, i) for m, i in shown if m < start), key=lambda found: found[0])[-1:]
        return [item for items in [*(i for _, i in before), *within] for item in items]

    def identity_key(self, run_id: int) -> str | None:
        """The run's sealed pseudonym key, or None when the run kept none."""
        with Session(self.engine) as session:
            row = session.get(IdentityKeyRow, run_id)
            return row.sealed if row is not None else None

    def evidence(self, run_id: int) -> list[EvidenceItem]:
        """Every evidence item of a run, in the order it was collected."""
        with Session(self.engine) as session:
            raws: dict[str, list[RawInput]] = {}
            for raw in session.scalars(
                select(RawInputRow).where(RawInputRow.run_id == run_id).order_by(RawInputRow.seq)
            ):
                raws.setdefault(raw.evidence_id, []).append(
                    RawInput(
                        location=raw.location,
                        sha256=raw.sha256,
                        size=raw.size,
                        stored_sha256=raw.stored_sha256,
                        stored_path=raw.stored_path,
                        stored_note=raw.stored_note,
                    )
                )
            rows = session.scalars(
                select(EvidenceRow).where(EvidenceRow.run_id == run_id).order_by(EvidenceRow.seq)
            )
            return [_evidence_item(row, raws.get(row.evidence_id, [])) for row in rows]

    def latest_evaluation(self, run_id: int) -> tuple[int, Evaluation] | None:
        """The newest evaluation of a run with its id, or None."""
        with Session(self.engine) as session:
            row = session.scalars(
                select(EvaluationRow).where(EvaluationRow.run_id == run_id).order_by(EvaluationRow.id.desc())
            ).first()
            return (row.id, _evaluation(session, row)) if row is not None else None

    def evaluation(self, evaluation_id: int) -> Evaluation | None:
        """One evaluation by id, or None."""
        with Session(self.engine) as session:
            row = session.get(EvaluationRow, evaluation_id)
            return _evaluation(session, row) if row is not None else None

    def stored_evaluations(self, run_id: int) -> list[StoredEvaluation]:
        """Every evaluation of a run, oldest first, as stored, with its seal (if any)."""
        with Session(self.engine) as session:
            seals_by_id = {
                seal.evaluation_id: seal
                for seal in session.scalars(
                    select(EvaluationSealRow).where(EvaluationSealRow.run_id == run_id)
                )
            }
            run = session.get(RunRow, run_id)
            uid = run.uid if run is not None else ""
            found = []
            for row in session.scalars(
                select(EvaluationRow).where(EvaluationRow.run_id == run_id).order_by(EvaluationRow.id)
            ):
                statuses = {
                    (r.catalogue, r.control_id): (r.status, str(r.result.get("status")))
                    for r in session.scalars(
                        select(ControlResultRow).where(ControlResultRow.evaluation_id == row.id)
                    )
                }
                seal = seals_by_id.get(row.id)
                found.append(
                    StoredEvaluation(
                        id=row.id,
                        evaluation=_evaluation(session, row),
                        statuses=statuses,
                        sealed_text=seal.sealed if seal is not None else None,
                        seal=EvaluationSeal(
                            evaluation_id=row.id,
                            run_uid=uid,
                            sha256=seal.sha256,
                            prev_hash=seal.prev_hash,
                            root_hash=seal.root_hash,
                        )
                        if seal is not None
                        else None,
                    )
                )
            return found

    def reports(self, evaluation_id: int) -> list[dict[str, Any]]:
        """Reports rendered from an evaluation: kind, path, sha256, pages."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(ReportRow).where(ReportRow.evaluation_id == evaluation_id).order_by(ReportRow.id)
            )
            return [
                {"kind": r.kind, "path": r.path, "sha256": r.sha256, "pages": r.pages} for r in rows
            ]

    def chain(self, developer_id: str) -> list[ChainEntry]:
        """Every run of an organisation, oldest first, each with its seal (if sealed)."""
        with Session(self.engine) as session:
            return seals.chain(session, developer_id)

    def organisations(self) -> list[tuple[str, str]]:
        """(developer id, legal name) of every organisation that has runs in the store."""
        with Session(self.engine) as session:
            return seals.organisations(session)

    def samples(self, run_id: int) -> list[SampleDraw]:
        """Sample draws recorded for a run, oldest first."""
        with Session(self.engine) as session:
            return seals.samples(session, run_id)

    def signoffs(self, run_id: int) -> list[SignOff]:
        """Sign-offs recorded for a run, oldest first."""
        with Session(self.engine) as session:
            return seals.signoffs(session, run_id)

    def copy_path(self, relative: str) -> Path:
        """Where a stored (redacted) copy lives on disk."""
        return self.blobs.path(relative)

    def count_rows(self) -> dict[str, int]:
        """Rows per table (used by tests and `evidence log`)."""
        counts = {}
        with Session(self.engine) as session:
            for table in (RunRow, EvidenceRow, RawInputRow, EvaluationRow, ControlResultRow, ReportRow):
                counts[table.__tablename__] = len(session.scalars(select(table)).all())
        return counts


@dataclass
class StoredEvaluation:
    """An evaluation as the store holds it, for checking against its seal.

    ``statuses`` maps (catalogue, control) to the status column and the status in the stored
    result; ``sealed_text`` is the canonical JSON the seal hashed.
    """

    id: int
    evaluation: Evaluation
    statuses: dict[tuple[str, str], tuple[str, str]]
    sealed_text: str | None
    seal: EvaluationSeal | None


class RunWriter:
    """Adds the parts of one run inside its transaction.

    ``witness`` collects a line per seal made, written to the store's witness once committed.
    """

    def __init__(self, session: Session, row: RunRow, blobs: BlobStore) -> None:
        self._session = session
        self._row = row
        self._blobs = blobs
        self._seq = 0
        self.witness: list[str] = []

    @property
    def run(self) -> RunInfo:
        """The run being written."""
        return _run_info(self._row)

    def copy(self, chunks: Iterable[bytes]) -> tuple[str, str, int]:
        """Store a redacted copy; returns (sha256, relative path, size)."""
        return self._blobs.put(chunks)

    def add_identity_key(self, sealed: str, count: int) -> None:
        """Keep the run's sealed pseudonym key (see :class:`IdentityKeyRow`)."""
        self._session.merge(IdentityKeyRow(run_id=self._row.id, sealed=sealed, count=count))

    def add_evidence(self, item: EvidenceItem) -> None:
        """Insert an evidence item and its raw inputs (flushed, not committed)."""
        self._seq += 1
        self._session.add(
            EvidenceRow(
                run_id=self._row.id,
                evidence_id=item.id,
                seq=self._seq,
                kind=item.kind,
                collector=item.collector,
                source=item.source,
                subject=item.subject,
                location=item.location,
                collected_at=item.collected_at,
                covers_start=item.covers_start,
                covers_end=item.covers_end,
                facts=item.facts,
                facts_sha256=item.facts_sha256,
                redactions=item.redactions,
                stats=item.stats.model_dump(mode="json"),
                error=item.error,
                assurance=item.assurance.value,
                provenance=item.provenance,
            )
        )
        for index, raw in enumerate(item.raw_inputs):
            self._session.add(
                RawInputRow(
                    run_id=self._row.id,
                    evidence_id=item.id,
                    seq=self._seq * 1000 + index,
                    location=raw.location,
                    sha256=raw.sha256,
                    size=raw.size,
                    stored_sha256=raw.stored_sha256,
                    stored_path=raw.stored_path,
                    stored_note=raw.stored_note,
                )
            )
        try:
            self._session.flush()
        except SQLAlchemyError as exc:
            # The driver's own message only: SQLAlchemy's would quote the row's values.
            cause = getattr(exc, "orig", None) or type(exc).__name__
            raise StoreError(f"cannot store evidence {item.id} ({item.kind} {item.subject}): {cause}") from None

    def add_evaluation(self, evaluation: Evaluation, created_at: datetime) -> int:
        """Insert an evaluation and its control results; returns the evaluation id."""
        row = EvaluationRow(
            run_id=self._row.id,
            created_at=created_at,
            as_of=evaluation.as_of,
            catalogues=evaluation.catalogues,
            attributes=evaluation.model_dump(
                mode="json", exclude={"as_of", "catalogues", "results", "waivers"}
            ),
        )
        self._session.add(row)
        self._session.flush()
        for seq, result in enumerate(evaluation.results):
            self._session.add(
                ControlResultRow(
                    evaluation_id=row.id,
                    seq=seq,
                    catalogue=result.catalogue,
                    control_id=result.control_id,
                    status=result.status.value,
                    result=result.model_dump(mode="json"),
                )
            )
        self._session.flush()
        return row.id

    def seal_evaluation(self, evaluation_id: int, evaluation: Evaluation) -> EvaluationSeal:
        """Seal an evaluation of this (sealed) run: its canonical JSON, chained to the run's root."""
        if self._row.root_hash is None:
            raise StoreError(
                f"run {self._row.id} is not sealed, so its evaluations cannot be; run `evidence run` again"
            )
        last = self._session.scalars(
            select(EvaluationSealRow)
            .where(EvaluationSealRow.run_id == self._row.id)
            .order_by(EvaluationSealRow.evaluation_id.desc())
        ).first()
        prev = last.root_hash if last is not None else self._row.root_hash
        text = sealed_evaluation_text(evaluation)
        digest = sha256_hex(text.encode("utf-8"))
        root = evaluation_root(prev, digest)
        self._session.add(
            EvaluationSealRow(
                evaluation_id=evaluation_id,
                run_id=self._row.id,
                sealed=text,
                sha256=digest,
                prev_hash=prev,
                root_hash=root,
            )
        )
        try:
            self._session.flush()
        except IntegrityError:
            raise StoreError(
                f"another evaluation of run {self._row.id} was sealed at the same time; run again"
            ) from None
        self.witness.append(f"evaluation {self._row.developer_id} {self._row.uid} {evaluation_id} {root}")
        return EvaluationSeal(
            evaluation_id=evaluation_id, run_uid=self._row.uid, sha256=digest, prev_hash=prev, root_hash=root
        )

    def add_report(
        self, evaluation_id: int, kind: str, path: str, sha256: str, pages: int, created_at: datetime
    ) -> None:
        """Record a rendered report."""
        self._session.add(
            ReportRow(
                evaluation_id=evaluation_id,
                kind=kind,
                path=path,
                sha256=sha256,
                pages=pages,
                created_at=created_at,
            )
        )
        self._session.flush()

    def chain_head(self) -> ChainLink | None:
        """Return the newest sealed run before this one (None: this run starts the chain)."""
        return seals.chain_head(self._session, self._row.developer_id, before_run=self._row.id)

    def seal(
        self,
        manifest: str,
        manifest_sha256: str,
        prev_root_hash: str,
        root_hash: str,
        evaluation_id: int | None,
    ) -> None:
        """Record the run's manifest and chain link: once, inside the run's own transaction."""
        if self._row.root_hash is not None:
            raise StoreError(f"run {self._row.id} is already sealed")
        self._row.manifest = manifest
        self._row.manifest_sha256 = manifest_sha256
        self._row.prev_root_hash = prev_root_hash
        self._row.root_hash = root_hash
        self._row.sealed_evaluation_id = evaluation_id
        try:
            self._session.flush()
        except IntegrityError:
            raise StoreError(
                f"another run of {self._row.developer_id} extended the evidence chain at the same "
                "time; run again"
            ) from None
        self.witness.append(f"run {self._row.developer_id} {self._row.uid} {root_hash}")

    def add_sample(self, draw: SampleDraw) -> tuple[int, SampleDraw]:
        """Record a sample draw for this run (an identical earlier draw is returned instead)."""
        return seals.add_sample(self._session, self._row.id, draw)

    def add_signoff(self, evaluation_id: int, signoff: SignOff, created_at: datetime) -> None:
        """Record a sign-off of this run's evaluation (sealed after its evaluation seal)."""
        try:
            seals.add_signoff(self._session, self._row.id, evaluation_id, signoff, created_at)
        except IntegrityError:
            raise StoreError(
                f"another sign-off of evaluation {evaluation_id} was recorded at the same time; "
                "sign off again"
            ) from None


def _evaluation(session: Session, row: EvaluationRow) -> Evaluation:
    results = session.scalars(
        select(ControlResultRow)
        .where(ControlResultRow.evaluation_id == row.id)
        .order_by(ControlResultRow.seq)
    )
    return Evaluation.model_validate(
        {
            **(row.attributes or {}),
            "as_of": _utc(row.as_of),
            "catalogues": list(row.catalogues),
            "results": [ControlResult.model_validate(r.result) for r in results],
        }
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _evidence_item(row: EvidenceRow, raws: list[RawInput]) -> EvidenceItem:
    return EvidenceItem(
        id=row.evidence_id,
        kind=row.kind,
        collector=row.collector,
        source=row.source,
        subject=row.subject,
        location=row.location,
        collected_at=_utc(row.collected_at),
        covers_start=_utc_opt(row.covers_start),
        covers_end=_utc_opt(row.covers_end),
        raw_inputs=raws,
        facts=dict(row.facts),
        facts_sha256=row.facts_sha256,
        redactions=dict(row.redactions),
        stats=ParseStats.model_validate(row.stats),
        error=row.error,
        assurance=Assurance(row.assurance),
        provenance=dict(row.provenance) if row.provenance is not None else None,
    )
