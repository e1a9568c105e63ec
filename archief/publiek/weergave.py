# SPDX-License-Identifier: EUPL-1.2
"""Rendering for residents: templates, Dutch dates in Amsterdam time, plain words.

Jinja2 escapes every value (autoescape on for every template); the only
markup that enters a page unescaped is built here, from escaped parts
(`markeer` for search highlights).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from archief.clock import AMSTERDAM
from archief.publiek import woo

MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
# Words a resident understands, for the codes the catalog keeps.
DOSSIERSTATUS = {"open": "Lopend", "afgesloten": "Afgerond"}
MIJLPAALSTATUS = {
    "gepland": "Gepland",
    "bezig": "Bezig",
    "gereed": "Gereed",
    "vervallen": "Vervallen",
}
SOORTEN = {
    "besluitnota": "Besluitnota",
    "besluit": "Besluit",
    "brief": "Brief",
    "verslag": "Verslag",
    "raadsvoorstel": "Raadsvoorstel",
    "projectplan": "Projectplan",
    "nieuwsbrief": "Nieuwsbrief",
}
BESTANDSSOORTEN = {
    "application/pdf": "PDF",
    "text/plain": "tekstbestand",
    "image/png": "afbeelding (PNG)",
    "image/jpeg": "afbeelding (JPEG)",
    "image/tiff": "afbeelding (TIFF)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word-document",
    "application/vnd.oasis.opendocument.text": "OpenDocument-tekst",
    "message/rfc822": "e-mailbericht",
}
# Characters XML 1.0 forbids; a hostile title must not break a feed or sitemap.
_NIET_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_EM = re.compile(r"(</?em>)")


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they were stored as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def lokaal(moment: datetime) -> datetime:
    return _aware(moment).astimezone(AMSTERDAM)


def datum(value: datetime | date | str | None) -> str:
    """3 maart 2026: the day in Amsterdam."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
    elif isinstance(value, datetime):
        day = lokaal(value).date()
    else:
        day = value
    return f"{day.day} {MAANDEN[day.month - 1]} {day.year}"


def datumtijd(value: datetime | None) -> str:
    """3 maart 2026, 14.05 uur: Dutch notation, Amsterdam time."""
    if value is None:
        return ""
    local = lokaal(value)
    return f"{datum(local)}, {local.hour}.{local.minute:02d} uur"


def iso(value: datetime | date | None) -> str:
    """For <time datetime=…>: a machine-readable moment (UTC) or day."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _aware(value).astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return value.isoformat()


def grootte(size: int) -> str:
    """12 kB, 1,4 MB: Dutch decimal comma."""
    if size < 1000:
        return f"{size} bytes"
    for unit, factor in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= factor:
            value = size / factor
            text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{size} bytes"  # pragma: no cover - the loop always answers from 1000 up


def soortnaam(soort: str | None) -> str:
    if not soort:
        return "Document"
    return SOORTEN.get(soort, soort[:1].upper() + soort[1:])


def bestandssoort(media_type: str) -> str:
    return BESTANDSSOORTEN.get(media_type, media_type)


def alineas(text: str | None) -> list[str]:
    """Paragraphs of a plain text written for residents (blank lines between them)."""
    if not text:
        return []
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def pad(value: str) -> str:
    """A path segment, percent-encoded (kenmerken and wijken are free text)."""
    return quote(value, safe="")


def markeer(fragment: str) -> Markup:
    """A search highlight: Elasticsearch's <em> around the hits, everything else escaped.

    The fragment is page text and may hold any markup a document held; only
    the index's own tags become <mark>.
    """
    out = []
    inside = False
    for part in _EM.split(fragment):
        if part == "<em>":
            inside = True
        elif part == "</em>":
            inside = False
        elif part:
            out.append(f"<mark>{escape(part)}</mark>" if inside else str(escape(part)))
    return Markup("".join(out))  # noqa: S704  # every part was escaped above


def xml_tekst(value: str) -> str:
    """Text safe to put in XML 1.0 (lxml escapes; this drops what XML cannot hold)."""
    return _NIET_XML.sub("", value)


def wijknaam(slug: str, namen: dict[str, str]) -> str:
    return namen.get(slug) or slug


@cache
def statisch(naam: str) -> bytes:
    return resources.files("archief.publiek").joinpath("static", naam).read_bytes()


@cache
def css_versie() -> str:
    """A short hash of the stylesheet: its URL changes when it does, so it can be cached long."""
    return hashlib.sha256(statisch("publiek.css")).hexdigest()[:12]


@cache
def omgeving() -> Environment:
    env = Environment(
        loader=PackageLoader("archief.publiek", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        datum=datum,
        datumtijd=datumtijd,
        iso=iso,
        grootte=grootte,
        soortnaam=soortnaam,
        bestandssoort=bestandssoort,
        alineas=alineas,
        pad=pad,
        markeer=markeer,
        dossierstatus=lambda s: DOSSIERSTATUS.get(s, s),
        mijlpaalstatus=lambda s: MIJLPAALSTATUS.get(s, s),
    )
    env.globals["css_url"] = f"/publiek/static/publiek.css?v={css_versie()}"
    env.globals["categorie"] = woo.categorie
    return env


def render(template: str, **context: Any) -> str:
    return omgeving().get_template(template).render(**context)
