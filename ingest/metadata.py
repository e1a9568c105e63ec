# SPDX-License-Identifier: EUPL-1.2
"""Suggest the header fields of a municipal memo (besluitnota, brief) from its page text.

Contract of `extract_memo_fields`:

- It MUST NOT raise, whatever the text (empty, binary junk, megabytes); it returns
  what it found, possibly nothing.
- Its cost MUST stay linear in the input: only a bounded head of each page is read
  and every pattern has bounded repetition, so no input can make it backtrack.
- It MUST only look for labels in the header area of the header page: the lines
  before the salutation, the first numbered section or the first prose paragraph.
- Its results are suggestions for a person to confirm, never facts: it SHOULD
  lower the confidence whenever a label was matched fuzzily, a value was found on
  the next line, or OCR damage in the value had to be repaired.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

__all__ = ["FIELDS", "FieldSuggestion", "extract_memo_fields"]

FIELDS = ("onderwerp", "kenmerk", "datum", "afdeling", "steller", "steller_email", "uw_kenmerk")


@dataclass(frozen=True, slots=True)
class FieldSuggestion:
    """One header field as read from the memo, for a person to confirm."""

    field: str
    value: str
    raw: str
    confidence: float
    page: int


# Bounds that keep the work per page constant: a memo header is a few dozen short lines.
_MAX_PAGES = 5
_MAX_PAGE_CHARS = 40_000
_MAX_RAW_LINES = 200
_MAX_HEADER_LINES = 40
_MAX_LINE_CHARS = 400
_MAX_FUZZY_TRIES_PER_LINE = 4  # a letterhead line has at most a few label columns
_MAX_CONTINUATION_LINES = 3
_PROSE_LINE_CHARS = 160

# Confidence factors; they multiply, so several doubts compound.
_EXACT = 1.0
_OCR_FOLDED = 0.85
_FUZZY_1 = 0.75
_FUZZY_2 = 0.6
_LOOSE_SEPARATOR = 0.9  # label and value split by one space: could be prose
_NEXT_LINE = 0.9
_REPAIRED_VALUE = 0.8
_UNLABELLED = 0.6

# Labels the extractor knows. Those with field None produce nothing, but must be
# recognised so that a column layout ("Telefoon ... Bijlage(n) 2") ends the value
# before them and so that "Uw kenmerk" never swallows the next label as its value.
_LABEL_TABLE: tuple[tuple[str, str | None], ...] = (
    ("onderwerp", "onderwerp"),
    ("betreft", "onderwerp"),
    ("ons kenmerk", "kenmerk"),
    ("kenmerk", "kenmerk"),
    ("onze referentie", "kenmerk"),
    ("datum", "datum"),
    ("afdeling", "afdeling"),
    ("steller", "steller"),
    ("opsteller", "steller"),
    ("behandeld door", "steller"),
    ("contactpersoon", "steller"),
    ("e-mail", "steller_email"),
    ("e-mailadres", "steller_email"),
    ("uw kenmerk", "uw_kenmerk"),
    ("uw referentie", "uw_kenmerk"),
    ("uw brief van", None),
    ("uw brief", None),
    ("telefoon", None),
    ("telefoonnummer", None),
    ("doorkiesnummer", None),
    ("tel", None),
    ("fax", None),
    ("bijlage(n)", None),
    ("bijlage", None),
    ("website", None),
    ("internet", None),
    ("bezoekadres", None),
    ("postadres", None),
    ("portefeuillehouder", None),
    ("aan", None),
    ("kopie aan", None),
    ("afschrift aan", None),
    ("verzonden", None),
    ("verzenddatum", None),
    ("zaaknummer", None),
    ("registratienummer", None),
    ("collegevergadering", None),
)

# Characters Tesseract confuses with letters in labels; both sides are folded alike.
_OCR_FOLD = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "!": "l"})
_NON_AZ = re.compile(r"[^a-z]+")


def _simple(text: str) -> str:
    return _NON_AZ.sub("", text.lower())


def _fold(text: str) -> str:
    lowered = text.lower().replace("rn", "m").replace("vv", "w").translate(_OCR_FOLD)
    return _NON_AZ.sub("", lowered)


@dataclass(frozen=True, slots=True)
class _Label:
    name: str
    field: str | None
    simple: str
    folded: str


_LABELS = tuple(_Label(name, f, _simple(name), _fold(name)) for name, f in _LABEL_TABLE)
_LABELS_BY_FOLD = {label.folded: label for label in _LABELS}


def _distance(a: str, b: str, limit: int) -> int:
    """Return the Levenshtein distance of a and b, or limit + 1 once it is exceeded."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _fuzzy_confidence(folded: str, label: _Label) -> float:
    # Short labels ("aan", "tel") are real words too often to be matched loosely.
    if len(label.folded) < 5 or abs(len(folded) - len(label.folded)) > 2:
        return 0.0
    distance = _distance(folded, label.folded, 2)
    if distance == 1:
        return _FUZZY_1
    if distance == 2 and len(label.folded) >= 9:
        return _FUZZY_2
    return 0.0


