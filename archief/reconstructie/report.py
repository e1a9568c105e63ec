# SPDX-License-Identifier: EUPL-1.2
"""The reconstruction as one self-contained HTML file, in Dutch.

The file MUST open anywhere, years later, without a network: inline CSS
only, no scripts, no external URLs, fonts or images, and a Content
Security Policy that forbids loading anything should one slip in. Every
value from the catalog is HTML-escaped (titles are whatever someone typed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape
from typing import Any

from archief.reconstructie.service import Rapport
from archief.reconstructie.tijd import shown

STAND_LABELS = {
    "eigen_afdeling": ("A", "eigen afdeling (de afdeling die het dossier beheert)"),
    "zelfde_dienst": ("D", "andere afdeling in dezelfde dienst"),
    "andere_dienst": ("O", "elders in de organisatie (andere dienst)"),
    "buiten_organisatie": ("B", "buiten de organisatie (geen afdeling: raad, college, publiek)"),
}

_CSS = """
body{font-family:Georgia,'Times New Roman',serif;margin:2em auto;max-width:72em;color:#111;
line-height:1.4;padding:0 1em}
h1{font-size:1.6em;border-bottom:2px solid #333;padding-bottom:.3em}
h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eee}
code,.mono{font-family:'DejaVu Sans Mono',Consolas,monospace;font-size:.85em;word-break:break-all}
.ja{background:#e6f2e6}.nee{color:#888}
.waarschuwing{background:#fff3cd;border:1px solid #e0c060;padding:.5em}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}}
"""


def _e(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return escape(shown(value))
    return escape(str(value), quote=True)


def _json(value: object) -> str:
    if value is None:
        return ""
    return _e(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def _dl(pairs: Iterable[tuple[str, str]]) -> str:
    """A definition list; values are already escaped HTML."""
    return "<dl>" + "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in pairs) + "</dl>"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], empty: str) -> str:
    """A table; cells are already escaped HTML."""
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    if not body:
        return f"<p>{_e(empty)}</p>"
    header = "".join(f"<th>{_e(h)}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _dossier(rapport: Rapport) -> str:
    d = rapport.data.dossier
    dienst = f"{_e(d.dienst)} <small>(volgens de huidige organisatie)</small>"
    return "<h2>Dossier</h2>" + _dl(
        [
            ("Kenmerk", _e(d.kenmerk)),
            ("Titel", _e(d.titel)),
            ("Afdeling", _e(d.afdeling)),
            ("Dienst", dienst),
            ("Wijken", _e(", ".join(d.wijken) or None)),
            ("Status", _e(d.status)),
            ("Dossierversie", f"{_e(d.versie)}, sinds {_e(d.sinds)}"),
            ("Id", f"<code>{_e(d.id)}</code>"),
        ]
    )


def _documenten(rapport: Rapport) -> str:
    rows = []
    for doc in rapport.data.documenten:
        history = "<br>".join(
            f"v{_e(v.versie)} {_e(v.at)} {_e(v.actie)} → {_e(v.laag)} door {_e(v.door)}"
            for v in doc.geschiedenis
        )
        rows.append(
            [
                f"{_e(doc.titel)}<br><code>{_e(doc.record_id)}</code>",
                f"{_e(doc.versie)}<br><small>sinds {_e(doc.sinds)}</small>",
                _e(doc.laag),
                _e(doc.vertrouwelijkheid or None),
                _e(doc.soort),
                _e(doc.filename),
                _e(doc.status),
                f"<code>{_e(doc.sha256)}</code>",
                f"<small>{history}</small>",
            ]
        )
    return "<h2>Documenten met versie en laag</h2>" + _table(
        [
            "Titel",
            "Versie",
            "Laag",
            "Vertrouwelijkheid",
            "Soort",
            "Bestandsnaam",
            "Status",
            "SHA-256",
            "Versies tot dit moment",
        ],
        rows,
        "Het dossier bevatte op dit moment geen documenten.",
    )


def _zichtbaarheid(rapport: Rapport) -> str:
    data = rapport.data
    legend = "; ".join(
        f"<b>{_e(letter)}</b> = {_e(text)}" for letter, text in STAND_LABELS.values()
    )
    rows = []
    for rol in data.rollen:
        cells = [f"<b>{_e(rol)}</b>"]
        for doc in data.documenten:
            standen = doc.lezers.get(rol, [])
            letters = " ".join(STAND_LABELS[s][0] for s in standen)
            cells.append(f'<span class="ja">{_e(letters)}</span>' if letters else "—")
        rows.append(cells)
    return (
        "<h2>Wie kon wat zien</h2>"
        "<p>Per rol en document: in welke positie ten opzichte van het dossier die rol het "
        "document op dit moment mocht lezen, volgens de toen geldende beleidsversie. "
        f"{legend}. — = niet.</p>"
        + _table(
            ["Rol"] + [f"{d.titel} (v{d.versie}, {d.laag})" for d in data.documenten],
            rows if data.documenten else [],
            "Geen documenten, dus niets te zien.",
        )
    )


def _beleid(rapport: Rapport) -> str:
    b = rapport.data.beleid
    if b is None:
        return (
            '<h2>Beleidsversie</h2><p class="waarschuwing">Er was op dit moment nog geen '
            "beleidsversie vastgelegd; wie wat mocht zien is niet te reconstrueren.</p>"
        )
    parts = [
        "<h2>Beleidsversie</h2>",
        _dl(
            [
                ("Versie", _e(b.versie)),
                ("Geldig sinds", _e(b.sinds)),
                ("Vastgesteld door", _e(b.door)),
                ("Toelichting", _e(b.toelichting or None)),
                ("SHA-256", f"<code>{_e(b.sha256)}</code>"),
            ]
        ),
    ]
    if b.fout:
        parts.append(
            f'<p class="waarschuwing">Deze versie kan niet meer worden geladen: {_e(b.fout)}</p>'
        )
        return "".join(parts)
    lagen = [laag.code for laag in b.lagen]
    parts.append("<p>Leesrechten per rol en laag (bereik: alle, dienst of afdeling):</p>")
    parts.append(
        _table(
            ["Rol"] + [f"{laag.naam} ({laag.vertrouwelijkheid})" for laag in b.lagen],
            (
                [f"<b>{_e(rol)}</b>"]
                + [_e(", ".join(b.matrix.get(rol, {}).get(code, [])) or None) for code in lagen]
                for rol in rapport.data.rollen
            ),
            "Geen regels.",
        )
    )
    return "".join(parts)


def _stappen(rapport: Rapport) -> str:
    return "<h2>Besluitstappen</h2>" + _table(
        ["Datum", "Besluit", "Stap", "Soort", "Actor", "Uitkomst", "Documenten", "Vastgelegd"],
        (
            [
                _e(s.datum),
                f"{_e(s.besluit)}<br><small>{_e(s.onderwerp)}</small>",
                _e(s.volgnummer),
                _e(s.soort),
                f"{_e(s.actor_naam)}<br><small>{_e(s.actor)}</small>",
                f"{_e(s.uitkomst)}<br><small>{_e(s.toelichting or None)}</small>",
                "<br>".join(f"<code>{_e(r)}</code>" for r in s.records),
                _e(s.geregistreerd),
            ]
            for s in rapport.data.stappen
        ),
        "Tot dit moment waren er geen besluitstappen vastgelegd.",
    )


def _gebeurtenissen(rapport: Rapport) -> str:
    return "<h2>Auditgebeurtenissen tot dit moment</h2>" + _table(
        ["#", "Tijd", "Wie", "Actie", "Object", "Voor", "Na", "Details", "Hash"],
        (
            [
                _e(g.seq),
                _e(g.at),
                f"{_e(g.actor)}<br><small>{_e(', '.join(g.rollen))}</small>",
                _e(g.actie),
                f"{_e(g.object_type)}<br><code>{_e(g.object_id)}</code>",
                f"<code>{_json(g.voor)}</code>",
                f"<code>{_json(g.na)}</code>",
                f"<code>{_json(g.details)}</code>",
                f"<code>{_e(g.hash[:16])}…</code>",
            ]
            for g in rapport.data.gebeurtenissen
        ),
        "Geen gebeurtenissen.",
    )


def _verantwoording(rapport: Rapport) -> str:
    v = rapport.verantwoording
    m: dict[str, Any] = v.machtiging
    keten = "in orde" if v.keten.ok else "NIET in orde: " + "; ".join(v.keten.problemen)
    return (
        "<h2>Verantwoording</h2>"
        + _dl(
            [
                ("Gegenereerd", _e(v.gegenereerd)),
                ("Door", f"{_e(v.door)} ({_e(', '.join(v.rollen))}), via {_e(v.via)}"),
                ("Ombudsman", _e(v.ombudsman)),
                ("Machtiging", f"<code>{_e(m.get('id'))}</code>"),
                ("Zaak (klacht)", _e(m.get("zaak"))),
                ("Reden", _e(m.get("reden"))),
                ("Geldig", f"van {_e(m.get('geldig_van'))} tot {_e(m.get('geldig_tot'))}"),
                ("Verleend door", _e(m.get("verleend_door"))),
                ("Auditketen bij aanmaak", f"#{_e(v.keten.seq)} <code>{_e(v.keten.hash)}</code>"),
                ("Controle van de keten", _e(keten)),
                ("SHA-256 van de gegevens", f"<code>{_e(v.data_sha256)}</code>"),
                (
                    "Vastgelegd als",
                    f"auditgebeurtenis #{_e(v.gebruik_seq)} "
                    f"(reconstructie.gebruikt) <code>{_e(v.gebruik_hash)}</code>",
                ),
            ]
        )
        + (
            "<p><small>De SHA-256 hierboven is berekend over het deel <code>data</code> van de "
            "JSON-export (sleutels gesorteerd, zonder spaties, UTF-8) en staat ook in "
            "auditgebeurtenis #" + _e(v.gebruik_seq) + "; zo is later na te gaan dat dit rapport "
            "is wat toen is verstrekt.</small></p>"
        )
    )


def html(rapport: Rapport) -> str:
    """The whole report as one HTML document (UTF-8 text)."""
    d = rapport.data
    title = f"Reconstructie dossier {d.dossier.kenmerk} per {shown(d.as_of)}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="nl"><head><meta charset="utf-8">'
        # Belt and braces: even a value that escaped escaping could load nothing.
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        "<p>Dit rapport toont het dossier zoals het op dat moment was: welke documenten er "
        "waren, in welke versie en laag, wie ze volgens het toen geldende beleid kon zien, "
        "welke besluitstappen waren gezet en wat de audittrail tot dan vastlegde.</p>"
        + _dossier(rapport)
        + _documenten(rapport)
        + _zichtbaarheid(rapport)
        + _beleid(rapport)
        + _stappen(rapport)
        + _gebeurtenissen(rapport)
        + _verantwoording(rapport)
        + "</body></html>\n"
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def filename(rapport: Rapport, ext: str) -> str:
    """A file name any system accepts: kenmerk and moment, nothing else from the data."""
    kenmerk = _UNSAFE.sub("_", rapport.data.dossier.kenmerk).strip("._")[:64] or "dossier"
    moment = shown(rapport.data.as_of)[:19].replace(":", "").replace("-", "")
    return f"reconstructie-{kenmerk}-{moment}.{ext}"
