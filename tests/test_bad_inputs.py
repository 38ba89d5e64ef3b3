"""The broken-file corpus: every file refused naming file (and row and field where the file
has rows), the database byte-for-byte unchanged, the refusal recorded as a failed run."""

from pathlib import Path

import pytest
from sqlalchemy import text

from loaders.area.load import load_area
from loaders.bdl.api_json import parse_variable_page
from loaders.bdl.export_load import load_bdl_export
from loaders.errors import LoadRefused
from loaders.observation_load import ObservationBatch, load_observation_file
from loaders.observations import VariableDef
from loaders.teryt import load_teryt
from tests.conftest import TEST_DATA, engine_for

BAD = TEST_DATA / "bad"
CORPUS = sorted(
    [p for p in BAD.rglob("*") if p.is_file() and p.name != "derive.py"]
    + sorted((TEST_DATA / "teryt" / "bad").iterdir())
)
# Files whose refusal must point at a row and a field (the rest are refused as a whole).
ROW_AND_FIELD = {
    "non_numeric.csv": (3, "ogółem"),
    "negative_count.csv": (2, "ogółem"),
    "future_year.csv": (1, "ogółem;2031;[osoba]"),
    "duplicate_conflict.csv": (31, "Kod"),
    "bad_code.csv": (2, "Kod"),
    "utf8_read_as_cp1250.csv": (2, "Nazwa"),
    "pipe_separated.csv": (1, None),
    "no_code_column.csv": (1, "Id"),
    "unknown_codes.csv": (2, "code"),
}
CHECKSUM = "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
CHECKSUM = "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
TABLES = ("territorial_unit", "variable", "observation", "indicator", "indicator_value",
          "unit_typology", "unit_neighbour", "data_release")  # fmt: skip


async def checksums(engine) -> dict[str, str]:
    async with engine.connect() as conn:
        return {table: await conn.scalar(text(CHECKSUM.format(table=table))) for table in TABLES}


def _api_batch(path: Path) -> ObservationBatch:
    parsed = parse_variable_page(path.read_bytes(), source=path.name)
    variable = VariableDef(source="gus_bdl", code="0", name="sample", measure_unit="-")
    return ObservationBatch(file=path.name, variables=[variable], records=parsed.records)


async def load(engine, path: Path) -> None:
    kind = path.parent.name
    if kind == "bdl_export":
        await load_bdl_export(
            engine, path, table="LUDN 2137", columns={"ogółem": "population.total"},
            measure_unit="osoba", year=2020,
        )  # fmt: skip
    elif kind == "area":
        await load_area(engine, path)
    elif kind == "bdl_api":
        await load_observation_file(engine, source="bdl", path=path, read=lambda: _api_batch(path))
    else:
        await load_teryt(engine, path)


def test_the_corpus_is_large_and_covers_every_loader():
    assert len(CORPUS) >= 30
    assert {p.parent.name for p in CORPUS} == {"bdl_export", "area", "bdl_api", "teryt_zip", "bad"}


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
async def test_broken_file_is_refused_and_nothing_changes(loaded_db_url, path):
    engine = engine_for(loaded_db_url)
    before = await checksums(engine)
    with pytest.raises(LoadRefused) as refused:
        await load(engine, path)
    problem = refused.value.problems[0]
    assert path.name in problem.file
    assert problem.message
    if path.name in ROW_AND_FIELD and path.parent.name == "bdl_export":
        assert (problem.row, problem.field) == ROW_AND_FIELD[path.name]
    assert await checksums(engine) == before
    async with engine.connect() as conn:
        run = (
            await conn.execute(text("SELECT status, errors FROM load_run ORDER BY id DESC LIMIT 1"))
        ).one()
    assert run.status == "failed"
    assert run.errors[0]["message"] == problem.message
    await engine.dispose()