# Letterheads repeat the same few words across a whole archive; so do hostile inputs.
@functools.lru_cache(maxsize=4096)
def _best_label(raw: str, fuzzy: bool) -> tuple[_Label, float] | None:
    folded = _fold(raw)
    exact = _LABELS_BY_FOLD.get(folded)
    if exact is not None:
        return exact, _EXACT if _simple(raw) == exact.simple else _OCR_FOLDED
    if not fuzzy or not folded:
        return None
    best: tuple[_Label, float] | None = None
    for label in _LABELS:
        confidence = _fuzzy_confidence(folded, label)
        if confidence > 0 and (best is None or confidence > best[1]):
            best = (label, confidence)
    return best


@dataclass(frozen=True, slots=True)
class _Hit:
    label: _Label
    confidence: float
    start: int
    value_start: int
    separator: str  # "colon", "gap", "space" or "eol"
    strong: bool  # a sure label, not a lower-case word that may start a continuation


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    indent: int
    hits: tuple[_Hit, ...]

    @property
    def opens_with_label(self) -> bool:
        return bool(self.hits) and self.hits[0].start == self.indent and self.hits[0].strong

    def lead(self) -> str:
        """Return the text before the first label that is not a weak word at the start."""
        for hit in self.hits:
            if hit.start == self.indent and not hit.strong:
                continue
            return self.text[: hit.start]
        return self.text

    def value_of(self, index: int) -> str:
        end = self.hits[index + 1].start if index + 1 < len(self.hits) else len(self.text)
        return self.text[self.hits[index].value_start : end]


_LABEL_WORDS = re.compile(r"([^\s:]{1,24})(?:( +)([^\s:]{1,24}))?(?:( +)([^\s:]{1,24}))?")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_TOKEN = re.compile(r"\S+")
_SEPARATOR = re.compile(r"( *)([:;]?)( *)")


def _parse_separator(line: str, end: int) -> tuple[str, int]:
    match = _SEPARATOR.match(line, end)
    if match is None:  # pragma: no cover - the pattern matches the empty string
        return "space", end
    if match.end() >= len(line.rstrip()):
        return "eol", len(line)
    # OCR reads a colon as a semicolon often enough to treat them alike.
    if match.group(2):
        return "colon", match.end()
    return ("gap" if len(match.group(1)) >= 2 else "space"), match.end()


def _try_label(line: str, start: int, kind: str) -> tuple[_Hit, int] | None:
    match = _LABEL_WORDS.match(line, start)
    if match is None:
        return None
    words = [w for w in (match.group(1), match.group(3), match.group(5)) if w]
    ends = [match.end(1), match.end(3), match.end(5)]
    fuzzy = kind != "space_upper"
    best: tuple[float, int, _Label] | None = None
    for count in range(1, len(words) + 1):
        chosen = words[:count]
        if not all(_HAS_LETTER.search(w) for w in chosen):
            break
        found = _best_label("".join(chosen), fuzzy)
        # Prefer the surest match, then the longest: "Uw brief van" over "Uw brief".
        if found is not None and (best is None or found[1] >= best[0]):
            best = (found[1], count, found[0])
    if best is None:
        return None
    confidence, count, label = best
    end = ends[count - 1]
    separator, value_start = _parse_separator(line, end)
    # A capitalised word after a single space is often just prose; accept it as a
    # second label on the line only when it cannot be much else.
    if kind == "space_upper" and not (count > 1 or separator == "colon" or "(" in words[0]):
        return None
    strong = separator != "space" or words[0][:1].isupper()
    return _Hit(label, confidence, start, value_start, separator, strong), end


