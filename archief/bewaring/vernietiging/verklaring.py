# SPDX-License-Identifier: EUPL-1.2
"""The verklaring van vernietiging (Archiefbesluit 1995, art. 8), kept as a record.

Art. 8 asks for a specification of what was destroyed, the grounds and
the way it was done. The verklaring states, in plain UTF-8 text (readable
in a hundred years, indexable today):

- what: per selectielijst category the number of records and the ranges of
  their brondata and archiefactiedata; per dossier the count; and each
  record by id, dossier kenmerk, category, archiefactiedatum, type, size
  and SHA-256 — never its title, which the list's readers may not have
  been allowed to see;
- on what grounds: the Archiefwet and Archiefbesluit articles, the
  selectielijst (name, version, and that it is a configured subset) with
  each category's nominatie and term;
- how: what was purged from which store, and what was kept (the stub);
- who proposed, who reviewed in which role, when, and who executed;
- what was not destroyed after all, and why.

It is filed in its own dossier (`bewaring.vernietiging.dossier_kenmerk`)
whose category keeps it permanently.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from archief.audit.chain import Actor
from archief.bewaring import categorie, selectielijst
from archief.bewaring.selectielijst import Selectielijst
from archief.bewaring.vernietiging import lijst as lijsten
from archief.bewaring.vernietiging import uitvoering
from archief.bewaring.vernietiging.uitvoering import Telling
from archief.catalog.models import Dossier, Record, VernietigingItem, Vernietigingslijst
from archief.clock import AMSTERDAM
from archief.errors import ArchiefError
from archief.intake.service import Intake, ensure_dossier
from archief.versies import record_changed, record_state

TITEL = "Verklaring van vernietiging"
SOORT = "verklaring_van_vernietiging"
# Verklaringen are readable throughout the organisation: they name no titles.
LAAG = "organisatie"


def _dag(at: datetime | date | None) -> str:
    if at is None:
        return "-"
    if isinstance(at, datetime):
        return at.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    return at.strftime("%d-%m-%Y")


def _bereik(values: Iterable[date | None]) -> str:
    known = sorted(v for v in values if v is not None)
    if not known:
        return "-"
    return _dag(known[0]) if known[0] == known[-1] else f"{_dag(known[0])} t/m {_dag(known[-1])}"


def _omvang(size: int) -> str:
    return f"{size:,}".replace(",", ".") + " bytes"


def tekst(
    session: Session,
    lijst: Vernietigingslijst,
    telling: Telling,
    lijst_def: Selectielijst,
    *,
    zorgdrager: str,
    uitvoerder: str,
    nu: datetime,
) -> str:
    """The verklaring, as text."""
    items = lijsten.items(session, lijst)
    gedaan = [i for i in items if i.status == "vernietigd"]
    niet = [i for i in items if i.status in ("uitgezonderd", "overgeslagen")]
    shas = {
        r.id: r.sha256
        for r in session.query(Record).filter(Record.id.in_([i.record_id for i in gedaan]))
    }
    out = io.StringIO()
    w = out.write
    w(f"{TITEL.upper()}\n{'=' * len(TITEL)}\n\n")
    w(f"Zorgdrager:            {zorgdrager}\n")
    w(f"Vernietigingslijst:    {lijst.kenmerk}\n")
    w(f"Peildatum:             {_dag(lijst.peildatum)}\n")
    w(f"Datum van vernietiging: {_dag(nu)}\n")
    w(f"Aantal vernietigd:     {len(gedaan)} records\n")
    if lijst.toelichting:
        w(f"Toelichting:           {lijst.toelichting}\n")

    w("\n1. Grondslag\n------------\n")
    w(
        "Archiefwet 1995, artikel 3 (goede, geordende en toegankelijke staat) en artikel 5\n"
        "(vernietiging volgens een vastgestelde selectielijst); Archiefbesluit 1995,\n"
        "artikelen 6 tot en met 8 (vernietiging en verklaring van vernietiging).\n"
    )
    w(
        f"Selectielijst: {lijst_def.naam}, versie {lijst_def.versie}"
        + (" (geconfigureerde deelverzameling)" if lijst_def.deelverzameling else "")
        + ".\n"
    )

    w(_per_categorie(gedaan, lijst_def))
    w(_specificatie(gedaan, shas))
    w(_wijze(telling))
    w(_beoordeling(session, lijst, uitvoerder, nu))

    w("\n7. Niet vernietigd\n------------------\n")
    if not niet:
        w("Geen: elk record op de lijst is vernietigd.\n")
    for i in niet:
        w(f"- {i.record_id} ({i.dossier_kenmerk}): {i.status}; {i.reden or '-'}\n")
    return out.getvalue()


def _per_categorie(gedaan: list[VernietigingItem], lijst_def: Selectielijst) -> str:
    out = io.StringIO()
    w = out.write
    w("\n2. Wat is vernietigd, per categorie\n-----------------------------------\n")
    per_cat: dict[str, list[VernietigingItem]] = defaultdict(list)
    for i in gedaan:
        per_cat[i.categorie].append(i)
    for code in sorted(per_cat):
        rows = per_cat[code]
        try:
            cat = lijst_def.get(code)
            oms = (
                f"{cat.omschrijving}; nominatie {cat.nominatie.value}; termijn {cat.bewaartermijn}"
            )
        except ArchiefError:
            oms = "categorie niet (meer) in de selectielijst"
        w(f"- {code}: {oms}\n")
        w(f"    {len(rows)} records; brondatum {_bereik(r.brondatum for r in rows)};\n")
        w(f"    archiefactiedatum {_bereik(r.archiefactiedatum for r in rows)};\n")
        w(f"    gevormd {_bereik(r.record_aangemaakt.date() for r in rows)}\n")

    w("\n3. Per dossier\n--------------\n")
    for kenmerk, n in sorted(Counter(i.dossier_kenmerk for i in gedaan).items()):
        w(f"- {kenmerk}: {n} records\n")
    return out.getvalue()


def _specificatie(gedaan: list[VernietigingItem], shas: dict[str, str]) -> str:
    out = io.StringIO()
    w = out.write

    w("\n4. Specificatie (zonder titels)\n-------------------------------\n")
    w("record | dossier | categorie | archiefactiedatum | type | omvang | SHA-256\n")
    for i in gedaan:
        w(
            f"{i.record_id} | {i.dossier_kenmerk} | {i.categorie} | "
            f"{_dag(i.archiefactiedatum)} | {i.media_type} | {_omvang(i.size)} | "
            f"{shas.get(i.record_id, '-')}\n"
        )
    return out.getvalue()


def _wijze(telling: Telling) -> str:
    out = io.StringIO()
    w = out.write

    w("\n5. Wijze van vernietiging\n-------------------------\n")
    w(
        "- Objectopslag: elke versie van het origineel en van alles wat ervan is afgeleid\n"
        f"  (paginateksten, hOCR, miniaturen, werkbestanden): {telling.objectversies}"
        " objectversies verwijderd.\n"
    )
    if telling.inhoud_gedeeld:
        w(
            f"  {telling.inhoud_gedeeld} inhoud(en) bleef bestaan omdat een ander, niet"
            " vernietigd record dezelfde bytes bevat.\n"
        )
    over = telling.index_verwijderd_over
    w(
        "- Zoekindex: documenten verwijderd en segmenten samengevoegd"
        " (forcemerge only_expunge_deletes);"
        + (" nog verwijderde documenten in de index: " + str(over) if over is not None else "")
        + ".\n"
    )
    w(f"- Tijdelijke bestanden opgeruimd: {telling.tijdelijke_bestanden}.\n")
    w(
        "- Catalogus: van elk record blijft een minimale stub (id, dossier, laag, soort,\n"
        "  categorie, nominatie, brondatum, archiefactiedatum, type, omvang, SHA-256,\n"
        "  status vernietigd). Titel en bestandsnaam zijn in het record en in al zijn\n"
        "  eerdere versies vervangen door [vernietigd]; uit de inhoud gelezen\n"
        "  metagegevens zijn verwijderd.\n"
        "- Het auditspoor is niet herschreven: het is het bewijs van wat er gebeurde en\n"
        "  is hash-geketend. Het bevat geen inhoud, wel titels uit eerdere handelingen;\n"
        "  het valt onder zijn eigen bewaartermijn.\n"
        "- Back-ups van database en objectopslag vallen buiten deze vernietiging en\n"
        "  verlopen volgens het back-upschema.\n"
    )
    return out.getvalue()


def _beoordeling(session: Session, lijst: Vernietigingslijst, uitvoerder: str, nu: datetime) -> str:
    out = io.StringIO()
    w = out.write

    w("\n6. Beoordeling en uitvoering\n----------------------------\n")
    w(f"Voorgesteld door {lijst.aangemaakt_door} op {_dag(lijst.aangemaakt_op)}.\n")
    for b in lijsten.beoordelingen(session, lijst):
        naam = f"{b.naam} ({b.door})" if b.naam else b.door
        w(f"{b.oordeel.capitalize()} door {naam} als {b.rol} op {_dag(b.at)}")
        w(f": {b.toelichting}\n" if b.toelichting else ".\n")
    w(f"Wachttijd verstreken op {_dag(lijst.uitvoerbaar_vanaf)}.\n")
    w(f"Uitgevoerd door {uitvoerder} op {_dag(nu)}.\n")
    return out.getvalue()


class Poorten(uitvoering.Poorten, Protocol):
    """A run's ports plus the intake that files the verklaring."""

    def intake_for(self, actor: Actor) -> Intake: ...


