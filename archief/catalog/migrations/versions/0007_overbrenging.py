# SPDX-License-Identifier: EUPL-1.2
"""Transfer (overbrenging) of permanent records to the archive repository.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "overbrenging",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kenmerk", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("peildatum", sa.Date, nullable=False),
        sa.Column("ontvanger", sa.Text, nullable=False, server_default=""),
        sa.Column("pakket", sa.Text),
        sa.Column("pakket_sha256", sa.String(64)),
        sa.Column("aangemaakt_door", sa.String(255), nullable=False),
        sa.Column("aangemaakt_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bevestigd_door", sa.String(255)),
        sa.Column("bevestigd_op", sa.DateTime(timezone=True)),
        sa.Column("bevestiging", sa.Text),
        sa.Column("dossiers", sa.JSON),
        sa.Column("overgeslagen", sa.JSON),
        sa.Column("omvang", sa.BigInteger),
        sa.Column("bestanden", sa.Integer),
        sa.Column("fout", sa.Text),
        sa.Column("geannuleerd_door", sa.String(255)),
        sa.Column("geannuleerd_op", sa.DateTime(timezone=True)),
        sa.Column("annulering_reden", sa.Text),
    )
    op.create_table(
        "overbrenging_item",
        sa.Column(
            "overbrenging_id", sa.String(36), sa.ForeignKey("overbrenging.id"), primary_key=True
        ),
        sa.Column("record_id", sa.String(36), sa.ForeignKey("record.id"), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pad", sa.Text, nullable=False),
        sa.Column("versie", sa.Integer, nullable=False, server_default="1"),
        sa.Column("dossier_id", sa.String(36), nullable=False, server_default=""),
    )
    op.create_index("ix_overbrenging_item_record_id", "overbrenging_item", ["record_id"])


def downgrade() -> None:
    op.drop_table("overbrenging_item")
    op.drop_table("overbrenging")
