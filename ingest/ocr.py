# SPDX-License-Identifier: EUPL-1.2
"""The OcrEngine port on the Tesseract binary, through pytesseract."""

from __future__ import annotations

import io
import os
from collections import defaultdict

import pytesseract
from PIL import Image, UnidentifiedImageError

from archief.errors import ArchiefError, PortError
from archief.ports import OcrResult, OcrWord

# One OCR process per core does the parallelism; Tesseract's own OpenMP
# threads would only fight those processes for the same two cores.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


class UnreadableImage(ArchiefError):
    code = "unreadable_image"
    status = 422
    title = "Afbeelding niet leesbaar"


class TesseractOcr:
    def __init__(self, command: str = "tesseract", languages: str = "nld+eng") -> None:
        self.command = command
        self.languages = languages

    def recognize(self, image: bytes) -> OcrResult:
        pytesseract.pytesseract.tesseract_cmd = self.command
        try:
            img = Image.open(io.BytesIO(image))
            img.load()
        except (UnidentifiedImageError, OSError) as exc:
            raise UnreadableImage(f"not a readable image: {exc}") from exc
        try:
            data = pytesseract.image_to_data(
                img, lang=self.languages, output_type=pytesseract.Output.DICT
            )
        except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError) as exc:
            raise PortError("ocr", str(exc)) from exc
        words: list[OcrWord] = []
        lines: dict[tuple[int, int, int], list[str]] = defaultdict(list)
        for i, word in enumerate(data["text"]):
            conf = float(data["conf"][i])
            if conf < 0 or not word.strip():
                continue  # structural rows (blocks, lines) carry conf -1
            words.append(
                OcrWord(
                    word,
                    conf,
                    int(data["left"][i]),
                    int(data["top"][i]),
                    int(data["width"][i]),
                    int(data["height"][i]),
                )
            )
            lines[(data["block_num"][i], data["par_num"][i], data["line_num"][i])].append(word)
        text = "\n".join(" ".join(ws) for _, ws in sorted(lines.items()))
        mean = sum(w.confidence for w in words) / len(words) if words else 0.0
        return OcrResult(text=text, words=words, mean_confidence=mean)

    def check(self) -> str:
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
