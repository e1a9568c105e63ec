# SPDX-License-Identifier: EUPL-1.2
"""Turn post markup into the plain text that search indexes."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Elements after which a reader sees a new line or paragraph.
_BREAK = {"br"}
_BLOCK = {"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr"}
_SKIP = {"script", "style"}


class _Plain(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        # Open anchors: (href, index in parts where the anchor's text starts).
        self.anchors: list[tuple[str | None, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BREAK:
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")
        elif tag == "a":
            self.anchors.append((dict(attrs).get("href"), len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")
        elif tag == "a" and self.anchors:
            href, start = self.anchors.pop()
            shown = "".join(self.parts[start:])
            full = _expanded(href, shown)
            if full is not None:
                del self.parts[start:]
                self.parts.append(full)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _expanded(href: str | None, shown: str) -> str | None:
    """Return the full link when the anchor shows a shortened form of it, else None.

    Mastodon shows "example.org/lang…" with the rest hidden in invisible
    spans; the text to keep is the link itself. Mentions and hashtags show
    "@naam" or "#tag", which are not a prefix of their link, and stay as shown.
    """
    if not href or not href.startswith(("http://", "https://")):
        return None
    text = shown.strip().rstrip("…").rstrip(".")
    if not text or any(c.isspace() for c in text):
        return None
    bare = href.split("://", 1)[1]
    if href.startswith(text) or bare.startswith(text.split("://", 1)[-1]):
        return href
    return None


def html_naar_tekst(markup: str) -> str:
    """Return the readable text of an HTML fragment: tags dropped, entities decoded."""
    parser = _Plain()
    parser.feed(markup)
    parser.close()
    return normaliseer("".join(parser.parts))


def normaliseer(text: str) -> str:
    """Collapse runs of spaces and blank lines; keep paragraph breaks."""
    text = text.replace("\r\n", "\n").replace("\xa0", " ")
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def ontsnap(text: str) -> str:
    """Decode HTML entities in text that is otherwise plain (Twitter escapes &, < and >)."""
    return html.unescape(text)
