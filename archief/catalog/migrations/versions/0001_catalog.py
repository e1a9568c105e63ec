# SPDX-License-Identifier: EUPL-1.2
"""The first catalog: dossiers and their records.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossier",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kenmerk", sa.String(64), nullable=False, unique=True),
        sa.Column("titel", sa.Text, nullable=False),
        sa.Column("afdeling", sa.String(128), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "record",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("dossier_id", sa.String(36), sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("titel", sa.Text, nullable=False),
        sa.Column("laag", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("object_key", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("filename", sa.String(255)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_reason", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("dossier_id", "sha256", name="uq_record_dossier_sha256"),
    )
    op.create_index("ix_record_dossier_id", "record", ["dossier_id"])
    op.create_index("ix_record_sha256", "record", ["sha256"])


def downgrade() -> None:
    op.drop_table("record")
    op.drop_table("dossier")
