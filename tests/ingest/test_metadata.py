# SPDX-License-Identifier: EUPL-1.2
"""Header fields of besluitnota's and brieven, suggested from their (OCR) text."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.metadata import FIELDS, FieldSuggestion, extract_memo_fields

# The header of archief/demo/samples/besluitnota-speeltuin-oosterpark.txt.
SPEELTUIN = """\
Gemeente Groenstad
Besluitnota aan het college van burgemeester en wethouders

Onderwerp: Vervanging speeltoestellen speeltuin Oosterpark
Ons kenmerk: BN-2026-0142
Datum: 3 maart 2026
Afdeling: Openbare Ruimte, team Wijkbeheer
Steller: M. de Vries (m.devries@groenstad.example)
Portefeuillehouder: wethouder Openbare Ruimte

1. Aanleiding
De speeltoestellen in de speeltuin aan het Oosterpark zijn ruim twintig jaar oud.
"""

# A letter laid out like the Groningen raadsbrieven of 2011: labels without colons, the
# onderwerp wrapped onto an unindented line, two labels on one line, empty "Uw kenmerk".
GRONINGEN_BRIEF = """\



Afdeling Stadsontwikkeling/Ruimtelijke Ordening
Onderwerp Herinrichting van het Oosterpark en
omliggende straten

Bezoekadres
Kreupelstraat 1

Postadres
Postbus 30026
9700 RM Groningen

Aan de leden van de raad van de gemeente Groningen
te
GRONINGEN

In uw antwoord graag datum en
kenmerk vermelden.

Telefoon (050) 367 12 34 Bijlage(n) 1

Ons kenmerk RO 11.4417

E-mailadres
j.bakker@ro.groningen.example

Datum **4 JUL 2011** Uw brief van

Uw kenmerk

Website
www.groningen.example

Geachte mevrouw/heer,

