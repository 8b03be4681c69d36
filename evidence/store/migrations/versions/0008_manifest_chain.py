"""Run seals and sample draws: manifest, manifest hash, chained root hashes; sample_draws.

Revision ID: 0008
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0001"
branch_labels = None
depends_on = None

JsonType = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("manifest", sa.Text, nullable=True))
        batch.add_column(sa.Column("manifest_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("prev_root_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("root_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("sealed_evaluation_id", sa.Integer, nullable=True))
        batch.create_unique_constraint("uq_runs_chain_link", ["developer_id", "prev_root_hash"])
    op.create_table(
        "sample_draws",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("catalogue", sa.String(80), nullable=False),
        sa.Column("control_id", sa.String(40), nullable=False),
        sa.Column("seed", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("population_sha256", sa.String(64), nullable=False),
        sa.Column("draw", JsonType, nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sample_draws")
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint("uq_runs_chain_link", type_="unique")
        for column in (
            "sealed_evaluation_id",
            "root_hash",
            "prev_root_hash",
            "manifest_sha256",
            "manifest",
        ):
            batch.drop_column(column)
