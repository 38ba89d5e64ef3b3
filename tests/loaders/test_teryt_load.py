"""Publishing the register: idempotent, history-keeping, all-or-nothing, every run recorded."""

from datetime import date

import pytest
from sqlalchemy import text

from loaders.errors import LoadRefused
from loaders.teryt import load_teryt
from tests.conftest import SHIPPED_DATA, TEST_DATA

OFFICIAL_CSV = SHIPPED_DATA / "teryt" / "TERC_Urzedowy_2025-11-18.csv"
OLDER_CSV = TEST_DATA / "teryt" / "terc_2024-01-01_converted_from_lokacje_json.csv"
NEWER_SYNTHETIC = TEST_DATA / "teryt" / "synthetic_2026-01-01_renamed_and_closed.csv"
BAD = TEST_DATA / "teryt" / "bad"

CHECKSUM = """
SELECT
  (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM territorial_unit t),
  (SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY id), '')) FROM data_release r)
"""


async def checksum(engine):
    async with engine.connect() as conn:
        return tuple((await conn.execute(text(CHECKSUM))).one())


async def scalar(engine, sql, **params):
    async with engine.connect() as conn:
        return await conn.scalar(text(sql), params)


async def test_first_load_publishes_every_unit_with_one_release(fresh_engine):
    summary = await load_teryt(fresh_engine, OFFICIAL_CSV)
    assert summary.status == "published"
    assert summary.counts.rows_read == 4348
    assert summary.counts.rows_inserted == 4348
    assert summary.data_release_id == 1
    async with fresh_engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT level, count(*) FROM territorial_unit GROUP BY level")
        )
        levels = dict(rows.all())
    assert levels == {"voivodeship": 16, "powiat": 380, "gmina": 2479, "gmina_part": 1473}
    run = await scalar(
        fresh_engine,
        "SELECT row_to_json(r)::text FROM load_run r WHERE id = :id",
        id=summary.run_id,
    )
    assert '"status":"published"' in run
    assert '"sha256":"734e23c01630291499134dd05e202ec734a6eb76dedadfaf58c956e8df7c2f8b"' in run


async def test_loading_the_same_file_twice_changes_nothing(fresh_engine):
    await load_teryt(fresh_engine, OFFICIAL_CSV)
    before = await checksum(fresh_engine)
    again = await load_teryt(fresh_engine, OFFICIAL_CSV)
    assert again.status == "unchanged"
    assert again.data_release_id is None
    assert again.counts.rows_unchanged == 4348
    assert await checksum(fresh_engine) == before
    # the zipped copy of the same register changes nothing either
    zipped = await load_teryt(fresh_engine, TEST_DATA / "teryt" / "TERC_Urzedowy_2025-11-18.zip")
    assert zipped.status == "unchanged"
    assert await checksum(fresh_engine) == before


async def test_newer_register_inserts_new_codes_and_closes_vanished_ones(fresh_engine):
    # Real change between the 2024 and 2025 registers: 7 gminas wiejskie became
    # miejsko-wiejskie (new RODZ 3 code, plus their miasto and obszar wiejski parts), and
    # 2 new gminas wiejskie were created (Szczawa 1207132, Grabówka 2002162).
    first = await load_teryt(fresh_engine, OLDER_CSV)
    assert first.counts.rows_inserted == 4332
    second = await load_teryt(fresh_engine, OFFICIAL_CSV)
    assert second.status == "published"
    assert (second.counts.rows_inserted, second.counts.rows_closed) == (23, 7)
    assert second.data_release_id == 2
    closed = await scalar(
        fresh_engine,
        "SELECT string_agg(teryt || ':' || valid_to, ',' ORDER BY teryt) FROM territorial_unit"
        " WHERE valid_to IS NOT NULL",
    )
    assert closed.split(",")[0] == "0614052:2025-01-01"  # Końskowola, gmina wiejska
    assert len(closed.split(",")) == 7
    kurow = await scalar(
        fresh_engine,
        "SELECT valid_from FROM territorial_unit WHERE teryt = '0614063' AND valid_to IS NULL",
    )
    assert kurow == date(2025, 1, 1)
    assert (
        await scalar(fresh_engine, "SELECT count(*) FROM territorial_unit WHERE valid_to IS NULL")
        == 4348
    )


async def test_newer_register_renames_in_place_and_keeps_history(fresh_engine):
    await load_teryt(fresh_engine, OFFICIAL_CSV)
    summary = await load_teryt(fresh_engine, NEWER_SYNTHETIC)
    assert (summary.counts.rows_updated, summary.counts.rows_closed) == (1, 1)
    assert (
        await scalar(fresh_engine, "SELECT name FROM territorial_unit WHERE teryt = '0201022'")
        == "Bolesławiec Wiejski"
    )
    assert await scalar(
        fresh_engine, "SELECT valid_to FROM territorial_unit WHERE teryt = '0201032'"
    ) == date(2026, 1, 1)


async def test_older_register_than_the_loaded_one_is_refused(fresh_engine):
    await load_teryt(fresh_engine, OFFICIAL_CSV)
    before = await checksum(fresh_engine)
    with pytest.raises(LoadRefused, match="older than the register already loaded"):
        await load_teryt(fresh_engine, OLDER_CSV)
    assert await checksum(fresh_engine) == before


async def test_register_cut_at_a_row_boundary_is_refused_unless_closures_are_allowed(
    fresh_engine,
):
    await load_teryt(fresh_engine, OFFICIAL_CSV)
    before = await checksum(fresh_engine)
    cut = TEST_DATA / "teryt" / "cut_at_row_boundary.csv"
    with pytest.raises(LoadRefused, match=r"would close 3,949 of the 4,348 units"):
        await load_teryt(fresh_engine, cut)
    assert await checksum(fresh_engine) == before
    allowed = await load_teryt(fresh_engine, cut, allow_closures=True)
    assert allowed.counts.rows_closed == 3949


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.iterdir()))
async def test_bad_file_leaves_the_database_exactly_as_before_and_records_the_run(
    fresh_engine, name
):
    await load_teryt(fresh_engine, OFFICIAL_CSV)
    before = await checksum(fresh_engine)
    with pytest.raises(LoadRefused) as refused:
        await load_teryt(fresh_engine, BAD / name)
    assert await checksum(fresh_engine) == before
    async with fresh_engine.connect() as conn:
        run = (
            await conn.execute(
                text(
                    "SELECT status, file_name, errors, message FROM load_run "
                    "ORDER BY id DESC LIMIT 1"
                )
            )
        ).one()
    assert run.status == "failed"
    assert run.file_name == name
    assert run.errors[0]["message"] == refused.value.problems[0].message
    assert run.errors[0]["row"] == refused.value.problems[0].row
    assert name in run.message
