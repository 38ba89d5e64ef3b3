"""`miarka load gus-ages`: GUS table 12 (persons by single year of age, 30 June 2020).

Figures below were read by hand from the published file (../shared/data/gus/ludnosc_wiek_2020/
tabela12.xls, shipped as data/gus/ludnosc_wiek_2020/tabela12.xls.gz), column Ogółem, with the
sheet and Excel row named; sums of several units were added up from the file with xlrd,
independently of the loader. The broken files are derived (tests/data/bad/gus_ages/derive.py)
and checked in tests/loaders/test_broken_workbooks.py.
"""

import shutil
from collections.abc import AsyncIterator

import msgspec
import openpyxl
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.errors import LoadRefused
from loaders.gus_ages import load_gus_ages
from loaders.gus_ages.parse import AgesTable, parse_gus_ages
from loaders.manifest import shipped_files, verified_path
from loaders.run import RunSummary
from service.settings import REPO_ROOT
from tests.conftest import TEST_DATA
from tests.loader_checks import refused_and_unchanged
from tests.loaders.teryt_db import checksum, database_copy, teryt_engine, teryt_template

__all__ = ["teryt_engine", "teryt_template"]

# Its module fixtures load real files into a database of their own: one worker builds them once.
pytestmark = pytest.mark.xdist_group("gus_ages")
DATA = REPO_ROOT / "data"
SHIPPED = DATA / "gus" / "ludnosc_wiek_2020" / "tabela12.xls.gz"
SLICE = TEST_DATA / "gus_ages" / "tabela12_slice_derived.xlsx"
PUBLISHED_SHA256 = "8cbde7e13e321db9961ee9e9b46917bcfdf8232afa97185cdeb6ce91d0af2997"
YEAR = 2020

# Kraków 1261011, sheet Małopolskie, rows 9 (total) to 78; single years 0-29 in rows 11-45.
KRAKOW = {
    "total": 780_981,
    "age_0": 9_114,
    "age_3": 9_149,
    "age_4": 8_426,
    "age_5": 7_764,
    "age_6": 7_393,
    "age_29": 11_985,
    "age_3_6": 32_732,  # row 74
    "age_7_12": 43_881,
    "age_13_15": 18_643,
    "age_16_18": 18_092,
    "age_19_24": 37_938,
}
KRAKOW_7_14 = 7_204 + 7_191 + 7_423 + 7_640 + 7_487 + 6_936 + 6_401 + 6_142  # rows 19-27
KRAKOW_15_18 = 6_100 + 6_070 + 5_981 + 6_041  # rows 29-32
# Ciepłowody 0224022 (gmina wiejska), sheet Dolnośląskie, row 1642: ages 3-6 in rows 1647-1651.
CIEPLOWODY = {"total": 2_971, "age_3": 33, "age_6": 28, "age_3_6": 117, "age_7_12": 187}
# Sums of gminas (RODZ 1-3) from the file, added with xlrd.
POWIAT_0224_TOTAL, POWIAT_0224_3_6 = 64_486, 2_026  # 7 gminas, Kamieniec Ząbkowicki among them
MALOPOLSKIE_TOTAL, MALOPOLSKIE_3_6 = 3_413_931, 144_624
MAZOWIECKIE_TOTAL = 5_428_031
POLAND_TOTAL, POLAND_3_6 = 38_354_173, 1_525_052
WARSZAWA_TOTAL = 1_793_579  # Mazowieckie row 293; its 18 dzielnice add up to the same
UNITS_IN_FILE, GMINAS_IN_FILE, DISTRICTS_IN_FILE = 2_510, 2_477, 33
VALUES_PER_UNIT = 39


@pytest.fixture(scope="module")
def table() -> AgesTable:
    return parse_gus_ages(SHIPPED)


@pytest.fixture(scope="module")
async def loaded(
    pg_server_url: str, teryt_template: str
) -> AsyncIterator[tuple[AsyncEngine, RunSummary]]:
    """The register and the real shipped file, loaded once for the read-only tests."""
    async with database_copy(pg_server_url, teryt_template, f"{teryt_template}_gus_ages") as engine:
        yield engine, await load_gus_ages(engine, SHIPPED, year=YEAR)


