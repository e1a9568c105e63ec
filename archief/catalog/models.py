# SPDX-License-Identifier: EUPL-1.2
"""Catalog tables. Domain nouns stay Dutch (dossier, laag, afdeling); mechanics English."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
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
    # The selectielijst category (its code), and the day the matter was
    # closed: the usual brondatum the archiefactiedatum counts from.
    categorie: Mapped[str | None] = mapped_column(String(32))
    afgehandeld_op: Mapped[date | None] = mapped_column(Date)
    # The communicatiedossier online: what the public page shows besides the
    # published records. Plain language, written for residents.
    samenvatting: Mapped[str | None] = mapped_column(Text)
    # Milestones, each with datum, omschrijving and status (gepland, gereed).
    planning: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    # Questions residents ask, each with vraag and antwoord.
    faq: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    # The rappelsysteem: who answers for the public dossier, how often it
    # must be looked at, and when it last was.
    verantwoordelijke: Mapped[str | None] = mapped_column(String(255))
    verantwoordelijke_email: Mapped[str | None] = mapped_column(String(320))
    herzien_interval_dagen: Mapped[int | None] = mapped_column(Integer)
    herzien_op: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rappel_verstuurd_op: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    publiek_sinds: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

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
    # The current version; every earlier state is a RecordVersie row.
    versie: Mapped[int] = mapped_column(Integer, default=1)
    # Set to the besluit whose portefeuillehouder initialled this memo: from
    # then on it changes only through a college decision.
    vergrendeld_door: Mapped[str | None] = mapped_column(String(36))
    # Retention: the selectielijst category (the dossier's unless set), and
    # what follows from it; derived, recomputed when an input changes.
    categorie: Mapped[str | None] = mapped_column(String(32))
    archiefnominatie: Mapped[str | None] = mapped_column(String(20))
    brondatum: Mapped[date | None] = mapped_column(Date)
    archiefactiedatum: Mapped[date | None] = mapped_column(Date, index=True)
    # The destruction list that destroyed this record; the row then is the
    # minimal stub the Archiefwet lets stay (see bewaring.vernietiging).
    vernietigingslijst_id: Mapped[str | None] = mapped_column(String(36))
    # Woo: the information category (a TOOI/DiWoo code) and when the record
    # was last made public, for feeds and the sitemap.
    informatiecategorie: Mapped[str | None] = mapped_column(String(128))
    gepubliceerd_op: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

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
    # Degrees clockwise OCR turned the page beyond what the file says (/Rotate,
    # EXIF): 0, 90, 180 or 270. The hOCR boxes and the thumbnail are of the
    # page turned so far.
    turned: Mapped[int] = mapped_column(Integer, default=0)


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
    """A metadata value read from the memo itself, waiting for a person to confirm it.

    voorgesteld → bevestigd | gecorrigeerd | afgewezen, once (archief.records.suggesties).
    A confirmed or corrected value is the record's confirmed metadata: where a
    record field takes it (onderwerp → titel) it is applied there too, and
    `recordveld` says so; the others (kenmerk, datum, steller, ...) live here.
    """

    __tablename__ = "suggestion"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    page: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="voorgesteld")
    # The decision: the value as confirmed or corrected (None when rejected),
    # the record field it was applied to, who decided and when.
    waarde: Mapped[str | None] = mapped_column(Text)
    recordveld: Mapped[str | None] = mapped_column(String(32))
    besloten_door: Mapped[str | None] = mapped_column(String(255))
    besloten_op: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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


class RecordVersie(Base):
    """Every state a record has been in: content, metadata and layer, as of `at`.

    Append-only (a database trigger refuses updates and deletes): the record
    row is the current state, these rows are its history, and reconstruction
    reads them to show a dossier as it was.
    """

    __tablename__ = "record_versie"

    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), primary_key=True)
    versie: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    door: Mapped[str] = mapped_column(String(255))
    # What made this version: aangemaakt, inhoud, metadata, verplaatst, ...
    actie: Mapped[str] = mapped_column(String(32))
    titel: Mapped[str] = mapped_column(Text)
    laag: Mapped[str] = mapped_column(String(32))
    soort: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    object_key: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    vergrendeld_door: Mapped[str | None] = mapped_column(String(36))
    categorie: Mapped[str | None] = mapped_column(String(32))
    archiefactiedatum: Mapped[date | None] = mapped_column(Date)
    informatiecategorie: Mapped[str | None] = mapped_column(String(128))


class DossierVersie(Base):
    """Every state a dossier has been in (append-only, like RecordVersie)."""

    __tablename__ = "dossier_versie"

    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossier.id"), primary_key=True)
    versie: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    door: Mapped[str] = mapped_column(String(255))
    actie: Mapped[str] = mapped_column(String(32))
    kenmerk: Mapped[str] = mapped_column(String(64))
    titel: Mapped[str] = mapped_column(Text)
    afdeling: Mapped[str] = mapped_column(String(64))
    wijken: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(32))
    categorie: Mapped[str | None] = mapped_column(String(32))
    afgehandeld_op: Mapped[date | None] = mapped_column(Date)
    # The communicatiedossier as the public was shown it (see Dossier).
    samenvatting: Mapped[str | None] = mapped_column(Text)
    planning: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    faq: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    verantwoordelijke: Mapped[str | None] = mapped_column(String(255))
    verantwoordelijke_email: Mapped[str | None] = mapped_column(String(320))
    herzien_interval_dagen: Mapped[int | None] = mapped_column(Integer)


class AuditEntry(Base):
    """One line of the audit trail: who did what to which object, when, from what to what.

    Entries are chained: `hash` covers every field and the previous entry's
    hash, so changing, deleting or reordering an entry breaks the chain from
    there on (`archief audit verify`). A trigger refuses updates and deletes.
    """

    __tablename__ = "audit"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(255), index=True)
    rollen: Mapped[list[str]] = mapped_column(JSON, default=list)
    # record.geopend, record.gedownload, besluit.paraaf, beleid.gewijzigd, ...
    actie: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    # The dossier the object belongs to, when it belongs to one: per-dossier
    # views and reconstruction select on it.
    dossier_id: Mapped[str | None] = mapped_column(String(36), index=True)
    voor: Mapped[dict[str, object] | None] = mapped_column(JSON)
    na: Mapped[dict[str, object] | None] = mapped_column(JSON)
    details: Mapped[dict[str, object] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditKop(Base):
    """The head of the chain (one row): appending locks it, so entries form one line."""

    __tablename__ = "audit_kop"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class Besluit(Base):
    """A decision in the making: the besluitnota, its parafen, the college and council steps."""

    __tablename__ = "besluit"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossier.id"), index=True)
    kenmerk: Mapped[str] = mapped_column(String(64), unique=True)
    onderwerp: Mapped[str] = mapped_column(Text)
    # The steller's name stays on the memo throughout (the afspraken say so).
    steller: Mapped[str] = mapped_column(String(255))
    steller_naam: Mapped[str] = mapped_column(Text)
    nota_record_id: Mapped[str | None] = mapped_column(ForeignKey("record.id"))
    # Where the memo stands: concept, ad, portefeuillehouder, ... (see besluiten.flow)
    fase: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BesluitStap(Base):
    """One step of a decision: an event with a date, an actor and linked records (append-only)."""

    __tablename__ = "besluit_stap"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    besluit_id: Mapped[str] = mapped_column(ForeignKey("besluit.id"), index=True)
    volgnummer: Mapped[int] = mapped_column(Integer)
    soort: Mapped[str] = mapped_column(String(32))
    # The layer whose readers may see this step on a timeline.
    laag: Mapped[str] = mapped_column(String(32))
    datum: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(255))
    actor_naam: Mapped[str] = mapped_column(Text)
    uitkomst: Mapped[str | None] = mapped_column(String(32))
    toelichting: Mapped[str] = mapped_column(Text, default="")
    records: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Machtiging(Base):
    """A time-boxed grant for the ombudsman to reconstruct one dossier (one case)."""

    __tablename__ = "machtiging"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    ombudsman: Mapped[str] = mapped_column(String(255), index=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossier.id"), index=True)
    # The complaint (klacht) the grant serves.
    zaak: Mapped[str] = mapped_column(String(255))
    reden: Mapped[str] = mapped_column(Text)
    geldig_van: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    geldig_tot: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    verleend_door: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ingetrokken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ingetrokken_door: Mapped[str | None] = mapped_column(String(255))


class Blokkade(Base):
    """A legal hold (a Woo request, a complaint, litigation) on a dossier or one record.

    While it is active (not lifted) the held records may not be destroyed
    or changed. Lifting keeps the row: who held what, why and how long
    stays on record.
    """

    __tablename__ = "blokkade"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossier.id"), index=True)
    # None: the whole dossier, records added later included.
    record_id: Mapped[str | None] = mapped_column(ForeignKey("record.id"), index=True)
    # woo_verzoek | klacht | rechtszaak | onderzoek | anders
    grond: Mapped[str] = mapped_column(String(32))
    reden: Mapped[str] = mapped_column(Text)
    geplaatst_door: Mapped[str] = mapped_column(String(255))
    geplaatst_op: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opgeheven_door: Mapped[str | None] = mapped_column(String(255))
    opgeheven_op: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opheffing_reden: Mapped[str | None] = mapped_column(Text)


class Vernietigingslijst(Base):
    """A destruction list: proposed, reviewed, cooled off, executed (Archiefbesluit art. 8).

    concept → ter_beoordeling → goedgekeurd → uitgevoerd, or afgewezen by a
    reviewer. Nothing is destroyed before `uitvoerbaar_vanaf`: the cooling-off
    period lets anyone who objects place a hold first.
    """

    __tablename__ = "vernietigingslijst"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kenmerk: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(32))
    toelichting: Mapped[str] = mapped_column(Text, default="")
    # Records whose archiefactiedatum is on or before this day were proposed.
    peildatum: Mapped[date] = mapped_column(Date)
    aangemaakt_door: Mapped[str] = mapped_column(String(255))
    aangemaakt_op: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    goedgekeurd_op: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    uitvoerbaar_vanaf: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    uitgevoerd_op: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    uitgevoerd_door: Mapped[str | None] = mapped_column(String(255))
    # The verklaring van vernietiging, itself kept as a record.
    verklaring_record_id: Mapped[str | None] = mapped_column(String(36))
    # What execution did: counts of objects, index documents, rows.
    uitvoering: Mapped[dict[str, object] | None] = mapped_column(JSON)


class VernietigingItem(Base):
    """One record on a destruction list, with what it was proposed on (a snapshot)."""

    __tablename__ = "vernietiging_item"

    lijst_id: Mapped[str] = mapped_column(ForeignKey("vernietigingslijst.id"), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), primary_key=True, index=True)
    dossier_id: Mapped[str] = mapped_column(String(36))
    dossier_kenmerk: Mapped[str] = mapped_column(String(64))
    categorie: Mapped[str] = mapped_column(String(32))
    brondatum: Mapped[date | None] = mapped_column(Date)
    archiefactiedatum: Mapped[date] = mapped_column(Date)
    record_aangemaakt: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    # opgenomen | uitgezonderd (by a reviewer) | vernietigd | overgeslagen (at execution)
    status: Mapped[str] = mapped_column(String(32), default="opgenomen")
    reden: Mapped[str | None] = mapped_column(Text)


class VernietigingBeoordeling(Base):
    """One reviewer's verdict on a destruction list, in the role they reviewed it in."""

    __tablename__ = "vernietiging_beoordeling"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lijst_id: Mapped[str] = mapped_column(ForeignKey("vernietigingslijst.id"), index=True)
    rol: Mapped[str] = mapped_column(String(32))
    door: Mapped[str] = mapped_column(String(255))
    naam: Mapped[str] = mapped_column(Text, default="")
    # goedgekeurd | afgewezen
    oordeel: Mapped[str] = mapped_column(String(16))
    toelichting: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Overbrenging(Base):
    """A transfer of permanent records to the archive repository (overbrenging).

    in_aanmaak (kenmerk reserved, package being built) → aangemaakt (package
    built) → bevestigd (the repository confirmed receipt; the records are
    then overgebracht), or geannuleerd; a build that fails ends in mislukt.
    """

    __tablename__ = "overbrenging"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kenmerk: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(32))
    # Records whose transfer date is on or before this day were included.
    peildatum: Mapped[date] = mapped_column(Date)
    ontvanger: Mapped[str] = mapped_column(Text, default="")
    # Where the package (BagIt) was written, and the SHA-256 of its tag manifest.
    pakket: Mapped[str | None] = mapped_column(Text)
    pakket_sha256: Mapped[str | None] = mapped_column(String(64))
    aangemaakt_door: Mapped[str] = mapped_column(String(255))
    aangemaakt_op: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    bevestigd_door: Mapped[str | None] = mapped_column(String(255))
    bevestigd_op: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    bevestiging: Mapped[str | None] = mapped_column(Text)
    # The dossier kenmerken the selection was limited to (None: all dossiers).
    dossiers: Mapped[list[str] | None] = mapped_column(JSON)
    # Due records left out, each {record_id, dossier_kenmerk, reden, toelichting}.
    overgeslagen: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    # Payload totals, as in the bag's Payload-Oxum.
    omvang: Mapped[int | None] = mapped_column(BigInteger)
    bestanden: Mapped[int | None] = mapped_column(Integer)
    # Why a build failed (its problem code and detail).
    fout: Mapped[str | None] = mapped_column(Text)
    geannuleerd_door: Mapped[str | None] = mapped_column(String(255))
    geannuleerd_op: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    annulering_reden: Mapped[str | None] = mapped_column(Text)


