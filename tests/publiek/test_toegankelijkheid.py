# SPDX-License-Identifier: EUPL-1.2
"""WCAG 2.1 AA basics on every page type, checked with an HTML parser, and the colour contrast.

Per page: lang="nl"; one h1 and no skipped heading level; a skip link to
the main landmark; header, main and footer landmarks; every image with
alt; every form field with a label; tables with header cells; no inline
script or style (the CSP would block them anyway); every link with text.
The contrast of the stylesheet's token pairs is computed as WCAG defines it.
"""

from __future__ import annotations

import itertools
import re
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from archief.composition import Container
from tests.access.conftest import headers
from tests.besluiten.conftest import AD, GRIFFIE, GS, PH, new_zaak
from tests.oidc import LocalIssuer
from tests.publiek.conftest import (
    MILA,
    Html,
    artifact,
    client,
    dossier,
    issuer,
    publiceer,
    record,
    soort,
    world,
)

__all__ = ["client", "issuer", "world"]  # the package's fixtures, used by name

CSS = Path(__file__).resolve().parents[2] / "archief" / "publiek" / "static" / "publiek.css"
FIELDS = {"input", "select", "textarea"}


@pytest.fixture(scope="module")
def paginas(world: Container, client: TestClient, issuer: LocalIssuer) -> dict[str, str]:
    """One URL per page type, with content in every section."""
    wijk = f"wijk-{uuid.uuid4().hex[:6]}"
    did, k = dossier(world, wijken=(wijk,), titel="Speeltuin Oosterpark")
    plan = record(world, did, "afdeling", "Projectplan voor de speeltuin.", titel="Projectplan")
    verslag = record(world, did, "afdeling", "Verslag van de avond.", titel="Verslag avond")
    soort(client, issuer, verslag, "verslag")
    assert publiceer(client, issuer, did, records=[plan, verslag]).status_code == 200
    put = client.put(
        f"/dossiers/{did}/publiek",
        json={
            "samenvatting": "Een nieuwe speeltuin.",
            "planning": [{"datum": "2026-06-01", "omschrijving": "Aanleg", "status": "gepland"}],
            "faq": [{"vraag": "Wanneer?", "antwoord": "In juni."}],
        },
        headers=headers(issuer, MILA),
    )
    assert put.status_code == 200, put.text
    zaak = new_zaak(world, client, issuer)
    doc = zaak.record("raad", "Raadsbesluit.")
    zaak.ok(AD, "paraaf_ad")
    zaak.ok(PH, "paraaf_portefeuillehouder")
    zaak.ok(GS, "paraaf_gemeentesecretaris")
    zaak.ok(PH, "collegebesluit", uitkomst="vastgesteld")
    assert client.post(f"/records/{doc}/publicatie", headers=headers(issuer, AD)).is_success
    zaak.ok(GRIFFIE, "publicatie", records=[doc])
    return {
        "home": "/publiek",
        "zoeken": "/publiek?q=speeltuin",
        "wijk": f"/publiek/wijken/{wijk}",
        "dossier": f"/publiek/dossiers/{k}",
        "besluit": f"/publiek/besluiten/{zaak.besluit['kenmerk']}",
        "widget": f"/publiek/wijken/{wijk}/widget",
        "niet_gevonden": "/publiek/dossiers/bestaat-niet",
        "ongeldig": f"/publiek/wijken/{wijk}/widget?aantal=veel",
    }


PAGE_TYPES = ["home", "zoeken", "wijk", "dossier", "besluit", "widget", "niet_gevonden", "ongeldig"]


