# SPDX-License-Identifier: EUPL-1.2
"""DOCX, ODT and e-mail become searchable records, on the real pipeline (intake to index)."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK
from sqlalchemy import select

from archief.catalog.models import Content, IngestItem, Page, Record
from archief.composition import Container
from archief.intake.detect import DOCX, EML, ODT, ZIP, UnsupportedType, detect
from archief.intake.schemas import effective_status
from archief.intake.service import ensure_dossier
from ingest.process import page_texts
from tests.ingest.hostile import odt, odt_content
from tests.ingest.zoeken import hit_pages


def _receive(c: Container, path: Path, kenmerk: str, name: str | None = None) -> IngestItem:
    dossier = ensure_dossier(
        c.sessions, c.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
    )
    with path.open("rb") as f:
        return c.intake.receive(f, name=name or path.name, dossier_id=dossier.id, laag="openbaar")


def _outcome(c: Container, item: IngestItem) -> tuple[str, str | None, str | None]:
    with c.sessions() as s:
        row = s.get(IngestItem, item.id)
        assert row is not None
        content = s.get(Content, row.sha256) if row.sha256 else None
        status, code, reason = effective_status(row, content)
    return status, code, reason


def _media_type(c: Container, item: IngestItem) -> str:
    with c.sessions() as s:
        record = s.get(Record, item.record_id)
        assert record is not None
        return record.media_type


def _texts(c: Container, item: IngestItem) -> list[str]:
    """The text of every page, as the pipeline reads it back (its storage layout is its own)."""
    with c.sessions() as s:
        sources = list(
            s.scalars(select(Page.source).where(Page.sha256 == item.sha256).order_by(Page.number))
        )
    assert set(sources) <= {"text", "blank"}  # no page went to OCR
    pages = page_texts(c, item.sha256 or "")
    assert [p.number for p in pages] == list(range(1, len(sources) + 1))
    return [p.text for p in pages]


# --- fixtures, generated ---------------------------------------------------------


def _docx(path: Path) -> Path:
    """A Word document: heading, text, a table, a header, a hard page break."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Gemeente Groenstad — briefhoofdkantoorregel"
    document.add_heading("Besluitnota knotwilgenonderhoudsplan Ëikenlaan", level=1)
    document.add_paragraph(
        "Het college besluit de geïnventariseerde knotwilgen langs de Ëikenlaan te behouden."
    )
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Kostenpost"
    table.cell(0, 1).text = "Bedrag"
    table.cell(1, 0).text = "hondenuitlaatstrookherstel"
    table.cell(1, 1).text = "€ 12.500"
    document.add_paragraph("Einde van de eerste pagina.").add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("Op de tweede pagina: de zwerfvuilcontainerplaatsing bij het café.")
    document.save(str(path))
    return path


_ODT_BODY = (
    '<text:h text:outline-level="1">Verslag wijkschouw Oosterpark</text:h>'
    "<text:p>De bewoners noemden de<text:s/>speeltoestelinspectieronde"
    '<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
    "<text:note-body><text:p>Zie het voetnootbijlageoverzicht.</text:p></text:note-body>"
    "</text:note> van de gemeente geïnspireerd.</text:p>"
    "<table:table><table:table-row><table:table-cell>"
    "<text:p>parkeerschijfzonebord</text:p></table:table-cell>"
    "<table:table-cell><text:p>naïef</text:p></table:table-cell></table:table-row></table:table>"
    "<text:soft-page-break/>"
    "<text:p>Tweede pagina over de fietsnietjesrekken.</text:p>"
    '<text:p text:style-name="P1">Derde pagina: de ijsbaanvergunningaanvraag.</text:p>'
)
_ODT_STYLES = (
    '<style:style style:name="P1" style:family="paragraph">'
    '<style:paragraph-properties fo:break-before="page"/></style:style>'
)


def _odt(path: Path) -> Path:
    path.write_bytes(odt(odt_content(_ODT_BODY, styles=_ODT_STYLES)))
    return path