class OverbrengingItem(Base):
    """One record in a transfer package, with the path and hash it has in the bag."""

    __tablename__ = "overbrenging_item"

    overbrenging_id: Mapped[str] = mapped_column(ForeignKey("overbrenging.id"), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), primary_key=True, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    pad: Mapped[str] = mapped_column(Text)
    # The record version the package describes: any later change (title,
    # layer, category) makes its MDTO stale, so confirmation refuses.
    versie: Mapped[int] = mapped_column(Integer, default=1)
    dossier_id: Mapped[str] = mapped_column(String(36), default="")


class SociaalBericht(Base):
    """A captured social media post: which record holds it, found again by platform id.

    Deduplication is on (platform, platform_id): the same post seen in an
    export and again by the connector is one record.
    """

    __tablename__ = "sociaal_bericht"
    __table_args__ = (UniqueConstraint("platform", "platform_id", name="uq_sociaal_platform_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    platform: Mapped[str] = mapped_column(String(32))
    platform_id: Mapped[str] = mapped_column(String(255))
    record_id: Mapped[str] = mapped_column(ForeignKey("record.id"), index=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossier.id"), index=True)
    account: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(Text)
    # The post this one answers, by platform id: the thread survives capture.
    antwoord_op: Mapped[str | None] = mapped_column(String(255))
    gepubliceerd_op: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    vastgelegd_op: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The raw payload's SHA-256 as captured (the record may get later versions).
    sha256: Mapped[str | None] = mapped_column(String(64))
    auteur: Mapped[str | None] = mapped_column(Text)
    # bericht, antwoord or repost
    soort: Mapped[str | None] = mapped_column(String(16))
    # The thread (Mastodon conversation, else the root post's platform id).
    gesprek: Mapped[str | None] = mapped_column(Text)
    gedeeld_van: Mapped[str | None] = mapped_column(Text)
    # The export file or page URL the post was read from.
    bron: Mapped[str | None] = mapped_column(Text)
    # Each attachment: {url, media_type, naam, beschrijving, record_id}; a
    # record_id where the export held the file and it was filed too.
    media: Mapped[list[dict[str, str | None]] | None] = mapped_column(JSON)
    # The capture run's WARC file (a record) and this post's record in it.
    warc_id: Mapped[str | None] = mapped_column(ForeignKey("record.id"))
    warc_record_id: Mapped[str | None] = mapped_column(String(64))
