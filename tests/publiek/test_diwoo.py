# SPDX-License-Identifier: EUPL-1.2
"""What archief emits as DiWoo metadata validates against KOOP's XSD 0.9.8, hostile titles too."""

from __future__ import annotations

import copy
import hashlib
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from archief.composition import Container
from archief.publiek import metadata, woo, xsd
from archief.publiek.repository import PubliekRecord
from archief.publiek.weergave import xml_tekst
from tests.oidc import LocalIssuer
from tests.publiek.conftest import (
    PUBLIC_URL,
    TOOI,
    client,
    dossier,
    issuer,
    publiceer,
    record,
    world,
)

__all__ = ["client", "issuer", "world"]  # the package's fixtures, used by name

SCHEMA = Path(xsd.__file__).parent / "schema"
D = f"{{{xsd.DIWOO}}}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
GRONINGEN = woo.Organisatie("Gemeente Groningen", TOOI)
# Titles a form, an import or a scanner can produce: markup and entities,
# a CDATA end, control characters XML 1.0 cannot hold, a right-to-left
# override, zero-width and astral characters, and a very long one.
HOSTILE = [
    """<diwoo:publisher resource="x">&amp; </DiWoo> ]]> "q" 'q' &#0; &unknown;""",
    "Begin \x01\x08\x0b\x0c\x1f\x7f einde",
    "Factuur \u202egpj.exe\u202c en \u2066isolaat\u2069 \u200b\ufeff",
    "Emoji \U0001f3d7\ufe0f, astral \U0001d50a\U0001d52f and combining e\u0301",
    "Lang " + "abcdefghij" * 1000,
    "   ",
]


def _parse(body: bytes) -> etree._Element:
    return etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))


def _vorm(element: etree._Element) -> list[tuple[str, str, list[tuple[str, str]]]]:
    # Pretty-printing puts different whitespace around a nested Document.
    return [(e.tag, (e.text or "").strip(), sorted(e.attrib.items())) for e in element.iter()]


def _record(**overrides: object) -> PubliekRecord:
    moment = datetime(2026, 3, 3, 13, 5, tzinfo=UTC)
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "titel": "Verslag bewonersavond",
        "soort": "verslag",
        "media_type": "text/plain",
        "size": 12,
        "filename": "verslag.txt",
        "sha256": "0" * 64,
        "object_key": "originals/00/00/" + "0" * 64,
        "created_at": moment,
        "gepubliceerd_op": moment,
        "informatiecategorie": None,
        "dossier_id": str(uuid.uuid4()),
        "dossier_kenmerk": "T-1",
        "dossier_titel": "Speeltuin Oosterpark",
        "wijken": ("oosterpark",),
    }
    values.update(overrides)
    return PubliekRecord(**values)  # type: ignore[arg-type]


# -- the vendored schema --------------------------------------------------------


def test_the_vendored_schema_is_the_one_its_readme_names() -> None:
    readme = (SCHEMA / "README.md").read_text()
    for naam in (xsd.HOOFD, xsd.LIJSTEN):
        data = (SCHEMA / naam).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        assert re.search(rf"SHA-256 of `{re.escape(naam)}` \| `{digest}`", readme), naam
        root = _parse(data)
        assert root.get("version") == xsd.VERSIE == "0.9.8"
        assert root.get("targetNamespace") == xsd.DIWOO
    assert "https://standaarden.overheid.nl/diwoo/metadata/0.9.8/xsd/diwoo/" in readme


def test_the_value_lists_hold_what_archief_names() -> None:
    # The categories archief keeps as data are exactly the schema's list, labels too.
    lijsten = _parse((SCHEMA / xsd.LIJSTEN).read_bytes())
    xs = "{http://www.w3.org/2001/XMLSchema}"
    lijst = lijsten.find(f"{xs}simpleType[@name='informatiecategorielijst']")
    # The first paragraph of an enumeration's documentation is its label.
    dita = "{http://dita.oasis-open.org/architecture/2005/}p"
    labels = {
        e.get("value"): (e.find(f".//{dita}").text or "").strip()
        for e in lijst.iter(f"{xs}enumeration")
    }
    ours = {c.uri: c.label for c in woo.categorieen().values()}
    # Labels are free text (only `resource` is checked); archief writes
    # "art. 3.1" with the abbreviation's full stop where the list has "art 3.1".
    art_3_1 = woo.normaliseer(woo.ART_3_1)
    assert ours.pop(art_3_1) == labels.pop(art_3_1).replace("art 3.1", "art. 3.1")
    assert ours == labels
    assert xsd.waarden("informatiecategorielijst") == frozenset(labels) | {art_3_1}
    assert TOOI in xsd.waarden("organisatielijst")
    assert metadata.ONTVANGST[0] in xsd.waarden("soorthandelinglijst")
    assert {uri for uri, _ in metadata.FORMATEN.values()} <= xsd.waarden("formatlijst")
    # A union is followed: a ministry and a waterschap are organisations too.
    orgs = xsd.waarden("organisatielijst")
    assert any("/ministerie/" in o for o in orgs) and any("/waterschap/" in o for o in orgs)


