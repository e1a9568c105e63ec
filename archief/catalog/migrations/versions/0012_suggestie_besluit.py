# SPDX-License-Identifier: EUPL-1.2
"""Metadata suggestions a person decides on: the decision, its value, who and when.

Pending suggestions were `suggested`; they become `voorgesteld`, beside the
Dutch outcomes bevestigd, gecorrigeerd and afgewezen.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SUGGESTION: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("waarde", sa.Text()),
    ("recordveld", sa.String(32)),
    ("besloten_door", sa.String(255)),
    ("besloten_op", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    for name, type_ in SUGGESTION:
        op.add_column("suggestion", sa.Column(name, type_))
    op.execute("UPDATE suggestion SET status = 'voorgesteld' WHERE status = 'suggested'")


def downgrade() -> None:
    # Decisions cannot be expressed in the old schema: every suggestion is pending again.
    op.execute("UPDATE suggestion SET status = 'suggested'")
    for name, _ in reversed(SUGGESTION):
        op.execute(f"ALTER TABLE suggestion DROP COLUMN {name}")
