# SPDX-License-Identifier: EUPL-1.2
"""The OcrEngine port on the Tesseract binary, through pytesseract."""

from __future__ import annotations

import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from archief.errors import ArchiefError, PortError
from archief.ports import OcrResult, OcrWord

if TYPE_CHECKING:
    from PIL import Image

# One OCR process per core does the parallelism; Tesseract's own OpenMP
# threads would only fight those processes for the same two cores.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


class UnreadableImage(ArchiefError):
    code = "unreadable_image"
    status = 422
    title = "Afbeelding niet leesbaar"


class OcrTimeout(ArchiefError):
    code = "ocr_timeout"
    status = 422
    title = "Tekstherkenning duurde te lang"


# Tesseract's orientation confidence below which its answer is not taken.
# Upside-down Dutch pages score far above it; pages with a few words (a
# stamp, a signature) score below and stay as they are.
MIN_ORIENTATION_CONFIDENCE = 2.0

_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_WCONF = re.compile(r"x_wconf (\d+)")


class _HocrWords(HTMLParser):
    """Collect ocrx_word spans: text, box and confidence."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[OcrWord] = []
        self._title: str | None = None
        self._text: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self._title is not None:
            self._depth += 1
        elif tag == "span" and a.get("class") == "ocrx_word":
            self._title, self._text, self._depth = a.get("title") or "", [], 0

    def handle_endtag(self, _tag: str) -> None:
        if self._title is None:
            return
        if self._depth:
            self._depth -= 1
            return
        text = "".join(self._text).strip()
        box, conf = _BBOX.search(self._title), _WCONF.search(self._title)
        if text and box:
            x0, y0, x1, y1 = (int(v) for v in box.groups())
            self.words.append(
                OcrWord(text, float(conf.group(1)) if conf else 0.0, x0, y0, x1 - x0, y1 - y0)
            )
        self._title = None

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._text.append(data)


def parse_hocr(hocr: str) -> list[OcrWord]:
    """Return the words of an hOCR page with their boxes and confidences."""
    parser = _HocrWords()
    parser.feed(hocr)
    parser.close()
    return parser.words


class TesseractOcr:
    def __init__(self, command: str = "tesseract", languages: str = "nld") -> None:
        self.command = command
        self.languages = languages

    def recognize(self, image: bytes) -> OcrResult:
        from PIL import Image, UnidentifiedImageError  # noqa: PLC0415  # see _run

        try:
            img = Image.open(io.BytesIO(image))
            img.load()
        except (UnidentifiedImageError, OSError) as exc:
            raise UnreadableImage(f"not a readable image: {exc}") from exc
        return self._run(img, timeout=0)

    def recognize_file(self, path: Path, timeout: float = 180.0) -> OcrResult:
        # A path goes to tesseract as it is: pytesseract only re-encodes
        # images it is handed as objects.
        return self._run(str(path), timeout=timeout)

    def _run(self, image: str | Image.Image, timeout: float) -> OcrResult:
        # Imported when used (as Pillow is): pytesseract imports numpy, which a
        # process that only builds the adapters (the CLI) should not pay for.
        import pytesseract  # noqa: PLC0415

        pytesseract.pytesseract.tesseract_cmd = self.command
        try:
            hocr_bytes, text = pytesseract.run_and_get_multiple_output(
                image, extensions=["hocr", "txt"], lang=self.languages, timeout=timeout
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise PortError("ocr", str(exc)) from exc
        except pytesseract.TesseractError as exc:
            # Both subclass RuntimeError, so they are caught before it.
            if "Failed loading language" in str(exc) or "Error opening data file" in str(exc):
                raise PortError("ocr", str(exc)) from exc
            raise UnreadableImage(f"tesseract could not read the image: {exc}") from exc
        except RuntimeError as exc:
            # pytesseract signals its timeout with a bare RuntimeError.
            if "timeout" in str(exc).lower():
                raise OcrTimeout(f"no result within {timeout:.0f}s") from exc
            raise
        hocr = hocr_bytes.decode("utf-8", errors="replace")
        words = parse_hocr(hocr)
        mean = sum(w.confidence for w in words) / len(words) if words else 0.0
        text = "\n".join(line.rstrip() for line in text.strip().splitlines())
        return OcrResult(text=text, words=words, mean_confidence=mean, hocr=hocr)

    def orientation(self, path: Path, timeout: float = 60.0) -> int:
        """Degrees to turn the image clockwise to read it upright; 0 when unsure."""
        import pytesseract  # noqa: PLC0415

        pytesseract.pytesseract.tesseract_cmd = self.command
        try:
            osd = pytesseract.image_to_osd(
                str(path), output_type=pytesseract.Output.DICT, timeout=timeout
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise PortError("ocr", str(exc)) from exc
        except (pytesseract.TesseractError, RuntimeError):
            # Too few characters to tell, or no answer in time: leave the page as it is.
            return 0
        if float(osd.get("orientation_conf", 0.0)) < MIN_ORIENTATION_CONFIDENCE:
            return 0
        rotate = int(osd.get("rotate", 0)) % 360
        return rotate if rotate in (90, 180, 270) else 0

    def check(self) -> str:
        import pytesseract  # noqa: PLC0415

        pytesseract.pytesseract.tesseract_cmd = self.command
        try:
            version = pytesseract.get_tesseract_version()
            available = set(pytesseract.get_languages(config=""))
        except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError) as exc:
            raise PortError("ocr", f"tesseract unusable: {exc}") from exc
        missing = [lang for lang in self.languages.split("+") if lang not in available]
        if missing:
            raise PortError("ocr", f"tesseract lacks language models: {', '.join(missing)}")
        return f"tesseract {version} ({self.languages})"
