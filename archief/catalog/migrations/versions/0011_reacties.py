# SPDX-License-Identifier: EUPL-1.2
"""Reactions of the public on a dossier: the kenmerk the sender is given, and its record.

The reaction itself is a record (non-public layer); this table only hands
out the kenmerk (`R-<year>-<number>`, the number from an identity column,
so two senders never get the same one) and links it to the record.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reactie",
        sa.Column("nummer", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("kenmerk", sa.String(32), unique=True),
        sa.Column("dossier_id", sa.String(36), sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("record_id", sa.String(36), sa.ForeignKey("record.id")),
        sa.Column("ontvangen_op", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reactie_dossier_id", "reactie", ["dossier_id"])


def downgrade() -> None:
    op.drop_table("reactie")
