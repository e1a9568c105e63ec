# SPDX-License-Identifier: EUPL-1.2
"""Versions keep the public face too: the communicatiedossier fields and the Woo category.

A change to a dossier's samenvatting, planning or FAQ, or to a record's
informatiecategorie, is a new version like any other change, so what the
public was told, and when, can be shown again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DOSSIER_VERSIE: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("samenvatting", sa.Text()),
    ("planning", sa.JSON()),
    ("faq", sa.JSON()),
    ("verantwoordelijke", sa.String(255)),
    ("verantwoordelijke_email", sa.String(320)),
    ("herzien_interval_dagen", sa.Integer()),
)
RECORD_VERSIE: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("informatiecategorie", sa.String(128)),
)


def upgrade() -> None:
    # The version tables are append-only by trigger; adding nullable columns
    # rewrites no row.
    for name, type_ in DOSSIER_VERSIE:
        op.add_column("dossier_versie", sa.Column(name, type_))
    for name, type_ in RECORD_VERSIE:
        op.add_column("record_versie", sa.Column(name, type_))


def downgrade() -> None:
    for name, _ in reversed(RECORD_VERSIE):
        op.execute(f"ALTER TABLE record_versie DROP COLUMN {name}")
    for name, _ in reversed(DOSSIER_VERSIE):
        op.execute(f"ALTER TABLE dossier_versie DROP COLUMN {name}")