def test_the_mdto_import_is_answered_from_the_vendored_copy() -> None:
    # An MDTO element under Document is checked against MDTO's own schema:
    # proof that the import was loaded (offline) and is enforced.
    body = (
        f'<diwoo:Document xmlns:diwoo="{xsd.DIWOO}" '
        'xmlns:mdto="https://www.nationaalarchief.nl/mdto">'
        "<mdto:MDTO><mdto:onzin/></mdto:MDTO></diwoo:Document>"
    ).encode()
    problemen = xsd.valideer(body)
    assert len(problemen) == 1 and "informatieobject" in problemen[0], problemen


# -- what archief emits -----------------------------------------------------------


def test_every_combination_archief_can_emit_validates() -> None:
    organisaties = [
        GRONINGEN,
        woo.Organisatie("Gemeente Onbekend", None),
        # Well-formed but in no list: named without a resource, never an invalid one.
        woo.Organisatie(
            "Gemeente Toekomst", "https://identifier.overheid.nl/tooi/id/gemeente/gm9999"
        ),
    ]
    categorieen = [None, "https://example.org/verdwenen", *woo.categorieen()]
    media = ["text/plain", "application/pdf", "image/tiff", "text/plain; charset=utf-8"]
    for org in organisaties:
        for cat in categorieen:
            for mt in media:
                body = metadata.document(_record(informatiecategorie=cat, media_type=mt), org)
                assert xsd.valideer(body) == [], (org, cat, mt)
    unlisted = _parse(metadata.document(_record(), organisaties[2]))
    assert unlisted.find(f"{D}DiWoo/{D}publisher").get("resource") is None


def test_a_record_without_a_category_is_published_under_article_3_1() -> None:
    meta = _parse(metadata.document(_record(), GRONINGEN)).find(f"{D}DiWoo")
    cat = meta.find(f"{D}classificatiecollectie/{D}informatiecategorieen/{D}informatiecategorie")
    assert cat.get("resource") == woo.normaliseer(woo.ART_3_1)
    handeling = meta.find(f"{D}documenthandelingen/{D}documenthandeling")
    assert handeling.findtext(f"{D}soortHandeling") == "ontvangst"
    assert handeling.findtext(f"{D}atTime") == "2026-03-03T13:05:00Z"
    # archief does not know when the document was made: it does not say.
    assert meta.find(f"{D}creatiedatum") is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(titel=st.text(max_size=300), dossier_titel=st.text(max_size=50))
def test_any_title_gives_a_valid_document(titel: str, dossier_titel: str) -> None:
    body = metadata.document(_record(titel=titel, dossier_titel=dossier_titel), GRONINGEN)
    assert xsd.valideer(body) == []
    meta = _parse(body).find(f"{D}DiWoo")
    assert meta.findtext(f"{D}titelcollectie/{D}officieleTitel") == xml_tekst(titel)