async def _values(engine: AsyncEngine, *codes: str) -> dict[tuple[str, str], tuple]:
    query = text(
        "SELECT o.teryt, v.code, o.value, o.flag, o.derived FROM observation o "
        "JOIN variable v ON v.id = o.variable_id "
        "WHERE v.source = 'gus_ages' AND o.year = :year AND o.teryt = ANY(:codes)"
    )
    async with engine.connect() as conn:
        rows = await conn.execute(query, {"year": YEAR, "codes": list(codes)})
    return {(r.teryt, r.code): (r.value, r.flag, r.derived) for r in rows}


def test_the_file_reads_as_2020_with_every_gmina_and_district(table):
    assert (table.year, str(table.as_of)) == (YEAR, "2020-06-30")
    assert len(table.units) == UNITS_IN_FILE
    kinds = [unit.code[6] for unit in table.units]
    assert sum(kind in "123" for kind in kinds) == GMINAS_IN_FILE
    assert sum(kind in "89" for kind in kinds) == DISTRICTS_IN_FILE
    assert (
        sum(unit.values["total"] for unit in table.units if unit.code[6] in "123") == POLAND_TOTAL
    )


def test_figures_of_named_units_are_those_of_the_sheet(table):
    by_code = {unit.code: unit for unit in table.units}
    krakow, cieplowody = by_code["1261011"], by_code["0224022"]
    assert {k: krakow.values[k] for k in KRAKOW} == KRAKOW
    assert (krakow.sheet, krakow.row, krakow.rows["age_3_6"]) == ("Małopolskie", 9, 74)
    assert {k: cieplowody.values[k] for k in CIEPLOWODY} == CIEPLOWODY
    # codes are numbers in Łódzkie (leading zero not needed) and text in Dolnośląskie
    assert by_code["1061011"].values["total"] == 677_286
    assert by_code["0261011"].values["total"] == 78_778


def test_economic_age_groups_are_stored_and_add_up_to_the_total(table):
    by_code = {unit.code: unit for unit in table.units}
    krakow = by_code["1261011"]
    economic = ("age_pre_working", "age_working", "age_post_working")
    assert [krakow.values[k] for k in economic] == [135_566, 459_900, 185_515]
    assert krakow.rows["age_working"] == 59  # sheet Małopolskie, row "Wiek produkcyjny"
    assert by_code["1002011"].values["age_working"] == 24_875  # Kutno
    for unit in table.units:
        assert sum(unit.values[k] for k in economic) == unit.values["total"], unit.code  # type: ignore[misc]
        assert unit.values["age_pre_working"] <= unit.values["total"]  # type: ignore[operator]


def test_economic_groups_that_do_not_add_up_are_refused_naming_the_row(tmp_path):
    """SYNTHETIC edit of the derived slice: Ciepłowody's working age (row 129) raised by 10."""
    book = openpyxl.load_workbook(SLICE)
    sheet = book["Dolnośląskie"]
    working = int(sheet.cell(129, 3).value)
    sheet.cell(129, 3, value=working + 10)
    broken = tmp_path / "tabela12_working_age_synthetic.xlsx"
    book.save(broken)
    with pytest.raises(LoadRefused) as refused:
        parse_gus_ages(broken)
    problem = refused.value.problems[0]
    assert (problem.sheet, problem.row, problem.field, problem.code) == (
        "Dolnośląskie",
        129,
        "Ogółem",
        "inconsistent",
    )
    assert "economic age groups sum to 2981" in problem.message


def test_every_educational_group_equals_its_single_years(table):
    groups = {"age_3_6": (3, 6), "age_7_12": (7, 12), "age_13_15": (13, 15), "age_16_18": (16, 18)}
    for unit in table.units:
        for variable, (first, last) in groups.items():
            ages = [unit.values[f"age_{age}"] for age in range(first, last + 1)]
            assert unit.values[variable] == sum(ages), (unit.code, variable)  # type: ignore[arg-type]


def test_ages_without_rows_are_missing_never_zero(table):
    wolborz = next(unit for unit in table.units if unit.code == "1010113")  # Łódzkie row 11866
    assert [wolborz.values[f"age_{age}"] for age in range(19, 30)] == [86] + [None] * 10
    assert wolborz.values["age_19_24"] == 463  # = 86 (age 19) + 377 (group 20-24)
    missing = sum(value is None for unit in table.units for value in unit.values.values())
    assert missing == 6 * 5 + 8 * 5  # 6 blocks without rows 20-24, 8 without 25-29