def _mail(path: Path, *, html_only: bool = False) -> Path:
    message = EmailMessage()
    message["From"] = "Anouk Ëngels <anouk@voorbeeld.example>"
    message["To"] = "griffie@groenstad.example"
    message["Cc"] = "Joël Maréchal <joel@voorbeeld.example>"
    message["Subject"] = "Zienswijze over de terrasuitbreidingsvergunning van het café"
    message["Date"] = "Tue, 14 Jan 2025 10:00:00 +0100"
    message["Message-ID"] = "<zienswijze-42@voorbeeld.example>"
    text = "Geachte griffie,\n\nIk maak bezwaar tegen de geluidsschermplaatsingsregeling.\n"
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>Geachte <b>griffie</b>,</p><p>Ik maak bezwaar tegen de "
        "geluidsschermplaatsingsregeling &amp; meer.</p><script>alert('x')</script></body></html>"
    )
    if html_only:
        message.set_content(html, subtype="html")
    else:
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        message.add_attachment(
            b"%PDF-1.7 not really", maintype="application", subtype="pdf", filename="bijlage-ë.pdf"
        )
    path.write_bytes(bytes(message))
    return path


# --- detection -------------------------------------------------------------------


def test_detection_by_content(tmp_path: Path) -> None:
    data = _docx(tmp_path / "a.docx").read_bytes()
    assert len(data) > 8192  # the head alone settles it
    assert detect(data[:8192]) == DOCX
    assert detect(_odt(tmp_path / "a.odt").read_bytes()[:8192], whole=True) == ODT
    assert detect(_mail(tmp_path / "a.eml").read_bytes()[:8192]) == EML
    # Some mail programs save the mbox "From " line with the message.
    mbox = b"From anouk@voorbeeld.example Tue Jan 14 10:00:00 2025\n"
    assert detect(mbox + (tmp_path / "a.eml").read_bytes(), whole=True) == EML


@pytest.mark.parametrize(
    "text",
    [
        "Onderwerp: begroting 2025\nDatum: 14 januari 2025\nVan: Jan\n\nBeste collega,\n",
        "From: the mayor\nTo: the council\nSubject: budget\n\nDear members,\n",
        "Subject: agenda\nDate: today\n\nPunt 1.\n",
        "Received the letter.\nFrom: Jan\n",
        "Notulen\n\nFrom: jan@voorbeeld.example\nDate: vandaag\n",
    ],
)
def test_ordinary_text_is_not_mail(text: str) -> None:
    assert detect(text.encode(), whole=True) == "text/plain"


