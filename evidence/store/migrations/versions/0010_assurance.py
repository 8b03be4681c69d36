"""Assurance: how far the tool vouches for each evidence item (observed, exported, attested).

Items stored before this revision did not record it. They are marked ``attested``, the level
that can never make a control verified, so an old run re-evaluated gives no false "verified".

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_items") as batch:
        batch.add_column(sa.Column("assurance", sa.String(20), nullable=False, server_default="attested"))


def downgrade() -> None:
    with op.batch_alter_table("evidence_items") as batch:
        batch.drop_column("assurance")
