# SPDX-License-Identifier: EUPL-1.2
"""The selectielijst file, its validation, and the archiefactiedatum derivation.

Pure tests: no services. Expected dates are written out by hand, or computed
in the test with plain `date` arithmetic, never with the code under test.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from archief.bewaring.cli import app
from archief.bewaring.selectielijst import (
    Afleidingswijze,
    Brondata,
    Categorie,
    Nominatie,
    OnbekendeCategorie,
    SelectielijstError,
    Termijn,
    archiefactiedatum,
    default,
    default_text,
    parse,
)

TIEN_JAAR = Termijn(jaren=10)


def _categorie(
    afleidingswijze: Afleidingswijze,
    bewaartermijn: Termijn | None,
    *,
    nominatie: Nominatie = Nominatie.VERNIETIGEN,
    procestermijn: Termijn | None = None,
) -> Categorie:
    return Categorie(
        code="99.1",
        procestype=99,
        resultaat="Getest",
        omschrijving="een categorie voor deze test",
        nominatie=nominatie,
        bewaartermijn=bewaartermijn,
        afleidingswijze=afleidingswijze,
        procestermijn=procestermijn,
    )


# --- the shipped file ---------------------------------------------------------


def test_the_shipped_file_is_valid_and_marked_as_a_subset() -> None:
    lijst = default()
    assert lijst.deelverzameling
    assert lijst.versie == "2020"
    assert lijst.overbrengingstermijn == TIEN_JAAR
    assert len(lijst) >= 20


def test_every_code_in_the_shipped_file_is_unique() -> None:
    # Read the raw YAML: parse() would refuse duplicates, this checks the file itself.
    codes = [c["code"] for c in yaml.safe_load(default_text())["categorieen"]]
    assert len(codes) == len(set(codes))
    assert all(isinstance(code, str) for code in codes)


def _teksten() -> list[str]:
    return [f"{c.omschrijving} {c.toelichting}".lower() for c in default()]


@pytest.mark.parametrize(
    ("gebied", "woorden"),
    [
        ("besluitvorming raad en college", ("besluitvorming", "raad", "college")),
        ("projecten", ("project",)),
        ("correspondentie", ("correspondentie",)),
        ("sociale media", ("berichten op sociale media",)),
    ],
)
def test_the_shipped_file_covers_the_areas_of_the_issue(
    gebied: str, woorden: tuple[str, ...]
) -> None:
    assert any(all(w in tekst for w in woorden) for tekst in _teksten()), gebied


def test_the_shipped_file_has_both_nominaties_and_keeps_council_records() -> None:
    lijst = default()
    assert {c.nominatie for c in lijst} == set(Nominatie)
    assert lijst.get("19.1.6").nominatie is Nominatie.BLIJVEND_BEWAREN
    assert lijst.get("2.1.1").nominatie is Nominatie.BLIJVEND_BEWAREN
    assert lijst.get("6.1").bewaartermijn == Termijn(jaren=5)


def test_blijvend_te_bewaren_categories_have_no_bewaartermijn_of_their_own() -> None:
    for c in default():
        assert (c.bewaartermijn is None) == (c.nominatie is Nominatie.BLIJVEND_BEWAREN), c.code


def test_an_unknown_code_is_a_clear_error() -> None:
    with pytest.raises(OnbekendeCategorie) as info:
        default().get("99.9")
    assert info.value.code == "unknown_selectielijst_categorie"
    assert "99.9" not in default()
    assert "6.1" in default()


# --- validation ---------------------------------------------------------------

GOED = """
naam: Testlijst
versie: "1"
overbrengingstermijn: P10Y
procestypen:
  2: Beleid en regelgeving opstellen
categorieen:
  - code: "2.1"
    procestype: 2
    resultaat: Vastgesteld
    omschrijving: Beleid vastgesteld
    nominatie: vernietigen
    bewaartermijn: P10Y
    afleidingswijze: afgehandeld
"""

SLECHT = """
naam: Testlijst
versie: "1"
overbrengingstermijn: tien jaar
kleur: blauw
procestypen:
  2: Beleid en regelgeving opstellen
