"""The shared observation publisher (`publish_batch`): what every statistical loader ends in.

Batches are written here record by record (SYNTHETIC values for real units of the register in
force, the gminas of powiat bocheński), published into a real database the way
`load_observation_file` publishes a file: one run, one transaction, indicators recomputed.
"""

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.errors import LoadRefused
from loaders.observation_load import ObservationBatch, publish_batch
from loaders.observations import ObservationRecord, VariableDef
from loaders.run import RunSummary, recorded_run
from loaders.teryt import load_teryt
from tests.loaders.test_bdl_load import TERC, checksum, last_run

FILE = "SYNTHETIC_mieszkania_2023.csv"
VARIABLE = VariableDef(
    source="test", code="mieszkania", name="SYNTHETIC dwellings", measure_unit="szt."
)
# (row, TERC code, value): row 1 is the file's header.
GMINAS = [(2, "1201011", 12_400.0), (3, "1201022", 6_100.0), (4, "1201032", 2_300.0),
          (5, "1201042", 1_900.0)]  # fmt: skip


def batch(rows: list[tuple[int, str, float]]) -> ObservationBatch:
    records = [
        ObservationRecord(row=row, teryt=teryt, variable=VARIABLE.code, year=2023, value=value)
        for row, teryt, value in rows
    ]
    return ObservationBatch(file=FILE, variables=[VARIABLE], records=records)


async def publish(engine: AsyncEngine, rows: list[tuple[int, str, float]]) -> RunSummary:
    async with recorded_run(engine, "test", file_name=FILE) as run:
        return await publish_batch(run, batch(rows))


async def stored(engine: AsyncEngine, *, derived: bool = False) -> dict[str, tuple[Any, ...]]:
    """Values given by the source (or the sums derived for powiats and voivodeships), by unit."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT teryt, value, flag, load_run_id FROM observation WHERE derived = :d"),
            {"d": derived},
        )
        return {teryt: (value, flag, run) for teryt, value, flag, run in rows}


def without_runs(values: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    return {teryt: (value, flag) for teryt, (value, flag, _run) in values.items()}


@pytest.fixture
async def engine(fresh_engine: AsyncEngine) -> AsyncEngine:
    await load_teryt(fresh_engine, TERC)
    return fresh_engine


async def test_a_second_value_for_one_variable_year_and_unit_refuses_the_batch(engine):
    await publish(engine, GMINAS)
    before = await checksum(engine)
    # Row 6 repeats Bochnia (wiejska) of row 3 with another value; row 2 changed meanwhile.
    duplicated = [(2, "1201011", 12_500.0), *GMINAS[1:], (6, "1201022", 6_150.0)]

    with pytest.raises(LoadRefused) as refused:
        await publish(engine, duplicated)
    (problem,) = refused.value.problems
    assert (problem.file, problem.row, problem.field) == (FILE, 6, "code")
    assert problem.message == "a second value for mieszkania, 2023, unit 1201022 (first at row 3)"
    run = await last_run(engine)
    assert run["status"] == "failed"
    assert [(e["file"], e["row"], e["field"]) for e in run["errors"]] == [(FILE, 6, "code")]
    assert await checksum(engine) == before  # observations, indicators, releases untouched


async def test_the_same_batch_again_is_unchanged_and_one_changed_value_updates_one_row(engine):
    first = await publish(engine, GMINAS)
    assert (first.status, first.counts.rows_inserted) == ("published", 4)
    before = await checksum(engine)
    values, sums = await stored(engine), await stored(engine, derived=True)
    assert without_runs(sums) == {"1201": (22_700.0, "partial_sum_of_gmina"),
                                  "12": (22_700.0, "partial_sum_of_powiat")}  # fmt: skip

    again = await publish(engine, GMINAS)
    assert again.status == "unchanged"
    assert again.data_release_id is None
    assert again.counts.rows_unchanged == 4
    assert (again.counts.rows_inserted, again.counts.rows_updated) == (0, 0)
    assert await stored(engine) == values
    assert without_runs(await stored(engine, derived=True)) == without_runs(sums)
    assert (await checksum(engine))[1:] == before[1:]  # indicators, variables, releases

    changed = [GMINAS[0], (3, "1201022", 6_150.0), *GMINAS[2:]]
    third = await publish(engine, changed)
    assert third.status == "published"
    assert third.data_release_id == (first.data_release_id or 0) + 1
    counts = third.counts
    assert (counts.rows_updated, counts.rows_inserted, counts.rows_closed) == (1, 0, 0)
    assert counts.rows_unchanged == 3
    after = await stored(engine)
    assert after["1201022"] == (6_150.0, None, third.run_id)
    assert {k: v for k, v in after.items() if k != "1201022"} == {
        k: v for k, v in values.items() if k != "1201022"
    }


async def test_an_unchanged_publish_leaves_every_observation_row_as_it_was(engine):
    await publish(engine, GMINAS)
    before = await checksum(engine)
    assert (await publish(engine, GMINAS)).status == "unchanged"
    assert await checksum(engine) == before
