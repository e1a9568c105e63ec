# SPDX-License-Identifier: EUPL-1.2
"""An e-mail's attachments are searchable as further pages of the e-mail's own record.

Real pipeline (intake, sandbox, OCR, index); the messages are built here with
the stdlib `email` package, their attachments with python-docx, the PDF
writer of tests/ingest/documents.py and the hostile corpus's makers.
"""

from __future__ import annotations

import io
import re
import zlib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import docx
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from archief.catalog.models import Content, IngestItem, Page, Record
from archief.composition import Container, build_container
from archief.intake.detect import DOCX, EML
from archief.intake.schemas import effective_status
from archief.intake.service import ensure_dossier
from archief.settings import Settings
from ingest import mail
from ingest.process import page_texts
from ingest.sandbox import default_sandbox
from tests.ingest.documents import pdf, scan
from tests.ingest.hostile import ZipEntry, deflated_zeros, png_claiming, text_pdf
from tests.ingest.hostile import docx as bare_docx
from tests.ingest.zoeken import hit_pages

_WORDS = re.compile(r"\W")
SCAN_LINES = [
    "Gemeente Groenstad",
    "Onderwerp: beplanting Vlinderlaan",
    "Het college besluit de vlinderstruiken",
    "te planten langs de Vlinderlaan.",
]


# --- helpers -----------------------------------------------------------------------