def test_other_zips_are_refused_or_left_to_the_sandbox() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    with pytest.raises(UnsupportedType, match="spreadsheet"):
        detect(out.getvalue(), whole=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("leesmij.txt", "geen kantoordocument")
    assert detect(out.getvalue(), whole=True) == ZIP


# --- the pipeline ----------------------------------------------------------------


def test_docx_text_tables_and_pages_are_searchable(eager: Container, tmp_path: Path) -> None:
    item = _receive(eager, _docx(tmp_path / "besluitnota.docx"), "T-DOCX")
    assert _outcome(eager, item) == ("indexed", None, None)
    assert _media_type(eager, item) == DOCX
    first, second = _texts(eager, item)
    assert first.startswith("Gemeente Groenstad — briefhoofdkantoorregel")  # the header
    assert "geïnventariseerde knotwilgen" in first
    assert "hondenuitlaatstrookherstel" in first
    assert "zwerfvuilcontainerplaatsing" not in first
    assert "zwerfvuilcontainerplaatsing bij het café" in second
    assert hit_pages(eager, "knotwilgenonderhoudsplan", item) == [1]
    assert hit_pages(eager, "hondenuitlaatstrookherstel", item) == [1]  # a table cell
    assert hit_pages(eager, "zwerfvuilcontainerplaatsing", item) == [2]


def test_odt_text_tables_notes_and_pages_are_searchable(eager: Container, tmp_path: Path) -> None:
    item = _receive(eager, _odt(tmp_path / "verslag.odt"), "T-ODT")
    assert _outcome(eager, item) == ("indexed", None, None)
    assert _media_type(eager, item) == ODT
    pages = _texts(eager, item)
    assert len(pages) == 3  # a soft page break, then a style that breaks before
    assert "de speeltoestelinspectieronde van de gemeente geïnspireerd" in pages[0]
    assert "naïef" in pages[0]
    assert pages[0].endswith("Zie het voetnootbijlageoverzicht.")  # the note, at its page's end
    assert pages[1] == "Tweede pagina over de fietsnietjesrekken."
    assert pages[2] == "Derde pagina: de ijsbaanvergunningaanvraag."
    assert hit_pages(eager, "parkeerschijfzonebord", item) == [1]  # a table cell
    assert hit_pages(eager, "voetnootbijlageoverzicht", item) == [1]
    assert hit_pages(eager, "ijsbaanvergunningaanvraag", item) == [3]


def test_mail_headers_body_and_attachments(eager: Container, tmp_path: Path) -> None:
    item = _receive(eager, _mail(tmp_path / "zienswijze.eml"), "T-MAIL")
    assert _outcome(eager, item) == ("indexed", None, None)
    assert _media_type(eager, item) == EML
    (text,) = _texts(eager, item)
    lines = text.split("\n")
    assert lines[:5] == [
        "Van: Anouk Ëngels <anouk@voorbeeld.example>",
        "Aan: griffie@groenstad.example",
        "Cc: Joël Maréchal <joel@voorbeeld.example>",
        "Datum: Tue, 14 Jan 2025 10:00:00 +0100",
        "Onderwerp: Zienswijze over de terrasuitbreidingsvergunning van het café",
    ]
    assert "Ik maak bezwaar tegen de geluidsschermplaatsingsregeling." in text
    assert "<p>" not in text  # text/plain preferred over the HTML alternative
    # "%PDF-1.7 not really": typed PDF by its bytes, read, and found broken.
    assert lines[-1] == "- bijlage-ë.pdf (application/pdf, 19 bytes): niet leesbaar (corrupt_pdf)"
    assert hit_pages(eager, "geluidsschermplaatsingsregeling", item) == [1]
    assert hit_pages(eager, "terrasuitbreidingsvergunning", item) == [1]


def test_html_only_mail_is_read_as_text(eager: Container, tmp_path: Path) -> None:
    item = _receive(eager, _mail(tmp_path / "html.eml", html_only=True), "T-MAIL-HTML")
    assert _outcome(eager, item) == ("indexed", None, None)
    (text,) = _texts(eager, item)
    body = text.split("\n\n", 1)[1]
    assert (
        body
        == "Geachte griffie,\n\nIk maak bezwaar tegen de geluidsschermplaatsingsregeling & meer."
    )


def test_mislabelled_names_are_typed_by_content(eager: Container, tmp_path: Path) -> None:
    cases = [
        (_docx(tmp_path / "a.docx"), "raadsbrief.pdf", DOCX),
        (_odt(tmp_path / "b.odt"), "notulen.txt", ODT),
        (_mail(tmp_path / "c.eml"), "scan.jpg", EML),
    ]
    for path, name, expected in cases:
        item = _receive(eager, path, "T-OFFICE-NAMES", name=name)
        assert _outcome(eager, item)[0] == "indexed", name
        assert _media_type(eager, item) == expected, name


def test_a_zip_the_head_cannot_settle_is_settled_in_the_sandbox(
    eager: Container, tmp_path: Path
) -> None:
    source = _docx(tmp_path / "bron.docx")
    with zipfile.ZipFile(source) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    # A 64 KiB incompressible first entry pushes every name past intake's head.
    parts = {"docProps/thumbnail.jpeg": bytes(range(256)) * 256, **parts}
    path = tmp_path / "onbekend.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(
                name, data, compress_type=zipfile.ZIP_STORED if "thumbnail" in name else None
            )
    assert detect(path.read_bytes()[:8192]) == ZIP
    item = _receive(eager, path, "T-ZIP")
    assert _outcome(eager, item) == ("indexed", None, None)
    assert "hondenuitlaatstrookherstel" in _texts(eager, item)[0]
    # Once opened, it is a DOCX: the record says so, not "some ZIP".
    assert _media_type(eager, item) == DOCX
    plain = tmp_path / "archief.zip"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("docProps/thumbnail.jpeg", bytes(range(256)) * 256)
        z.writestr("leesmij.txt", "geen kantoordocument")
    status, code, reason = _outcome(eager, _receive(eager, plain, "T-ZIP"))
    assert (status, code) == ("failed", "unsupported_type")
    assert reason is not None and "neither a DOCX nor an ODT" in reason