def archiveer(container: Poorten, actor: Actor, lijst: Vernietigingslijst, telling: Telling) -> str:
    """Write the verklaring and file it as a record; return the record id."""
    cfg = container.settings.bewaring.vernietiging
    lijst_def = selectielijst.default()
    dossier = ensure_dossier(
        container.sessions,
        container.clock,
        kenmerk=cfg.dossier_kenmerk,
        titel="Verklaringen van vernietiging",
        afdeling=cfg.afdeling,
        actor=actor,
    )
    now = container.clock.now()
    with container.sessions.begin() as session:
        row = session.get(Dossier, dossier.id, with_for_update=True)
        if row is not None and row.categorie is None:
            categorie.set_dossier(session, row, cfg.categorie, lijst_def, actor=actor, at=now)
        body = tekst(
            session,
            lijst,
            telling,
            lijst_def,
            zorgdrager=cfg.zorgdrager,
            uitvoerder=actor.id,
            nu=now,
        )
    item = container.intake_for(actor).receive(
        io.BytesIO(body.encode("utf-8")),
        name=f"verklaring-van-vernietiging-{lijst.kenmerk}.txt",
        dossier_id=dossier.id,
        laag=LAAG,
        titel=f"{TITEL} {lijst.kenmerk}",
    )
    if item.record_id is None:
        raise ArchiefError(f"the verklaring of {lijst.kenmerk} was not filed: {item.reason}")
    with container.sessions.begin() as session:
        record = session.get(Record, item.record_id)
        if record is not None and record.soort is None:
            voor = record_state(record)
            record.soort = SOORT
            session.flush()
            record_changed(session, record, voor, actor=actor, actie="record.metadata", at=now)
    return item.record_id
