# SPDX-License-Identifier: EUPL-1.2
"""Seeded test corpus: Dutch municipal prose as scanned and as born-digital PDFs.

Everything here is deterministic for a given seed, so two runs of the bench (or
two machines) measure the same pages. The prose is written for archief from our
own vocabulary and templates; names, places and case numbers are invented.

`python -m bench.corpus DIR` builds a corpus; `python -m bench.corpus
--demo-samples` rewrites the two scanned demo samples in archief/demo/samples.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SCAN_DPI = 300
# A4 at 300 dpi, the size a municipal scan street delivers.
A4_PX = (2480, 3508)
MARGIN_PX = 295  # 2.5 cm
REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_SAMPLES = REPO_ROOT / "archief" / "demo" / "samples"

Kind = Literal["scanned", "digital"]

# --------------------------------------------------------------------------
# Dutch municipal prose
# --------------------------------------------------------------------------

GEMEENTEN = ("Groenstad", "Lindewaarde", "Beekdal", "Havenmeer", "Noordveld", "Eikenrode")
WIJKEN = (
    "Oosterpark",
    "Kerkbuurt",
    "De Weiden",
    "Molenhoek",
    "Vliethoven",
    "Zuiderveld",
    "Brinkzicht",
    "'t Veer",
)
STRATEN = (
    "Dorpsstraat",
    "Beukenlaan",
    "Kanaalweg",
    "Populierenhof",
    "Stationsplein",
    "Schoolstraat",
    "Lange Akker",
    "Rozengracht",
)
PERSONEN = (
    "A. de Vries",
    "R. Çelik",
    "E. van den Berg",
    "Zoë Janssen",
    "N. Brouwer",
    "André Smit",
    "L. El Amrani",
    "René Hoekstra",
    "M. Visser-Doğan",
    "Chloë Bos",
    "J.P. van Leeuwen",
    "Noël Peters",
)
AFDELINGEN = (
    "Ruimtelijke Ontwikkeling",
    "Sociaal Domein",
    "Openbare Ruimte",
    "Vergunningen, Toezicht en Handhaving",
    "Financiën en Control",
    "Dienstverlening",
)
ONDERWERPEN = (
    "herinrichting van het Stationsplein",
    "subsidieregeling duurzame initiatieven",
    "actualisatie van het bestemmingsplan Kerkbuurt",
    "uitbreiding van de buitenschoolse opvang",
    "verlenging van de terrasvergunningen",
    "participatietraject omgevingsvisie",
    "vervanging van de openbare verlichting",
    "coördinatie van de schuldhulpverlening",
    "renovatie van sporthal De Weiden",
    "aanleg van een fietsstraat langs de Kanaalweg",
    "evaluatie van het afvalbeleid",
    "huisvesting van statushouders",
)
ORGANEN = (
    "het college",
    "de gemeenteraad",
    "de wijkraad",
    "de commissie Ruimte",
    "het dagelijks bestuur",
)
BETROKKENEN = (
    "bewoners",
    "ondernemers",
    "de woningcorporatie",
    "maatschappelijke partners",
    "de omgevingsdienst",
    "de veiligheidsregio",
    "jongeren uit de wijk",
    "de huurdersvereniging",
)
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

# Sentence templates; slots in braces are filled by _fill. They aim at the
# constructions OCR trips over in real nota's: numbers with thousands dots and
# decimal commas, dates, case numbers, diaereses, quotes and brackets.
ZINNEN = (
    "Het college stelt voor om de {onderwerp} in {jaar} uit te voeren binnen het bestaande budget.",
    "Op {datum} heeft {orgaan} ingestemd met de uitgangspunten voor de {onderwerp}.",
    "De totale kosten bedragen €\u00a0{bedrag}, waarvan €\u00a0{bedrag2} ten laste komt van "
    "de reserve.",
    "Tijdens de bijeenkomst in wijk {wijk} hebben {aantal} {betrokkenen} hun ideeën gedeeld.",
    "Wethouder {persoon} benadrukt dat participatie geen sluitpost mag zijn, maar een reële "
    "invloed op het ontwerp moet hebben.",
    "De aanvraag voor een omgevingsvergunning (zaaknummer {zaak}) is op {datum} ontvangen.",
    "Uit de enquête blijkt dat {procent}% van de respondenten tevreden is over de dienstverlening.",
    "Het bestemmingsplan staat op deze locatie maximaal {aantal} woningen toe; het plan voorziet "
    "in {aantal2}.",
    "De wijkraad {wijk} vraagt om betere coördinatie tussen de afdelingen {afdeling} en "
    "{afdeling2}.",
    "Voor de subsidie komen alleen initiatieven in aanmerking die vóór {datum} zijn ingediend.",
    "Er is overleg gevoerd met {betrokkenen} over de gevolgen voor de {straat}.",
    "De beantwoording van de vragen van de fractie volgt uiterlijk {datum}.",
    "Het risico op vertraging schatten wij in als beperkt; de planning gaat uit van oplevering in "
    "het {kwartaal} kwartaal van {jaar}.",
    "De kosten per huishouden stijgen met €\u00a0{klein} per jaar, een toename van {procent}%.",
    "Naar aanleiding van de zienswijzen is het ontwerp op {aantal} punten aangepast.",
    "Het advies van de commissie is om het besluit aan te houden tot na de evaluatie in {jaar}.",
    "Bewoners van de {straat} {huisnummer} tot en met {huisnummer2} ontvangen vooraf een brief.",
    "De gemeente {gemeente} werkt hierin samen met de buurgemeenten {gemeente2} en {gemeente3}.",
    "Dit voorstel draagt bij aan de doelen uit het coalitieakkoord {jaar}-{jaar2}.",
    "Een reële inschatting van de onderhoudskosten is opgenomen in bijlage {bijlage}.",
    "In {jaar} zijn {aantal} meldingen over de openbare ruimte afgehandeld, gemiddeld binnen "
    "{klein2} werkdagen.",
    "De vergunning wordt verleend onder de voorwaarde dat de werkzaamheden tussen {uur}.00 en "
    "{uur2}.00 uur plaatsvinden.",
    "Het gesprek met {persoon} (afdeling {afdeling}) leverde drie concrete vervolgstappen op.",
    "\u201cWe willen dat iedereen mee kan doen\u201d, aldus de voorzitter van de wijkraad {wijk}.",
    "Het saldo van de begroting {jaar} komt uit op €\u00a0{bedrag} positief.",
    "De coördinator participatie zorgt voor een terugkoppeling aan alle deelnemers.",
    "Na de inspraakperiode van {klein2} weken worden de reacties verwerkt in een nota van "
    "beantwoording.",
    "Financiële gevolgen: de structurele lasten van €\u00a0{bedrag2} worden gedekt uit de algemene "
    "middelen.",
)
KOPPEN_NOTA = (
    "Aanleiding",
    "Beslispunten",
    "Argumenten",
    "Kanttekeningen",
    "Financiën",
    "Communicatie en participatie",
    "Uitvoering en planning",
    "Evaluatie",
)
AGENDAPUNTEN = (
    "Opening en vaststelling van de agenda",
    "Mededelingen van de wijkcoördinator",
    "Verslag van de vorige vergadering",
    "Stand van zaken bestemmingsplan",
    "Subsidieaanvragen buurtinitiatieven",
    "Verkeersveiligheid rond de basisschool",
    "Rondvraag en sluiting",
)


def fmt_amount(value: int) -> str:
    """Format cents as a Dutch amount: 12.500,00."""
    euros, cents = divmod(value, 100)
    return f"{euros:,}".replace(",", ".") + f",{cents:02d}"


def _fmt_date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28)} {rng.choice(MAANDEN)} {rng.randint(2023, 2027)}"


def _fill(template: str, rng: random.Random) -> str:
    jaar = rng.randint(2023, 2027)
    gemeenten = rng.sample(GEMEENTEN, 3)
    afdelingen = rng.sample(AFDELINGEN, 2)
    huisnummer = rng.randint(1, 80)
    uur = rng.randint(6, 9)
    slots = {
        "onderwerp": rng.choice(ONDERWERPEN),
        "jaar": str(jaar),
        "jaar2": str(jaar + 4),
        "datum": _fmt_date(rng),
        "orgaan": rng.choice(ORGANEN),
        "bedrag": fmt_amount(rng.randint(1_000_000, 250_000_000)),
        "bedrag2": fmt_amount(rng.randint(100_000, 9_000_000)),
        "klein": fmt_amount(rng.randint(150, 9_900)),
        "klein2": str(rng.randint(2, 12)),
        "wijk": rng.choice(WIJKEN),
        "aantal": str(rng.randint(12, 480)),
        "aantal2": str(rng.randint(10, 400)),
        "betrokkenen": rng.choice(BETROKKENEN),
        "persoon": rng.choice(PERSONEN),
        "zaak": f"Z-{jaar}-{rng.randint(1, 99999):05d}",
        "procent": f"{rng.randint(10, 95)},{rng.randint(0, 9)}",
        "afdeling": afdelingen[0],
        "afdeling2": afdelingen[1],
        "straat": rng.choice(STRATEN),
        "huisnummer": str(huisnummer),
        "huisnummer2": str(huisnummer + rng.randint(2, 40)),
        "kwartaal": rng.choice(("eerste", "tweede", "derde", "vierde")),
        "gemeente": gemeenten[0],
        "gemeente2": gemeenten[1],
        "gemeente3": gemeenten[2],
        "bijlage": str(rng.randint(1, 6)),
        "uur": f"{uur:02d}",
        "uur2": str(uur + rng.randint(8, 11)),
    }
    return template.format(**slots)


def _paragraph(rng: random.Random, sentences: tuple[int, int] = (3, 6)) -> str:
    return " ".join(_fill(rng.choice(ZINNEN), rng) for _ in range(rng.randint(*sentences)))


def _besluitnota(rng: random.Random) -> Iterator[str]:
    gemeente = rng.choice(GEMEENTEN)
    onderwerp = rng.choice(ONDERWERPEN)
    jaar = rng.randint(2024, 2027)
    yield f"Gemeente {gemeente}"
    yield "Besluitnota aan het college van burgemeester en wethouders"
    yield f"Onderwerp: {onderwerp[0].upper()}{onderwerp[1:]}"
    yield f"Ons kenmerk: BN-{jaar}-{rng.randint(1, 9999):04d}"
    yield f"Datum: {_fmt_date(rng)}"
    yield f"Afdeling: {rng.choice(AFDELINGEN)}"
    yield f"Portefeuillehouder: wethouder {rng.choice(PERSONEN)}"
    number = 0
    while True:
        for kop in KOPPEN_NOTA:
            number += 1
            yield f"{number}. {kop}"
            for _ in range(rng.randint(1, 2)):
                yield _paragraph(rng)


def _verslag(rng: random.Random) -> Iterator[str]:
    wijk = rng.choice(WIJKEN)
    yield f"Verslag vergadering wijkraad {wijk}"
    yield f"Datum: {_fmt_date(rng)}, aanvang 19.30 uur"
    aanwezig = ", ".join(rng.sample(PERSONEN, 5))
    yield f"Aanwezig: {aanwezig} (voorzitter) en {rng.randint(8, 40)} bewoners"
    round_ = 0
    while True:
        round_ += 1
        for i, punt in enumerate(AGENDAPUNTEN, start=1):
            yield f"{i}. {punt}" if round_ == 1 else f"{i}. {punt} (vervolg {round_})"
            yield _paragraph(rng, (2, 5))
        yield "Actiepunten"
        for _ in range(rng.randint(2, 4)):
            yield f"- {rng.choice(PERSONEN)}: {_fill(rng.choice(ZINNEN), rng)}"


def _brief(rng: random.Random) -> Iterator[str]:
    gemeente = rng.choice(GEMEENTEN)
    yield f"Gemeente {gemeente}, Postbus {rng.randint(100, 9999)}, {rng.randint(1000, 9999)} AB "
    yield f"Aan de bewoners van de {rng.choice(STRATEN)} en omgeving"
    yield f"Datum: {_fmt_date(rng)}"
    yield f"Ons kenmerk: U{rng.randint(2024, 2027)}/{rng.randint(100, 99999)}"
    yield f"Betreft: {rng.choice(ONDERWERPEN)}"
    yield "Geachte heer, mevrouw,"
    while True:
        for _ in range(rng.randint(3, 5)):
            yield _paragraph(rng)
        yield "Heeft u vragen? Bel dan met 14 0" + str(rng.randint(100, 999)) + " of mail ons."
        yield "Met vriendelijke groet,"
        yield f"het college van burgemeester en wethouders van {gemeente},"
        yield f"namens dezen, {rng.choice(PERSONEN)}"


DOCUMENT_KINDS: dict[str, Callable[[random.Random], Iterator[str]]] = {
    "besluitnota": _besluitnota,
    "verslag": _verslag,
    "brief": _brief,
}


def dutch_document(rng: random.Random, genre: str) -> Iterator[str]:
    """Yield an endless stream of paragraphs for one document of `genre`."""
    return DOCUMENT_KINDS[genre](rng)


# --------------------------------------------------------------------------
# Layout: paragraphs → lines → pages, with the renderer's own measure
# --------------------------------------------------------------------------


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy word wrap of one paragraph to `width` in the renderer's units."""
    lines: list[str] = []
    current = ""
    # Split on plain spaces only: a no-break space (as after €) must keep its words together.
    for word in filter(None, text.split(" ")):
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def paginate(
    paragraphs: Iterator[str],
    pages: int,
    lines_per_page: int,
    width: float,
    measure: Callable[[str], float],
) -> list[list[str]]:
    """Fill `pages` pages; a blank entry ("") separates paragraphs and renders as a gap."""
    result: list[list[str]] = []
    page: list[str] = []
    # The footer takes the last two lines of every page.
    body = lines_per_page - 2
    for paragraph in paragraphs:
        for line in [*wrap(paragraph, width, measure), ""]:
            if len(page) >= body:
                result.append(page)
                if len(result) == pages:
                    return _with_footers(result)
                page = []
            if line or page:
                page.append(line)
    raise AssertionError("paragraph streams are endless")  # pragma: no cover


