"""Third-party copies of BDL powiat series (data/derived/bdl_powiaty_2002_2022), flagged.

Hand figures read from the workbooks (row = the sheet's row, header = 1): wages of Powiat
bocheński 2002 = 1880.68 (row 2), Kraków 2022 = 8157.43 (row 148), Warszawa 2022 = 8540.11;
nurseries bolesławiecki 2003 = 1.4, Kraków 2022 = 36.2; dwellings completed per 1,000
bolesławiecki 2002 = 2.8, Świnoujście 2023 = "-".
"""

from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.bdl_derived import load_bdl_derived
from loaders.bdl_derived.parse import parse_bdl_derived, powiat_code
from loaders.errors import LoadRefused
from service.settings import REPO_ROOT
from tests.loaders.teryt_db import teryt_engine, teryt_template
from tests.plugin import engine_for

__all__ = ["teryt_engine", "teryt_template"]

DATA = REPO_ROOT / "data" / "derived" / "bdl_powiaty_2002_2022"
WAGES = DATA / "Average salary amount.xlsx"
WAGE, NURSERIES = "kontekst.przecietne_wynagrodzenie", "polityka_spoleczna.dzieci_w_zlobkach"
DWELLINGS = "inwestycje_budownictwo.mieszkania_oddane_na_1000"
PER_1000, WORKING_SHARE = "kontekst.bezrobotni_na_1000", "kontekst.udzial_wiek_produkcyjny"
# Registered unemployed (Number of unemployed.xlsx) over the working age of 30 VI 2020 summed
# from the gminas (RODZ 1-3) of tabela12, computed by hand with pandas from the two files:
# kutnowski 2020 3,411 / 56,776; Kraków 2018 11,467 / 459,900; Warszawa 2022 20,172 /
# 1,023,071; bolesławiecki 2020 1,885 / 54,347; łódzkie 2020 67,812 / 1,431,585.
UNEMPLOYED_PER_1000 = {
    ("1002", 2020): 3_411 / 56_776 * 1000,
    ("1261", 2018): 11_467 / 459_900 * 1000,
    ("1465", 2022): 20_172 / 1_023_071 * 1000,
    ("0201", 2020): 1_885 / 54_347 * 1000,
    ("10", 2020): 67_812 / 1_431_585 * 1000,
}
FIGURES = {
    (WAGE, "1201", 2002): 1880.68,
    (WAGE, "1261", 2022): 8157.43,
    (WAGE, "1465", 2022): 8540.11,
    (NURSERIES, "0201", 2003): 1.4,
    (NURSERIES, "1261", 2022): 36.2,
    (DWELLINGS, "0201", 2002): 2.8,
}


def test_both_code_styles_give_the_powiat():
    assert powiat_code("11212161000") == "1261"  # BDL unit id, leading zero lost: Kraków
    assert powiat_code("71427338000") == "1438"  # żyrardowski
    assert powiat_code("201000") == "0201"  # WWPP000, leading zero lost
    assert powiat_code("3263000") == "3263"
    assert powiat_code("0201011") is None  # a gmina, not a powiat
    assert powiat_code("12a") is None


def test_rows_keep_names_suffixes_and_gaps():
    table = parse_bdl_derived(WAGES, value_column="Average salary amount")
    assert len(table.rows) == 8_001  # 381 codes x 21 years (2002-2022): 380 + Wałbrzych 0263
    first = table.rows[0]
    assert (first.row, first.teryt, first.name, first.year, first.value) == (
        2,
        "1201",
        "bocheński",
        2002,
        1880.68,
    )
    bielski = {(r.teryt, r.region) for r in table.rows if r.name == "bielski"}
    assert bielski == {("2003", "Podlaskie"), ("2402", "Slaskie")}
    assert sum(r.value is None for r in table.rows) == 31