categorieen:
  - code: "2.1"
    procestype: 2
    resultaat: Vastgesteld
    omschrijving: Beleid vastgesteld
    nominatie: vernietigen
    bewaartermijn: P10Y
    afleidingswijze: afgehandeld
  - code: "2.1"
    procestype: 2
    resultaat: Vastgesteld
    omschrijving: Nog eens
    nominatie: vernietigen
    bewaartermijn: P1W
    afleidingswijze: afgehandeld
  - code: 2.2
    procestype: 2
    resultaat: Niet doorgegaan
    omschrijving: Code als getal
    nominatie: vernietigen
    bewaartermijn: P5Y
    afleidingswijze: afgehandeld
  - code: "2.3"
    procestype: 2
    resultaat: Ingetrokken
    omschrijving: Foute nominatie
    nominatie: bewaren
    afleidingswijze: afgehandeld
  - code: "2.4"
    procestype: 2
    resultaat: Afgebroken
    omschrijving: Onbekende afleidingswijze
    nominatie: vernietigen
    bewaartermijn: PT5H
    afleidingswijze: besluitdatum
  - code: "2.5"
    procestype: 2
    resultaat: Vastgesteld
    omschrijving: Blijvend met een termijn
    nominatie: blijvend_bewaren
    bewaartermijn: P10Y
    afleidingswijze: afgehandeld
  - code: "2.6"
    procestype: 2
    resultaat: Vastgesteld
    omschrijving: Vernietigen zonder termijn
    nominatie: vernietigen
    afleidingswijze: termijn
    kleur: rood
  - code: "3.1"
    procestype: 3
    resultaat: Vastgesteld
    omschrijving: Procestype ontbreekt
    nominatie: vernietigen
    bewaartermijn: P
    afleidingswijze: afgehandeld
  - code: "4.1"
    procestype: 2
    resultaat: Vastgesteld
    nominatie: vernietigen
    bewaartermijn: P1Y
    afleidingswijze: einddatum
    procestermijn: P2Y
