"""`miarka load cke-e8`: CKE's eighth-grade exam results per school (shipped 2021-2025 files).

Figures below were read from the published workbooks (data/cke/e8/E8_<year>.xlsx, sheet SAS)
with pandas (calamine engine), independently of the loader: a school's cells by Excel row,
and for a unit the sums over its schools' rows of `liczba zdających` and of `liczba zdających`
x `wynik średni (%)` where the mean is given (selected by the first digits of `Kod teryt
gminy`). Those products are whole numbers (a school's mean is its pupils' total over its
takers). The broken files are derived (tests/data/bad/cke_e8/derive.py) and checked in
tests/loaders/test_broken_workbooks.py.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.cke import load_cke_e8
from loaders.cke.e8_parse import parse_cke_e8
from loaders.errors import LoadRefused
from loaders.run import RunSummary
from service.settings import REPO_ROOT
from tests.conftest import TEST_DATA
from tests.education.exam_db import all_checksums
from tests.loader_checks import refused_and_unchanged
from tests.loaders.teryt_db import database_copy, teryt_engine, teryt_template
from tests.sql import one, rows, scalars

__all__ = ["teryt_engine", "teryt_template"]

# Its module fixtures load real files into a database of their own: one worker builds them once.
pytestmark = pytest.mark.xdist_group("cke_e8")
E8 = REPO_ROOT / "data" / "cke" / "e8"
SLICE = TEST_DATA / "cke" / "E8_2023_slice_derived.xlsx"
LOADED_YEARS = (2021, 2023)
SCHOOLS = {2021: 12_326, 2022: 12_629, 2023: 12_593, 2024: 11_171, 2025: 12_400}

# SP nr 3 w Aleksandrowie Kujawskim, RSPO 52934, E8_2023.xlsx row 3, mathematics (columns R-U)
SP3_2023 = {"takers": 58, "mean": 39.6551724137931, "sd": 24.300242459509807, "median": 30}
# (takers, takers of schools with a mean, Σ takers x mean), mathematics
POLAND_MATH = {2021: (342_729, 325_736, 15_518_064), 2023: (473_605, 472_534, 25_188_464)}
POLAND_POLISH_2023 = (473_667, 472_589, 31_066_994)
POLAND_ENGLISH_2023 = (469_270, 468_045, 30_803_162)
MATH_2023 = {
    "0401011": (224, 224, 10_208),  # Aleksandrów Kujawski, 3 schools
    "1261011": (7_854, 7_844, 551_336),  # Kraków, 173 schools; one of 10 takers withheld
    "1611073": (78, 78, 3_716),  # Zawadzkie: its town (1611074) and rural part (1611075)
    "1813013": (63, 57, 2_324),  # Bircza, 1813012 in 2023: two schools of 3 takers withheld
    "1611": (828, 828, 43_080),  # powiat strzelecki, 27 schools
    "1261": (7_854, 7_844, 551_336),  # Kraków as a powiat
    "12": (40_309, 40_222, 2_401_360),  # Małopolskie, 1,386 schools
}
# 2021: statistics only from 10 takers (Legenda); Zawadzkie's school in Kielcza (RSPO 84036,
# row 12328) had 9 takers and no mean.
MATH_2021 = {"1611073": (70, 61, 2_488), "0401011": (159, 159, 6_768)}
PLACED_2023 = "direct 9,045, part_rolled_up 3,427, district_to_city 0, code_changed 121, unplaced 0"
PLACED_2021 = "direct 8,833, part_rolled_up 3,275, district_to_city 0, code_changed 218, unplaced 0"
NEW_SCHOOLS_2023 = 618  # RSPOs of the 2023 file absent from the 2021 one
FIGURES_2023 = 152_226  # non-empty takers, mean, sd, median cells of the 2023 sheet
GMINAS_IN_FORCE = 2_479
VARIABLES = 8 * 3  # eight subjects, three sums each


@pytest.fixture(scope="module")
async def loaded(
    pg_server_url: str, teryt_template: str
) -> AsyncIterator[tuple[AsyncEngine, dict[int, RunSummary]]]:
    """The register and the real 2021 and 2023 files, loaded once for the read-only tests."""
    name = f"{teryt_template}_cke_e8"
    async with database_copy(pg_server_url, teryt_template, name) as engine:
        files = {y: E8 / f"E8_{y}.xlsx" for y in LOADED_YEARS}
        yield engine, {y: await load_cke_e8(engine, path, year=y) for y, path in files.items()}


async def _sums(engine: AsyncEngine, year: int, subject: str, *codes: str) -> dict[str, tuple]:
    query = text(
        "SELECT o.teryt, v.code, o.value, o.flag FROM observation o "
        "JOIN variable v ON v.id = o.variable_id WHERE v.source = 'cke_e8' AND o.year = :year "
        "AND v.code LIKE :subject AND o.teryt = ANY(:codes)"
    )
    async with engine.connect() as conn:
        rows = (
            await conn.execute(query, {"year": year, "subject": f"{subject}.%", "codes": codes})
        ).all()
    by_unit: dict[str, dict[str, float]] = {}
    for teryt, code, value, _flag in rows:
        by_unit.setdefault(teryt, {})[code.split(".", 1)[1]] = value
    return {
        teryt: (values["takers"], values["takers_with_mean"], values["mean_x_takers"])
        for teryt, values in by_unit.items()
    }


async def _indicators(engine: AsyncEngine, year: int, *codes: str) -> dict[tuple[str, str], float]:
    query = text(
        "SELECT indicator_code, teryt, value FROM indicator_value WHERE year = :year "
        "AND indicator_code LIKE 'edukacja.e8_%' AND teryt = ANY(:codes)"
    )
    async with engine.connect() as conn:
        rows = await conn.execute(query, {"year": year, "codes": list(codes)})
    return {(code, teryt): value for code, teryt, value in rows}


def test_every_shipped_year_reads_with_its_schools_and_threshold():
    for year in (2022, 2024, 2025):  # 2021 and 2023 are loaded below
        table = parse_cke_e8(E8 / f"E8_{year}.xlsx")
        assert (table.year, len(table.schools)) == (year, SCHOOLS[year])
        means = [v for s in table.schools for m, v in s.figures.items() if m.endswith(".mean")]
        assert min(means) > 0
        assert max(means) <= 100
        # statistics withheld exactly below CKE's threshold, 5 takers since 2022
        withheld = [
            s.figures[m] for s in table.schools for m, flag in s.flags.items() if flag
        ]  # fmt: skip
        assert max(withheld) == 4
    assert parse_cke_e8(E8 / "E8_2025.xlsx").schools[0].rspo == 52934  # beside its new id column


async def test_school_figures_are_the_cells_of_the_sheet(loaded):
    engine, _ = loaded
    found = await rows(
        engine,
        "SELECT rspo, measure, year, value, flag, source, source_file, source_row "
        "FROM school_figure WHERE rspo = ANY(:rspo) AND measure LIKE 'e8.matematyka.%'",
        rspo=[52934, 84036],
    )
    figures = {(r.rspo, r.measure, r.year): tuple(r[3:]) for r in found}
    school = await one(
        engine,
        "SELECT name, type_name, public, locality, location_teryt, "
        "location_source_code, location_placement, source FROM school WHERE rspo = 52934",
    )
    for statistic, value in SP3_2023.items():
        assert figures[52934, f"e8.matematyka.{statistic}", 2023] == (
            value, None, "cke_e8", "E8_2023.xlsx", 3,
        )  # fmt: skip
    # Kielcza 2021: 9 takers, no statistics (from 10 on in 2021); 19 takers and a mean in 2023
    assert figures[84036, "e8.matematyka.takers", 2021] == (
        9, "statistics_withheld", "cke_e8", "E8_2021.xlsx", 12_328,
    )  # fmt: skip
    assert (84036, "e8.matematyka.mean", 2021) not in figures
    assert figures[84036, "e8.matematyka.mean", 2023][0] == pytest.approx(46.526315789473685)
    assert tuple(school) == (
        "SZKOŁA PODSTAWOWA NR 3", "Szkoła podstawowa", True, "Aleksandrów Kujawski",
        "0401011", "0401011", "direct", "cke",
    )  # fmt: skip


async def test_gmina_sums_are_those_of_their_schools(loaded):
    engine, _ = loaded
    sums = await _sums(engine, 2023, "matematyka", *MATH_2023)
    for teryt, expected in MATH_2023.items():
        assert sums[teryt] == pytest.approx(expected), teryt
    sums_2021 = await _sums(engine, 2021, "matematyka", *MATH_2021)
    for teryt, expected in MATH_2021.items():
        assert sums_2021[teryt] == pytest.approx(expected), teryt
    async with engine.connect() as conn:
        flags = dict(
            (
                await conn.execute(
                    text(
                        "SELECT o.teryt, o.flag FROM observation o JOIN variable v "
                        "ON v.id = o.variable_id WHERE v.code = 'matematyka.takers' "
                        "AND o.year = 2023 AND o.teryt IN ('1813013', '1611073', '1611', '12')"
                    )
                )
            ).all()
        )
    assert flags == {
        "1813013": "code_changed", "1611073": None, "1611": "sum_of_gmina", "12": "sum_of_powiat",
    }  # fmt: skip


async def test_mean_indicators_are_weighted_means_and_differences_to_poland(loaded):
    engine, _ = loaded
    values = await _indicators(engine, 2023, *MATH_2023)
    for teryt, (_all, takers, points) in MATH_2023.items():
        assert values["edukacja.e8_matematyka", teryt] == pytest.approx(points / takers)
    _, takers_pl, points_pl = POLAND_MATH[2023]
    poland = points_pl / takers_pl
    assert poland == pytest.approx(53.305, abs=0.001)
    assert values["edukacja.e8_matematyka", "1261011"] == pytest.approx(70.2876, abs=1e-4)
    for teryt, (_all, takers, points) in MATH_2023.items():
        assert values["edukacja.e8_matematyka_roznica", teryt] == pytest.approx(
            points / takers - poland
        )
    # 2021: another exam, another threshold, another national mean (47.6 %)
    values_2021 = await _indicators(engine, 2021, "1611073")
    _, takers_2021, points_2021 = POLAND_MATH[2021]
    assert values_2021["edukacja.e8_matematyka_roznica", "1611073"] == pytest.approx(
        2_488 / 61 - points_2021 / takers_2021
    )


async def test_the_voivodeships_add_up_to_poland_in_every_subject(loaded):
    engine, _ = loaded
    totals = dict(
        await rows(
            engine,
            "SELECT v.code, sum(o.value) FROM observation o JOIN variable v "
            "ON v.id = o.variable_id JOIN territorial_unit u ON u.teryt = o.teryt "
            "AND u.level = 'voivodeship' WHERE v.source = 'cke_e8' AND o.year = 2023 "
            "AND split_part(v.code, '.', 1) IN ('matematyka', 'polski', 'angielski') "
            "GROUP BY 1",
        )
    )
    for subject, expected in (
        ("matematyka", POLAND_MATH[2023]),
        ("polski", POLAND_POLISH_2023),
        ("angielski", POLAND_ENGLISH_2023),
    ):
        found = tuple(
            totals[f"{subject}.{v}"] for v in ("takers", "takers_with_mean", "mean_x_takers")
        )
        assert found == pytest.approx(expected), subject


async def test_the_whole_distribution_is_plausible(loaded):
    engine, _ = loaded
    coverage = dict(
        await rows(
            engine,
            "SELECT indicator_code || ':' || level || ':' || year, count(value) "
            "FROM indicator_value WHERE indicator_code LIKE 'edukacja.e8_%' GROUP BY 1",
        )
    )
    extremes = await one(
        engine,
        "SELECT min(value), max(value) FROM indicator_value "
        "WHERE indicator_code IN ('edukacja.e8_matematyka', 'edukacja.e8_polski', "
        "'edukacja.e8_angielski')",
    )
    biggest = await one(
        engine,
        "SELECT o.teryt, o.value FROM observation o JOIN variable v "
        "ON v.id = o.variable_id JOIN territorial_unit u ON u.teryt = o.teryt "
        "AND u.level = 'gmina' WHERE v.code = 'matematyka.takers' AND o.year = 2023 "
        "ORDER BY o.value DESC LIMIT 1",
    )
    zeros = await scalars(
        engine,
        "SELECT o.teryt FROM observation o JOIN variable v ON v.id = o.variable_id "
        "WHERE v.code = 'matematyka.takers' AND o.year = 2023 AND o.value = 0 "
        "AND o.flag = 'no_school_in_file' ORDER BY 1",
    )
    for year in LOADED_YEARS:
        for subject in ("matematyka", "polski", "angielski"):
            assert coverage[f"edukacja.e8_{subject}:gmina:{year}"] >= 2_400
            assert coverage[f"edukacja.e8_{subject}_roznica:gmina:{year}"] >= 2_400
            assert coverage[f"edukacja.e8_{subject}:powiat:{year}"] == 380
            assert coverage[f"edukacja.e8_{subject}:voivodeship:{year}"] == 16
    assert extremes[0] > 0
    assert extremes[1] < 100
    # Warsaw has the most takers; no gmina has more than a big city's cohort
    assert biggest[0] == "1465011"
    assert 10_000 < biggest[1] < 25_000
    # the gminas in force without a school in the file: Szczawa and Grabówka, created in 2025
    assert zeros == ["1207132", "2002162"]


async def test_every_run_reports_how_schools_were_placed(loaded):
    engine, summaries = loaded
    for year, expected in ((2023, PLACED_2023), (2021, PLACED_2021)):
        report = next(p for p in summaries[year].problems if p.code == "placement_report")
        assert expected in report.message
        assert (report.sheet, report.field) == ("SAS", "Kod teryt gminy")
    async with engine.connect() as conn:
        warnings = await conn.scalar(
            text("SELECT warnings FROM load_run WHERE id = :id"), {"id": summaries[2023].run_id}
        )
    assert warnings[0]["code"] == "placement_report"


async def test_loading_the_same_file_twice_changes_nothing(loaded):
    engine, summaries = loaded
    before = await all_checksums(engine)
    again = await load_cke_e8(engine, E8 / "E8_2023.xlsx", year=2023)
    assert (again.status, again.data_release_id) == ("unchanged", None)
    async with engine.connect() as conn:
        figures = await conn.scalar(
            text("SELECT count(*) FROM school_figure WHERE source = 'cke_e8' AND year = 2023")
        )
        added = await conn.scalar(
            text("SELECT count(*) FROM school WHERE load_run_id = :id"),
            {"id": summaries[2023].run_id},
        )
    assert figures == FIGURES_2023
    # the first load added the schools 2021 did not list, every figure and every gmina's
    # sums; this one none
    assert added == NEW_SCHOOLS_2023
    first = summaries[2023].counts
    assert first.rows_inserted == added + FIGURES_2023 + GMINAS_IN_FORCE * VARIABLES
    assert again.counts.rows_unchanged == FIGURES_2023 + GMINAS_IN_FORCE * VARIABLES
    assert await all_checksums(engine) == before


async def test_a_year_other_than_the_names_is_refused(loaded):
    engine, _ = loaded
    refusal = await refused_and_unchanged(
        engine, all_checksums, lambda: load_cke_e8(engine, E8 / "E8_2023.xlsx", year=2022)
    )
    assert refusal.codes == {"inconsistent"}


async def test_a_school_the_register_knows_keeps_its_row(teryt_engine):
    async with teryt_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO school (rspo, name, type_name, source, load_run_id) "
                "VALUES (52934, 'SYNTHETIC register row', 'Szkoła podstawowa', 'schools', 1)"
            )
        )
    summary = await load_cke_e8(teryt_engine, SLICE, year=2023)
    assert summary.status == "published"
    async with teryt_engine.connect() as conn:
        rows = dict(
            (await conn.execute(text("SELECT rspo, name || '|' || source FROM school"))).all()
        )
        bircza = (
            await conn.execute(
                text(
                    "SELECT location_teryt, location_source_code, location_placement "
                    "FROM school WHERE rspo = 79670"
                )
            )
        ).one()
    assert rows[52934] == "SYNTHETIC register row|schools"
    assert rows[52933] == "SZKOŁA PODSTAWOWA NR 1|cke"
    assert len(rows) == 48
    assert tuple(bircza) == ("1813013", "1813012", "code_changed")


def test_a_name_without_the_year_needs_one(tmp_path: Path):
    copy = tmp_path / "wyniki_szkol.xlsx"
    copy.write_bytes(SLICE.read_bytes())
    with pytest.raises(LoadRefused, match="does not say the exam year"):
        parse_cke_e8(copy)
    assert parse_cke_e8(copy, year=2023).year == 2023


async def test_a_revised_file_updates_and_removes_only_what_changed(teryt_engine, tmp_path: Path):
    """DERIVED revision of the slice: SP3's mathematics mean (row 3, column S) written as 40.0,
    and the next school's mathematics (row 4, columns R-V: takers, mean, deviation, median, mode)
    emptied, as if nobody there had taken it."""
    first = await load_cke_e8(teryt_engine, SLICE, year=2023)
    book = openpyxl.load_workbook(SLICE)
    book["SAS"].cell(row=3, column=19, value=40.0)
    for column in range(18, 23):
        book["SAS"].cell(row=4, column=column).value = None
    revised = tmp_path / "E8_2023_revised_derived.xlsx"
    book.save(revised)
    again = await load_cke_e8(teryt_engine, revised, year=2023)
    assert (first.status, again.status) == ("published", "published")
    stored = "SELECT value FROM school_figure WHERE rspo = :rspo AND measure = :m AND year = 2023"
    async with teryt_engine.connect() as conn:
        mean = await conn.scalar(text(stored), {"rspo": 52934, "m": "e8.matematyka.mean"})
        median = await conn.scalar(text(stored), {"rspo": 52933, "m": "e8.matematyka.median"})
        gmina = await conn.scalar(
            text(
                "SELECT o.value FROM observation o JOIN variable v ON v.id = o.variable_id "
                "WHERE v.code = 'matematyka.mean_x_takers' AND o.teryt = '0401011' "
                "AND o.year = 2023"
            )
        )
    assert (mean, median) == (40.0, None)
    assert again.counts.rows_inserted == 0
    assert again.counts.rows_closed == 4  # the emptied school's four mathematics figures
    # Aleksandrów Kujawski's Σ takers x mean: the slice holds its 3 schools (10,208 with
    # SP3 at 58 x 39.655 = 2,300); now 58 x 40 and without the 108 x 41.48 = 4,480 of SP1
    assert gmina == pytest.approx(10_208 - 2_300 + 58 * 40.0 - 4_480)
