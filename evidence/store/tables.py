"""SQLAlchemy tables of the evidence store. Alembic migrations (store/migrations) create them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class RunRow(Base):
    """One run: collection for a period, and everything evaluated and rendered from it."""

    __tablename__ = "runs"
    # One chain per organisation: a root hash can be extended only once, so two runs racing to
    # extend the same head cannot both commit (migration 0008).
    __table_args__ = (
        UniqueConstraint("developer_id", "prev_root_hash", name="uq_runs_chain_link"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    organisation: Mapped[str] = mapped_column(String(300))
    developer_id: Mapped[str] = mapped_column(String(200))
    period_label: Mapped[str] = mapped_column(String(40), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    tool_version: Mapped[str] = mapped_column(String(40))
    catalogues: Mapped[list[str]] = mapped_column(JsonType)
    config_sha256: Mapped[str] = mapped_column(String(64))
    # The seal (migration 0008): canonical manifest JSON exactly as hashed, its SHA-256, the
    # previous run's root hash (64 zeros for the first run) and this run's root hash.
    manifest: Mapped[str | None] = mapped_column(Text, nullable=True)
    manifest_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prev_root_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    root_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sealed_evaluation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # "full" (collect/run) or "snapshot" (`collect --snapshot`: settings only, migration 0011).
    kind: Mapped[str] = mapped_column(String(20), default="full", server_default="full")


class EvidenceRow(Base):
    """An evidence item as collected in one run (facts already redacted)."""

    __tablename__ = "evidence_items"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    evidence_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(80), index=True)
    collector: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(Text)
    collected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    covers_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    covers_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    facts: Mapped[dict[str, Any]] = mapped_column(JsonType)
    facts_sha256: Mapped[str] = mapped_column(String(64))
    redactions: Mapped[dict[str, int]] = mapped_column(JsonType)
    stats: Mapped[dict[str, Any]] = mapped_column(JsonType)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # How far the tool vouches for the item (migration 0010): observed, exported or attested.
    assurance: Mapped[str] = mapped_column(String(20))
    # Who collected it, where, how and from what (migration 0013); None for older runs.
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)


class IdentityKeyRow(Base):
    """A run's pseudonym -> name map of staff and system identities (migration 0013).

    Never in clear: ``sealed`` is AES-256-GCM under a key derived from the configured pseudonym
    key (see :mod:`evidence.pack.reveal`), so the store alone reveals nothing; `evidence pack
    --reveal-to` opens it and re-encrypts it to the auditor's certificate.
    """

    __tablename__ = "identity_keys"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    sealed: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer)


class RawInputRow(Base):
    """A raw input of an evidence item: its hash, size, and the redacted copy kept (if any)."""

    __tablename__ = "raw_inputs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    evidence_id: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    stored_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    stored_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    stored_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class EvaluationRow(Base):
    """One evaluation of a run's evidence against the catalogues, as of a moment."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    catalogues: Mapped[list[str]] = mapped_column(JsonType)
    # Every other field of the evaluation model (migration 0012), so what is sealed is what is kept.
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)


class EvaluationSealRow(Base):
    """An evaluation's seal (migration 0012): its canonical JSON as hashed, chained to its run.

    ``prev_hash`` is the run's root hash for the run's first evaluation, else the root hash of
    the run's previous evaluation seal; a hash can be extended only once.
    """

    __tablename__ = "evaluation_seals"
    __table_args__ = (UniqueConstraint("run_id", "prev_hash", name="uq_evaluation_seals_link"),)

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    sealed: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    root_hash: Mapped[str] = mapped_column(String(64))


class ControlResultRow(Base):
    """The status of one control in one evaluation, with reasons, evidence ids and figures."""

    __tablename__ = "control_results"
    __table_args__ = (UniqueConstraint("evaluation_id", "catalogue", "control_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    catalogue: Mapped[str] = mapped_column(String(80))
    control_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30))
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)


class ReportRow(Base):
    """A rendered report and its hash."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SampleDrawRow(Base):
    """A reproducible sample drawn from a control's population in one run (migration 0008)."""

    __tablename__ = "sample_draws"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    catalogue: Mapped[str] = mapped_column(String(80))
    control_id: Mapped[str] = mapped_column(String(40))
    seed: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    population_sha256: Mapped[str] = mapped_column(String(64))
    draw: Mapped[dict[str, Any]] = mapped_column(JsonType)
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignOffRow(Base):
    """A sign-off of an evaluation's reports, sealed after the evaluation (migration 0013)."""

    __tablename__ = "signoffs"
    __table_args__ = (UniqueConstraint("evaluation_id", "prev_hash", name="uq_signoffs_link"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    record: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    root_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)
    certificate_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