def _with_footers(pages: list[list[str]]) -> list[list[str]]:
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        while page and not page[-1]:
            page.pop()
        page.extend(["", f"Pagina {number} van {total}"])
    return pages


def ground_truth(lines: Sequence[str]) -> str:
    """Return the page's ground truth: the rendered lines joined by newlines."""
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------
# Scanned pages
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Degradation:
    """How a scan deviates from the clean render; every field is seeded per page."""

    skew_deg: float
    blur_radius: float
    noise_sigma: float
    salt_pepper: float
    illumination: float  # depth of the brightness falloff across the page, 0..1
    ink_level: int  # grey of the darkest toner: 25 is a fresh print, 110 a faded copy
    jpeg_quality: int
    colour: bool  # colour scan of slightly yellowed paper, else greyscale

    @staticmethod
    def random(rng: random.Random) -> Degradation:
        """Draw a realistic degradation: what an office MFP at 300 dpi produces."""
        return Degradation(
            skew_deg=rng.uniform(-1.5, 1.5),
            blur_radius=rng.uniform(0.5, 1.1),
            noise_sigma=rng.uniform(2.5, 6.0),
            salt_pepper=rng.uniform(0.0003, 0.0015),
            illumination=rng.uniform(0.05, 0.2),
            # Tesseract reads crisp toner almost perfectly; faded prints and copies
            # are where engines (and preprocessing) differ, so they must be in the mix.
            ink_level=rng.randint(25, 110),
            jpeg_quality=rng.randint(60, 80),
            colour=rng.random() < 0.3,
        )