def _message(subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Anouk Engels <anouk@voorbeeld.example>"
    message["To"] = "griffie@groenstad.example"
    message["Subject"] = subject
    message["Date"] = "Tue, 14 Jan 2025 10:00:00 +0100"
    message["Message-ID"] = f"<{_WORDS.sub('', subject)}@voorbeeld.example>"
    message.set_content(body)
    return message


def _attach(message: EmailMessage, data: bytes, declared: str, name: str) -> None:
    maintype, subtype = declared.split("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)


def _pdf_bytes(pages: list[Any], tmp_path: Path, name: str) -> bytes:
    return pdf(pages, tmp_path / name).read_bytes()


def _docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(["Vertrouwelijk advies"]))))
    writer.encrypt(user_password="geheim", owner_password="eigenaar", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip_bomb_docx() -> bytes:
    """A DOCX whose document part honestly declares 8 MiB of zeros, deflated a thousandfold."""
    size = 8 * 2**20
    raw = deflated_zeros(size)[2:-4]  # the zlib stream less its header and Adler-32
    return bare_docx([], document=ZipEntry("word/document.xml", raw, size, zlib.crc32(bytes(size))))


def _receive(c: Container, message: EmailMessage, path: Path, kenmerk: str) -> IngestItem:
    path.write_bytes(bytes(message))
    dossier = ensure_dossier(
        c.sessions, c.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
    )
    with path.open("rb") as f:
        return c.intake.receive(f, name=path.name, dossier_id=dossier.id, laag="openbaar")


def _outcome(c: Container, item: IngestItem) -> tuple[str, str | None]:
    with c.sessions() as s:
        row = s.get(IngestItem, item.id)
        assert row is not None
        content = s.get(Content, row.sha256) if row.sha256 else None
        status, code, _ = effective_status(row, content)
        record = s.get(Record, row.record_id) if row.record_id else None
        assert record is None or record.media_type == EML
    return status, code


def _sources(c: Container, item: IngestItem) -> list[str]:
    with c.sessions() as s:
        return list(
            s.scalars(select(Page.source).where(Page.sha256 == item.sha256).order_by(Page.number))
        )


def _texts(c: Container, item: IngestItem) -> list[str]:
    pages = page_texts(c, item.sha256 or "")
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    return [p.text for p in pages]


def _listed(first_page: str, name: str) -> str:
    """What page 1 says of the attachment called `name`."""
    (line,) = [line for line in first_page.split("\n") if line.startswith(f"- {name} (")]
    return line


# --- the tests ---------------------------------------------------------------------


def test_each_attachment_is_searchable_on_its_own_pages(eager: Container, tmp_path: Path) -> None:
    message = _message("Raadsvoorstel met bijlagen", "Zie de bijlagen bij het hoofdbericht.")
    born_digital = _pdf_bytes(
        [
            "Eerste pagina: de knotwilgenbeheerregeling voor het buitengebied.",
            "Tweede pagina: de slootkantmaaiplanning voor het komende seizoen.",
        ],
        tmp_path,
        "rapport.pdf",
    )
    _attach(message, born_digital, "application/pdf", "rapport.pdf")
    document = _docx_bytes("De ijsbaanvergunningaanvraag van de vereniging wordt verleend.")
    _attach(message, document, DOCX, "besluit.docx")
    message.add_attachment(
        "Notitie over de fietsnietjesrekken bij het café.\n", filename="notitie.txt"
    )
    _attach(
        message, _pdf_bytes([scan(SCAN_LINES)], tmp_path, "s.pdf"), "application/pdf", "scan.pdf"
    )
    item = _receive(eager, message, tmp_path / "raadsvoorstel.eml", "T-MAIL-BIJLAGEN")
    assert _outcome(eager, item) == ("indexed", None)
    assert _sources(eager, item) == ["text", "text", "text", "text", "text", "ocr"]
    texts = _texts(eager, item)
    first = texts[0]
    assert "Bijlagen (leesbaar op de volgende pagina's" in first
    assert _listed(first, "rapport.pdf").endswith(": gelezen als PDF, pagina's 2 t/m 3")
    assert _listed(first, "besluit.docx").endswith(": gelezen als DOCX, pagina 4")
    assert _listed(first, "notitie.txt").endswith(": gelezen als tekst, pagina 5")
    assert _listed(first, "scan.pdf").endswith(": gelezen als PDF, pagina 6")
    assert texts[1].startswith("Bijlage: rapport.pdf (pagina 1 van 2)\n\n")
    assert texts[2].startswith("Bijlage: rapport.pdf (pagina 2 van 2)\n\n")
    assert texts[3].startswith("Bijlage: besluit.docx\n\n")
    assert texts[4] == "Bijlage: notitie.txt\n\nNotitie over de fietsnietjesrekken bij het café."
    assert "vlinderstruiken" in texts[5].lower()  # OCR of the scanned page
    assert hit_pages(eager, "hoofdbericht", item) == [1]
    assert hit_pages(eager, "knotwilgenbeheerregeling", item) == [2]
    assert hit_pages(eager, "slootkantmaaiplanning", item) == [3]
    assert hit_pages(eager, "ijsbaanvergunningaanvraag", item) == [4]
    assert hit_pages(eager, "fietsnietjesrekken", item) == [5]
    assert hit_pages(eager, "vlinderstruiken", item) == [6]


def test_declared_types_and_names_do_not_decide(eager: Container, tmp_path: Path) -> None:
    message = _message("Stukken met verkeerde typen", "De stukken zitten in de bijlagen.")
    document = _docx_bytes("De speeltoestelkeuringsronde is afgerond.")
    _attach(message, document, "application/pdf", "verslag.pdf")
    born_digital = _pdf_bytes(
        ["De parkeervergunningenregeling wordt herzien per januari."], tmp_path, "a.pdf"
    )
    _attach(message, born_digital, "text/plain", "leesmij.txt")
    picture = io.BytesIO()
    scan(SCAN_LINES).save(picture, format="PNG")
    _attach(message, picture.getvalue(), "application/pdf", "foto.pdf")
    old = "Een oude notitie over de kermisterreinverhuur in het café.".encode("cp1252")
    _attach(message, old, "application/octet-stream", "oud.dat")
    page = (
        b"<!DOCTYPE html><html><head><title>kop</title><style>p{}</style></head>"
        b"<body><p>De <b>hondenlosloopgebieden</b> worden uitgebreid.</p>"
        b"<script>verstoppertjesscript()</script></body></html>"
    )
    _attach(message, page, "application/octet-stream", "pagina.bin")
    item = _receive(eager, message, tmp_path / "typen.eml", "T-MAIL-TYPEN")
    assert _outcome(eager, item) == ("indexed", None)
    assert _sources(eager, item) == ["text", "text", "text", "ocr", "text", "text"]
    texts = _texts(eager, item)
    first = texts[0]
    assert _listed(first, "verslag.pdf").endswith(": gelezen als DOCX, pagina 2")
    assert _listed(first, "leesmij.txt").endswith(": gelezen als PDF, pagina 3")
    assert _listed(first, "foto.pdf").endswith(": gelezen als afbeelding (PNG), pagina 4")
    assert _listed(first, "oud.dat").endswith(": gelezen als tekst, pagina 5")
    assert _listed(first, "pagina.bin").endswith(": gelezen als HTML, pagina 6")
    assert "kermisterreinverhuur in het café" in texts[4]  # Windows-1252, decoded
    assert texts[5] == "Bijlage: pagina.bin\n\nDe hondenlosloopgebieden worden uitgebreid."
    assert hit_pages(eager, "speeltoestelkeuringsronde", item) == [2]
    assert hit_pages(eager, "parkeervergunningenregeling", item) == [3]
    assert hit_pages(eager, "vlinderstruiken", item) == [4]
    assert hit_pages(eager, "kermisterreinverhuur", item) == [5]
    assert hit_pages(eager, "hondenlosloopgebieden", item) == [6]
    assert hit_pages(eager, "verstoppertjesscript", item) is None


def test_broken_attachments_do_not_fail_the_mail(eager: Container, tmp_path: Path) -> None:
    message = _message("Bezwaar met kapotte bijlagen", "Mijn bezwaar over de bomenkapregeling.")
    _attach(message, b"%PDF-1.7\n" + bytes(range(256)) * 8, "application/pdf", "kapot.pdf")
    _attach(message, _encrypted_pdf(), "application/pdf", "geheim.pdf")
    _attach(message, _zip_bomb_docx(), DOCX, "bom.docx")
    _attach(message, png_claiming(50_000, 50_000), "image/png", "reus.png")
    bogus_tiff = b"II*\x00" + (8).to_bytes(4, "little") + b"\xff\xff" + b"\xde\xad\xbe\xef" * 64
    _attach(message, bogus_tiff, "image/tiff", "scan.tif")
    _attach(message, b"\x00\x01\x02\x03 geen bekend formaat", "application/octet-stream", "x.bin")
    message.add_attachment("De afvalinzamelingsroute blijft gelijk.\n", filename="goed.txt")
    item = _receive(eager, message, tmp_path / "bezwaar.eml", "T-MAIL-KAPOT")
    assert _outcome(eager, item) == ("indexed", None)
    texts = _texts(eager, item)
    first = texts[0]
    assert _listed(first, "kapot.pdf").endswith(": niet leesbaar (corrupt_pdf)")
    assert _listed(first, "geheim.pdf").endswith(": niet leesbaar (encrypted_pdf)")
    assert _listed(first, "bom.docx").endswith(": niet leesbaar (zip_bomb)")
    assert _listed(first, "reus.png").endswith(": niet leesbaar (image_too_large)")
    assert _listed(first, "scan.tif").endswith(": niet leesbaar (unreadable_image)")
    assert _listed(first, "x.bin").endswith("(unsupported_type)")
    assert _listed(first, "goed.txt").endswith(": gelezen als tekst, pagina 2")
    assert len(texts) == 2
    assert hit_pages(eager, "bomenkapregeling", item) == [1]
    assert hit_pages(eager, "afvalinzamelingsroute", item) == [2]


def test_pages_beyond_the_limit_are_left_out_and_said_so(
    eager_settings: Settings, eager: Container, tmp_path: Path
) -> None:
    message = _message("Veel pagina's", "Bericht over de marktkraamindeling.")
    message.add_attachment("De eerste notitie over de bankjesplaatsing.\n", filename="een.txt")
    long = [f"Pagina {n} van het lange rapport over de dakkapelregels." for n in range(1, 5)]
    _attach(message, _pdf_bytes(long, tmp_path, "lang.pdf"), "application/pdf", "lang.pdf")
    _attach(message, _docx_bytes("De stoepkrijtwedstrijd gaat door."), DOCX, "kort.docx")
    message.add_attachment("Een laatste notitie over de vlaggenmastregels.\n", filename="twee.txt")
    small = eager_settings.model_copy(
        update={"ingest": eager_settings.ingest.model_copy(update={"max_pages": 3})}
    )
    c = build_container(small)
    try:
        item = _receive(c, message, tmp_path / "veel.eml", "T-MAIL-LIMIET")
    finally:
        c.close()
    assert _outcome(eager, item) == ("indexed", None)
    texts = _texts(eager, item)
    assert len(texts) == 3
    first = texts[0]
    assert _listed(first, "een.txt").endswith(": gelezen als tekst, pagina 2")
    # Four pages do not fit in the two left; the next attachment still gets its chance.
    assert _listed(first, "lang.pdf").endswith(
        ": niet opgenomen, meer pagina's dan er binnen het maximum van 3 nog pasten "
        "(too_many_pages)"
    )
    assert _listed(first, "kort.docx").endswith(": gelezen als DOCX, pagina 3")
    assert _listed(first, "twee.txt").endswith(
        ": niet gelezen, het maximum van 3 pagina's is bereikt (too_many_pages)"
    )
    assert hit_pages(eager, "marktkraamindeling", item) == [1]
    assert hit_pages(eager, "bankjesplaatsing", item) == [2]
    assert hit_pages(eager, "stoepkrijtwedstrijd", item) == [3]
    assert hit_pages(eager, "dakkapelregels", item) is None
    assert hit_pages(eager, "vlaggenmastregels", item) is None


def test_at_most_so_many_attachments_are_read(tmp_path: Path) -> None:
    message = _message("Een zak vol bijlagen", "Honderd en meer notities.")
    count = mail.MAX_ATTACHMENTS + 3
    for n in range(1, count + 1):
        message.add_attachment(f"Notitie nummer {n}.\n", filename=f"notitie-{n:03d}.txt")
    path = tmp_path / "zak.eml"
    path.write_bytes(bytes(message))
    plan = default_sandbox().run(
        "ingest.pages:analyze", str(path), str(tmp_path / "werk"), EML, 5000
    )
    assert isinstance(plan, dict)
    pages = plan["pages"]
    assert [p["number"] for p in pages] == list(range(1, mail.MAX_ATTACHMENTS + 2))
    assert pages[-1]["text"].endswith(f"Notitie nummer {mail.MAX_ATTACHMENTS}.")
    first = pages[0]["text"]
    for n in range(1, count + 1):
        line = _listed(first, f"notitie-{n:03d}.txt")
        if n <= mail.MAX_ATTACHMENTS:
            assert line.endswith(f": gelezen als tekst, pagina {n + 1}")
        else:
            assert line.endswith("(too_many_attachments)")


def test_a_forwarded_message_is_one_page_and_its_attachments_only_listed(
    eager: Container, tmp_path: Path
) -> None:
    forwarded = _message("Oorspronkelijke melding", "Melding over de lantaarnpaalschade.")
    forwarded.add_attachment("De binnenbijlagetekst.\n", filename="binnen.txt")
    message = _message("FW: Oorspronkelijke melding", "Ter info doorgestuurd.")
    message.add_attachment(forwarded)
    logo = io.BytesIO()
    scan(["logo"]).resize((120, 40)).save(logo, format="PNG")
    _attach(message, logo.getvalue(), "image/png", "logo.png")
    item = _receive(eager, message, tmp_path / "fw.eml", "T-MAIL-FW")
    assert _outcome(eager, item) == ("indexed", None)
    first, second = _texts(eager, item)
    assert (
        "- doorgestuurd bericht: Oorspronkelijke melding: gelezen als e-mailbericht, pagina 2"
        in (first.split("\n"))
    )
    assert _listed(first, "logo.png").endswith("(image_too_small)")
    assert second.startswith("Bijlage: doorgestuurd bericht: Oorspronkelijke melding\n\n")
    (inner,) = [line for line in second.split("\n") if line.startswith("- binnen.txt (")]
    assert inner.endswith(" bytes)")  # listed, not read: no pages named
    assert hit_pages(eager, "lantaarnpaalschade", item) == [2]
    assert hit_pages(eager, "binnenbijlagetekst", item) is None
