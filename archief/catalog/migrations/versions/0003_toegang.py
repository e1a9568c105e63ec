# SPDX-License-Identifier: EUPL-1.2
"""Access: the organisation (diensten, afdelingen), policy versions, record kinds.

Dossiers made before this revision name their afdeling in free text; each
such name becomes an afdeling under the dienst `onbekend`, so no dossier is
lost and an administrator can move them with `archief organisatie load`.
Records in a layer the policy does not know move to `organisatie` (from
`intern`) or to the most closed layer, `leiding`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

# The layers of the shipped policy at this revision (policies/lagen.yaml).
LAGEN = "'leiding', 'afdeling', 'college', 'organisatie', 'raad', 'openbaar'"

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dienst",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("naam", sa.Text, nullable=False),
    )
    op.create_table(
        "afdeling",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("naam", sa.Text, nullable=False),
        sa.Column("dienst_code", sa.String(64), sa.ForeignKey("dienst.code"), nullable=False),
    )
    op.create_index("ix_afdeling_dienst_code", "afdeling", ["dienst_code"])
    op.create_table(
        "beleid",
        sa.Column("versie", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("regels", sa.Text, nullable=False),
        sa.Column("lagen", sa.Text, nullable=False),
        sa.Column("toelichting", sa.Text, nullable=False, server_default=""),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )

    conn = op.get_bind()
    names = [row[0] for row in conn.execute(sa.text("select distinct afdeling from dossier"))]
    if names:
        conn.execute(sa.text("insert into dienst (code, naam) values ('onbekend', 'Onbekend')"))
    for name in names:
        code = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64] or "onbekend"
        exists = conn.execute(
            sa.text("select 1 from afdeling where code = :c"), {"c": code}
        ).first()
        if exists is None:
            conn.execute(
                sa.text(
                    "insert into afdeling (code, naam, dienst_code) values (:c, :n, 'onbekend')"
                ),
                {"c": code, "n": name},
            )
        conn.execute(
            sa.text("update dossier set afdeling = :c where afdeling = :n"), {"c": code, "n": name}
        )

    op.add_column("dossier", sa.Column("wijken", sa.JSON, nullable=False, server_default="[]"))
    op.create_index("ix_dossier_afdeling", "dossier", ["afdeling"])
    if conn.dialect.name != "sqlite":
        # SQLite cannot add a constraint without rebuilding the table, which
        # the records referencing it forbid; there ensure_dossier checks it.
        op.create_foreign_key("fk_dossier_afdeling", "dossier", "afdeling", ["afdeling"], ["code"])
    # Layers before this revision were free text; the policy now names six.
    # "intern" is the organisation-wide layer; anything else unknown goes to
    # the most closed one, so an upgrade never shows a record to more people.
    for table in ("record", "ingest_item"):
        conn.execute(sa.text(f"update {table} set laag = 'organisatie' where laag = 'intern'"))  # noqa: S608
        conn.execute(
            sa.text(f"update {table} set laag = 'leiding' where laag not in ({LAGEN})")  # noqa: S608
        )
    op.add_column("record", sa.Column("vorige_laag", sa.String(32)))
    op.add_column("record", sa.Column("soort", sa.String(64)))
    op.create_index("ix_record_laag", "record", ["laag"])


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35 and PostgreSQL): a batch rebuild of a
    # referenced table fails with foreign keys on.
    op.drop_index("ix_record_laag", "record")
    op.execute("ALTER TABLE record DROP COLUMN soort")
    op.execute("ALTER TABLE record DROP COLUMN vorige_laag")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_dossier_afdeling", "dossier", type_="foreignkey")
    op.drop_index("ix_dossier_afdeling", "dossier")
    op.execute("ALTER TABLE dossier DROP COLUMN wijken")
    op.drop_table("beleid")
    op.drop_table("afdeling")
    op.drop_table("dienst")
