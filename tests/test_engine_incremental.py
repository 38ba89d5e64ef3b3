"""The incremental engine: a load recomputes only the indicators its changes feed, and the
result is the one a full recomputation gives.

The SYNTHETIC part publishes two made-up variables for real units of the register and checks
which indicators each publish recomputes; the shipped part compares what `load_shipped` built
load by load with one full recomputation over the same observations.
"""

import itertools
from collections.abc import AsyncIterator

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.indicators.catalogue import Catalogue, Formula, Term, default_catalogue
from domains.indicators.changes import mark_sources_changed
from domains.indicators.engine import EngineSummary, compute_all, compute_changed
from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import publish_observations
from tests.loaders.teryt_db import teryt_engine, teryt_template
from tests.plugin import DB_PREFIX, RUN, admin, copy_database, engine_for

__all__ = ["teryt_engine", "teryt_template"]

ALPHA = VariableDef(source="test", code="alpha", name="SYNTHETIC alpha", measure_unit="-")
BETA = VariableDef(source="test", code="beta", name="SYNTHETIC beta", measure_unit="-")
_copies = itertools.count()


def catalogue() -> Catalogue:
    template = default_catalogue().indicators[0]

    def indicator(code: str, variable: str) -> object:
        formula = Formula(numerator=[Term(source="test", code=variable)])
        return msgspec.structs.replace(template, code=code, formula=formula)

    return Catalogue(
        domains=default_catalogue().domains,
        indicators=[indicator("test.alpha", "alpha"), indicator("test.beta", "beta")],
    )


async def _publish(
    conn: AsyncConnection, values: dict[VariableDef, float], gminas: list[str], run_id: int
) -> None:
    """One publish (its staging tables live until commit) of a value per variable and gmina."""
    records = [
        ObservationRecord(row=None, teryt=teryt, variable=variable.code, year=2024, value=value)
        for variable, value in values.items()
        for teryt in gminas
    ]
    await publish_observations(conn, run_id=run_id, variables=list(values), records=records)


async def _first_gminas(engine: AsyncEngine, count: int) -> list[str]:
    """The first `count` gminas in force, by TERC code."""
    async with engine.connect() as conn:
        return list(
            (await conn.execute(text(
                "SELECT teryt FROM territorial_unit WHERE valid_to IS NULL AND level = 'gmina' "
                "ORDER BY teryt LIMIT :count"
            ), {"count": count})).scalars()
        )  # fmt: skip


async def _runs_by_indicator(conn: AsyncConnection) -> dict[str, set[int]]:
    rows = await conn.execute(
        text("SELECT indicator_code, array_agg(DISTINCT load_run_id) FROM indicator_value "
             "GROUP BY indicator_code")
    )  # fmt: skip
    return {code: set(runs) for code, runs in rows}


async def test_a_publish_recomputes_only_the_indicators_its_variables_feed(teryt_engine):
    gminas = await _first_gminas(teryt_engine, 5)
    async with teryt_engine.begin() as conn:  # first publish: no typology yet, all of it
        await _publish(conn, {ALPHA: 1.0, BETA: 2.0}, gminas, run_id=1)
        first = await compute_changed(conn, catalogue(), run_id=1)
    assert (first.full, first.indicators) == (True, 2)
    async with teryt_engine.begin() as conn:  # beta revised: beta alone
        await _publish(conn, {BETA: 3.0}, gminas, run_id=2)
        second = await compute_changed(conn, catalogue(), run_id=2)
        runs = await _runs_by_indicator(conn)
        beta = (await conn.execute(text(
            "SELECT DISTINCT value FROM indicator_value WHERE indicator_code = 'test.beta' "
            "AND level = 'gmina'"
        ))).scalars().all()  # fmt: skip
    assert second == EngineSummary(
        full=False,
        indicators=1,
        with_values=1,
        values=len(gminas) + 2,
        seconds=second.seconds,
        years_limited=1,
    )  # five gminas, their summed powiat(s) and voivodeship, in the one year revised
    assert runs == {"test.alpha": {1}, "test.beta": {2}}
    assert beta == [3.0]
    async with teryt_engine.begin() as conn:  # the same values again: nothing to recompute
        await _publish(conn, {BETA: 3.0}, gminas, run_id=3)
        third = await compute_changed(conn, catalogue(), run_id=3)
        assert await _runs_by_indicator(conn) == runs
    assert third.indicators == 0