def test_published_records_validate_in_the_sitemap_and_alone(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    did, _ = dossier(world)
    rids = [
        record(world, did, "afdeling", f"Stuk {n}: {titel[:200]}", titel=titel)
        for n, titel in enumerate(HOSTILE)
    ]
    half = len(rids) // 2
    ok = publiceer(client, issuer, did, records=rids[:half], informatiecategorie="c_db4862c3")
    assert ok.status_code == 200, ok.text
    ok = publiceer(client, issuer, did, records=rids[half:])  # no category
    assert ok.status_code == 200, ok.text

    body = client.get("/publiek/sitemap.xml").content
    assert xsd.valideer(body) == []
    entries = {
        url.findtext(f"{SM}loc"): url.find(f"{D}Document")
        for url in _parse(body).findall(f"{SM}url")
    }
    documents = [d for d in entries.values() if d is not None]
    assert len(documents) >= len(rids)
    for rid, titel in zip(rids, HOSTILE, strict=True):
        document = entries[f"{PUBLIC_URL}/publiek/records/{rid}/download"]
        assert document is not None, rid
        assert document.findtext(f"{D}DiWoo/{D}titelcollectie/{D}officieleTitel") == xml_tekst(
            titel
        )
        alone = client.get(f"/publiek/records/{rid}/metadata.xml")
        assert alone.status_code == 200
        assert xsd.valideer(alone.content) == [], rid
        # The record's own document and its sitemap entry say the same.
        assert _vorm(_parse(alone.content)) == _vorm(document)
    cats = [
        entries[f"{PUBLIC_URL}/publiek/records/{rid}/download"]
        .find(f"{D}DiWoo/{D}classificatiecollectie/{D}informatiecategorieen/{D}informatiecategorie")
        .get("resource")
        for rid in rids
    ]
    assert cats == [woo.normaliseer("c_db4862c3")] * half + [woo.normaliseer(woo.ART_3_1)] * (
        len(rids) - half
    )


# -- the validator can say no -------------------------------------------------------


def _kapot(mutatie: str) -> bytes:
    root = _parse(metadata.document(_record(), GRONINGEN))
    meta = root.find(f"{D}DiWoo")
    if mutatie == "zonder publisher":
        meta.remove(meta.find(f"{D}publisher"))
    elif mutatie == "zonder documenthandelingen":
        meta.remove(meta.find(f"{D}documenthandelingen"))
    elif mutatie == "zonder titel":
        meta.remove(meta.find(f"{D}titelcollectie"))
    elif mutatie == "zonder categorie":
        meta.remove(meta.find(f"{D}classificatiecollectie"))
    elif mutatie == "onbekende categorie":
        meta.find(f".//{D}informatiecategorie").set("resource", "https://example.org/c_00000000")
    elif mutatie == "onbekende organisatie":
        meta.find(f"{D}publisher").set("resource", "https://example.org/gemeente")
    elif mutatie == "geen tijdstip":
        meta.find(f".//{D}atTime").text = "3 maart 2026"
    elif mutatie == "twee publishers":
        meta.append(copy.deepcopy(meta.find(f"{D}publisher")))
    elif mutatie == "vreemd element":
        etree.SubElement(meta, f"{D}geheim").text = "x"
    else:  # pragma: no cover - a mutation named in the list below but not here
        raise AssertionError(mutatie)
    data: bytes = etree.tostring(root)
    return data


MUTATIES = [
    "zonder publisher",
    "zonder documenthandelingen",
    "zonder titel",
    "zonder categorie",
    "onbekende categorie",
    "onbekende organisatie",
    "geen tijdstip",
    "twee publishers",
    "vreemd element",
]


def test_a_broken_document_is_rejected() -> None:
    for mutatie in MUTATIES:
        assert xsd.valideer(_kapot(mutatie)), mutatie
    assert xsd.valideer(b"<diwoo:Document") != []
    assert xsd.valideer(b"<html/>") != []


def test_one_broken_document_in_a_sitemap_is_found() -> None:
    records = [_record(titel=f"Stuk {n}") for n in range(3)]
    body = metadata.sitemap([], records, PUBLIC_URL, GRONINGEN)
    assert xsd.valideer(body) == []
    root = _parse(body)
    second = root.findall(f"{SM}url")[1].find(f"{D}Document/{D}DiWoo")
    second.remove(second.find(f"{D}publisher"))
    problemen = xsd.valideer(etree.tostring(root))
    assert len(problemen) == 1 and problemen[0].startswith("Document 2 "), problemen


def test_the_command_line_check(tmp_path: Path) -> None:
    goed, fout = tmp_path / "goed.xml", tmp_path / "fout.xml"
    goed.write_bytes(metadata.document(_record(), GRONINGEN))
    fout.write_bytes(_kapot("zonder publisher"))
    assert xsd.main([str(goed)]) == 0
    assert xsd.main([str(goed), str(fout)]) == 1
