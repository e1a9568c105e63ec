# SPDX-License-Identifier: EUPL-1.2
"""Text per page: the text layer where there is one, OCR where there is not."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from archief.errors import ArchiefError
from archief.ports import OcrEngine, SearchPage


class UnreadableDocument(ArchiefError):
    code = "unreadable_document"
    status = 422
    title = "Document niet leesbaar"


def extract_pages(path: Path, media_type: str, ocr: OcrEngine) -> list[SearchPage]:
    """Return the text of each page of the document at `path`."""
    if media_type == "text/plain":
        # A form feed is the one page break plain text has.
        text = path.read_text(encoding="utf-8")
        return [SearchPage(i, t) for i, t in enumerate(text.split("\f"), start=1) if t.strip()]
    if media_type == "application/pdf":
        try:
            reader = PdfReader(path)
            if reader.is_encrypted:
                raise UnreadableDocument("the PDF is encrypted")
            return [
                SearchPage(i, page.extract_text() or "") for i, page in enumerate(reader.pages, 1)
            ]
        except PdfReadError as exc:
            raise UnreadableDocument(f"broken PDF: {exc}") from exc
    if media_type.startswith("image/"):
        return [SearchPage(1, ocr.recognize(path.read_bytes()).text)]
    raise UnreadableDocument(f"no extractor for {media_type}")