def test_a_dash_is_a_count_of_zero(tmp_path):
    """SYNTHETIC edit of the derived slice: Ciepłowody's 33 persons aged 2 (row 84) made "-",
    its 0-4 group (row 81), pre-working age (row 128) and total (row 80) lowered by 33, so the
    block still adds up."""
    book = openpyxl.load_workbook(SLICE)
    sheet = book["Dolnośląskie"]
    sheet.cell(84, 3, value="-")
    sheet.cell(81, 3, value=151 - 33)
    sheet.cell(128, 3, value=535 - 33)
    sheet.cell(80, 3, value=2_971 - 33)
    book.save(tmp_path / "tabela12_dash_synthetic.xlsx")
    unit = next(
        u for u in parse_gus_ages(tmp_path / "tabela12_dash_synthetic.xlsx").units
        if u.code == "0224022"
    )  # fmt: skip
    assert (unit.values["age_2"], unit.values["total"]) == (0, 2_938)


async def test_load_stores_gminas_districts_and_sums_each_person_once(loaded):
    engine, summary = loaded
    assert summary.status == "published"
    assert summary.counts.rows_inserted == UNITS_IN_FILE * VALUES_PER_UNIT
    values = await _values(
        engine, "1261011", "1261", "12", "0224022", "0224", "1465011", "1465", "14", "1465028"
    )
    assert values["1261011", "total"] == (KRAKOW["total"], None, False)
    assert values["1261011", "age_3_6"] == (KRAKOW["age_3_6"], None, False)
    assert values["1261", "total"] == (KRAKOW["total"], "sum_of_gmina", True)
    assert values["0224022", "age_3_6"] == (CIEPLOWODY["age_3_6"], None, False)
    assert values["0224", "total"] == (POWIAT_0224_TOTAL, "sum_of_gmina", True)
    assert values["0224", "age_3_6"] == (POWIAT_0224_3_6, "sum_of_gmina", True)
    assert values["12", "total"] == (MALOPOLSKIE_TOTAL, "sum_of_powiat", True)
    assert values["12", "age_3_6"] == (MALOPOLSKIE_3_6, "sum_of_powiat", True)
    # Warsaw: the city's own row; its dzielnice are units of their own, never added again
    assert values["1465011", "total"] == (WARSZAWA_TOTAL, None, False)
    assert values["1465", "total"] == (WARSZAWA_TOTAL, "sum_of_gmina", True)
    assert values["14", "total"] == (MAZOWIECKIE_TOTAL, "sum_of_powiat", True)
    assert values["1465028", "total"] == (125_351, None, False)  # Bemowo, Mazowieckie row 364
    async with engine.connect() as conn:
        dzielnice = await conn.scalar(
            text(
                "SELECT sum(o.value) FROM observation o JOIN variable v ON v.id = o.variable_id "
                "JOIN territorial_unit u ON u.teryt = o.teryt "
                "WHERE v.source = 'gus_ages' AND v.code = 'total' AND u.parent_teryt = '1465011'"
            )
        )
        national = (
            await conn.execute(
                text(
                    "SELECT v.code, sum(o.value) FROM observation o "
                    "JOIN variable v ON v.id = o.variable_id "
                    "JOIN territorial_unit u ON u.teryt = o.teryt AND u.level = 'voivodeship' "
                    "WHERE v.source = 'gus_ages' AND v.code IN ('total', 'age_3_6') GROUP BY 1"
                )
            )
        ).all()
        parts = await conn.scalar(
            text(
                "SELECT count(DISTINCT o.teryt) FROM observation o "
                "JOIN territorial_unit u ON u.teryt = o.teryt AND u.level = 'gmina_part'"
            )
        )
    assert dzielnice == WARSZAWA_TOTAL
    assert dict(national) == {"total": POLAND_TOTAL, "age_3_6": POLAND_3_6}
    assert parts == DISTRICTS_IN_FILE


async def test_renamed_gminas_carry_their_figures_flagged_and_gaps_stay_gaps(loaded):
    engine, _ = loaded
    values = await _values(engine, "0614053", "0614052", "1010113", "1010", "1207132")
    # Końskowola, gmina wiejska 0614052 in 2020 (Lubelskie row 5122), miejsko-wiejska since
    assert values["0614053", "total"] == (8_774, "code_changed", False)
    assert values["0614053", "age_3_6"] == (298, "code_changed", False)
    assert not any(code == "0614052" for code, _ in values)
    assert values["1010113", "age_20"] == (None, "missing_at_source", False)
    assert values["1010", "age_20"][1:] == ("partial_sum_of_gmina", True)
    assert values["1010", "total"] == (91_360, "sum_of_gmina", True)
    assert not any(code == "1207132" for code, _ in values)  # Szczawa, created in 2025


