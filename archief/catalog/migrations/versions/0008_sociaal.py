# SPDX-License-Identifier: EUPL-1.2
"""Social media posts captured as records, deduplicated on their platform id.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sociaal_bericht",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("platform_id", sa.String(255), nullable=False),
        sa.Column("record_id", sa.String(36), sa.ForeignKey("record.id"), nullable=False),
        sa.Column("dossier_id", sa.String(36), sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("account", sa.Text, nullable=False, server_default=""),
        sa.Column("url", sa.Text),
        sa.Column("antwoord_op", sa.String(255)),
        sa.Column("gepubliceerd_op", sa.DateTime(timezone=True)),
        sa.Column("vastgelegd_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("auteur", sa.Text),
        sa.Column("soort", sa.String(16)),
        sa.Column("gesprek", sa.Text),
        sa.Column("gedeeld_van", sa.Text),
        sa.Column("bron", sa.Text),
        sa.Column("media", sa.JSON),
        sa.Column("warc_id", sa.String(36), sa.ForeignKey("record.id")),
        sa.Column("warc_record_id", sa.String(64)),
        sa.UniqueConstraint("platform", "platform_id", name="uq_sociaal_platform_id"),
    )
    op.create_index("ix_sociaal_bericht_record_id", "sociaal_bericht", ["record_id"])
    op.create_index("ix_sociaal_bericht_dossier_id", "sociaal_bericht", ["dossier_id"])


def downgrade() -> None:
    op.drop_table("sociaal_bericht")