@dataclass(frozen=True)
class JpegPage:
    """One scanned page: the JPEG bytes as a scanner would embed them."""

    data: bytes
    width: int
    height: int
    colour: bool
    dpi: int = SCAN_DPI


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / name), size)


def render_page(
    lines: Sequence[str],
    *,
    serif: bool = False,
    size_pt: float = 11.0,
    dpi: int = SCAN_DPI,
    bold_first: int = 0,
) -> Image.Image:
    """Render clean text lines onto an A4 greyscale page at `dpi`."""
    scale = dpi / SCAN_DPI
    width, height = round(A4_PX[0] * scale), round(A4_PX[1] * scale)
    size = round(size_pt / 72 * dpi)
    regular = _font("DejaVuSerif.ttf" if serif else "DejaVuSans.ttf", size)
    bold = _font("DejaVuSerif-Bold.ttf" if serif else "DejaVuSans-Bold.ttf", size)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    margin = round(MARGIN_PX * scale)
    step = round(size * 1.45)
    y = margin
    for index, line in enumerate(lines):
        if line:
            font = bold if index < bold_first else regular
            # Toner is never pure black; a grey level keeps the render honest.
            draw.text((margin, y), line, font=font, fill=25)
        y += step
    return img


def page_geometry(size_pt: float = 11.0, dpi: int = SCAN_DPI) -> tuple[int, float]:
    """Return (lines per page, text width in px) for a rendered A4 page."""
    scale = dpi / SCAN_DPI
    size = round(size_pt / 72 * dpi)
    step = round(size * 1.45)
    margin = round(MARGIN_PX * scale)
    usable = round(A4_PX[1] * scale) - 2 * margin
    return usable // step, round(A4_PX[0] * scale) - 2 * margin