Hierbij informeren wij u over de stand van zaken.
"""


def extract(text: str, page: int = 1) -> dict[str, FieldSuggestion]:
    found = extract_memo_fields([(page, text)])
    by_field = {s.field: s for s in found}
    assert len(by_field) == len(found), "each field is suggested once"
    return by_field


def values(text: str) -> dict[str, str]:
    return {field: s.value for field, s in extract(text).items()}


def test_speeltuin_sample_header() -> None:
    found = extract_memo_fields([(1, SPEELTUIN)])
    assert found == [
        FieldSuggestion(
            "onderwerp",
            "Vervanging speeltoestellen speeltuin Oosterpark",
            "Vervanging speeltoestellen speeltuin Oosterpark",
            1.0,
            1,
        ),
        FieldSuggestion("kenmerk", "BN-2026-0142", "BN-2026-0142", 1.0, 1),
        FieldSuggestion("datum", "2026-03-03", "3 maart 2026", 1.0, 1),
        FieldSuggestion(
            "afdeling",
            "Openbare Ruimte, team Wijkbeheer",
            "Openbare Ruimte, team Wijkbeheer",
            1.0,
            1,
        ),
        FieldSuggestion(
            "steller", "M. de Vries", "M. de Vries (m.devries@groenstad.example)", 1.0, 1
        ),
        FieldSuggestion(
            "steller_email", "m.devries@groenstad.example", "m.devries@groenstad.example", 1.0, 1
        ),
    ]


def test_groningen_style_letter_header() -> None:
    found = extract(GRONINGEN_BRIEF)
    assert {f: s.value for f, s in found.items()} == {
        "onderwerp": "Herinrichting van het Oosterpark en omliggende straten",
        "kenmerk": "RO 11.4417",
        "datum": "2011-07-04",
        "afdeling": "Stadsontwikkeling/Ruimtelijke Ordening",
        "steller_email": "j.bakker@ro.groningen.example",
    }
    assert found["onderwerp"].raw == "Herinrichting van het Oosterpark en\nomliggende straten"
    assert found["datum"].raw == "4 JUL 2011"
    # No colon, an unindented continuation, a value on the next line: each costs a little.
    assert found["onderwerp"].confidence == 0.81
    assert found["kenmerk"].confidence == 0.9
    assert found["steller_email"].confidence == 0.9


def test_clean_text_collapses_whitespace_and_lowercases_email() -> None:
    text = (
        "Onderwerp:  Vervanging  speeltoestellen \n"
        "Kenmerk: 2011/123456.\n"
        "E-mail: M.deVries@GroenStad.NL\n"
        "Behandeld door: J. Jansen, tel. 050 123 4567\n"
    )
    found = extract(text)
    assert found["onderwerp"].value == "Vervanging speeltoestellen"
    assert found["onderwerp"].raw == "Vervanging  speeltoestellen"
    assert found["kenmerk"].value == "2011/123456"
    assert found["steller_email"].value == "m.devries@groenstad.nl"
    assert found["steller_email"].raw == "M.deVries@GroenStad.NL"
    assert found["steller"].value == "J. Jansen"
    assert all(s.confidence == 1.0 for s in found.values())


def test_ocr_noisy_labels_are_matched_with_lower_confidence() -> None:
    text = (
        "0nderwerp: Vervanging speeltoestellen\n"
        "Ons kenrnerk: BN-2026-0142\n"
        "Datum : 3 maart 2026\n"
        "AfdeIing: Openbare Ruimte\n"
        "Behande1d door: M. de Vries\n"
        "Uw kenrnerk: UK/2026/17\n"
    )
    found = extract(text)
    assert {f: (s.value, s.confidence) for f, s in found.items()} == {
        "onderwerp": ("Vervanging speeltoestellen", 0.85),
        "kenmerk": ("BN-2026-0142", 0.85),
        "datum": ("2026-03-03", 1.0),
        "afdeling": ("Openbare Ruimte", 0.85),
        "steller": ("M. de Vries", 0.85),
        "uw_kenmerk": ("UK/2026/17", 0.85),
    }


def test_label_one_edit_away_is_fuzzy() -> None:
    found = extract("Onderwerq: Vervanging speeltoestellen\nDatvm: 3 maart 2026\n")
    assert found["onderwerp"].value == "Vervanging speeltoestellen"
    assert found["onderwerp"].confidence == 0.75
    assert found["datum"].value == "2026-03-03"
    assert found["datum"].confidence == 0.75


def test_column_layout_with_indented_continuation() -> None:
    text = (
        "Onderwerp     Vervanging speeltoestellen        Datum        3 maart 2026\n"
        "              speeltuin Oosterpark              Ons kenmerk  BN-2026-0142\n"
        "Afdeling      Openbare Ruimte                   Uw kenmerk   -\n"
    )
    found = extract(text)
    assert {f: s.value for f, s in found.items()} == {
        "onderwerp": "Vervanging speeltoestellen speeltuin Oosterpark",
        "kenmerk": "BN-2026-0142",
        "datum": "2026-03-03",
        "afdeling": "Openbare Ruimte",
    }
    assert found["onderwerp"].confidence == 1.0


def test_tab_separated_layout() -> None:
    text = "Onderwerp\tVervanging speeltoestellen\nDatum\t\t3-3-2026\nOns kenmerk\tRO 11.1234\n"
    assert values(text) == {
        "onderwerp": "Vervanging speeltoestellen",
        "kenmerk": "RO 11.1234",
        "datum": "2026-03-03",
    }


def test_value_on_the_next_line() -> None:
    text = (
        "Onderwerp:\n"
        "Vervanging speeltoestellen\n"
        "  speeltuin Oosterpark\n"
        "Datum\n"
        "\n"
        "3 maart 2026\n"
        "Steller\n"
        "M. de Vries\n"
    )
    found = extract(text)
    assert {f: (s.value, s.confidence) for f, s in found.items()} == {
        "onderwerp": ("Vervanging speeltoestellen speeltuin Oosterpark", 0.9),
        "datum": ("2026-03-03", 0.9),
        "steller": ("M. de Vries", 0.9),
    }


def test_next_line_that_is_itself_a_label_is_no_value() -> None:
    found = extract("Uw kenmerk\n\nWebsite\nwww.groenstad.example\nOns kenmerk: BN-1\n")
    assert {f: s.value for f, s in found.items()} == {"kenmerk": "BN-1"}


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("3 maart 2026", "2026-03-03"),
        ("3 mrt. 2026", "2026-03-03"),
        ("3 mrt 2026", "2026-03-03"),
        ("03-03-2026", "2026-03-03"),
        ("3-3-2026", "2026-03-03"),
        ("03.03.2026", "2026-03-03"),
        ("2026-03-03", "2026-03-03"),
        ("dinsdag 3 maart 2026", "2026-03-03"),
        ("30 JUN 2011", "2011-06-30"),
        ("1 januari 2026", "2026-01-01"),
        ("14 febr. 2026", "2026-02-14"),
        ("29 februari 2024", "2024-02-29"),
        ("5 sept. 2025", "2025-09-05"),
        ("12 okt 2025", "2025-10-12"),
        ("1 mei 2026", "2026-05-01"),
        ("31 december 1999", "1999-12-31"),
        ("Groningen, 4 maart 2011", "2011-03-04"),
    ],
)
def test_dutch_dates(written: str, iso: str) -> None:
    found = extract(f"Onderwerp: Begroting\nDatum: {written}\n")
    assert found["datum"].value == iso
    assert found["datum"].confidence == 1.0


@pytest.mark.parametrize(
    "written",
    ["31 februari 2026", "29 februari 2025", "30-02-2026", "2026-13-01", "32 maart 2026", "mei"],
)
def test_invalid_dates_are_not_suggested(written: str) -> None:
    assert values(f"Onderwerp: Begroting\nDatum: {written}\n") == {"onderwerp": "Begroting"}


def test_ocr_damaged_date_is_repaired_with_lower_confidence() -> None:
    found = extract("Datum: 3 rnaart 2O26\n")["datum"]
    assert (found.value, found.raw, found.confidence) == ("2026-03-03", "3 rnaart 2O26", 0.8)


def test_place_and_date_without_label() -> None:
    text = "Ons kenmerk: BN-2026-0142\n\nGroningen, 4 maart 2011\n\nGeachte heer De Vries,\n"
    found = extract(text)["datum"]
    assert (found.value, found.raw, found.confidence) == ("2011-03-04", "4 maart 2011", 0.6)


@pytest.mark.parametrize(
    ("line", "kenmerk"),
    [
        ("Ons kenmerk: BN-2026-0142.", "BN-2026-0142"),
        ("Ons kenmerk: 2011/123456;", "2011/123456"),
        ("Ons kenmerk: RO 11.1234,", "RO 11.1234"),
        ("Ons kenmerk BD 11.2627830 Datum 30 jun 2011", "BD 11.2627830"),
        ("Kenmerk: ZK-2026-001 (zaak)", "ZK-2026-001"),
    ],
)
def test_kenmerk_keeps_its_original_form(line: str, kenmerk: str) -> None:
    found = extract(line + "\n")["kenmerk"]
    assert (found.value, found.raw) == (kenmerk, kenmerk)


def test_uw_kenmerk_is_not_ons_kenmerk() -> None:
    found = values("Uw kenmerk: 2026/00017,\nUw brief van: 1 maart 2026\nOns kenmerk: BN-7\n")
    assert found == {"uw_kenmerk": "2026/00017", "kenmerk": "BN-7"}


def test_body_text_gives_no_false_labels() -> None:
    text = (
        "Onderwerp van de vergadering is de begroting.\n"
        "In uw antwoord graag datum en\n"
        "kenmerk vermelden.\n"
        "Ons kenmerk: BN-2026-0142\n"
        "\n"
        "Geachte leden van de raad,\n"
        "\n"
        "Dit is het onderwerp van de vergadering.\n"
        "Onderwerp: Iets anders\n"
        "Datum: 1 april 2026\n"
        "Afdeling: Financien\n"
    )
    assert values(text) == {"kenmerk": "BN-2026-0142"}


def test_body_after_numbered_section_is_ignored() -> None:
    text = "Ons kenmerk: BN-1\n1. Aanleiding\nOnderwerp: Iets anders\nSteller: A. Mens\n"
    assert values(text) == {"kenmerk": "BN-1"}


def test_ocr_split_email_is_repaired_when_unambiguous() -> None:
    found = extract("Steller: M. de Vries\nE-mail: m.devries @groenstad.nl\n")["steller_email"]
    assert (found.value, found.raw, found.confidence) == (
        "m.devries@groenstad.nl",
        "m.devries @groenstad.nl",
        0.8,
    )


def test_ambiguous_split_email_is_not_repaired() -> None:
    assert "steller_email" not in extract("Steller: M. de Vries @groenstad.nl\n")
    two_at = "E-mail: a.b @groenstad.nl of c.d @groenstad.nl\n"
    assert "steller_email" not in extract("Datum: 3 maart 2026\n" + two_at)


def test_labelled_email_beats_letterhead_email_and_first_email_is_fallback() -> None:
    letterhead = "Gemeente Groenstad  info@groenstad.nl\nOns kenmerk: BN-1\n"
    labelled = extract(letterhead + "E-mail: m.devries@groenstad.nl\n")["steller_email"]
    assert (labelled.value, labelled.confidence) == ("m.devries@groenstad.nl", 1.0)
    fallback = extract(letterhead)["steller_email"]
    assert (fallback.value, fallback.confidence) == ("info@groenstad.nl", 0.6)


def test_header_page_is_the_first_with_labels() -> None:
    found = extract_memo_fields([(1, "\n\n  \n"), (2, SPEELTUIN), (3, "Onderwerp: Bijlage")])
    assert {s.page for s in found} == {2}
    assert found[0] == FieldSuggestion(
        "onderwerp",
        "Vervanging speeltoestellen speeltuin Oosterpark",
        "Vervanging speeltoestellen speeltuin Oosterpark",
        1.0,
        2,
    )


def test_empty_and_malformed_input() -> None:
    assert extract_memo_fields([]) == []
    assert extract_memo_fields([(1, "")]) == []
    assert extract_memo_fields([(1, "\x00\x01\ud800\ufeff")]) == []
    junk: list[object] = [None, (1,), ("1", "Datum: 3 maart 2026"), (1, b"Datum"), 7]
    assert extract_memo_fields(junk) == []  # type: ignore[arg-type]


def test_binary_junk_does_not_raise() -> None:
    rng = random.Random(20260303)
    blob = bytes(rng.randrange(256) for _ in range(200_000)).decode("latin-1")
    for found in extract_memo_fields([(1, blob), (2, blob)]):
        assert found.field in FIELDS


@pytest.mark.parametrize(
    "hostile",
    [
        "a" * 1_000_000,
        "Onderwerp: " + "Aa  " * 250_000,
        "Datum: " + "1" * 1_000_000,
        "Onderwerp:\n" * 100_000,
        "x@" * 500_000,
        "m" + "." * 1_000_000 + "@",
        "3-" * 500_000,
        "\n".join(["Onderwerp     " + "Aa  " * 100] * 2_500),
        "Ons kenmerk " + "A1 " * 333_333,
        "\t" * 1_000_000,
    ],
)
def test_one_megabyte_hostile_input_is_handled(hostile: str) -> None:
    # Tests never time (house style); only a bounded head of each page is read, so these
    # finish in milliseconds, and a backtracking regex would hang the run instead.
    found = extract_memo_fields([(1, hostile)] * 5)
    assert all(s.field in FIELDS and len(s.value) <= 400 for s in found)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.text(max_size=2_000)), max_size=4))
def test_never_raises_and_values_are_well_formed(pages: list[tuple[int, str]]) -> None:
    found = extract_memo_fields(pages)
    assert len({s.field for s in found}) == len(found)
    for s in found:
        assert s.field in FIELDS
        assert 0.0 <= s.confidence <= 1.0
        if s.field == "datum":
            assert dt.date.fromisoformat(s.value).isoformat() == s.value


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["Onderwerp", "0nderwerp", "ONDERWERP", "onderwerp"]),
    st.sampled_from([":", " :", "  ", "\t", ": "]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=30),
)
def test_onderwerp_label_variants(label: str, separator: str, word: str) -> None:
    subject = "Vervanging " + word
    found = extract(f"{label}{separator}{subject}\n")
    assert found["onderwerp"].value == subject