async def test_every_run_reports_how_units_were_placed(loaded):
    _, summary = loaded
    report = next(p for p in summary.problems if p.code == "placement_report")
    assert "direct 2,401" in report.message
    assert "code_changed 76" in report.message
    assert "unplaced 0" in report.message
    assert "units of their own 33" in report.message
    absent = next(p for p in summary.problems if p.code == "unknown_unit")
    assert "1207132, 2002162" in absent.message  # Szczawa and Grabówka, created in 2025
    async with loaded[0].connect() as conn:
        warnings = await conn.scalar(
            text("SELECT warnings FROM load_run WHERE id = :id"), {"id": summary.run_id}
        )
    assert warnings[0]["code"] == "placement_report"


async def test_context_indicators_come_from_the_file(loaded):
    engine, _ = loaded
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT indicator_code, teryt, value FROM indicator_value WHERE year = 2020 "
                    "AND indicator_code LIKE 'edukacja.%' AND teryt IN ('1261011', '12')"
                )
            )
        ).all()
        with_values = dict(
            (
                await conn.execute(
                    text(
                        "SELECT indicator_code, count(value) FROM indicator_value "
                        "WHERE level = 'gmina' AND indicator_code IN ('edukacja.dzieci_3_6', "
                        "'edukacja.dzieci_7_14', 'edukacja.mlodziez_15_18') GROUP BY 1"
                    )
                )
            ).all()
        )
    values = {(code, teryt): value for code, teryt, value in rows}
    assert values["edukacja.dzieci_3_6", "1261011"] == KRAKOW["age_3_6"]
    assert values["edukacja.dzieci_7_14", "1261011"] == KRAKOW_7_14 == 56_424
    assert values["edukacja.mlodziez_15_18", "1261011"] == KRAKOW_15_18 == 24_192
    assert values["edukacja.dzieci_3_6", "12"] == MALOPOLSKIE_3_6
    assert set(with_values.values()) == {GMINAS_IN_FILE}


async def test_loading_the_same_file_twice_changes_nothing(loaded):
    engine, first = loaded
    before = await checksum(engine)
    again = await load_gus_ages(engine, SHIPPED, year=YEAR)
    assert (again.status, again.data_release_id) == ("unchanged", None)
    assert again.counts.rows_unchanged == first.counts.rows_inserted
    assert await checksum(engine) == before


async def test_a_derived_xlsx_of_the_same_layout_loads(teryt_engine):
    summary = await load_gus_ages(teryt_engine, SLICE)
    assert summary.status == "published"
    values = await _values(teryt_engine, "1061011", "1061049", "1061", "1007013")
    assert values["1061011", "total"] == (677_286, None, False)
    assert values["1061049", "total"] == (132_500, None, False)  # Łódź-Polesie, a delegatura
    assert values["1061", "total"] == (677_286, "sum_of_gmina", True)
    assert values["1007013", "total"] == (5_754, "code_changed", False)  # Białaczów


async def test_a_year_other_than_the_titles_is_refused(teryt_engine):
    refusal = await refused_and_unchanged(
        teryt_engine, checksum, lambda: load_gus_ages(teryt_engine, SLICE, year=2021)
    )
    assert refusal.codes == {"inconsistent"}


def test_the_manifest_checks_a_gz_entry_on_its_published_bytes(tmp_path):
    entry = shipped_files(DATA, "gus_ages")[0]
    assert (entry.path, entry.sha256) == ("gus/ludnosc_wiek_2020/tabela12.xls.gz", PUBLISHED_SHA256)
    assert verified_path(DATA, entry) == SHIPPED
    with pytest.raises(LoadRefused, match="differs from the manifest"):
        verified_path(DATA, msgspec.structs.replace(entry, sha256="0" * 64))
    shutil.copy(SLICE, tmp_path / "not_gzip.xls.gz")
    with pytest.raises(LoadRefused, match="not a readable gzip file"):
        verified_path(tmp_path, msgspec.structs.replace(entry, path="not_gzip.xls.gz"))