def _find_hits(line: str) -> tuple[_Hit, ...]:
    hits: list[_Hit] = []
    covered = 0
    fuzzy_tries = 0
    for token in _TOKEN.finditer(line):
        position = token.start()
        if position < covered:
            continue
        if not hits and position == len(line) - len(line.lstrip()):
            kind = "start"
        elif line[max(0, position - 2) : position] == "  ":
            kind = "gap"
        elif token.group()[:1].isupper():
            kind = "space_upper"
        else:
            continue
        if kind != "space_upper":
            fuzzy_tries += 1
            if fuzzy_tries > _MAX_FUZZY_TRIES_PER_LINE:
                kind = "space_upper"
        found = _try_label(line, position, kind)
        if found is not None:
            hits.append(found[0])
            covered = found[1]
    return tuple(hits)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff*]")


def _clean(raw: str) -> str:
    # Markdown emphasis from born-digital exports ("**30 JUN 2011**") is not text.
    text = _INVISIBLE.sub("", _CONTROL.sub(" ", raw[:_MAX_LINE_CHARS].expandtabs(8)))
    return unicodedata.normalize("NFKC", text).rstrip()


_BODY_START = re.compile(r"\s*(?:(?i:geachte|beste|lieve|hallo)\b|\d{1,2}[.)]\s+[A-Z])")


def _header_lines(text: str) -> list[_Line]:
    """Return the cleaned lines of the page's header area, blank lines included."""
    lines: list[_Line] = []
    filled = 0
    for raw in text[:_MAX_PAGE_CHARS].splitlines()[:_MAX_RAW_LINES]:
        cleaned = _clean(raw)
        indent = len(cleaned) - len(cleaned.lstrip())
        if not cleaned:
            lines.append(_Line("", 0, ()))
            continue
        if _BODY_START.match(cleaned):
            break
        line = _Line(cleaned, indent, _find_hits(cleaned))
        if len(cleaned) - indent > _PROSE_LINE_CHARS and not line.opens_with_label:
            break
        lines.append(line)
        filled += 1
        if filled >= _MAX_HEADER_LINES:
            break
    return lines


# --- values ---------------------------------------------------------------------

_MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "febr": 2,
    "maart": 3,
    "mrt": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "augustus": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_MONTHS_BY_FOLD = {_fold(name): number for name, number in _MONTHS.items()}
_WEEKDAYS = r"(?i:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)"

# O, o, l, I and | stand in for digits in OCR output; _digits() decides whether to trust them.
_D = r"[0-9OoIl|]"
_TEXT_DATE = re.compile(
    rf"(?<![0-9A-Za-z])({_D}{{1,2}})[ .]{{0,3}}([A-Za-z|]{{3,12}})"
    rf"\.?,?[ ]{{0,3}}({_D}{{4}})(?![0-9])"
)
_NUMERIC_DATE = re.compile(
    rf"(?<![0-9A-Za-z])({_D}{{1,2}})([-./])({_D}{{1,2}})\2({_D}{{4}})(?![0-9A-Za-z])"
)
_ISO_DATE = re.compile(rf"(?<![0-9A-Za-z])({_D}{{4}})-({_D}{{1,2}})-({_D}{{1,2}})(?![0-9A-Za-z])")
_DIGIT_FOLD = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})


def _digits(token: str, minimum_real: int) -> tuple[int, bool] | None:
    """Read an OCR digit group; return the number and whether letters had to be repaired."""
    if sum(ch.isdigit() for ch in token) < minimum_real:
        return None
    return int(token.translate(_DIGIT_FOLD)), not token.isdigit()