async def test_a_changed_definition_is_recomputed_without_new_data(teryt_engine):
    async with teryt_engine.connect() as conn:
        gmina = await conn.scalar(text(
            "SELECT min(teryt) FROM territorial_unit WHERE valid_to IS NULL AND level = 'gmina'"
        ))  # fmt: skip
    async with teryt_engine.begin() as conn:
        await _publish(conn, {ALPHA: 4.0}, [gmina], run_id=1)
        await compute_changed(conn, catalogue(), run_id=1)
    doubled = catalogue()
    alpha = doubled.indicators[0]
    doubled.indicators[0] = msgspec.structs.replace(
        alpha,
        version=alpha.version + 1,
        formula=msgspec.structs.replace(alpha.formula, multiplier=2),
    )
    async with teryt_engine.begin() as conn:
        summary = await compute_changed(conn, doubled, run_id=2)
        value = await conn.scalar(text(
            "SELECT value FROM indicator_value WHERE indicator_code = 'test.alpha' AND teryt = :t"
        ), {"t": gmina})  # fmt: skip
    assert (summary.full, summary.indicators, value) == (False, 1, 8.0)


# --- years: a revision of one year recomputes that year and the next, nothing else ---------

YEARS = range(2019, 2025)


def _ratio_catalogue() -> Catalogue:
    """SYNTHETIC: alpha alone, and alpha per beta with beta from the nearest year (at most 1)."""
    base = catalogue()
    ratio = msgspec.structs.replace(
        base.indicators[0],
        code="test.alpha_per_beta",
        formula=Formula(
            numerator=[Term(source="test", code="alpha")],
            denominator=[Term(source="test", code="beta", year="nearest", max_years=1)],
        ),
    )
    return Catalogue(domains=base.domains, indicators=[base.indicators[0], ratio])


async def _publish_years(
    conn: AsyncConnection,
    variable: VariableDef,
    values: dict[int, float],
    gminas: list[str],
    run_id: int,
) -> None:
    """One publish of `variable` for the given years, a different value for each gmina."""
    records = [
        ObservationRecord(
            row=None, teryt=teryt, variable=variable.code, year=year, value=value + index
        )
        for year, value in values.items()
        for index, teryt in enumerate(gminas)
    ]
    await publish_observations(conn, run_id=run_id, variables=[variable], records=records)


async def _runs_by_year(conn: AsyncConnection, code: str) -> dict[int, set[int]]:
    rows = await conn.execute(
        text("SELECT year, array_agg(DISTINCT load_run_id) FROM indicator_value "
             "WHERE indicator_code = :code GROUP BY year"), {"code": code}
    )  # fmt: skip
    return {year: set(runs) for year, runs in rows}


async def _equals_full_recompute(conn: AsyncConnection, catalogue_: Catalogue) -> None:
    incremental = tuple((await conn.execute(text(_SNAPSHOT))).one())
    await compute_all(conn, catalogue_, run_id=0)
    assert tuple((await conn.execute(text(_SNAPSHOT))).one()) == incremental


async def test_a_revised_year_recomputes_that_year_and_the_next_only(teryt_engine):
    gminas = await _first_gminas(teryt_engine, 4)
    ratios = _ratio_catalogue()
    async with teryt_engine.begin() as conn:
        await _publish_years(conn, ALPHA, {y: 10.0 * (y - 2018) for y in YEARS}, gminas, 1)
        await _publish_years(conn, BETA, dict.fromkeys(YEARS, 2.0), gminas, 1)
        await compute_changed(conn, ratios, run_id=1)
    async with teryt_engine.begin() as conn:  # alpha of 2021 revised
        await _publish_years(conn, ALPHA, {2021: 99.0}, gminas, run_id=2)
        summary = await compute_changed(conn, ratios, run_id=2)
        runs = await _runs_by_year(conn, "test.alpha")
        yoy = await conn.scalar(text(
            "SELECT yoy_change FROM indicator_value WHERE indicator_code = 'test.alpha' "
            "AND year = 2022 AND teryt = :t"), {"t": gminas[0]})  # fmt: skip
        await _equals_full_recompute(conn, ratios)
    assert (summary.full, summary.indicators, summary.years_limited) == (False, 2, 2)
    # 2021 changed; 2022 was published again (its change on 2021 moved) but kept its run.
    assert runs == {2019: {1}, 2020: {1}, 2021: {2}, 2022: {1}, 2023: {1}, 2024: {1}}
    assert yoy == pytest.approx((40.0 - 99.0) / 99.0 * 100)


