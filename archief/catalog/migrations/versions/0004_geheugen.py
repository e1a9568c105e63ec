# SPDX-License-Identifier: EUPL-1.2
"""The municipal memory: audit trail, versions, besluiten, ombudsman grants.

Existing records and dossiers get their first version (as they are now,
dated when they were made), so reconstruction has a starting point for
everything. The audit trail starts empty: what happened before this
revision was never logged, and inventing entries for it would be a lie.

Audit entries, versions and decision steps are append-only. On PostgreSQL
and SQLite a trigger refuses UPDATE and DELETE (and TRUNCATE on
PostgreSQL), so even a bug cannot rewrite history; someone with the
rights to switch triggers off is caught by `archief audit verify`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APPEND_ONLY = ("audit", "record_versie", "dossier_versie", "besluit_stap")


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("record", sa.Column("versie", sa.Integer, nullable=False, server_default="1"))
    op.add_column("record", sa.Column("vergrendeld_door", sa.String(36)))
    op.create_table(
        "record_versie",
        sa.Column("record_id", sa.String(36), sa.ForeignKey("record.id"), primary_key=True),
        sa.Column("versie", sa.Integer, primary_key=True),
        _ts("at"),
        sa.Column("door", sa.String(255), nullable=False),
        sa.Column("actie", sa.String(32), nullable=False),
        sa.Column("titel", sa.Text, nullable=False),
        sa.Column("laag", sa.String(32), nullable=False),
        sa.Column("soort", sa.String(64)),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("object_key", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("filename", sa.String(255)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("vergrendeld_door", sa.String(36)),
    )
    op.create_index("ix_record_versie_at", "record_versie", ["at"])
    op.create_table(
        "dossier_versie",
        sa.Column("dossier_id", sa.String(36), sa.ForeignKey("dossier.id"), primary_key=True),
        sa.Column("versie", sa.Integer, primary_key=True),
        _ts("at"),
        sa.Column("door", sa.String(255), nullable=False),
        sa.Column("actie", sa.String(32), nullable=False),
        sa.Column("kenmerk", sa.String(64), nullable=False),
        sa.Column("titel", sa.Text, nullable=False),
        sa.Column("afdeling", sa.String(64), nullable=False),
        sa.Column("wijken", sa.JSON, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
    )
    op.create_index("ix_dossier_versie_at", "dossier_versie", ["at"])
    op.create_table(
        "audit",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        _ts("at"),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("rollen", sa.JSON, nullable=False),
        sa.Column("actie", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("dossier_id", sa.String(36)),
        sa.Column("voor", sa.JSON),
        sa.Column("na", sa.JSON),
        sa.Column("details", sa.JSON),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    for col in ("at", "actor", "actie", "object_id", "dossier_id"):
        op.create_index(f"ix_audit_{col}", "audit", [col])
    op.create_table(
        "audit_kop",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute(
        sa.text("insert into audit_kop (id, seq, hash) values (1, 0, :genesis)").bindparams(
            genesis="0" * 64
        )
    )
    op.create_table(
        "besluit",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("dossier_id", sa.String(36), sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("kenmerk", sa.String(64), nullable=False, unique=True),
        sa.Column("onderwerp", sa.Text, nullable=False),
        sa.Column("steller", sa.String(255), nullable=False),
        sa.Column("steller_naam", sa.Text, nullable=False),
        sa.Column("nota_record_id", sa.String(36), sa.ForeignKey("record.id")),
        sa.Column("fase", sa.String(32), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_besluit_dossier_id", "besluit", ["dossier_id"])
    op.create_table(
        "besluit_stap",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("besluit_id", sa.String(36), sa.ForeignKey("besluit.id"), nullable=False),
        sa.Column("volgnummer", sa.Integer, nullable=False),
        sa.Column("soort", sa.String(32), nullable=False),
        sa.Column("laag", sa.String(32), nullable=False),
        _ts("datum"),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("actor_naam", sa.Text, nullable=False),
        sa.Column("uitkomst", sa.String(32)),
        sa.Column("toelichting", sa.Text, nullable=False, server_default=""),
        sa.Column("records", sa.JSON, nullable=False),
        _ts("at"),
        sa.UniqueConstraint("besluit_id", "volgnummer", name="uq_besluit_stap_volgnummer"),
    )
    op.create_index("ix_besluit_stap_besluit_id", "besluit_stap", ["besluit_id"])
    op.create_table(
        "machtiging",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("ombudsman", sa.String(255), nullable=False),
        sa.Column("dossier_id", sa.String(36), sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("zaak", sa.String(255), nullable=False),
        sa.Column("reden", sa.Text, nullable=False),
        _ts("geldig_van"),
        _ts("geldig_tot"),
        sa.Column("verleend_door", sa.String(255), nullable=False),
        _ts("created_at"),
        _ts("ingetrokken_at", nullable=True),
        sa.Column("ingetrokken_door", sa.String(255)),
    )
    op.create_index("ix_machtiging_ombudsman", "machtiging", ["ombudsman"])
    op.create_index("ix_machtiging_dossier_id", "machtiging", ["dossier_id"])

    # Everything that exists gets its first version, dated when it was made.
    op.execute(
        "insert into record_versie (record_id, versie, at, door, actie, titel, laag, soort,"
        " sha256, object_key, media_type, size, filename, status, vergrendeld_door)"
        " select id, 1, created_at, 'archief', 'aangemaakt', titel, laag, soort, sha256,"
        " object_key, media_type, size, filename, status, null from record"
    )
    op.execute(
        "insert into dossier_versie (dossier_id, versie, at, door, actie, kenmerk, titel,"
        " afdeling, wijken, status) select id, 1, created_at, 'archief', 'aangemaakt', kenmerk,"
        " titel, afdeling, wijken, status from dossier"
    )
    _append_only()


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "create function archief_append_only() returns trigger language plpgsql as $$"
            " begin raise exception '% is append-only: history is never rewritten',"
            " TG_TABLE_NAME; end $$"
        )
        for table in APPEND_ONLY:
            # Per statement, so even an UPDATE that matches no row is refused.
            op.execute(
                f"create trigger {table}_append_only before update or delete or truncate"
                f" on {table} for each statement execute function archief_append_only()"
            )
    else:
        for table in APPEND_ONLY:
            for event in ("update", "delete"):
                op.execute(
                    f"create trigger {table}_no_{event} before {event} on {table}"
                    f" begin select raise(abort, '{table} is append-only'); end"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"drop trigger if exists {table}_append_only on {table}")
        op.execute("drop function if exists archief_append_only()")
    else:
        for table in APPEND_ONLY:
            for event in ("update", "delete"):
                op.execute(f"drop trigger if exists {table}_no_{event}")
    for table in (
        "machtiging",
        "besluit_stap",
        "besluit",
        "audit_kop",
        "audit",
        "dossier_versie",
        "record_versie",
    ):
        op.drop_table(table)
    op.execute("ALTER TABLE record DROP COLUMN vergrendeld_door")
    op.execute("ALTER TABLE record DROP COLUMN versie")