def _month(word: str) -> tuple[int, bool] | None:
    folded = _fold(word)
    number = _MONTHS_BY_FOLD.get(folded)
    if number is not None:
        return number, _simple(word) not in _MONTHS
    if len(folded) < 5:
        return None
    close = {n for name, n in _MONTHS_BY_FOLD.items() if _distance(folded, name, 1) <= 1}
    return (close.pop(), True) if len(close) == 1 else None


@dataclass(frozen=True, slots=True)
class _Date:
    value: dt.date
    start: int
    end: int
    repaired: bool


def _make_date(day: str, month: tuple[int, bool] | None, year: str) -> tuple[dt.date, bool] | None:
    d = _digits(day, 1)
    y = _digits(year, 2)
    if d is None or y is None or month is None or not 1800 <= y[0] <= 2199:
        return None
    try:
        return dt.date(y[0], month[0], d[0]), d[1] or month[1] or y[1]
    except ValueError:  # 31 februari and the like: not a date, so no suggestion
        return None


def _date_candidates(text: str) -> Iterator[_Date]:
    for m in _TEXT_DATE.finditer(text):
        made = _make_date(m.group(1), _month(m.group(2)), m.group(3))
        if made:
            yield _Date(made[0], m.start(), m.end(), made[1])
    for m in _NUMERIC_DATE.finditer(text):
        month = _digits(m.group(3), 1)
        made = _make_date(m.group(1), month, m.group(4))
        if made:
            yield _Date(made[0], m.start(), m.end(), made[1])
    for m in _ISO_DATE.finditer(text):
        month = _digits(m.group(2), 1)
        made = _make_date(m.group(3), month, m.group(1))
        if made:
            yield _Date(made[0], m.start(), m.end(), made[1])


def _first_date(text: str) -> _Date | None:
    return min(_date_candidates(text), key=lambda found: found.start, default=None)


_PLACE_BEFORE_DATE = re.compile(
    rf"(?:[A-Z][\w'.-]{{1,30}}(?: [\w'.-]{{1,30}}){{0,3}},)? ?(?:{_WEEKDAYS},? )?"
)

_EMAIL = re.compile(
    r"(?<![\w.%+-])([A-Za-z0-9._%+-]{1,64})( {0,2})@( {0,2})"
    r"([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8})"
)
_LOCAL_IS_ADDRESS_LIKE = re.compile(r"[._\d-]")


@dataclass(frozen=True, slots=True)
class _Email:
    value: str
    raw: str
    repaired: bool


def _first_email(text: str) -> _Email | None:
    if "@" not in text:
        return None
    for m in _EMAIL.finditer(text):
        local, before, after, domain = m.groups()
        domain = domain.rstrip(".-")
        if "." not in domain or not domain.rsplit(".", 1)[1].isalpha():
            continue
        if local.startswith(".") or local.endswith("."):
            continue
        split = bool(before or after)
        # "m.devries @groenstad.nl" is one address; "M. de Vries @groenstad.nl" could
        # be several things, so a split is only mended when the line has a single "@"
        # and the part before it already looks like an address.
        if split and (text.count("@") != 1 or not _LOCAL_IS_ADDRESS_LIKE.search(local)):
            continue
        raw = text[m.start() : m.start(4) + len(domain)]
        return _Email(f"{local}@{domain}".lower(), raw, split)
    return None


_WHITESPACE = re.compile(r"\s+")
_COLUMN_GAP = re.compile(r" {3,}")
_KENMERK_TAIL = ".,;:)"
_UPPER_CODE = re.compile(r"[A-Z]{1,6}")
# A name ends where contact details start: "(", a phone number, "tel.", an address.
_STELLER_END = re.compile(r"[(,;/|<\[\d]|\b(?i:tel|telefoon|e-?mail)\b")


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _first_column(text: str) -> str:
    # A wide gap inside a value marks the start of the next column of the letterhead.
    return _COLUMN_GAP.split(text.strip(), maxsplit=1)[0]


