"""The area-list reader on the real published workbook and on broken copies of it (no database).

Broken copies are derived from the real file at test time (openpyxl changes one thing and saves
into tmp_path under the same name), so no derived binary is kept in the repository.
"""

from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from loaders.area.parse import AreaRegister, parse_area_workbook
from loaders.errors import LoadRefused, SourceProblem
from tests.conftest import SHIPPED_DATA

NAME = "Wykaz_powierzchni_wg_stanu_na_01012025_ha_km2.xlsx"
OFFICIAL_XLSX = SHIPPED_DATA / "gugik" / NAME
KRAKOW_ROW = 1636  # "12 61 01 1" | "M. Kraków" | 32685 | 327
MALOPOLSKIE_ROW = 1335  # "12" | "WOJ. MAŁOPOLSKIE" | 1518358 | 15184


@pytest.fixture(scope="module")
def register() -> AreaRegister:
    return parse_area_workbook(OFFICIAL_XLSX)


def values(register: AreaRegister) -> dict[tuple[str, str], tuple[int | None, float | None]]:
    return {(r.teryt, r.variable): (r.row, r.value) for r in register.records}


def broken_copy(tmp_path: Path, change: Callable[[Any], None], name: str = NAME) -> Path:
    """The real workbook with `change` applied to its sheet, saved into tmp_path."""
    book = openpyxl.load_workbook(OFFICIAL_XLSX)
    change(book["Arkusz1"])
    path = tmp_path / name
    book.save(path)
    return path


def refusal(path: Path) -> list[SourceProblem]:
    with pytest.raises(LoadRefused) as refused:
        parse_area_workbook(path)
    return refused.value.problems


def test_official_list_counts_every_level_and_kind(register):
    assert register.file == NAME
    assert register.as_of == date(2025, 1, 1)
    assert register.as_of_from == "file_name"
    units = [r.teryt for r in register.records if r.variable == "area_ha"]
    assert len(units) == 4338 == len(set(units))  # 4,339 data rows less Polska
    assert Counter(len(code) for code in units) == {2: 16, 4: 380, 7: 3942}
    assert Counter(code[6] for code in units if len(code) == 7) == {
        "1": 302,
        "2": 1459,
        "3": 718,
        "4": 718,
        "5": 718,
        "8": 18,
        "9": 9,
    }
    assert Counter(r.variable for r in register.records) == {"area_ha": 4338, "area_km2": 4338}
    assert {r.year for r in register.records} == {2025}
    assert all(r.flag is None and r.value is not None for r in register.records)


def test_official_list_codes_are_terc_text_without_spaces(register):
    codes = {r.teryt for r in register.records}
    assert all(code.isdigit() and len(code) in (2, 4, 7) for code in codes)
    assert "02" in codes  # a voivodeship code keeps its leading zero
    assert "0201" in codes  # "02 01  " with its two trailing spaces
    assert "0201011" in codes  # "02 01 01 1"
    first = register.records[0]
    assert (first.row, first.teryt, first.variable, first.value) == (3, "02", "area_ha", 1994714.0)


def test_official_list_real_figures_for_krakow_and_malopolskie(register):
    by_key = values(register)
    assert by_key["1261011", "area_ha"] == (KRAKOW_ROW, 32685.0)
    assert by_key["1261011", "area_km2"] == (KRAKOW_ROW, 327.0)
    assert by_key["1261", "area_ha"] == (KRAKOW_ROW - 1, 32685.0)  # "Powiat m. Kraków"
    assert by_key["12", "area_ha"] == (MALOPOLSKIE_ROW, 1518358.0)
    assert by_key["12", "area_km2"] == (MALOPOLSKIE_ROW, 15184.0)
    assert by_key["1465011", "area_ha"] == (2153, 51720.0)  # "m. St. Warszawa"
    assert by_key["1465011", "area_km2"] == (2153, 517.0)


def test_official_list_names_lose_their_prefixes_and_part_suffixes(register):
    names = register.names
    assert names["12"] == "MAŁOPOLSKIE"  # "WOJ. MAŁOPOLSKIE"
    assert names["1261"] == "Kraków"  # "Powiat m. Kraków"
    assert names["1261011"] == "Kraków"  # "M. Kraków"
    assert names["1465011"] == "Warszawa"  # "m. St. Warszawa"
    assert names["0201"] == "bolesławiecki"  # "Powiat bolesławiecki"
    assert names["0201044"] == "Nowogrodziec"  # "Nowogrodziec - miasto"
    assert names["1813014"] == "Bircza"  # "Bircza- miasto"
    assert names["1465028"] == "Bemowo"  # "Bemowo - dzielnica"
    assert not [n for n in names.values() if n.startswith(("M. ", "m. ", "WOJ. ", "Powiat "))]


def test_official_list_reports_polska_as_skipped(register):
    assert [(s.row, s.teryt, s.name) for s in register.skipped] == [(2, "00", "POLSKA")]
    assert "00" not in register.names
    assert not [r for r in register.records if r.teryt == "00"]


def test_date_comes_from_the_argument_when_the_file_name_has_none(tmp_path):
    renamed = tmp_path / "powierzchnie.xlsx"
    renamed.write_bytes(OFFICIAL_XLSX.read_bytes())
    [problem] = refusal(renamed)
    assert problem.file == "powierzchnie.xlsx"
    assert "as_of" in problem.message
    register = parse_area_workbook(renamed, as_of=date(2025, 1, 1))
    assert (register.as_of, register.as_of_from) == (date(2025, 1, 1), "argument")
    assert len(register.records) == 2 * 4338


