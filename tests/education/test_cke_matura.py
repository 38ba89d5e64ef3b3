"""`miarka load cke-matura`: CKE's matura 2023 results per school, new and old formula.

Figures below were read from the published workbooks (data/cke/matura/EM2023_2023.xlsx and
EM2015_2023.xlsx, sheet SAS, block "dla całego egzaminu dojrzałości") with pandas (calamine
engine), independently of the loader: a school's cells by Excel row, and for a unit the sums
over its schools' rows (selected by the first digits of `Kod teryt gminy`) of `Otrzymali
świadectwo dojrzałości - liczba` and `Liczba zdających, którzy przystąpili do wszystkich
egzaminów wymaganych`, the examination boards' own rows left out. The broken files are
derived (tests/data/bad/cke_matura/derive.py) and checked in tests/loaders/test_broken_workbooks.py.
"""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.cke import load_cke_matura
from loaders.run import RunSummary
from service.settings import REPO_ROOT
from tests.conftest import TEST_DATA
from tests.education.exam_db import all_checksums
from tests.loader_checks import refused_and_unchanged
from tests.loaders.teryt_db import database_copy, teryt_engine, teryt_template
from tests.sql import one, rows, scalar

__all__ = ["teryt_engine", "teryt_template"]

# Its module fixtures load real files into a database of their own: one worker builds them once.
pytestmark = pytest.mark.xdist_group("cke_matura")
MATURA = REPO_ROOT / "data" / "cke" / "matura"
FILES = {2023: MATURA / "EM2023_2023.xlsx", 2015: MATURA / "EM2015_2023.xlsx"}
SLICE = TEST_DATA / "cke" / "EM2023_2023_slice_derived.xlsx"

# (certificates, takers) per formula
POLAND = {2023: (143_503, 151_388), 2015: (83_804, 102_591)}
UNITS = {
    "0401011": {2023: (100, 108), 2015: (61, 104)},  # Aleksandrów Kujawski, 2 + 4 schools
    "1261011": {2023: (5_530, 5_682), 2015: (2_031, 2_320)},  # Kraków, 68 + 67 schools
    "1611073": {2023: (14, 19), 2015: (13, 15)},  # Zawadzkie: schools in its town part only
    "1611": {2023: (116, 121), 2015: (120, 165)},  # powiat strzelecki
}
# LO Towarzystwa Salezjańskiego, Aleksandrów Kujawski, RSPO 4117: row 5 of both files
SALEZJANIE = {
    ("matura.f2023.certificates", 89, 5), ("matura.f2023.takers", 91, 5),
    ("matura.f2023.pass_rate", 97.8021978021978, 5),
    ("matura.f2015.certificates", 1, 5), ("matura.f2015.takers", 2, 5),  # no rate below 5
}  # fmt: skip
PLACED = {
    2023: "direct 1,769, part_rolled_up 528, district_to_city 0, code_changed 10, unplaced 0",
    2015: "direct 2,306, part_rolled_up 704, district_to_city 0, code_changed 6, unplaced 0",
}
BOARDS = {2023: "15 row(s) of the exam boards (external candidates, 137 takers)",
          2015: "15 row(s) of the exam boards (external candidates, 405 takers)"}  # fmt: skip
SCHOOLS = {2023: 2_307, 2015: 3_016}  # rows less the 15 of the boards
GMINAS_WITH_TAKERS = 924
POWIATS_WITH_TAKERS = 379


@pytest.fixture(scope="module")
async def loaded(
    pg_server_url: str, teryt_template: str
) -> AsyncIterator[tuple[AsyncEngine, dict[int, RunSummary]]]:
    """The register and both real files, loaded once for the read-only tests."""
    name = f"{teryt_template}_cke_matura"
    async with database_copy(pg_server_url, teryt_template, name) as engine:
        yield engine, {f: await load_cke_matura(engine, p, year=2023) for f, p in FILES.items()}


async def _sums(engine: AsyncEngine, *codes: str) -> dict[str, dict[int, tuple]]:
    query = text(
        "SELECT o.teryt, v.code, o.value FROM observation o JOIN variable v "
        "ON v.id = o.variable_id WHERE v.source = 'cke_matura' AND o.year = 2023 "
        "AND o.teryt = ANY(:codes)"
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query, {"codes": list(codes)})).all()
    values = {(teryt, code): value for teryt, code, value in rows}
    return {
        teryt: {
            f: (values[teryt, f"f{f}.certificates"], values[teryt, f"f{f}.takers"]) for f in FILES
        }
        for teryt in codes
    }


async def test_school_figures_are_the_cells_of_the_sheets(loaded):
    engine, _ = loaded
    found = await rows(
        engine,
        "SELECT measure, value, source_row, source, source_file FROM school_figure "
        "WHERE rspo = 4117",
    )
    figures = {(r.measure, r.value, r.source_row) for r in found}
    school = await one(
        engine, "SELECT type_name, public, location_teryt, source FROM school WHERE rspo = 4117"
    )
    boards = await scalar(engine, "SELECT count(*) FROM school WHERE name LIKE 'OKRĘGOWA KOMISJA%'")
    assert figures == SALEZJANIE
    assert tuple(school) == ("Liceum ogólnokształcące", True, "0401011", "cke")
    assert boards == 0  # the examination boards are not schools


