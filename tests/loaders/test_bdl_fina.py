"""BDL FINA 2622 and 2633 (gmina budgets' own revenues and investment spending, 2015-2024).

The files put group, variable, year and unit in one quoted header cell; a gmina whose RODZ
changed is listed under both codes, each with values only in its own years. Figures below were
read by hand from data/bdl/FINA_26*_CTAB_*.csv (row named) and data/PROVENANCE.md's facts;
populations from data/bdl/LUDN_2425_CTAB_20241028202819_2023.csv (Bolesławiec 37,06 thousand).
"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.bdl.export_csv import parse_bdl_export
from loaders.bdl.export_format import split_header_cell
from loaders.errors import LoadRefused
from loaders.source_text import read_source_text
from service.settings import REPO_ROOT
from tests.plugin import engine_for

DATA = REPO_ROOT / "data" / "bdl"
OWN, INVEST = "gmina_budget.own_revenue", "gmina_budget.investment_spending"
YEARS = range(2015, 2025)
GMINAS_WITH_VALUES = 2_477
"""Every gmina in force but the two created on 2025-01-01, which have no budget before it."""
# (variable, teryt, year) -> zł, as in the file
FIGURES = {
    (OWN, "0201011", 2024): 180_180_717.13,  # Bolesławiec (1), row 5 (PROVENANCE's fact)
    (OWN, "0201", 2024): 380_800_926.08,  # Powiat bolesławiecki, row 4: BDL's own sum
    (OWN, "02", 2024): 15_561_011_450.65,  # DOLNOŚLĄSKIE, row 3
    (INVEST, "1002011", 2024): 40_135_075.15,  # Kutno (PROVENANCE's fact)
}
# Mielno: 3209052 (gmina wiejska) has 2015-2016, 3209053 (miejsko-wiejska, in force) the rest.
MIELNO = {2015: (33_904_991.29, "code_changed"), 2017: (36_716_532.07, None)}
DRAWSKI, OSTROWICE_YEARS = "3203", {2015, 2016, 2017, 2018}
"""Ostrowice (3203, dissolved 2019-01-01): in BDL's powiat sums to 2018, in no unit in force."""


