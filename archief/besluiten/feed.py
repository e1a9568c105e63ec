# SPDX-License-Identifier: EUPL-1.2
"""A besluit's timeline as an Atom 1.0 feed (RFC 4287), for council members' and wijk websites.

Built from the same view the JSON timeline gives the caller, so the feed
shows exactly the steps they may see. Every value goes through ElementTree,
which escapes it: a toelichting with markup stays text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from archief.besluiten.schemas import BesluitOut, StapOut

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"


def _sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, name, attrs)
    if text is not None:
        element.text = text
    return element


def _when(moment: datetime) -> str:
    # RFC 3339, as Atom requires; a zoneless value was stored as UTC.
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _content(stap: StapOut) -> str:
    lines = [f"{stap.titel} op {stap.datum.date().isoformat()} door {stap.actor_naam}."]
    if stap.uitkomst:
        lines.append(f"Uitkomst: {stap.uitkomst}.")
    if stap.toelichting:
        lines.append(stap.toelichting)
    if stap.records:
        lines.append("Stukken: " + "; ".join(r.titel for r in stap.records))
    return "\n".join(lines)


def render(view: BesluitOut, base_url: str) -> bytes:
    """The feed document (UTF-8, with an XML declaration); `base_url` makes links absolute."""
    base = base_url.rstrip("/")
    # Atom is the default namespace of every element; its attributes have
    # none (ElementTree's `default_namespace` cannot write those).
    feed = ET.Element("feed", {"xmlns": ATOM})
    _sub(feed, "id", f"urn:uuid:{view.id}")
    _sub(feed, "title", f"{view.kenmerk}: {view.onderwerp}")
    _sub(feed, "subtitle", f"Besluitvorming in dossier {view.dossier.kenmerk}")
    updated = max(s.vastgelegd for s in view.stappen)
    _sub(feed, "updated", _when(updated))
    author = _sub(feed, "author")
    _sub(author, "name", view.steller_naam)
    _sub(feed, "link", rel="self", href=base + view.links["atom"], type=MEDIA_TYPE)
    _sub(feed, "link", rel="alternate", href=base + view.links["self"], type="application/json")
    _sub(feed, "generator", "archief")
    for stap in view.stappen:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"urn:uuid:{stap.id}")
        _sub(entry, "title", stap.titel + (f": {stap.uitkomst}" if stap.uitkomst else ""))
        _sub(entry, "published", _when(stap.datum))
        _sub(entry, "updated", _when(stap.vastgelegd))
        who = _sub(entry, "author")
        _sub(who, "name", stap.actor_naam)
        _sub(entry, "category", term=stap.soort, label=stap.titel)
        _sub(entry, "content", _content(stap), type="text")
        _sub(
            entry,
            "link",
            rel="alternate",
            href=f"{base}{view.links['tijdlijn']}#{stap.id}",
            type="application/json",
        )
        for record in stap.records:
            _sub(entry, "link", rel="related", href=base + record.url, title=record.titel)
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return data
