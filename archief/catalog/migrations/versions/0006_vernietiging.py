# SPDX-License-Identifier: EUPL-1.2
"""Destruction: lists, their items and reviews; the one rule that redacts history.

`record_versie` is append-only. Destruction (Archiefbesluit art. 8) must
still remove what a destroyed record was called, or the "destroyed" title
lives on in its history. This migration makes that one exception explicit
and narrow, in the database itself:

- an UPDATE of `record_versie` is refused unless the transaction has set
  `archief.vernietiging` (only `bewaring.vernietiging.uitvoeren` does, and
  it writes an audit entry in the same transaction);
- even then each row may change in exactly two ways: `titel` becomes
  '[vernietigd]' and `filename` becomes NULL; every other column must stay.

DELETE and TRUNCATE stay refused without exception.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

REDACTED = "[vernietigd]"
# Every record_versie column but the two that destruction redacts.
KEPT = (
    "record_id",
    "versie",
    "at",
    "door",
    "actie",
    "laag",
    "soort",
    "sha256",
    "object_key",
    "media_type",
    "size",
    "status",
    "vergrendeld_door",
    "categorie",
    "archiefactiedatum",
)


def _ts(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "vernietigingslijst",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kenmerk", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("toelichting", sa.Text, nullable=False, server_default=""),
        sa.Column("peildatum", sa.Date, nullable=False),
        sa.Column("aangemaakt_door", sa.String(255), nullable=False),
        _ts("aangemaakt_op", nullable=False),
        _ts("goedgekeurd_op"),
        _ts("uitvoerbaar_vanaf"),
        _ts("uitgevoerd_op"),
        sa.Column("uitgevoerd_door", sa.String(255)),
        sa.Column("verklaring_record_id", sa.String(36)),
        sa.Column("uitvoering", sa.JSON),
    )
    op.create_table(
        "vernietiging_item",
        sa.Column(
            "lijst_id", sa.String(36), sa.ForeignKey("vernietigingslijst.id"), primary_key=True
        ),
        sa.Column("record_id", sa.String(36), sa.ForeignKey("record.id"), primary_key=True),
        sa.Column("dossier_id", sa.String(36), nullable=False),
        sa.Column("dossier_kenmerk", sa.String(64), nullable=False),
        sa.Column("categorie", sa.String(32), nullable=False),
        sa.Column("brondatum", sa.Date),
        sa.Column("archiefactiedatum", sa.Date, nullable=False),
        _ts("record_aangemaakt", nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reden", sa.Text),
    )
    op.create_index("ix_vernietiging_item_record_id", "vernietiging_item", ["record_id"])
    op.create_table(
        "vernietiging_beoordeling",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "lijst_id", sa.String(36), sa.ForeignKey("vernietigingslijst.id"), nullable=False
        ),
        sa.Column("rol", sa.String(32), nullable=False),
        sa.Column("door", sa.String(255), nullable=False),
        sa.Column("naam", sa.Text, nullable=False, server_default=""),
        sa.Column("oordeel", sa.String(16), nullable=False),
        sa.Column("toelichting", sa.Text, nullable=False, server_default=""),
        _ts("at", nullable=False),
    )
    op.create_index(
        "ix_vernietiging_beoordeling_lijst_id", "vernietiging_beoordeling", ["lijst_id"]
    )
    op.add_column("record", sa.Column("vernietigingslijst_id", sa.String(36)))
    # Fixity and destruction both ask "which versions hold these bytes?".
    op.create_index("ix_record_versie_sha256", "record_versie", ["sha256"])
    _redaction_rule()


def _redaction_rule() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("drop trigger record_versie_append_only on record_versie")
        op.execute(
            "create trigger record_versie_append_only before delete or truncate"
            " on record_versie for each statement execute function archief_append_only()"
        )
        op.execute(
            "create function archief_alleen_bij_vernietiging() returns trigger"
            " language plpgsql as $$ begin"
            " if coalesce(current_setting('archief.vernietiging', true), '') = '' then"
            "  raise exception '% is append-only: history is never rewritten', TG_TABLE_NAME;"
            " end if; return null; end $$"
        )
        op.execute(
            "create trigger record_versie_redactie_toegestaan before update on record_versie"
            " for each statement execute function archief_alleen_bij_vernietiging()"
        )
        op.execute(
            "create function archief_alleen_redactie() returns trigger language plpgsql as $$"
            " begin"
            " if (to_jsonb(new) - 'titel' - 'filename') is distinct from"
            "    (to_jsonb(old) - 'titel' - 'filename')"
            f"  or new.titel <> '{REDACTED}' or new.filename is not null then"
            "  raise exception 'destruction may only redact titel and filename of %',"
            "   TG_TABLE_NAME;"
            " end if; return new; end $$"
        )
        op.execute(
            "create trigger record_versie_alleen_redactie before update on record_versie"
            " for each row execute function archief_alleen_redactie()"
        )
    else:
        # SQLite has no session settings: the row rule alone holds there.
        same = " and ".join(f"new.{c} is old.{c}" for c in KEPT)
        op.execute("drop trigger if exists record_versie_no_update")
        op.execute(
            "create trigger record_versie_no_update before update on record_versie"
            f" when not ({same} and new.titel = '{REDACTED}' and new.filename is null)"
            " begin select raise(abort, 'record_versie is append-only'); end"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("drop trigger record_versie_alleen_redactie on record_versie")
        op.execute("drop trigger record_versie_redactie_toegestaan on record_versie")
        op.execute("drop function archief_alleen_redactie()")
        op.execute("drop function archief_alleen_bij_vernietiging()")
        op.execute("drop trigger record_versie_append_only on record_versie")
        op.execute(
            "create trigger record_versie_append_only before update or delete or truncate"
            " on record_versie for each statement execute function archief_append_only()"
        )
    else:
        op.execute("drop trigger if exists record_versie_no_update")
        op.execute(
            "create trigger record_versie_no_update before update on record_versie"
            " begin select raise(abort, 'record_versie is append-only'); end"
        )
    op.drop_index("ix_record_versie_sha256", "record_versie")
    op.execute("ALTER TABLE record DROP COLUMN vernietigingslijst_id")
    op.drop_table("vernietiging_beoordeling")
    op.drop_table("vernietiging_item")
    op.drop_table("vernietigingslijst")
