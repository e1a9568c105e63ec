# SPDX-License-Identifier: EUPL-1.2
"""Catalog tables. Domain nouns stay Dutch (dossier, laag, afdeling); mechanics English."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class Dienst(Base):
    """A department (dienst) of the municipality; it contains afdelingen."""

    __tablename__ = "dienst"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    naam: Mapped[str] = mapped_column(Text)

    afdelingen: Mapped[list[Afdeling]] = relationship(back_populates="dienst")


class Afdeling(Base):
    """A unit within a dienst; it owns dossiers, and policies grant per afdeling."""

    __tablename__ = "afdeling"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    naam: Mapped[str] = mapped_column(Text)
    dienst_code: Mapped[str] = mapped_column(ForeignKey("dienst.code"), index=True)

    dienst: Mapped[Dienst] = relationship(back_populates="afdelingen")


class Dossier(Base):
    __tablename__ = "dossier"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kenmerk: Mapped[str] = mapped_column(String(64), unique=True)
    titel: Mapped[str] = mapped_column(Text)
    # The owning afdeling (its code).
    afdeling: Mapped[str] = mapped_column(ForeignKey("afdeling.code"), index=True)
    # Neighbourhoods the dossier concerns (Groningen has 42): public pages and feeds.
    wijken: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(32), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    records: Mapped[list[Record]] = relationship(back_populates="dossier")
    eigenaar: Mapped[Afdeling] = relationship()


class Record(Base):
    """One archived document: an immutable original, addressed by its SHA-256."""

    __tablename__ = "record"
    __table_args__ = (UniqueConstraint("dossier_id", "sha256", name="uq_record_dossier_sha256"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossier.id"), index=True)
    titel: Mapped[str] = mapped_column(Text)
    # The layer of the dossier the record sits in; the policy decides per layer.
    laag: Mapped[str] = mapped_column(String(32))
    # Where a published record was before it went public, so withdrawal puts
    # it back rather than guessing.
    vorige_laag: Mapped[str | None] = mapped_column(String(32))
    # Kind of document: besluitnota, brief, verslag, ... (search filter).
    soort: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(ForeignKey("content.sha256"), index=True)
    object_key: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str | None] = mapped_column(String(255))
    # Lifecycle of the record (actief, later vernietigd, overgebracht);
    # processing state lives on its Content.
    status: Mapped[str] = mapped_column(String(32), default="actief")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    dossier: Mapped[Dossier] = relationship(back_populates="records")


class Content(Base):
    """The bytes of one original, whatever dossiers it is filed in.

    Processing (extraction, OCR) happens once per content, keyed by SHA-256:
    the same scan filed in two dossiers is read once.
    """

    __tablename__ = "content"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    # stored → extracting → ocr → indexed, or failed (with a reason)
    status: Mapped[str] = mapped_column(String(32), default="stored")
    reason_code: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    quarantined: Mapped[bool] = mapped_column(Boolean, default=False)
    page_count: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Touched at every step, so a task that stopped moving shows as stuck.
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Page(Base):
    """One page of a content: where its text came from, how sure OCR was, its derivatives."""

    __tablename__ = "page"

    sha256: Mapped[str] = mapped_column(ForeignKey("content.sha256"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # text | ocr | blank
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[float | None] = mapped_column(Float)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    chars: Mapped[int] = mapped_column(Integer, default=0)
    text_key: Mapped[str | None] = mapped_column(String(255))
    hocr_key: Mapped[str | None] = mapped_column(String(255))


class IngestItem(Base):
    """One file handed in, by upload or bulk import: what the client polls."""

    __tablename__ = "ingest_item"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossier.id"), index=True)
    laag: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(255))
    # As received, escaped: hostile names are kept for the record, never used.
    original_name: Mapped[str] = mapped_column(Text)
    # path|size|mtime of a bulk import, so an interrupted run can resume.
    source_key: Mapped[str | None] = mapped_column(Text, index=True)
    sha256: Mapped[str | None] = mapped_column(ForeignKey("content.sha256"), index=True)
    record_id: Mapped[str | None] = mapped_column(ForeignKey("record.id"))
    # received | stored | duplicate | failed; once stored, the content's
    # status tells how processing goes.
    status: Mapped[str] = mapped_column(String(32), default="received")
    reason_code: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Suggestion(Base):
    """A metadata value read from the memo itself, waiting for a person to confirm it."""

    __tablename__ = "suggestion"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    page: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="suggested")


class Beleid(Base):
    """One version of the access policy: model, rules and layers, as the files were.

    Append-only: a change is a new version, so what held on any past date can
    be shown again.
    """

    __tablename__ = "beleid"

    versie: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(Text)
    regels: Mapped[str] = mapped_column(Text)
    lagen: Mapped[str] = mapped_column(Text)
    toelichting: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
