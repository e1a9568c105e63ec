# SPDX-License-Identifier: EUPL-1.2
"""The public face: communicatiedossier fields, rappel bookkeeping, Woo metadata.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DOSSIER: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("samenvatting", sa.Text()),
    ("planning", sa.JSON()),
    ("faq", sa.JSON()),
    ("verantwoordelijke", sa.String(255)),
    ("verantwoordelijke_email", sa.String(320)),
    ("herzien_interval_dagen", sa.Integer()),
    ("herzien_op", sa.DateTime(timezone=True)),
    ("rappel_verstuurd_op", sa.DateTime(timezone=True)),
    ("publiek_sinds", sa.DateTime(timezone=True)),
)
RECORD: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("informatiecategorie", sa.String(128)),
    ("gepubliceerd_op", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    for name, type_ in DOSSIER:
        op.add_column("dossier", sa.Column(name, type_))
    for name, type_ in RECORD:
        op.add_column("record", sa.Column(name, type_))


def downgrade() -> None:
    for name, _ in reversed(RECORD):
        op.execute(f"ALTER TABLE record DROP COLUMN {name}")
    for name, _ in reversed(DOSSIER):
        op.execute(f"ALTER TABLE dossier DROP COLUMN {name}")
