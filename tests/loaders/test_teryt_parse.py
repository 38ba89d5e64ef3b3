"""The TERC reader on the real published files and on each kind of broken file (no database)."""

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from loaders.errors import LoadRefused
from loaders.source_text import read_source_text
from loaders.teryt.parse import parse_register
from tests.conftest import SHIPPED_DATA, TEST_DATA

OFFICIAL_CSV = SHIPPED_DATA / "teryt" / "TERC_Urzedowy_2025-11-18.csv"
TERYT = TEST_DATA / "teryt"
BAD = TERYT / "bad"


def parse(path: Path):
    return parse_register(read_source_text(path, "TERC*.csv"))


def test_official_register_counts_every_level_and_kind():
    register = parse(OFFICIAL_CSV)
    assert register.stan_na == date(2025, 1, 1)
    assert len(register.units) == 4348
    by_level = Counter(u.level.value for u in register.units)
    assert by_level == {"voivodeship": 16, "powiat": 380, "gmina": 2479, "gmina_part": 1473}
    by_kind = Counter(u.kind.value for u in register.units)
    assert by_kind == {
        "wojewodztwo": 16,
        "powiat_ziemski": 314,
        "miasto_na_prawach_powiatu": 66,
        "gmina_miejska": 302,
        "gmina_wiejska": 1459,
        "gmina_miejsko_wiejska": 718,
        "miasto": 718,
        "obszar_wiejski": 718,
        "dzielnica": 18,
        "delegatura": 19,
    }


def test_official_register_has_named_units_with_their_parents():
    units = {u.teryt: u for u in parse(OFFICIAL_CSV).units}
    krakow_gmina = units["1261011"]
    assert (krakow_gmina.name, krakow_gmina.parent_teryt, krakow_gmina.twin_teryt) == (
        "Kraków",
        "1261",
        "1261",
    )
    assert units["1261"].twin_teryt == "1261011"
    assert units["1261"].parent_teryt == "12"
    assert units["12"].name == "MAŁOPOLSKIE"
    bemowo = units["1465028"]
    assert (bemowo.name, bemowo.kind.value, bemowo.parent_teryt) == (
        "Bemowo",
        "dzielnica",
        "1465011",
    )
    zywiec = units["2417011"]
    assert (zywiec.name, zywiec.name_folded) == ("Żywiec", "zywiec")
    nowogrodziec_town = units["0201044"]
    assert (nowogrodziec_town.kind.value, nowogrodziec_town.parent_teryt) == ("miasto", "0201043")
    # every city with powiat rights is paired with exactly one gmina, both ways
    cities = [u for u in units.values() if u.kind.value == "miasto_na_prawach_powiatu"]
    assert len(cities) == 66
    assert all(units[c.twin_teryt].twin_teryt == c.teryt for c in cities)


def test_zip_and_csv_of_the_same_register_parse_identically():
    from_csv = parse(OFFICIAL_CSV)
    from_zip = parse(TERYT / "TERC_Urzedowy_2025-11-18.zip")
    assert from_zip.file == "TERC_Urzedowy_2025-11-18.zip:TERC_Urzedowy_2025-11-18.csv"
    assert [(u.teryt, u.name) for u in from_zip.units] == [
        (u.teryt, u.name) for u in from_csv.units
    ]


@pytest.mark.parametrize("name", ["terc_2024-01-01_cp1250.csv", "terc_2024-01-01_cp1250.zip"])
def test_cp1250_variant_reads_the_same_as_utf8(name):
    utf8 = parse(TERYT / "terc_2024-01-01_converted_from_lokacje_json.csv")
    source = read_source_text(TERYT / name, "TERC*.csv")
    assert source.encoding == "cp1250"
    cp1250 = parse_register(source)
    assert [(u.teryt, u.name, u.kind_label) for u in cp1250.units] == [
        (u.teryt, u.name, u.kind_label) for u in utf8.units
    ]
    assert any(u.name == "Łódź" for u in cp1250.units)


BAD_FILES = [
    # file, row, field, words in the message
    ("wrong_separator.csv", 1, None, "','"),
    ("missing_column.csv", 1, "NAZWA_DOD", "missing column"),
    ("bad_code.csv", 4, "POW", "'1A'"),
    ("bad_voivodeship.csv", 3, "WOJ", "'03'"),
    ("unknown_rodz.csv", 5, "RODZ", "unknown RODZ '7'"),
    ("duplicate.csv", 12, "WOJ,POW,GMI,RODZ", "duplicate code 0201022 (first at row 5)"),
    ("truncated_mid_row.csv", 11, None, "found 4"),
    ("utf8_read_as_cp1250.csv", 2, "NAZWA", "not in UTF-8 or Windows-1250"),
    ("iso8859_2.csv", 2, "NAZWA", "not in UTF-8 or Windows-1250"),
    ("utf16.csv", None, None, "UTF-16"),
    ("truncated.zip", None, None, "not a readable ZIP"),
    ("html_error_page.csv", 1, None, "HTML"),
    ("empty.csv", None, None, "empty"),
    ("header_only.csv", 2, None, "no units"),
    ("orphan_gmina.csv", 3, "POW", "parent unit 0201 is not in the file"),
    ("mixed_dates.csv", 6, "STAN_NA", "one register has one date"),
    ("bad_date.csv", 3, "STAN_NA", "'01.01.2025'"),
    ("kind_mismatch.csv", 4, "NAZWA_DOD", "does not match RODZ 1"),
]


@pytest.mark.parametrize(("name", "row", "field", "words"), BAD_FILES)
def test_bad_file_is_refused_naming_file_row_and_field(name, row, field, words):
    with pytest.raises(LoadRefused) as refused:
        parse(BAD / name)
    first = refused.value.problems[0]
    assert first.file.startswith(name)
    assert first.row == row
    assert first.field == field
    assert words in first.message
    assert name in str(refused.value)


def test_every_bad_file_in_the_corpus_is_covered():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(case[0] for case in BAD_FILES)