@pytest.fixture(scope="module")
async def engine(loaded_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(loaded_db_url)
    yield engine
    await engine.dispose()


async def _value(
    engine: AsyncEngine, variable: str, teryt: str, year: int
) -> tuple[float | None, str | None]:
    query = text(
        "SELECT o.value, o.flag FROM observation o JOIN variable v ON v.id = o.variable_id "
        "WHERE v.code = :variable AND o.teryt = :teryt AND o.year = :year"
    )
    async with engine.connect() as conn:
        return (
            await conn.execute(query, {"variable": variable, "teryt": teryt, "year": year})
        ).one()


def test_header_cells_of_every_layout_split_into_names_year_and_unit():
    fina = split_header_cell("gminy łącznie z miastami na prawach powiatu;razem;2015;[zł]")
    assert fina.names == ("gminy łącznie z miastami na prawach powiatu", "razem")
    assert (fina.year, fina.unit) == (2015, "zł")
    current = split_header_cell("ludność w tysiącach,2024,[tys. osób]")
    assert (current.names, current.year, current.unit) == (
        ("ludność w tysiącach",),
        2024,
        "tys. osób",
    )
    split = split_header_cell("85 i więcej")
    assert (split.names, split.year, split.unit) == (("85 i więcej",), None, None)


def test_the_current_comma_layout_loads_by_the_variable_name(tmp_path: Path):
    """A BDL download of June 2025 (LUDN 2425): `,` between fields, decimal point, the variable,
    year and unit in one cell. DERIVED: three rows of the shipped 2023 file rewritten so."""
    derived = tmp_path / "LUDN_2425_CTAB_comma_layout_derived.csv"
    derived.write_text(
        '"Kod","Nazwa","ludność w tysiącach,2023,[tys. osób]",\n'
        '"0201000","Powiat bolesławiecki","87.64",\n'
        '"0201011","Bolesławiec (1)","37.06",\n'
        '"0201022","Bolesławiec (2)","15.27",\n',
        encoding="utf-8",
    )
    data = parse_bdl_export(
        read_source_text(derived), columns={"ludność w tysiącach": "population.total"}
    )
    assert (data.delimiter, data.decimal) == (",", ".")
    assert [(c.year, c.unit) for c in data.columns] == [(2023, "tys. osób")]
    assert {(r.teryt, r.value) for r in data.records} == {
        ("0201", 87.64), ("0201011", 37.06), ("0201022", 15.27),
    }  # fmt: skip


def test_a_name_that_fits_two_columns_of_one_year_is_refused_with_the_column(tmp_path: Path):
    derived = tmp_path / "KULT_3881_two_dimensions_derived.csv"
    derived.write_text(
        '"Kod";"Nazwa";"stadiony;ogółem;2018;[ob.]";"korty tenisowe;ogółem;2018;[ob.]";\n'
        '0201000;"Powiat bolesławiecki";23;3;\n',
        encoding="utf-8",
    )
    with pytest.raises(LoadRefused) as refused:
        parse_bdl_export(read_source_text(derived), columns={"ogółem": "sport.facilities"})
    problem = refused.value.problems[0]
    assert (problem.row, problem.field) == (1, "stadiony;ogółem;2018;[ob.]")
    assert "two columns give sport.facilities for 2018" in problem.message
    data = parse_bdl_export(
        read_source_text(derived), columns={"korty tenisowe;ogółem": "sport.tennis_courts"}
    )
    assert [(r.teryt, r.value) for r in data.records] == [("0201", 3.0)]


async def test_named_units_get_the_figures_of_their_rows(engine: AsyncEngine):
    for (variable, teryt, year), expected in FIGURES.items():
        value, flag = await _value(engine, variable, teryt, year)
        assert value == pytest.approx(expected, abs=0.005), (variable, teryt, year)
        assert flag is None


async def test_a_gmina_listed_under_two_codes_gets_each_year_once_on_its_code_in_force(
    engine: AsyncEngine,
):
    for year, (expected, flag) in MIELNO.items():
        assert await _value(engine, OWN, "3209053", year) == (pytest.approx(expected), flag)
    async with engine.connect() as conn:
        old = await conn.scalar(text("SELECT count(*) FROM observation WHERE teryt = '3209052'"))
    assert old == 0


async def test_every_gmina_has_both_figures_every_year(engine: AsyncEngine):
    query = text(
        "SELECT v.code, o.year, count(o.value) FROM observation o "
        "JOIN variable v ON v.id = o.variable_id "
        "JOIN territorial_unit u ON u.teryt = o.teryt AND u.valid_to IS NULL AND u.level = 'gmina' "
        "WHERE v.code IN (:own, :invest) GROUP BY 1, 2"
    )
    async with engine.connect() as conn:
        counts = {
            (code, year): n
            for code, year, n in await conn.execute(query, {"own": OWN, "invest": INVEST})
        }
    # Boguszów-Gorce's 2019 budget reads 0,00 in both files: stored as missing (zero_at_source)
    expected = {
        (code, year): GMINAS_WITH_VALUES - (year == 2019)
        for code in (OWN, INVEST)
        for year in YEARS
    }
    assert counts == expected


async def test_bdl_sums_for_powiats_equal_miarkas_sums_of_their_gminas(engine: AsyncEngine):
    """The powiat rows are kept as the source's; they must equal what Miarka adds up, except
    where a gmina no longer in force (Ostrowice) is in BDL's sum."""
    query = text(
        """
        WITH sums AS (
            SELECT o.variable_id, o.year, u.parent_teryt AS powiat, sum(o.value) AS total
            FROM observation o
            JOIN variable v ON v.id = o.variable_id AND v.code IN (:own, :invest)
            JOIN territorial_unit u ON u.teryt = o.teryt AND u.valid_to IS NULL
                AND u.level = 'gmina'
            GROUP BY 1, 2, 3
        )
        SELECT s.powiat, s.year, s.total, p.value, p.derived FROM sums s
        JOIN observation p ON p.variable_id = s.variable_id AND p.year = s.year
            AND p.teryt = s.powiat
        """
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query, {"own": OWN, "invest": INVEST})).all()
    assert len(rows) == 2 * 380 * len(YEARS)
    assert not any(derived for *_, derived in rows)  # every powiat value is BDL's own
    differ = {
        (powiat, year) for powiat, year, total, value, _ in rows if abs(total - value) >= 0.005
    }
    assert differ <= {(DRAWSKI, year) for year in OSTROWICE_YEARS}
    assert differ  # Ostrowice's budget is in BDL's sum and in no gmina of Miarka's


