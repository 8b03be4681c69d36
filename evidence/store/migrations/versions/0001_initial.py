"""The first tables: runs, evidence items, raw inputs, evaluations, control results, reports.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JsonType = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uid", sa.String(36), nullable=False, unique=True),
        sa.Column("organisation", sa.String(300), nullable=False),
        sa.Column("developer_id", sa.String(200), nullable=False),
        sa.Column("period_label", sa.String(40), nullable=False, index=True),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tool_version", sa.String(40), nullable=False),
        sa.Column("catalogues", JsonType, nullable=False),
        sa.Column("config_sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "evidence_items",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("evidence_id", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(80), nullable=False, index=True),
        sa.Column("collector", sa.String(80), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("covers_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("covers_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("facts", JsonType, nullable=False),
        sa.Column("facts_sha256", sa.String(64), nullable=False),
        sa.Column("redactions", JsonType, nullable=False),
        sa.Column("stats", JsonType, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_table(
        "raw_inputs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("evidence_id", sa.String(40), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("stored_sha256", sa.String(64), nullable=True, index=True),
        sa.Column("stored_path", sa.Text, nullable=True),
        sa.Column("stored_note", sa.Text, nullable=True),
    )
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("catalogues", JsonType, nullable=False),
    )
    op.create_table(
        "control_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("evaluation_id", sa.Integer, sa.ForeignKey("evaluations.id"), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("catalogue", sa.String(80), nullable=False),
        sa.Column("control_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("result", JsonType, nullable=False),
        sa.UniqueConstraint("evaluation_id", "catalogue", "control_id"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("evaluation_id", sa.Integer, sa.ForeignKey("evaluations.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(80), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("reports", "control_results", "evaluations", "raw_inputs", "evidence_items", "runs"):
        op.drop_table(table)