def test_refused_when_the_argument_contradicts_the_file_name():
    with pytest.raises(LoadRefused, match="2025-01-01, but as_of=2024-01-01"):
        parse_area_workbook(OFFICIAL_XLSX, as_of=date(2024, 1, 1))


def test_refused_when_an_area_cell_holds_text(tmp_path):
    def change(sheet):
        sheet.cell(KRAKOW_ROW, 3).value = "b.d."

    [problem] = refusal(broken_copy(tmp_path, change))
    assert (problem.file, problem.row, problem.field) == (NAME, KRAKOW_ROW, "Powierzchnia [ha]")
    assert "'b.d.'" in problem.message


def test_refused_when_an_area_is_a_number_stored_as_text(tmp_path):
    def change(sheet):
        sheet.cell(KRAKOW_ROW, 4).value = "327"

    [problem] = refusal(broken_copy(tmp_path, change))
    assert (problem.row, problem.field) == (KRAKOW_ROW, "Powierzchnia [km2]")
    assert "stored as text" in problem.message


def test_refused_when_an_area_is_negative(tmp_path):
    def change(sheet):
        sheet.cell(MALOPOLSKIE_ROW, 3).value = -1518358
        sheet.cell(MALOPOLSKIE_ROW, 4).value = -15184

    problems = refusal(broken_copy(tmp_path, change))
    assert [(p.file, p.row, p.field) for p in problems] == [
        (NAME, MALOPOLSKIE_ROW, "Powierzchnia [ha]"),
        (NAME, MALOPOLSKIE_ROW, "Powierzchnia [km2]"),
    ]
    assert all("non-negative" in p.message for p in problems)


def test_refused_when_km2_does_not_match_hectares(tmp_path):
    def change(sheet):
        sheet.cell(KRAKOW_ROW, 4).value = 372  # digits swapped: 32685 ha is 326.85 km²

    [problem] = refusal(broken_copy(tmp_path, change))
    assert (problem.row, problem.field) == (KRAKOW_ROW, "Powierzchnia [km2]")
    assert "326.85" in problem.message


def test_refused_when_a_column_is_missing(tmp_path):
    def change(sheet):
        sheet.delete_cols(4)

    [problem] = refusal(broken_copy(tmp_path, change))
    assert (problem.file, problem.row, problem.field) == (NAME, 1, "Powierzchnia [km2]")
    assert "missing column" in problem.message


def test_refused_when_a_code_lost_its_leading_zero_or_repeats(tmp_path):
    def change(sheet):
        sheet.cell(3, 1).value = 2  # "02" typed into a number cell
        sheet.cell(KRAKOW_ROW + 1, 1).value = "12 61 01 1"  # was Kraków-Krowodrza
        sheet.cell(5, 1).value = "02 01 01 7"  # no RODZ 7

    problems = refusal(broken_copy(tmp_path, change))
    assert [(p.row, p.field) for p in problems] == [(3, "TERYT"), (5, "TERYT")]
    assert "leading zeros are lost" in problems[0].message
    assert "unknown RODZ '7'" in problems[1].message

    # cross-row rules run once every row is sound: fix the rows, keep the duplicate
    def only_duplicate(sheet):
        sheet.cell(KRAKOW_ROW + 1, 1).value = "12 61 01 1"

    [duplicate] = refusal(broken_copy(tmp_path, only_duplicate))
    assert (duplicate.row, duplicate.field) == (KRAKOW_ROW + 1, "TERYT")
    assert f"duplicate code 1261011 (first at row {KRAKOW_ROW})" in duplicate.message


def test_refused_when_a_csv_is_renamed_to_xlsx(tmp_path):
    path = tmp_path / NAME
    path.write_text(
        "TERYT;Nazwa jednostki;Powierzchnia [ha];Powierzchnia [km2]\n"
        "02;WOJ. DOLNOŚLĄSKIE;1994714;19947\n",
        encoding="utf-8",
    )
    [problem] = refusal(path)
    assert (problem.file, problem.row, problem.field) == (NAME, None, None)
    assert "text file (CSV?)" in problem.message


def test_refused_when_an_html_page_is_saved_as_xlsx(tmp_path):
    path = tmp_path / NAME
    path.write_text("<!DOCTYPE html><html><body>404 Not Found</body></html>", encoding="utf-8")
    [problem] = refusal(path)
    assert "HTML" in problem.message


def test_refused_when_the_download_is_cut_in_half(tmp_path):
    raw = OFFICIAL_XLSX.read_bytes()
    path = tmp_path / NAME
    path.write_bytes(raw[: len(raw) // 2])
    [problem] = refusal(path)
    assert problem.file == NAME
    assert "not a readable XLSX workbook (truncated?)" in problem.message


def test_refused_when_the_sheet_is_damaged_inside(tmp_path):
    raw = bytearray(OFFICIAL_XLSX.read_bytes())
    raw[100_000:100_050] = bytes(b ^ 0x55 for b in raw[100_000:100_050])  # inside sheet1.xml
    path = tmp_path / NAME
    path.write_bytes(bytes(raw))
    [problem] = refusal(path)
    assert "damaged" in problem.message
