# SPDX-License-Identifier: EUPL-1.2
"""Catalog tables. Domain nouns stay Dutch (dossier, laag, afdeling); mechanics English."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class Dossier(Base):
    __tablename__ = "dossier"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kenmerk: Mapped[str] = mapped_column(String(64), unique=True)
    titel: Mapped[str] = mapped_column(Text)
    afdeling: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(32), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    records: Mapped[list[Record]] = relationship(back_populates="dossier")


class Record(Base):
    """One archived document: an immutable original, addressed by its SHA-256."""

    __tablename__ = "record"
    __table_args__ = (UniqueConstraint("dossier_id", "sha256", name="uq_record_dossier_sha256"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossier.id"), index=True)
    titel: Mapped[str] = mapped_column(Text)
    # The layer of the dossier the record sits in; authorisation (issue 4)
    # decides per layer.
    laag: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    object_key: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default="received")
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    dossier: Mapped[Dossier] = relationship(back_populates="records")
