# SPDX-License-Identifier: EUPL-1.2
"""Retention: selectielijst categories, derived archiefactiedatum, legal holds.

Categories start empty: which category an existing dossier falls under is a
judgement for the archivist (`archief bewaring categoriseer`), not something
a migration may guess.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RECORD: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("categorie", sa.String(32)),
    ("archiefnominatie", sa.String(20)),
    ("brondatum", sa.Date()),
    ("archiefactiedatum", sa.Date()),
)


def upgrade() -> None:
    op.add_column("dossier", sa.Column("categorie", sa.String(32)))
    op.add_column("dossier", sa.Column("afgehandeld_op", sa.Date))
    for name, type_ in RECORD:
        op.add_column("record", sa.Column(name, type_))
    op.create_index("ix_record_archiefactiedatum", "record", ["archiefactiedatum"])
    # The version tables are append-only by trigger; adding nullable columns
    # rewrites no row.
    op.add_column("record_versie", sa.Column("categorie", sa.String(32)))
    op.add_column("record_versie", sa.Column("archiefactiedatum", sa.Date))
    op.add_column("dossier_versie", sa.Column("categorie", sa.String(32)))
    op.add_column("dossier_versie", sa.Column("afgehandeld_op", sa.Date))
    op.create_table(
        "blokkade",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("dossier_id", sa.String(36), sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("record_id", sa.String(36), sa.ForeignKey("record.id")),
        sa.Column("grond", sa.String(32), nullable=False),
        sa.Column("reden", sa.Text, nullable=False),
        sa.Column("geplaatst_door", sa.String(255), nullable=False),
        sa.Column("geplaatst_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opgeheven_door", sa.String(255)),
        sa.Column("opgeheven_op", sa.DateTime(timezone=True)),
        sa.Column("opheffing_reden", sa.Text),
    )
    op.create_index("ix_blokkade_dossier_id", "blokkade", ["dossier_id"])
    op.create_index("ix_blokkade_record_id", "blokkade", ["record_id"])


def downgrade() -> None:
    op.drop_table("blokkade")
    for table, columns in (
        ("dossier_versie", ("afgehandeld_op", "categorie")),
        ("record_versie", ("archiefactiedatum", "categorie")),
    ):
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_index("ix_record_archiefactiedatum", "record")
    for name, _ in reversed(RECORD):
        op.execute(f"ALTER TABLE record DROP COLUMN {name}")
    op.execute("ALTER TABLE dossier DROP COLUMN afgehandeld_op")
    op.execute("ALTER TABLE dossier DROP COLUMN categorie")
