"""BDL powiat tables KULT 3881 (sports facilities 2018), TURY 3186 (tourist accommodation 2019)
and TRAN 3164 (bicycle paths 2020), through `load shipped` to their indicators.

Hand figures: counts from the rows of data/bdl/{KULT,TURY,TRAN}_*.csv named below; the
population of a powiat is the sum of its gminas' "ogółem" (RODZ 1-3) in
data/bdl/LUDN_2137_CTAB_20210625164329.csv (31 XII 2020): kłodzki 0208 = 156,283 (14 gminas),
Kraków 1261 = 779,966, Warszawa 1465 = 1,794,166, Dolnośląskie 02 = 2,891,321.
"""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.plugin import engine_for

ALL_SPORT = "kultura_rekreacja.obiekty_sportowe_na_10_tys"
HALLS = "kultura_rekreacja.hale_sportowe_na_10_tys"
GYMS = "kultura_rekreacja.sale_gimnastyczne_na_10_tys"
POOLS = "kultura_rekreacja.plywalnie_kryte_na_10_tys"
TOURISM = "kultura_rekreacja.obiekty_noclegowe_na_10_tys"
CYCLE = "drogownictwo_transport.sciezki_rowerowe_na_10_tys"
CYCLE_AREA = "drogownictwo_transport.sciezki_rowerowe_na_100_km2"
FIGURES = {
    # kłodzki 0208: stadiums 16, halls 6, gyms 15, tennis courts 22, indoor pools 9
    (ALL_SPORT, "0208", 2018): (16 + 6 + 15 + 22 + 9) / 156_283 * 10_000,
    (HALLS, "0208", 2018): 6 / 156_283 * 10_000,
    (GYMS, "0208", 2018): 15 / 156_283 * 10_000,
    (POOLS, "0208", 2018): 9 / 156_283 * 10_000,
    ("kultura_rekreacja.stadiony_na_10_tys", "0208", 2018): 16 / 156_283 * 10_000,
    ("kultura_rekreacja.korty_tenisowe_na_10_tys", "0208", 2018): 22 / 156_283 * 10_000,
    (ALL_SPORT, "1261", 2018): (18 + 26 + 37 + 75 + 16) / 779_966 * 10_000,  # Kraków
    (POOLS, "02", 2018): 55 / 2_891_321 * 10_000,  # the sum of Dolnośląskie's 30 powiats
    (TOURISM, "0208", 2019): 205 / 156_283 * 10_000,
    (TOURISM, "1261", 2019): 275 / 779_966 * 10_000,
    (CYCLE, "0208", 2020): 31.6 / 156_283 * 10_000,  # decimal comma: "31,6"
    (CYCLE, "1465", 2020): 676.1 / 1_794_166 * 10_000,  # Warszawa "676,1"
}
ABSENT = {(TOURISM, "2470"), (CYCLE, "0210"), (CYCLE, "1801"), (CYCLE_AREA, "0210")}
"""Units the files have no row for: no value, never a zero."""


@pytest.fixture(scope="module")
async def engine(loaded_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(loaded_db_url)
    yield engine
    await engine.dispose()


async def _values(engine: AsyncEngine, code: str) -> dict[tuple[str, int], tuple]:
    query = text(
        "SELECT teryt, year, value, flags, level FROM indicator_value WHERE indicator_code = :c"
    )
    async with engine.connect() as conn:
        return {(r.teryt, r.year): (r.value, r.flags, r.level) for r in
                await conn.execute(query, {"c": code})}  # fmt: skip


@pytest.mark.parametrize(("code", "teryt", "year"), list(FIGURES))
async def test_figures_equal_the_hand_computed_ones(engine, code, teryt, year):
    value, flags, _ = (await _values(engine, code))[teryt, year]
    assert value == pytest.approx(FIGURES[code, teryt, year], rel=1e-9)
    if year != 2020:
        assert "denominator_year_2020" in (flags or [])


async def test_bicycle_paths_per_100_km2_divide_by_the_register_area(engine):
    """Kłodzki 31.6 km over its area in data/gugik (as loaded), Warszawa 676.1 km."""
    async with engine.connect() as conn:
        areas = dict((await conn.execute(text(
            "SELECT o.teryt, o.value FROM observation o JOIN variable v ON v.id = o.variable_id "
            "WHERE v.code = 'area_km2' AND o.teryt IN ('0208', '1465')"
        ))).all())  # fmt: skip
    assert 1_600 < areas["0208"] < 1_700  # powiat kłodzki, km²
    assert 510 < areas["1465"] < 525  # Warszawa, km²
    values = await _values(engine, CYCLE_AREA)
    assert values["0208", 2020][0] == pytest.approx(31.6 / areas["0208"] * 100)
    assert values["1465", 2020][0] == pytest.approx(676.1 / areas["1465"] * 100)
    assert "denominator_year_2025" in values["1465", 2020][1]


@pytest.mark.parametrize(("code", "teryt"), sorted(ABSENT))
async def test_a_powiat_the_file_omits_has_no_value(engine, code, teryt):
    assert not [key for key in await _values(engine, code) if key[0] == teryt]


async def _partial_population(engine: AsyncEngine) -> set[str]:
    """Units whose 2020 population is an incomplete sum of their gminas' (a gmina in force has
    no 2020 population: the two created in 2025)."""
    async with engine.connect() as conn:
        return set((await conn.execute(text(
            "SELECT o.teryt FROM observation o JOIN variable v ON v.id = o.variable_id "
            "WHERE v.code = 'population.total' AND o.year = 2020 "
            "AND o.flag LIKE 'partial_sum%'"
        ))).scalars())  # fmt: skip


async def test_every_powiat_has_a_plausible_value_and_no_partial_sum_is_published(engine):
    """The powiat tables are no sums: a value is partial only where its denominator, the
    population, is (an indicator carries its denominator's flags)."""
    expected = {ALL_SPORT: 380, HALLS: 380, POOLS: 380, TOURISM: 379, CYCLE: 378, CYCLE_AREA: 378}
    partial_population = await _partial_population(engine)
    assert partial_population  # the powiats and voivodeships of Szczawa and Grabówka
    for code, powiats in expected.items():
        values = await _values(engine, code)
        by_level = {"powiat": 0, "voivodeship": 0}
        for (teryt, _), (value, flags, level) in values.items():
            by_level[level] += 1
            assert value is not None
            assert 0 <= value < 400, (code, value)  # per 10,000 residents or per 100 km²
            partial = any(flag.startswith("partial_sum") for flag in flags or [])
            assert partial == (code != CYCLE_AREA and teryt in partial_population), (code, teryt)
        assert by_level["powiat"] == powiats
        assert by_level["voivodeship"] == (16 if code in (ALL_SPORT, HALLS, POOLS) else 0)