def _kenmerk(text: str) -> tuple[str, str] | None:
    """Return (value, raw) of a kenmerk in its original form, or None without digits."""
    kept: list[str] = []
    for token in _first_column(text).split():
        if any(ch.isdigit() for ch in token) or _UPPER_CODE.fullmatch(token) or token in {"-", "/"}:
            kept.append(token)
        else:
            break
    raw = " ".join(kept).rstrip(_KENMERK_TAIL)
    if not any(ch.isdigit() for ch in raw) or len(raw) > 40:
        return None
    return raw, raw


def _steller(text: str) -> tuple[str, str] | None:
    column = _first_column(text)
    at = column.find("@")
    name_part = column[: column.rfind(" ", 0, at) + 1] if at >= 0 else column
    cut = _STELLER_END.search(name_part)
    name = _collapse(name_part[: cut.start()] if cut else name_part).rstrip(" -:")
    if not _HAS_LETTER.search(name) or len(name) > 80:
        return None
    return name, column.strip()


def _text_value(text: str) -> tuple[str, str] | None:
    column = _first_column(text)
    value = _collapse(column)
    if sum(ch.isalpha() for ch in value) < 2 or len(value) > 300:
        return None
    return value, column.strip()


# --- assembly -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Value:
    """The text after a label, where it was found, and how sure the label was."""

    index: int  # of the line holding the value
    text: str
    confidence: float


@dataclass(slots=True)
class _Page:
    number: int
    lines: list[_Line]
    found: dict[str, FieldSuggestion]

    def suggest(self, field: str, value: str, raw: str, confidence: float) -> None:
        if field not in self.found:
            score = round(max(0.0, min(1.0, confidence)), 2)
            self.found[field] = FieldSuggestion(field, value, raw, score, self.number)

    def next_value_line(self, index: int) -> int | None:
        """Return the index of the line holding the value of a label that ends line index."""
        blanks = 0
        for j in range(index + 1, len(self.lines)):
            line = self.lines[j]
            if not line.text:
                blanks += 1
                if blanks > 1:
                    return None
                continue
            return None if line.opens_with_label or not line.lead().strip() else j
        return None

    def continuation(self, index: int) -> tuple[list[str], bool]:
        """Return the lines continuing the value on line index, and whether all were indented."""
        indent = self.lines[index].indent
        parts: list[str] = []
        indented = True
        for line in self.lines[index + 1 : index + 1 + _MAX_CONTINUATION_LINES]:
            lead = line.lead().strip()
            if not lead or line.opens_with_label:
                break
            deeper = line.indent > indent
            # An unindented line still continues when it starts in lower case, as in
            # "Stand van zaken organisatieontwikkeling en / cultuurverandering".
            if not (deeper or lead[0].islower()):
                break
            indented = indented and deeper
            parts.append(_first_column(lead))
        return parts, indented


def _onderwerp(page: _Page, found: _Value) -> None:
    parsed = _text_value(found.text)
    if parsed is None:
        return
    value, raw = parsed
    confidence = found.confidence
    parts, indented = page.continuation(found.index)
    if parts:
        value = _collapse(" ".join([value, *parts]))
        raw = "\n".join([raw, *parts])
        confidence *= 1.0 if indented else _LOOSE_SEPARATOR
    page.suggest("onderwerp", value, raw, confidence)


def _afdeling(page: _Page, found: _Value) -> None:
    parsed = _text_value(found.text)
    if parsed is not None:
        page.suggest("afdeling", parsed[0], parsed[1], found.confidence)


def _kenmerk_field(field: str) -> Callable[[_Page, _Value], None]:
    def handle(page: _Page, found: _Value) -> None:
        parsed = _kenmerk(found.text)
        if parsed is not None:
            page.suggest(field, parsed[0], parsed[1], found.confidence)

    return handle


def _datum(page: _Page, found: _Value) -> None:
    date = _first_date(found.text)
    if date is not None:
        factor = _REPAIRED_VALUE if date.repaired else 1.0
        raw = found.text[date.start : date.end]
        page.suggest("datum", date.value.isoformat(), raw, found.confidence * factor)