def degrade(img: Image.Image, d: Degradation, seed: int) -> JpegPage:
    """Turn a clean render into a scan: skew, blur, light falloff, noise, dust, JPEG."""
    gen = np.random.default_rng(seed)
    fade = (255 - d.ink_level) / (255 - 25)
    img = img.point(lambda v: round(255 - (255 - v) * fade))
    # A scanner lid leaves a white border; rotating with white fill mimics that.
    img = img.rotate(d.skew_deg, resample=Image.Resampling.BICUBIC, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(d.blur_radius))
    arr = np.asarray(img, dtype=np.float32)
    h, w = arr.shape
    # Paper is not white and the lamp is not even: a tilted plane of brightness.
    angle = gen.uniform(0, 2 * math.pi)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = (xs / w - 0.5) * math.cos(angle) + (ys / h - 0.5) * math.sin(angle)
    paper = gen.uniform(0.92, 0.98)
    arr *= paper * (1.0 - d.illumination * (ramp + 0.5))
    arr += gen.normal(0.0, d.noise_sigma, size=arr.shape).astype(np.float32)
    specks = gen.random(size=arr.shape) < d.salt_pepper
    arr[specks] = np.where(gen.random(size=int(specks.sum())) < 0.5, 0.0, 255.0)
    grey = np.clip(arr, 0, 255).astype(np.uint8)
    if d.colour:
        tint = np.array([1.0, 0.985, 0.93], dtype=np.float32)
        rgb = np.clip(grey[..., None].astype(np.float32) * tint, 0, 255).astype(np.uint8)
        out = Image.fromarray(rgb)
    else:
        out = Image.fromarray(grey)
    buf = io.BytesIO()
    dpi = round(SCAN_DPI * w / A4_PX[0])
    out.save(buf, format="JPEG", quality=d.jpeg_quality, dpi=(dpi, dpi))
    return JpegPage(buf.getvalue(), w, h, d.colour, dpi)