async def test_a_nearest_denominator_reaches_the_years_within_its_bound(teryt_engine):
    gminas = await _first_gminas(teryt_engine, 3)
    ratios = _ratio_catalogue()
    async with teryt_engine.begin() as conn:  # beta only in odd years: even years borrow
        await _publish_years(conn, ALPHA, dict.fromkeys(YEARS, 6.0), gminas, 1)
        await _publish_years(conn, BETA, {2019: 2.0, 2021: 3.0, 2023: 4.0}, gminas, 1)
        await compute_changed(conn, ratios, run_id=1)
    async with teryt_engine.begin() as conn:  # beta of 2021 revised: 2020-2022 recomputed
        await _publish_years(conn, BETA, {2021: 6.0}, gminas, run_id=2)
        summary = await compute_changed(conn, ratios, run_id=2)
        runs = await _runs_by_year(conn, "test.alpha_per_beta")
        await _equals_full_recompute(conn, ratios)
    assert (summary.indicators, summary.years_limited) == (1, 1)
    # Of a tie the later year wins: 2020 takes 2021's beta and changes, 2022 takes 2023's.
    assert {year for year, run in runs.items() if 2 in run} == {2020, 2021}


async def test_a_denominator_loaded_last_gives_every_year_its_first_values(teryt_engine):
    """Before beta exists the ratio has no rows; beta's one year then fills all of alpha's
    years (within the bound a value, beyond it `denominator_missing`), as in full."""
    gminas = await _first_gminas(teryt_engine, 2)
    ratios = _ratio_catalogue()
    async with teryt_engine.begin() as conn:
        await _publish_years(conn, ALPHA, dict.fromkeys(YEARS, 6.0), gminas, 1)
        await compute_changed(conn, ratios, run_id=1)
    async with teryt_engine.begin() as conn:
        await _publish_years(conn, BETA, {2024: 3.0}, gminas, run_id=2)
        summary = await compute_changed(conn, ratios, run_id=2)
        runs = await _runs_by_year(conn, "test.alpha_per_beta")
        await _equals_full_recompute(conn, ratios)
    assert (summary.indicators, summary.years_limited) == (1, 0)
    assert set(runs) == set(YEARS)


async def test_a_denominator_flagged_later_flags_the_ratios_it_feeds(teryt_engine):
    """SYNTHETIC: beta of 2021 republished with the same value but marked preliminary; the
    ratios that use it (2020-2022, nearest within a year) carry the flag, as in full."""
    gminas = await _first_gminas(teryt_engine, 2)
    ratios = _ratio_catalogue()
    async with teryt_engine.begin() as conn:
        await _publish_years(conn, ALPHA, dict.fromkeys(YEARS, 6.0), gminas, 1)
        await _publish_years(conn, BETA, {2019: 2.0, 2021: 3.0, 2023: 4.0}, gminas, 1)
        await compute_changed(conn, ratios, run_id=1)
    async with teryt_engine.begin() as conn:
        records = [
            ObservationRecord(
                row=None,
                teryt=teryt,
                variable=BETA.code,
                year=2021,
                value=3.0 + index,
                flag="preliminary_estimate",
            )
            for index, teryt in enumerate(gminas)
        ]
        await publish_observations(conn, run_id=2, variables=[BETA], records=records)
        summary = await compute_changed(conn, ratios, run_id=2)
        flags = dict(
            (await conn.execute(text(
                "SELECT year, flags FROM indicator_value WHERE indicator_code = "
                "'test.alpha_per_beta' AND teryt = :t"), {"t": gminas[0]})).all()
        )  # fmt: skip
        await _equals_full_recompute(conn, ratios)
    assert (summary.indicators, summary.years_limited) == (1, 1)
    assert flags[2021] == ["preliminary_estimate"]
    assert flags[2020] == ["preliminary_estimate", "denominator_year_2021"]
    assert flags[2022] == ["denominator_year_2023"]  # of a tie the later year wins
    assert flags[2019] == []