async def test_indicators_divide_by_the_population_at_most_two_years_away(engine: AsyncEngine):
    query = text(
        "SELECT value, flags FROM indicator_value WHERE indicator_code = :code "
        "AND teryt = :teryt AND year = :year"
    )
    async with engine.connect() as conn:
        value, flags = (
            await conn.execute(
                query,
                {
                    "code": "podatki_oplaty.dochody_wlasne_na_mieszkanca",
                    "teryt": "0201011",
                    "year": 2024,
                },
            )
        ).one()
        assert value == pytest.approx(180_180_717.13 / 37_060)
        assert "denominator_year_2023" in flags
        early, early_flags = (
            await conn.execute(
                query,
                {
                    "code": "podatki_oplaty.dochody_wlasne_na_mieszkanca",
                    "teryt": "0201011",
                    "year": 2017,
                },
            )
        ).one()
        assert early is None  # 2020 is 3 years away
        assert "denominator_missing" in early_flags
        kutno = await conn.scalar(
            text(
                "SELECT value FROM indicator_value WHERE teryt = '1002011' AND year = 2024 AND "
                "indicator_code = 'inwestycje_budownictwo.wydatki_inwestycyjne_na_mieszkanca'"
            )
        )
        population_2023 = await conn.scalar(
            text(
                "SELECT o.value FROM observation o JOIN variable v ON v.id = o.variable_id "
                "WHERE v.code = 'population.total' AND o.teryt = '1002011' AND o.year = 2023"
            )
        )
    assert kutno == pytest.approx(40_135_075.15 / population_2023)


async def test_powiats_and_voivodeships_are_the_sums_bdl_gives_and_the_share_needs_no_population(
    engine: AsyncEngine,
):
    """BDL's row 4 (Powiat bolesławiecki 380,800,926.08 zł in 2024) over LUDN 2425's 87.64
    thousand; Kutno's investment 40,135,075.15 zł over its own revenue 215,250,336.60 zł (2024),
    and the totals in zł from 2015 on, where no population is needed."""
    query = text(
        "SELECT value FROM indicator_value WHERE indicator_code = :code AND teryt = :teryt "
        "AND year = :year"
    )

    async def value(code: str, teryt: str, year: int) -> float | None:
        async with engine.connect() as conn:
            return await conn.scalar(query, {"code": code, "teryt": teryt, "year": year})

    own = "podatki_oplaty.dochody_wlasne_na_mieszkanca"
    assert await value(own, "0201", 2024) == pytest.approx(380_800_926.08 / 87_640)
    assert await value(own, "02", 2024) == pytest.approx(15_561_011_450.65 / 2_879_270)
    share = await value("inwestycje_budownictwo.udzial_wydatkow_inwestycyjnych", "1002011", 2024)
    assert share == pytest.approx(40_135_075.15 / 215_250_336.60 * 100)
    per_resident = "inwestycje_budownictwo.wydatki_inwestycyjne_na_mieszkanca"
    # Powiat bolesławiecki, FINA 2633 row 4: 178,277,580.39 zł (BDL's sum of its gminas)
    assert await value(per_resident, "0201", 2024) == pytest.approx(178_277_580.39 / 87_640)
    invested = await value("inwestycje_budownictwo.wydatki_inwestycyjne_razem", "1002011", 2024)
    assert invested == pytest.approx(40_135_075.15)  # Kutno, FINA 2633
    total = await value("podatki_oplaty.dochody_wlasne_razem", "3209053", 2015)
    assert total == pytest.approx(33_904_991.29)  # Mielno, from its old code 3209052
    async with engine.connect() as conn:
        counts = dict(
            (
                await conn.execute(
                    text(
                        "SELECT year, count(value) FROM indicator_value "
                        "WHERE indicator_code = :code AND level = 'gmina' GROUP BY year"
                    ),
                    {"code": "inwestycje_budownictwo.udzial_wydatkow_inwestycyjnych"},
                )
            ).all()
        )
    assert set(counts) == set(YEARS)
    assert min(counts.values()) >= 2_470  # a gmina with own revenue 0 zł has no share


async def test_a_zero_own_revenue_is_stored_as_missing_not_as_zero(engine: AsyncEngine):
    """Boguszów-Gorce 0221011 2019 reads 0,00 (PROVENANCE): no gmina has no own revenue."""
    assert await _value(engine, OWN, "0221011", 2019) == (None, "zero_at_source")
    assert await _value(engine, INVEST, "0221011", 2019) == (None, "zero_at_source")