def write_jpeg_pdf(path: Path, pages: Sequence[JpegPage]) -> None:
    """Write a PDF whose every page is exactly one JPEG, embedded as DCTDecode.

    Scanners write this shape; written by hand so the JPEG bytes go in untouched
    (Pillow's PDF writer would re-encode them).
    """
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree's number is known
    tree = add(b"")
    kids: list[int] = []
    for page in pages:
        space = b"/DeviceRGB" if page.colour else b"/DeviceGray"
        image = add(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
            b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
            % (page.width, page.height, space, len(page.data))
            + page.data
            + b"\nendstream"
        )
        w_pt = page.width * 72 / page.dpi
        h_pt = page.height * 72 / page.dpi
        content = b"q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q" % (w_pt, h_pt)
        stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.4f %.4f] "
                b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
                % (tree, w_pt, h_pt, image, stream)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, catalog, xref)
    )
    path.write_bytes(out.getvalue())


def scanned_document(path: Path, genre: str, pages: int, seed: int) -> list[str]:
    """Write one scanned PDF of `pages` pages and return its per-page ground truth."""
    rng = random.Random(seed)
    serif = rng.random() < 0.5
    size_pt = rng.choice((10.0, 10.5, 11.0, 12.0))
    lines_per_page, width = page_geometry(size_pt)
    font = _font("DejaVuSerif.ttf" if serif else "DejaVuSans.ttf", round(size_pt / 72 * SCAN_DPI))
    laid_out = paginate(dutch_document(rng, genre), pages, lines_per_page, width, font.getlength)
    jpegs = []
    for number, lines in enumerate(laid_out):
        d = Degradation.random(rng)
        clean = render_page(lines, serif=serif, size_pt=size_pt, bold_first=1 if number == 0 else 0)
        jpegs.append(degrade(clean, d, _derive(seed, "page", number)))
    write_jpeg_pdf(path, jpegs)
    return [ground_truth(lines) for lines in laid_out]