async def test_removed_years_of_a_source_are_recomputed(teryt_engine):
    """`mark_sources_changed` with years (a budget report's stale rows) limits the recompute
    to them; a year's values removed at source are deleted from the published ones."""
    gminas = await _first_gminas(teryt_engine, 2)
    async with teryt_engine.begin() as conn:
        await _publish_years(conn, ALPHA, dict.fromkeys(YEARS, 1.0), gminas, 1)
        await compute_changed(conn, catalogue(), run_id=1)
    async with teryt_engine.begin() as conn:
        await conn.execute(text(
            "DELETE FROM observation WHERE year = 2020 AND variable_id = "
            "(SELECT id FROM variable WHERE source = 'test' AND code = 'alpha')"))  # fmt: skip
        await mark_sources_changed(conn, ["test"], [2020])
        summary = await compute_changed(conn, catalogue(), run_id=2)
        years = await _runs_by_year(conn, "test.alpha")
        await _equals_full_recompute(conn, catalogue())
    assert (summary.indicators, summary.years_limited) == (1, 1)
    assert 2020 not in years


# --- the shipped data: load by load against one full recomputation ------------------------

_SNAPSHOT = """
SELECT md5(string_agg(row(indicator_code, year, teryt, level, value, numerator, denominator,
                          flags, rank, rank_of, peer_group, peer_count, peer_q1, peer_median,
                          peer_q3, national_median, yoy_change)::text,
                      '|' ORDER BY indicator_code, year, teryt)),
       count(*),
       (SELECT md5(string_agg(row(code, years, coverage)::text, '|' ORDER BY code))
        FROM indicator),
       (SELECT md5(string_agg(t::text, '|' ORDER BY teryt, year)) FROM unit_typology t)
FROM indicator_value
"""


@pytest.fixture
async def loaded_copy(pg_server_url: str, loaded_template: str) -> AsyncIterator[AsyncEngine]:
    name = f"{DB_PREFIX}{RUN}_incremental_{next(_copies)}"
    engine = engine_for(await copy_database(pg_server_url, loaded_template, name))
    yield engine
    await engine.dispose()
    await admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_the_shipped_loads_computed_load_by_load_equal_one_full_computation(loaded_copy):
    async with loaded_copy.begin() as conn:
        incremental = tuple((await conn.execute(text(_SNAPSHOT))).one())
        summary = await compute_all(conn, default_catalogue(), run_id=0)
        full = tuple((await conn.execute(text(_SNAPSHOT))).one())
    assert summary.full
    assert summary.values > 100_000
    assert incremental[1] == summary.values
    assert incremental == full


async def test_a_new_register_recomputes_everything(teryt_engine):
    gminas = await _first_gminas(teryt_engine, 2)
    async with teryt_engine.begin() as conn:
        await _publish(conn, {ALPHA: 1.0, BETA: 2.0}, gminas, run_id=1)
        await compute_changed(conn, catalogue(), run_id=1)
    async with teryt_engine.begin() as conn:  # a gmina leaves the register in force
        await conn.execute(
            text("UPDATE territorial_unit SET valid_to = current_date WHERE teryt = :t"),
            {"t": gminas[1]},
        )
        await _publish(conn, {BETA: 5.0}, gminas[:1], run_id=2)
        summary = await compute_changed(conn, catalogue(), run_id=2)
        typology = await conn.scalar(
            text("SELECT count(*) FROM unit_typology WHERE teryt = :t"), {"t": gminas[1]}
        )
    assert (summary.full, summary.indicators, typology) == (True, 2, 0)