@pytest.fixture(scope="module")
async def engine(loaded_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(loaded_db_url)
    yield engine
    await engine.dispose()


async def test_figures_are_the_cells_and_every_value_is_flagged_derived(engine):
    async with engine.connect() as conn:
        rows = await conn.execute(text(
            "SELECT indicator_code, teryt, year, value, flags, level FROM indicator_value "
            "WHERE indicator_code = ANY(:codes)"), {"codes": [WAGE, NURSERIES, DWELLINGS]}
        )  # fmt: skip
        values = {(r.indicator_code, r.teryt, r.year): r for r in rows}
        warnings = await conn.scalar(text(
            "SELECT warnings FROM load_run WHERE source = 'bdl_derived' "
            "AND file_name = 'Average salary amount.xlsx'"
        ))  # fmt: skip
    for key, expected in FIGURES.items():
        assert values[key].value == pytest.approx(expected)
    assert all("derived_copy" in (row.flags or []) for row in values.values())
    assert {row.level for row in values.values()} == {"powiat"}
    assert values[DWELLINGS, "3263", 2023].value is None  # "-" in the file: missing, not 0
    assert len({key[1] for key in values if key[0] == WAGE}) == 380
    assert len({key[1] for key in values if key[0] == NURSERIES}) == 376
    wages = [row.value for key, row in values.items() if key[0] == WAGE and row.value is not None]
    # Jastrzębie-Zdrój 2022 reads 0 in the copy (row 986): no wage is 0, so it is a gap
    assert values[WAGE, "2467", 2022].value is None
    assert "zero_at_source" in values[WAGE, "2467", 2022].flags
    assert min(wages) > 500  # zł a month, 2002-2022
    assert max(wages) < 20_000
    assert any("0263" in w["message"] and w["code"] == "unknown_unit" for w in warnings)


async def test_a_code_naming_another_powiat_refuses_the_file(teryt_engine, tmp_path: Path):
    """DERIVED: the first rows of the wage copy with Kraków's name put on bocheński's code."""
    broken = tmp_path / "Average salary amount_wrong_name_derived.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Code", "County", "Year", "Average salary amount"])
    sheet.append(["11212001000", "Powiat bocheński", "2002", "1880.68"])
    sheet.append(["11212001000", "Powiat m. Kraków", "2003", "1933.21"])
    book.save(broken)
    with pytest.raises(LoadRefused) as refused:
        await load_bdl_derived(
            teryt_engine, broken, value_column="Average salary amount",
            variable="wages.average_gross_monthly", measure_unit="zł", additive=False,
            description="test",
        )  # fmt: skip
    problem = refused.value.problems[0]
    assert (problem.row, problem.field, problem.code) == (3, "County", "inconsistent")
    assert "bocheński" in problem.message
    assert "Kraków" in problem.message


async def test_unemployed_per_1000_of_working_age_by_hand_and_only_near_2020(engine):
    async with engine.connect() as conn:
        rows = await conn.execute(text(
            "SELECT indicator_code, teryt, year, value, flags, level FROM indicator_value "
            "WHERE indicator_code = ANY(:codes)"), {"codes": [PER_1000, WORKING_SHARE]}
        )  # fmt: skip
        values = {(r.indicator_code, r.teryt, r.year): r for r in rows}
    for (teryt, year), expected in UNEMPLOYED_PER_1000.items():
        assert values[PER_1000, teryt, year].value == pytest.approx(expected)
    assert "derived_copy" in values[PER_1000, "1002", 2020].flags
    assert "denominator_year_2020" in values[PER_1000, "1261", 2018].flags
    per_1000 = {key: row for key, row in values.items() if key[0] == PER_1000}
    with_value = {key for key, row in per_1000.items() if row.value is not None}
    # the file has 2002-2022; the working age is of 2020 only, at most two years away
    assert {key[2] for key in with_value} == {2018, 2019, 2020, 2021, 2022}
    powiats = {key[1] for key in with_value if per_1000[key].level == "powiat"}
    assert len(powiats) == 380
    assert len({key[1] for key in with_value if per_1000[key].level == "voivodeship"}) == 16
    # a plausible range: no ratio of counts from different units (GUS: about 10-100 per 1,000)
    assert all(5 < per_1000[key].value < 150 for key in with_value)
    # the share of working age: Kraków 459,900 of 780,981 (tabela12, 30 VI 2020)
    assert values[WORKING_SHARE, "1261011", 2020].value == pytest.approx(459_900 / 780_981 * 100)
    shares = [r.value for k, r in values.items() if k[0] == WORKING_SHARE and r.level == "gmina"]
    assert len([v for v in shares if v is not None]) >= 2_470
    assert all(45 < v < 75 for v in shares if v is not None)