# --------------------------------------------------------------------------
# Born-digital PDFs
# --------------------------------------------------------------------------

# fpdf2 measures in mm; 11 pt DejaVu on A4 with 2.5 cm margins.
_PDF_MARGIN_MM = 25.0
_PDF_SIZE_PT = 11.0
_PDF_LINE_MM = _PDF_SIZE_PT * 1.45 * 25.4 / 72


def digital_document(path: Path, genre: str, pages: int, seed: int) -> list[str]:
    """Write one born-digital PDF with a real text layer; return per-page ground truth."""
    rng = random.Random(seed)
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    # A fixed date keeps the bytes, and so the archive's content hash, reproducible.
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    pdf.set_auto_page_break(auto=False)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.set_font("DejaVu", size=_PDF_SIZE_PT)
    width = pdf.w - 2 * _PDF_MARGIN_MM
    lines_per_page = int((pdf.h - 2 * _PDF_MARGIN_MM) // _PDF_LINE_MM)
    laid_out = paginate(
        dutch_document(rng, genre), pages, lines_per_page, width, pdf.get_string_width
    )
    for lines in laid_out:
        pdf.add_page()
        y = _PDF_MARGIN_MM + _PDF_LINE_MM
        for line in lines:
            if line:
                pdf.text(_PDF_MARGIN_MM, y, line)
            y += _PDF_LINE_MM
    pdf.output(str(path))
    return [ground_truth(lines) for lines in laid_out]


# --------------------------------------------------------------------------
# Corpus and manifest
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusDoc:
    """One file of the corpus: where it is (relative to the corpus), what, and its truth."""

    path: str
    kind: Kind
    pages: list[str]


@dataclass
class Manifest:
    """What a corpus directory holds; saved as manifest.json beside the files."""

    params: dict[str, int | str]
    docs: list[CorpusDoc] = field(default_factory=list)

    def of_kind(self, kind: Kind) -> list[CorpusDoc]:
        """Return the documents of one kind, in corpus order."""
        return [doc for doc in self.docs if doc.kind == kind]

    def pages(self, kind: Kind) -> int:
        """Count the pages of one kind."""
        return sum(len(doc.pages) for doc in self.of_kind(kind))

    def save(self, directory: Path) -> None:
        """Write manifest.json into `directory`."""
        text = json.dumps(asdict(self), ensure_ascii=False, indent=1)
        (directory / "manifest.json").write_text(text + "\n", encoding="utf-8")

    @staticmethod
    def load(directory: Path) -> Manifest:
        """Read manifest.json from `directory`."""
        raw = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        docs = [CorpusDoc(d["path"], d["kind"], list(d["pages"])) for d in raw["docs"]]
        return Manifest(dict(raw["params"]), docs)


def _derive(seed: int, *parts: object) -> int:
    """Derive a stable sub-seed; Python's hash() is salted per process, sha256 is not."""
    text = ":".join(str(p) for p in (seed, *parts))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _split(total: int, sizes: Sequence[int]) -> list[int]:
    """Cut `total` pages into documents whose sizes cycle through `sizes`."""
    result: list[int] = []
    while total > 0:
        size = min(sizes[len(result) % len(sizes)], total)
        result.append(size)
        total -= size
    return result


# A scanned intake mixes one-page letters with longer nota's; tools with a
# per-document start-up cost (OCRmyPDF) or per-document parallelism feel that mix.
SCANNED_SIZES = (2, 4, 1, 5, 3)
DIGITAL_SIZES = (10,)


def build_corpus(
    directory: Path,
    *,
    scanned_pages: int,
    digital_pages: int,
    seed: int = 20260414,
    digital_sizes: Sequence[int] = DIGITAL_SIZES,
) -> Manifest:
    """Build (or reuse, if the parameters match) a corpus in `directory`.

    Scanned PDFs go to `scanned/`, born-digital ones to `digital/`, so each kind
    can be ingested as its own batch.
    """
    params: dict[str, int | str] = {
        "seed": seed,
        "scanned_pages": scanned_pages,
        "digital_pages": digital_pages,
        "scanned_sizes": ",".join(map(str, SCANNED_SIZES)),
        "digital_sizes": ",".join(map(str, digital_sizes)),
    }
    if (directory / "manifest.json").exists():
        existing = Manifest.load(directory)
        if existing.params == params and all((directory / d.path).exists() for d in existing.docs):
            return existing
    genres = sorted(DOCUMENT_KINDS)
    manifest = Manifest(params)
    for kind, total, sizes in (
        ("scanned", scanned_pages, SCANNED_SIZES),
        ("digital", digital_pages, tuple(digital_sizes)),
    ):
        sub = directory / kind
        sub.mkdir(parents=True, exist_ok=True)
        for stale in sub.glob("*.pdf"):
            stale.unlink()
        for index, pages in enumerate(_split(total, sizes), start=1):
            genre = genres[index % len(genres)]
            doc_seed = _derive(seed, kind, index)
            name = f"{kind}/{kind}-{index:03d}-{genre}.pdf"
            make = scanned_document if kind == "scanned" else digital_document
            truth = make(directory / name, genre, pages, doc_seed)
            manifest.docs.append(
                CorpusDoc(name, "scanned" if kind == "scanned" else "digital", truth)
            )
    manifest.save(directory)
    return manifest


# --------------------------------------------------------------------------
# Demo samples: two realistic one-page scans for `archief demo`
# --------------------------------------------------------------------------

_GROENVOORZIENING = (
    "Gemeente Groenstad",
    "Besluitnota aan het college van burgemeester en wethouders",
    "",
    "Onderwerp: Groenvoorziening Kastanjelaan",
    "Ons kenmerk: BN-2026-0217",
    "Datum: 14 april 2026",
    "Afdeling: Openbare Ruimte",
    "Steller: J. Bakker (j.bakker@groenstad.example)",
    "",
    "1. Aanleiding",
    "De kastanjebomen aan de Kastanjelaan zijn aangetast door de kastanjebloedingsziekte.",
    "Een boomveiligheidsonderzoek wijst uit dat elf bomen binnen twee jaar vervangen",
    "moeten worden. Bewoners hebben hun zorgen gedeeld tijdens de wijkavond.",
    "",
    "2. Voorgesteld besluit",
    "Het college besluit:",
    "a. de aangetaste kastanjebomen gefaseerd te vervangen door linden en esdoorns;",
    "b. hiervoor een krediet beschikbaar te stellen van EUR 62.500;",
    "c. omwonenden via het online boomfeedback-formulier te laten meedenken over",
    "   de soortkeuze en de plantlocaties.",
    "",
    "3. Argumenten",
    "Vervanging voorkomt gevaar door vallende takken en behoudt het groene karakter",
    "van de straat. De boomfeedback van bewoners wordt meegenomen in het beplantingsplan.",
    "",
    "4. Communicatie",
    "Omwonenden ontvangen in mei een brief; de planning staat op de wijkpagina.",
)

_JEUGDHONK = (
    "Gemeente Groenstad",
    "Raadsvoorstel",
    "",
    "Onderwerp: Jeugdhonk wijk Noorderhaven",
    "Registratienummer: RV-2026-0031",
    "Raadsvergadering: 28 mei 2026",
    "Portefeuillehouder: wethouder Jeugd en Onderwijs",
    "",
    "Voorgesteld besluit",
    "De raad besluit:",
    "1. in te stemmen met de opening van een jeugdhonk in het voormalige",
    "   buurthuis aan de Havenkade in de wijk Noorderhaven;",
    "2. voor de exploitatie jaarlijks EUR 48.000 beschikbaar te stellen;",
    "3. twee jongerenwerkers aan te stellen voor de begeleiding van de avonden.",
    "",
    "Inleiding",
    "Jongeren in Noorderhaven hebben geen vaste plek om elkaar te ontmoeten.",
    "De wijkraad en de jongerenwerkers van de welzijnsstichting vragen al",
    "langer om een jeugdhonk met toezicht en een eigen programma.",
    "",
    "Argumenten",
    "Een jeugdhonk met begeleiding door jongerenwerkers vermindert overlast",
    "op straat en bereikt jongeren die de reguliere voorzieningen mijden.",
    "Het gebouw is eigendom van de gemeente en kan snel worden ingericht.",
    "",
    "Financiën",
    "De kosten worden gedekt uit het budget preventief jeugdbeleid.",
)

DEMO_SCANS: dict[str, tuple[tuple[str, ...], int]] = {
    "scan-besluitnota-groenvoorziening.pdf": (_GROENVOORZIENING, 2),
    "scan-raadsvoorstel-jeugdhonk.pdf": (_JEUGDHONK, 2),
}


def write_demo_samples(directory: Path = DEMO_SAMPLES, *, seed: int = 20260414) -> list[Path]:
    """Write the two one-page demo scans (200 dpi, JPEG 70, < 400 KB) into `directory`."""
    written = []
    for index, (name, (lines, bold)) in enumerate(sorted(DEMO_SCANS.items())):
        rng = random.Random(_derive(seed, "demo", index))
        # A tidy office scan: real skew and noise, but the ingest demo must find its words.
        d = Degradation(
            skew_deg=rng.choice((-1.0, 1.0)) * rng.uniform(0.6, 1.2),
            blur_radius=rng.uniform(0.4, 0.7),
            noise_sigma=rng.uniform(3.0, 4.5),
            salt_pepper=0.0004,
            illumination=rng.uniform(0.06, 0.12),
            ink_level=rng.randint(30, 50),
            jpeg_quality=70,
            colour=False,
        )
        clean = render_page(lines, serif=index == 1, size_pt=11.0, dpi=200, bold_first=bold)
        page = degrade(clean, d, _derive(seed, "demo-page", index))
        write_jpeg_pdf(directory / name, [page])
        written.append(directory / name)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Build a corpus, or rewrite the demo scans."""
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__)
    parser.add_argument("directory", nargs="?", type=Path, default=Path("bench/out/corpus"))
    parser.add_argument("--scanned-pages", type=int, default=24)
    parser.add_argument("--digital-pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20260414)
    parser.add_argument("--demo-samples", action="store_true", help="rewrite the demo scans")
    args = parser.parse_args(argv)
    if args.demo_samples:
        for path in write_demo_samples(seed=args.seed):
            print(f"{path} ({path.stat().st_size // 1024} KiB)")
        return 0
    manifest = build_corpus(
        args.directory,
        scanned_pages=args.scanned_pages,
        digital_pages=args.digital_pages,
        seed=args.seed,
    )
    print(
        f"{args.directory}: {manifest.pages('scanned')} scanned and "
        f"{manifest.pages('digital')} born-digital pages"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
