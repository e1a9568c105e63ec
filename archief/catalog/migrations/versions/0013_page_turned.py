# SPDX-License-Identifier: EUPL-1.2
"""How far OCR turned a page that lay on its side or upside down, with no flag to say so.

A page fed into the scanner the wrong way round is found by tesseract's
orientation detection and read turned (ingest.process._read_turned). Its
word boxes are those of the turned page; the thumbnail is drawn turned as
much, and the pages API names the turn, so a viewer can put the boxes on
the right pixels. Pages from before this revision were never turned: 0.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "page", sa.Column("turned", sa.Integer(), nullable=False, server_default=sa.text("0"))
    )


def downgrade() -> None:
    op.drop_column("page", "turned")