@pytest.mark.parametrize("soort_pagina", PAGE_TYPES)
def test_page_meets_the_basics(
    client: TestClient, paginas: dict[str, str], soort_pagina: str
) -> None:
    resp = client.get(paginas[soort_pagina])
    assert resp.headers["content-type"].startswith("text/html")
    artifact(f"{soort_pagina}.html").write_text(resp.text, encoding="utf-8")
    page = Html(resp.text)
    problems: list[str] = []

    if page.doctype.lower() != "doctype html":
        problems.append(f"doctype {page.doctype!r}")
    html = page.all("html")
    if len(html) != 1 or html[0].attrs.get("lang") != "nl":
        problems.append("html lang is not nl")
    if not (page.all("title") and page.all("title")[0].text.strip()):
        problems.append("no title")

    h1 = page.all("h1")
    if len(h1) != 1 or not h1[0].text.strip():
        problems.append(f"{len(h1)} h1 elements")
    levels = [int(e.tag[1]) for e in page.elements if re.fullmatch(r"h[1-6]", e.tag)]
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            problems.append(f"heading h{before} followed by h{after}")

    main = page.all("main")
    if len(main) != 1:
        problems.append(f"{len(main)} main landmarks")
    if soort_pagina != "widget":
        if not (page.all("header") and page.all("footer")):
            problems.append("no header/footer landmark")
        first_link = page.all("a")[0]
        target = first_link.attrs.get("href", "")
        if not target.startswith("#") or page.by_id(target[1:]) is not main[0]:
            problems.append("the first link is not a skip link to main")

    for img in page.all("img"):
        if "alt" not in img.attrs:
            problems.append(f"img without alt: {img.attrs}")
    labels = {e.attrs.get("for") for e in page.all("label")}
    for field in (e for e in page.elements if e.tag in FIELDS):
        if field.attrs.get("type") in {"hidden", "submit", "button"}:
            continue
        if field.attrs.get("id") not in labels and not field.attrs.get("aria-label"):
            problems.append(f"form field without label: {field.attrs}")
    if page.all("table") and not (page.all("th") and page.all("caption")):
        problems.append("table without caption or header cells")
    for a in page.all("a"):
        if not a.text.strip() and not a.attrs.get("aria-label"):
            problems.append(f"link without text: {a.attrs}")
    if page.all("script") or any("style" in e.attrs for e in page.elements):
        problems.append("inline script or style attribute")
    if soort_pagina != "widget" and page.all("style"):
        problems.append("a <style> element outside the widget")
    ids = [e.attrs["id"] for e in page.elements if "id" in e.attrs]
    if len(ids) != len(set(ids)):
        problems.append("duplicate ids")
    assert not problems, problems


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_colour_tokens_have_enough_contrast() -> None:
    tokens = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", CSS.read_text()))
    text_pairs = [
        ("nl-document-color", "nl-document-background-color"),
        ("nl-link-color", "nl-document-background-color"),
        ("nl-link-visited-color", "nl-document-background-color"),
        ("nl-link-hover-color", "nl-document-background-color"),
        ("archief-secundair-color", "nl-document-background-color"),
        ("utrecht-page-header-color", "utrecht-page-header-background-color"),
        ("utrecht-page-footer-color", "utrecht-page-footer-background-color"),
        ("utrecht-page-footer-link-color", "utrecht-page-footer-background-color"),
        ("utrecht-button-primary-action-color", "utrecht-button-primary-action-background-color"),
        ("utrecht-textbox-color", "utrecht-textbox-background-color"),
        ("utrecht-mark-color", "utrecht-mark-background-color"),
        ("utrecht-alert-color", "utrecht-alert-background-color"),
        ("nl-link-color", "utrecht-alert-background-color"),
        ("utrecht-code-color", "utrecht-code-background-color"),
        ("nl-focus-color", "nl-focus-background-color"),
    ]
    # Non-text contrast (WCAG 1.4.11): borders of fields and the focus ring.
    ui_pairs = [
        ("utrecht-textbox-border-color", "nl-document-background-color"),
        ("nl-focus-outline-color", "nl-document-background-color"),
        ("nl-focus-background-color", "utrecht-page-header-background-color"),
        ("archief-rand-color", "nl-document-background-color"),
    ]
    low = [
        (a, b, round(contrast(tokens[a], tokens[b]), 2))
        for pairs, minimum in ((text_pairs, 4.5), (ui_pairs, 3.0))
        for a, b in pairs
        if contrast(tokens[a], tokens[b]) < minimum
    ]
    assert not low, low


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54
    assert contrast("#777777", "#ffffff") < 4.5