"""

# Every problem in SLECHT, each in words a person recognises.
VERWACHT = [
    "unknown key 'kleur'",  # at the top
    "overbrengingstermijn: 'tien jaar' is not an ISO 8601 duration",
    "categorie 2.1: the code appears more than once",
    "categorie 2.1: bewaartermijn: 'P1W' is not an ISO 8601 duration",
    'code 2.2 is a number; quote it: code: "2.2"',
    "categorie 2.3: nominatie 'bewaren' is not one of blijvend_bewaren, vernietigen",
    "categorie 2.4: bewaartermijn: 'PT5H' is not an ISO 8601 duration",
    "categorie 2.4: afleidingswijze 'besluitdatum' is not one of afgehandeld, einddatum",
    "categorie 2.5: nominatie blijvend_bewaren has no bewaartermijn",
    "categorie 2.6: unknown key 'kleur'",
    "categorie 2.6: nominatie vernietigen needs a bewaartermijn",
    "categorie 2.6: afleidingswijze termijn needs a procestermijn",
    "categorie 3.1: procestype 3 is not listed under procestypen",
    "categorie 3.1: bewaartermijn: 'P' is not an ISO 8601 duration",
    "categorie 4.1: missing 'omschrijving'",
    "categorie 4.1: code does not start with its procestype 2",
    "categorie 4.1: procestermijn is only used with afleidingswijze termijn",
]


def test_a_good_file_parses() -> None:
    lijst = parse(GOED)
    assert lijst.get("2.1").bewaartermijn == TIEN_JAAR
    assert lijst.procestypen == {2: "Beleid en regelgeving opstellen"}
    assert not lijst.deelverzameling


def test_one_error_lists_every_problem() -> None:
    with pytest.raises(SelectielijstError) as info:
        parse(SLECHT)
    assert info.value.code == "invalid_selectielijst"
    problems = info.value.problems
    for expected in VERWACHT:
        assert any(expected in p for p in problems), (expected, problems)
    assert len(problems) == len(VERWACHT)
    # The message carries them all too, for logs and problem+json.
    assert all(p in info.value.detail for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("naam: [", "not valid YAML"),
        ("- een lijst", "expected a mapping"),
        ("naam: x\n", "missing 'overbrengingstermijn'"),
        (GOED.replace("categorieen:", "categorieen: []\nx:"), "categorieen: expected a non-empty"),
        (GOED.replace('versie: "1"', "versie: 1"), "versie must be non-empty text"),
        (GOED.replace("naam: Testlijst", "naam: Testlijst\ndeelverzameling: ja"), "true or false"),
        (GOED.replace("  2: Beleid", "  twee: Beleid"), "'twee' is not a procestype number"),
    ],
)
def test_other_problems_are_named(text: str, expected: str) -> None:
    with pytest.raises(SelectielijstError) as info:
        parse(text)
    assert any(expected in p for p in info.value.problems), info.value.problems


def test_blijvend_bewaren_may_write_a_null_bewaartermijn_as_the_vng_api_does() -> None:
    text = GOED.replace(
        "nominatie: vernietigen\n    bewaartermijn: P10Y",
        "nominatie: blijvend_bewaren\n    bewaartermijn: null",
    )
    assert parse(text).get("2.1").bewaartermijn is None


# --- Termijn ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "termijn", "leesbaar"),
    [
        ("P10Y", Termijn(jaren=10), "10 jaar"),
        ("P1Y6M", Termijn(jaren=1, maanden=6), "1 jaar en 6 maanden"),
        ("P1M", Termijn(maanden=1), "1 maand"),
        ("P0D", Termijn(), "0 dagen"),
        ("P2Y1M3D", Termijn(jaren=2, maanden=1, dagen=3), "2 jaar, 1 maand en 3 dagen"),
    ],
)
def test_termijn_reads_iso_8601(text: str, termijn: Termijn, leesbaar: str) -> None:
    assert Termijn.parse(text) == termijn
    assert str(termijn) == leesbaar


@pytest.mark.parametrize("text", ["", "P", "10Y", "P1W", "PT1H", "P1Y1H", "P-1Y", "p1y", "P1.5Y"])
def test_termijn_refuses_what_is_not_years_months_days(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        Termijn.parse(text)


@pytest.mark.parametrize(
    ("start", "termijn", "expected"),
    [
        (date(2024, 2, 29), Termijn(jaren=1), date(2025, 2, 28)),
        (date(2024, 2, 29), Termijn(jaren=4), date(2028, 2, 29)),
        (date(2024, 2, 29), Termijn(jaren=100), date(2124, 2, 29)),
        (date(2000, 2, 29), Termijn(jaren=100), date(2100, 2, 28)),  # 2100 is no leap year
        (date(2023, 1, 31), Termijn(maanden=1), date(2023, 2, 28)),
        (date(2024, 1, 31), Termijn(maanden=1), date(2024, 2, 29)),
        (date(2023, 8, 31), Termijn(jaren=1, maanden=6), date(2025, 2, 28)),
        (date(2023, 11, 30), Termijn(maanden=3), date(2024, 2, 29)),
        (date(2023, 12, 31), Termijn(dagen=1), date(2024, 1, 1)),
        # Years and months first, days last, as in ISO 8601 and dateutil.
        (date(2023, 1, 31), Termijn(maanden=1, dagen=1), date(2023, 3, 1)),
        (date(2023, 5, 17), Termijn(), date(2023, 5, 17)),
    ],
)
def test_termijn_is_added_calendar_correctly(start: date, termijn: Termijn, expected: date) -> None:
    assert termijn.na(start) == expected


datums = st.dates(min_value=date(1800, 1, 1), max_value=date(2800, 12, 31))


def _plus_jaren(d: date, n: int) -> date:
    # Independent of the code under test: only 29 February can fail to exist.
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return date(d.year + n, 2, 28)


@given(datums, st.integers(min_value=0, max_value=150))
def test_years_keep_the_day_except_29_february(d: date, n: int) -> None:
    assert Termijn(jaren=n).na(d) == _plus_jaren(d, n)


@given(datums, st.integers(min_value=0, max_value=1800))
def test_months_move_the_month_and_clamp_the_day(d: date, n: int) -> None:
    result = Termijn(maanden=n).na(d)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == n
    assert result.day == min(d.day, calendar.monthrange(result.year, result.month)[1])
    assert Termijn(maanden=12 * (n // 12)).na(d) == Termijn(jaren=n // 12).na(d)


@given(datums, st.integers(min_value=0, max_value=20000))
def test_days_are_plain_days(d: date, n: int) -> None:
    assert Termijn(dagen=n).na(d) == d + timedelta(days=n)


@given(
    datums,
    datums,
    st.builds(
        Termijn,
        st.integers(min_value=0, max_value=150),
        st.integers(min_value=0, max_value=24),
        st.integers(min_value=0, max_value=400),
    ),
)
def test_adding_a_term_keeps_order_and_never_goes_back(a: date, b: date, termijn: Termijn) -> None:
    first, second = sorted((a, b))
    assert termijn.na(first) <= termijn.na(second)
    assert termijn.na(first) >= first
    assert Termijn.parse(termijn.iso) == termijn


# --- derivation ---------------------------------------------------------------


def test_afgehandeld() -> None:
    afleiding = default().archiefactiedatum("6.1", Brondata(afgehandeld_op=date(2023, 3, 15)))
    assert afleiding.afleidingswijze is Afleidingswijze.AFGEHANDELD
    assert afleiding.brondatum == date(2023, 3, 15)
    assert afleiding.archiefactiedatum == date(2028, 3, 15)
    assert afleiding.termijn == Termijn(jaren=5)
    assert afleiding.afgeleid and afleiding.reden is None


def test_einddatum() -> None:
    brondata = Brondata(afgehandeld_op=date(2021, 5, 1), einddatum=date(2030, 12, 31))
    afleiding = default().archiefactiedatum("3.1.2", brondata)
    assert afleiding.afleidingswijze is Afleidingswijze.EINDDATUM
    assert afleiding.brondatum == date(2030, 12, 31)
    assert afleiding.archiefactiedatum == date(2040, 12, 31)


def test_ingangsdatum_besluit() -> None:
    categorie = _categorie(Afleidingswijze.INGANGSDATUM_BESLUIT, Termijn(jaren=1, maanden=6))
    brondata = Brondata(afgehandeld_op=date(2023, 9, 4), ingangsdatum_besluit=date(2023, 8, 31))
    afleiding = archiefactiedatum(categorie, brondata, overbrengingstermijn=TIEN_JAAR)
    assert afleiding.brondatum == date(2023, 8, 31)
    assert afleiding.archiefactiedatum == date(2025, 2, 28)


def test_vervaldatum_besluit() -> None:
    brondata = Brondata(afgehandeld_op=date(2016, 6, 1), vervaldatum_besluit=date(2026, 6, 30))
    afleiding = default().archiefactiedatum("2.1", brondata)
    assert afleiding.afleidingswijze is Afleidingswijze.VERVALDATUM_BESLUIT
    assert afleiding.brondatum == date(2026, 6, 30)
    assert afleiding.archiefactiedatum == date(2036, 6, 30)


def test_termijn_counts_the_procestermijn_from_afgehandeld() -> None:
    categorie = _categorie(
        Afleidingswijze.TERMIJN, Termijn(jaren=1), procestermijn=Termijn(jaren=2)
    )
    brondata = Brondata(afgehandeld_op=date(2022, 1, 10))
    afleiding = archiefactiedatum(categorie, brondata, overbrengingstermijn=TIEN_JAAR)
    assert afleiding.brondatum == date(2024, 1, 10)
    assert afleiding.archiefactiedatum == date(2025, 1, 10)


def test_a_leap_day_brondatum() -> None:
    afleiding = default().archiefactiedatum("6.1.3", Brondata(afgehandeld_op=date(2024, 2, 29)))
    assert afleiding.archiefactiedatum == date(2025, 2, 28)


def test_blijvend_bewaren_gives_the_transfer_date() -> None:
    afleiding = default().archiefactiedatum("19.1.6", Brondata(afgehandeld_op=date(2025, 7, 1)))
    assert afleiding.nominatie is Nominatie.BLIJVEND_BEWAREN
    assert afleiding.termijn == TIEN_JAAR
    assert afleiding.archiefactiedatum == date(2035, 7, 1)


def test_the_transfer_term_is_a_setting_in_the_file() -> None:
    text = default_text().replace("overbrengingstermijn: P10Y", "overbrengingstermijn: P20Y")
    lijst = parse(text)
    afleiding = lijst.archiefactiedatum("2.1.1", Brondata(afgehandeld_op=date(2024, 2, 29)))
    assert afleiding.archiefactiedatum == date(2044, 2, 29)


@pytest.mark.parametrize(
    ("code", "brondata", "reden"),
    [
        ("6.1", Brondata(), "dossier nog niet afgehandeld"),
        ("19.1.6", Brondata(), "dossier nog niet afgehandeld"),
        # An open dossier is never due, even when the other date is known.
        ("3.1.2", Brondata(einddatum=date(2020, 1, 1)), "dossier nog niet afgehandeld"),
        ("3.1.2", Brondata(afgehandeld_op=date(2021, 1, 1)), "einddatum"),
        ("2.1", Brondata(afgehandeld_op=date(2021, 1, 1)), "vervaldatum van het besluit"),
    ],
)
def test_missing_input_gives_none_with_a_reason(code: str, brondata: Brondata, reden: str) -> None:
    afleiding = default().archiefactiedatum(code, brondata)
    assert afleiding.brondatum is None
    assert afleiding.archiefactiedatum is None
    assert not afleiding.afgeleid
    assert afleiding.reden is not None
    assert reden in afleiding.reden


def test_missing_ingangsdatum_besluit_gives_a_reason() -> None:
    categorie = _categorie(Afleidingswijze.INGANGSDATUM_BESLUIT, Termijn(jaren=1))
    afleiding = archiefactiedatum(
        categorie, Brondata(afgehandeld_op=date(2023, 1, 1)), overbrengingstermijn=TIEN_JAAR
    )
    assert afleiding.archiefactiedatum is None
    assert afleiding.reden == "ingangsdatum van het besluit nog niet bekend"


def test_a_changed_input_gives_a_changed_date() -> None:
    lijst = default()
    eerst = lijst.archiefactiedatum("6.1", Brondata(afgehandeld_op=date(2023, 1, 1)))
    heropend = lijst.archiefactiedatum("6.1", Brondata(afgehandeld_op=date(2024, 6, 1)))
    assert eerst.archiefactiedatum == date(2028, 1, 1)
    assert heropend.archiefactiedatum == date(2029, 6, 1)


# --- CLI ----------------------------------------------------------------------

runner = CliRunner()


def test_cli_check_accepts_the_shipped_file() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "deelverzameling" in result.output
    assert f"{len(default())} categorieën" in result.output


def test_cli_check_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    bestand = tmp_path / "selectielijst.yaml"
    bestand.write_text(SLECHT, encoding="utf-8")
    result = runner.invoke(app, ["check", str(bestand)])
    assert result.exit_code == 1
    assert f"({len(VERWACHT)} problems)" in result.output
    assert "the code appears more than once" in result.output
    assert "'besluitdatum' is not one of" in result.output


def test_cli_check_says_when_it_cannot_read(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "er-niet.yaml")])
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_cli_toon_shows_the_categories(tmp_path: Path) -> None:
    bestand = tmp_path / "selectielijst.yaml"
    bestand.write_text(GOED, encoding="utf-8")
    result = runner.invoke(app, ["toon", str(bestand)])
    assert result.exit_code == 0, result.output
    # A narrow terminal wraps the prose columns; codes stay whole.
    assert "2.1" in result.output
    assert "Vastgesteld:" in result.output
    assert "vernietigen" in result.output
    shipped = runner.invoke(app, ["toon", "--procestype", "19"])
    assert shipped.exit_code == 0, shipped.output
    assert "19.1.6" in shipped.output
    assert "6.1.3" not in shipped.output
