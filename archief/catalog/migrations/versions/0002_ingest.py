# SPDX-License-Identifier: EUPL-1.2
"""Ingest: content processed once per SHA-256, its pages, intake items, suggestions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason_code", sa.String(64)),
        sa.Column("reason", sa.Text),
        sa.Column("quarantined", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("page_count", sa.Integer),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_content_status", "content", ["status"])
    # Records ingested before this revision get content rows in state
    # `stored`, so `archief ingest --resume` processes them with the full
    # pipeline (pages, derivatives) instead of keeping demo-era leftovers.
    op.execute(
        """
        insert into content (sha256, media_type, size, status, quarantined, attempts,
                             created_at, updated_at)
        select sha256, min(media_type), min(size), 'stored', false, 0,
               min(created_at), min(created_at)
        from record group by sha256
        """
    )
    with op.batch_alter_table("record") as batch:
        batch.drop_column("status_reason")
        batch.create_foreign_key("fk_record_content", "content", ["sha256"], ["sha256"])
    op.execute("update record set status = 'actief'")
    op.create_table(
        "page",
        sa.Column("sha256", sa.String(64), sa.ForeignKey("content.sha256"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("confidence", sa.Float),
        sa.Column("needs_review", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("chars", sa.Integer, nullable=False, server_default="0"),
        sa.Column("text_key", sa.String(255)),
        sa.Column("hocr_key", sa.String(255)),
    )
    op.create_table(
        "ingest_item",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("dossier_id", sa.String(36), sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("laag", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("original_name", sa.Text, nullable=False),
        sa.Column("source_key", sa.Text),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("content.sha256")),
        sa.Column("record_id", sa.String(36), sa.ForeignKey("record.id")),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason_code", sa.String(64)),
        sa.Column("reason", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ingest_item_dossier_id", "ingest_item", ["dossier_id"])
    op.create_index("ix_ingest_item_source_key", "ingest_item", ["source_key"])
    op.create_index("ix_ingest_item_sha256", "ingest_item", ["sha256"])
    op.create_table(
        "suggestion",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("record_id", sa.String(36), sa.ForeignKey("record.id"), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_suggestion_record_id", "suggestion", ["record_id"])


def downgrade() -> None:
    op.drop_table("suggestion")
    op.drop_table("ingest_item")
    op.drop_table("page")
    with op.batch_alter_table("record") as batch:
        batch.drop_constraint("fk_record_content", type_="foreignkey")
        batch.add_column(sa.Column("status_reason", sa.Text))
    op.drop_table("content")