def _email(page: _Page, found: _Value) -> None:
    email = _first_email(found.text)
    if email is not None:
        factor = _REPAIRED_VALUE if email.repaired else 1.0
        page.suggest("steller_email", email.value, email.raw, found.confidence * factor)


def _steller_field(page: _Page, found: _Value) -> None:
    # "Steller: M. de Vries (m.devries@groenstad.nl)" carries both fields.
    _email(page, found)
    parsed = _steller(found.text)
    if parsed is not None:
        page.suggest("steller", parsed[0], parsed[1], found.confidence)


_HANDLERS: dict[str, Callable[[_Page, _Value], None]] = {
    "onderwerp": _onderwerp,
    "kenmerk": _kenmerk_field("kenmerk"),
    "datum": _datum,
    "afdeling": _afdeling,
    "steller": _steller_field,
    "steller_email": _email,
    "uw_kenmerk": _kenmerk_field("uw_kenmerk"),
}
_PROSE_AFTER_SPACE = frozenset({"onderwerp", "afdeling", "steller"})


def _value_for(page: _Page, index: int, position: int) -> _Value | None:
    line = page.lines[index]
    hit = line.hits[position]
    if hit.separator == "eol":
        # Only a label that opens its line can have its value on the next one; for a
        # label in the right-hand column the next line is ambiguous.
        target = page.next_value_line(index) if position == 0 else None
        if target is None:
            return None
        return _Value(target, page.lines[target].lead(), hit.confidence * _NEXT_LINE)
    text = line.value_of(position)
    if hit.separator != "space":
        return _Value(index, text, hit.confidence)
    # "Onderwerp van de vergadering ..." is prose, not a label with its value.
    if hit.label.field in _PROSE_AFTER_SPACE and text[:1].islower():
        return None
    return _Value(index, text, hit.confidence * _LOOSE_SEPARATOR)


def _read_labels(page: _Page) -> None:
    for index, line in enumerate(page.lines):
        for position, hit in enumerate(line.hits):
            field = hit.label.field
            if field is None or field in page.found:
                continue
            found = _value_for(page, index, position)
            if found is not None:
                _HANDLERS[field](page, found)


def _read_unlabelled(page: _Page) -> None:
    for index, line in enumerate(page.lines):
        if "steller_email" not in page.found:
            _email(page, _Value(index, line.text, _UNLABELLED))
        if "datum" in page.found or line.hits:
            continue
        # "Groningen, 4 maart 2011" or a date on its own line, as letters put it.
        stripped = line.text.strip()
        date = _first_date(stripped)
        if date is None or stripped[date.end :].strip(" ."):
            continue
        if _PLACE_BEFORE_DATE.fullmatch(stripped[: date.start]):
            factor = _REPAIRED_VALUE if date.repaired else 1.0
            raw = stripped[date.start : date.end]
            page.suggest("datum", date.value.isoformat(), raw, _UNLABELLED * factor)


def _pages(pages: object) -> Iterator[tuple[int, str]]:
    # The signature promises (int, str) pairs; callers fed by OCR do not always keep it.
    if not isinstance(pages, Sequence | Iterator):
        return
    for count, entry in enumerate(pages):
        if count >= _MAX_PAGES:
            return
        if (
            isinstance(entry, tuple)
            and len(entry) == 2
            and isinstance(entry[0], int)
            and isinstance(entry[1], str)
        ):
            yield entry[0], entry[1]


def extract_memo_fields(pages: Sequence[tuple[int, str]]) -> list[FieldSuggestion]:
    """Suggest the memo's header fields from the text of its first pages.

    The header page is the first of the first five pages whose header area holds a
    known label; each field is suggested at most once, in the order of FIELDS.
    """
    for number, text in _pages(pages):
        page = _Page(number, _header_lines(text), {})
        if not any(line.hits for line in page.lines):
            continue
        _read_labels(page)
        _read_unlabelled(page)
        return [page.found[field] for field in FIELDS if field in page.found]
    return []