async def test_gmina_sums_are_those_of_their_schools_per_formula(loaded):
    engine, _ = loaded
    assert await _sums(engine, *UNITS) == UNITS
    totals = dict(
        await rows(
            engine,
            "SELECT v.code, sum(o.value) FROM observation o JOIN variable v "
            "ON v.id = o.variable_id JOIN territorial_unit u ON u.teryt = o.teryt "
            "AND u.level = 'voivodeship' WHERE v.source = 'cke_matura' GROUP BY 1",
        )
    )
    for formula, (certificates, takers) in POLAND.items():
        assert totals[f"f{formula}.certificates"] == certificates
        assert totals[f"f{formula}.takers"] == takers


async def test_the_pass_rate_is_certificates_over_takers_of_both_formulas(loaded):
    engine, _ = loaded
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT teryt, value, numerator, denominator FROM indicator_value "
                "WHERE indicator_code = 'edukacja.matura_zdawalnosc' AND teryt = ANY(:codes)"
            ),
            {"codes": [*UNITS, "12"]},
        )
        values = {r.teryt: tuple(r[1:]) for r in rows}
    for teryt, formulas in UNITS.items():
        certificates = formulas[2023][0] + formulas[2015][0]
        takers = formulas[2023][1] + formulas[2015][1]
        assert values[teryt] == pytest.approx((100 * certificates / takers, certificates, takers))
    assert values["0401011"][0] == pytest.approx(161 / 212 * 100)  # 75.9 %
    assert values["1261011"][0] == pytest.approx(7_561 / 8_002 * 100)  # 94.5 %


async def test_the_whole_distribution_is_plausible(loaded):
    engine, _ = loaded
    coverage = dict(
        await rows(
            engine,
            "SELECT level, count(value) FROM indicator_value "
            "WHERE indicator_code = 'edukacja.matura_zdawalnosc' GROUP BY 1",
        )
    )
    low, high, poland = await one(
        engine,
        "SELECT min(value), max(value), sum(numerator) / sum(denominator) * 100 "
        "FROM indicator_value WHERE indicator_code = 'edukacja.matura_zdawalnosc' "
        "AND level = 'voivodeship'",
    )
    empty = await scalar(
        engine,
        "SELECT count(*) FROM indicator_value WHERE level = 'gmina' AND value IS NULL "
        "AND indicator_code = 'edukacja.matura_zdawalnosc' "
        "AND flags @> ARRAY['no_school_in_file', 'denominator_zero']",
    )
    assert coverage == {
        "gmina": GMINAS_WITH_TAKERS,
        "powiat": POWIATS_WITH_TAKERS,
        "voivodeship": 16,
    }
    assert 80 < low < high < 95  # voivodeships
    assert poland == pytest.approx(100 * 227_307 / 253_979)  # 89.5 %
    assert empty == 2_479 - GMINAS_WITH_TAKERS  # the gminas without a matura school


async def test_every_run_reports_placements_and_the_boards_set_aside(loaded):
    _, summaries = loaded
    for formula, summary in summaries.items():
        report = next(p for p in summary.problems if p.code == "placement_report")
        assert PLACED[formula] in report.message
        assert BOARDS[formula] in report.message
        assert summary.counts.rows_read == SCHOOLS[formula]


async def test_loading_the_same_file_twice_changes_nothing(loaded):
    engine, _ = loaded
    before = await all_checksums(engine)
    again = await load_cke_matura(engine, FILES[2015], year=2023)
    assert (again.status, again.data_release_id) == ("unchanged", None)
    assert await all_checksums(engine) == before


async def test_a_formula_other_than_the_files_is_refused(loaded):
    engine, _ = loaded
    refusal = await refused_and_unchanged(
        engine,
        all_checksums,
        lambda: load_cke_matura(engine, FILES[2023], year=2023, formula=2015),
    )
    assert refusal.codes == {"inconsistent"}
    assert "name 2023" in refusal.problems[0].message


async def test_one_formula_alone_gives_no_pass_rate_of_both(teryt_engine):
    summary = await load_cke_matura(teryt_engine, SLICE, year=2023)
    assert summary.status == "published"
    async with teryt_engine.connect() as conn:
        rates = await conn.scalar(
            text(
                "SELECT count(*) FROM indicator_value "
                "WHERE indicator_code = 'edukacja.matura_zdawalnosc'"
            )
        )
        schools = await conn.scalar(text("SELECT count(*) FROM school"))
        figures = await conn.scalar(text("SELECT count(*) FROM school_figure WHERE rspo = 131780"))
    assert rates == 0
    assert schools == 32  # the slice's 34 rows less the Gdańsk board's two
    assert figures == 0  # row 48 of the file: no takers of the whole exam
