"""The broken-file corpus: every file refused naming file (and row and field where the file
has rows), the database byte-for-byte unchanged, the refusal recorded as a failed run."""

from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.area.load import load_area
from loaders.bdl.api_json import parse_variable_page
from loaders.bdl.export_load import load_bdl_export
from loaders.bdl_derived import load_bdl_derived
from loaders.cke import load_cke_e8, load_cke_matura
from loaders.errors import PROBLEM_CODES, LoadRefused
from loaders.gus_ages import load_gus_ages
from loaders.mf_pit import load_mf_pit
from loaders.mf_rb import load_mf_rb
from loaders.observation_load import ObservationBatch, load_observation_file
from loaders.observations import VariableDef
from loaders.schools import load_schools
from loaders.sio import load_sio
from loaders.teryt import load_teryt
from tests.conftest import TEST_DATA, engine_for

BAD = TEST_DATA / "bad"
POZYCJA_1 = "Jednostka[1]/Sprawozdania/Rb-28s/Pozycje/Pozycja[1]"
CORPUS = sorted(
    [p for p in BAD.rglob("*") if p.is_file() and p.name != "derive.py"]
    + sorted((TEST_DATA / "teryt" / "bad").iterdir())
)
# Files whose refusal must point at a row and a field (the rest are refused as a whole). An
# MF package is one line: its problems name the element path as the field, and no row.
ROW_AND_FIELD = {
    "schools/missing_column.xlsx": (1, "Oddziały"),
    "schools/non_numeric_count.xlsx": (5, "Uczniowie, wychow., słuchacze"),
    "schools/negative_count.xlsx": (5, "Nauczyciele pełnozatrudnieni"),
    "schools/bad_code.xlsx": (4, "gm"),
    "bdl_export/non_numeric.csv": (3, "ogółem"),
    "bdl_export/negative_count.csv": (2, "ogółem"),
    "bdl_export/future_year.csv": (1, "ogółem;2031;[osoba]"),
    "bdl_export/duplicate_conflict.csv": (31, "Kod"),
    "bdl_export/bad_code.csv": (2, "Kod"),
    "bdl_export/utf8_read_as_cp1250.csv": (2, "Nazwa"),
    "bdl_export/pipe_separated.csv": (1, None),
    "bdl_export/no_code_column.csv": (1, "Id"),
    "bdl_export/unknown_codes.csv": (2, "code"),
    "bdl_long/bad_code.csv": (5, "Kod"),
    "bdl_long/non_numeric.csv": (6, "Wartosc"),
    "bdl_long/year_2099.csv": (8, "Rok"),
    "bdl_long/duplicate_key.csv": (32, "Kod"),
    "bdl_long/no_december.csv": (1, "grudzień;stopa bezrobocia rejestrowanego"),
    "mf_rb/truncated.xml": (1, None),
    "mf_rb/utf16.xml": (1, None),
    "mf_rb/reencoded_cp1250.xml": (1, None),
    "mf_rb/non_numeric_amount.xml": (None, f"{POZYCJA_1}/WW"),
    "mf_rb/absurd_amount.xml": (None, f"{POZYCJA_1}/WW"),
    "mf_rb/rozdzial_not_in_dzial.xml": (None, f"{POZYCJA_1}/Rozdzial"),
    "mf_rb/malformed_paragraf.xml": (None, f"{POZYCJA_1}/Paragraf"),
    "mf_rb/year_2101.xml": (None, "Okres/Rok"),
    "mf_rb/quarter_5.xml": (None, "Okres/Okres"),
    "mf_rb/year_2099.xml": (None, "Okres/Rok"),
    "mf_rb/duplicate_conflict.xml": (None, "Jednostka[3]/Sprawozdania/Rb-28s"),
    "mf_rb/unknown_unit.xml": (None, "Jednostka[2]/WK+PK+GK+GT"),
    "sio/semicolon_separated.csv": (1, None),
    "sio/missing_column.csv": (1, None),
    "sio/html_error_page.csv": (1, None),
    "sio/utf8_read_as_cp1250.csv": (1, None),
    "sio/non_numeric_count.csv": (2, "Liczba uczniów"),
    "sio/negative_count.csv": (2, "Liczba uczniów"),
    "sio/absurd_count.csv": (2, "Liczba uczniów"),
    "sio/huge_line.csv": (2, None),
    "sio/header_only.csv": (1, None),
    "sio/unknown_gmina_type.csv": (2, "Woj/Pow/Gmi/Typ gminy"),
    "sio/truncated.csv": (8, None),
    "sio/fte_duplicate_school.csv": (9, "Numer RSPO"),
    "sio/mixed_encoding.csv": (2, None),
    "cke_e8/non_numeric_count.xlsx": (5, "matematyka: liczba zdających"),
    "cke_e8/bad_code.xlsx": (4, "Kod teryt gminy"),
    "cke_matura/non_numeric_count.xlsx": (5, "Otrzymali świadectwo dojrzałości - liczba"),
    "cke_matura/bad_code.xlsx": (4, "Kod teryt gminy"),
    "mf_pit/missing_header.xlsx": (5, "ROZDZIAŁ"),
    "mf_pit/non_numeric_amount.xlsx": (10, "Dochody wykonane"),
    "mf_pit/bad_code.xlsx": (12, "PK"),
    "mf_pit/unknown_codes.xlsx": (14, "WK+PK+GK+GT"),
    "bdl_derived/missing_column.xlsx": (1, "Number of unemployed"),
    "bdl_derived/non_numeric_count.xlsx": (7, "Number of unemployed"),
    "bdl_derived/bad_code.xlsx": (9, "Code"),
    "bdl_derived/name_of_another_powiat.xlsx": (30, "County"),
}
# The stable problem code of each refusal (loaders/errors.py): what stewards filter by.
EXPECTED_CODE = {
    "schools/truncated.xlsx": "unreadable_file",
    "schools/missing_sheet.xlsx": "missing_sheet",
    "schools/missing_column.xlsx": "missing_column",
    "schools/non_numeric_count.xlsx": "not_a_number",
    "schools/negative_count.xlsx": "negative_count",
    "schools/bad_code.xlsx": "bad_code",
    "area/Wykaz_powierzchni_wg_stanu_na_01012025_negative_area.xlsx": "negative_count",
    "area/Wykaz_powierzchni_wg_stanu_na_01012025_text_in_area.xlsx": "not_a_number",
    "area/Wykaz_powierzchni_wg_stanu_na_01012025_truncated.xlsx": "unreadable_file",
    "area/Wykaz_powierzchni_wg_stanu_na_01012025_duplicate_code.xlsx": "duplicate_key",
    "bdl_api/truncated.json": "unreadable_file",
    "bdl_export/bad_code.csv": "bad_code",
    "bdl_export/duplicate_conflict.csv": "duplicate_key",
    "bdl_export/future_year.csv": "out_of_range",
    "bdl_export/negative_count.csv": "negative_count",
    "bdl_export/non_numeric.csv": "not_a_number",
    "bdl_export/no_code_column.csv": "missing_header",
    "bdl_export/html_error_page.csv": "missing_header",
    "bdl_export/pipe_separated.csv": "missing_header",
    "bdl_export/utf8_read_as_cp1250.csv": "wrong_encoding",
    "bdl_export/truncated.csv": "unreadable_file",
    "bdl_long/bad_code.csv": "bad_code",
    "bdl_long/non_numeric.csv": "not_a_number",
    "bdl_long/year_2099.csv": "out_of_range",
    "bdl_long/duplicate_key.csv": "duplicate_key",
    "bdl_long/no_december.csv": "missing_column",
    "mf_rb/non_numeric_amount.xml": "not_a_number",
    "mf_rb/malformed_paragraf.xml": "bad_code",
    "mf_rb/unknown_unit.xml": "unknown_unit",
    "mf_rb/duplicate_conflict.xml": "duplicate_key",
    "mf_rb/rozdzial_not_in_dzial.xml": "inconsistent",
    "mf_rb/year_2101.xml": "out_of_range",
    "sio/missing_column.csv": "missing_column",
    "sio/non_numeric_count.csv": "not_a_number",
    "sio/negative_count.csv": "negative_count",
    "sio/absurd_count.csv": "out_of_range",
    "sio/mixed_encoding.csv": "wrong_encoding",
    "sio/fte_duplicate_school.csv": "duplicate_key",
    "sio/unknown_gmina_type.csv": "bad_code",
    "teryt_zip/TERC_no_member.zip": "missing_file",
    "bad/bad_code.csv": "bad_code",
    "bad/duplicate.csv": "duplicate_key",
    "bad/missing_column.csv": "missing_column",
    "bad/orphan_gmina.csv": "inconsistent",
    "bad/truncated.zip": "unreadable_file",
    "bad/utf8_read_as_cp1250.csv": "wrong_encoding",
    "cke_e8/truncated.xlsx": "unreadable_file",
    "cke_e8/missing_sheet.xlsx": "missing_sheet",
    "cke_e8/missing_header.xlsx": "missing_header",
    "cke_e8/non_numeric_count.xlsx": "not_a_number",
    "cke_e8/bad_code.xlsx": "bad_code",
    "cke_matura/truncated.xlsx": "unreadable_file",
    "cke_matura/missing_sheet.xlsx": "missing_sheet",
    "cke_matura/missing_header.xlsx": "missing_header",
    "cke_matura/non_numeric_count.xlsx": "not_a_number",
    "cke_matura/bad_code.xlsx": "bad_code",
    "mf_pit/truncated.xlsx": "unreadable_file",
    "mf_pit/missing_header.xlsx": "missing_header",
    "mf_pit/header_row_removed.xlsx": "missing_header",
    "mf_pit/non_numeric_amount.xlsx": "not_a_number",
    "mf_pit/bad_code.xlsx": "bad_code",
    "mf_pit/unknown_codes.xlsx": "too_many_unplaced",
    "mf_pit/negative_amount.xlsx": "negative_count",
    "mf_pit/inconsistent_balance.xlsx": "inconsistent",
    "bdl_derived/truncated.xlsx": "unreadable_file",
    "bdl_derived/is_html.xlsx": "unreadable_file",
    "bdl_derived/missing_column.xlsx": "missing_column",
    "bdl_derived/non_numeric_count.xlsx": "not_a_number",
    "bdl_derived/bad_code.xlsx": "bad_code",
    "bdl_derived/name_of_another_powiat.xlsx": "inconsistent",
}
# Order-free (count and sum of row hashes): sorting the 0.7M exam figures for an md5 cost 3 s
# a table and check, twice for every file of the corpus.
CHECKSUM = "SELECT count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0) FROM {table} t"
TABLES = ("territorial_unit", "variable", "observation", "indicator", "indicator_value",
          "unit_typology", "unit_neighbour", "unit_group", "data_release", "budget_report",
          "budget_report_line", "sio_school", "school", "school_figure")  # fmt: skip
# SIO_etaty.csv, which fte_duplicate_school.csv comes from, does not say its date.
SIO_AS_OF = date(2022, 9, 30)


async def checksums(engine) -> dict[str, str]:
    async with engine.connect() as conn:
        return {table: await conn.scalar(text(CHECKSUM.format(table=table))) for table in TABLES}


def _api_batch(path: Path) -> ObservationBatch:
    parsed = parse_variable_page(path.read_bytes(), source=path.name)
    variable = VariableDef(source="gus_bdl", code="0", name="sample", measure_unit="-")
    return ObservationBatch(file=path.name, variables=[variable], records=parsed.records)


LOADS: dict[str, Callable[[AsyncEngine, Path], Awaitable[object]]] = {
    "bdl_export": lambda engine, path: load_bdl_export(
        engine, path, table="LUDN 2137", columns={"ogółem": "population.total"},
        measure_unit="osoba", year=2020,
    ),
    "bdl_long": lambda engine, path: load_bdl_export(
        engine, path, table="stopa bezrobocia rejestrowanego", measure_unit="%", year=None,
        columns={"grudzień;stopa bezrobocia rejestrowanego": "labour.unemployment_rate"},
        additive=False,
    ),
    "area": load_area,
    "bdl_api": lambda engine, path: load_observation_file(
        engine, source="bdl", path=path, read=lambda: _api_batch(path)
    ),
    "mf_rb": load_mf_rb,
    "sio": lambda engine, path: load_sio(engine, path, as_of=SIO_AS_OF),
    "gus_ages": lambda engine, path: load_gus_ages(engine, path, year=2020),
    "cke_e8": lambda engine, path: load_cke_e8(engine, path, year=2023),
    "cke_matura": lambda engine, path: load_cke_matura(engine, path, year=2023, formula=2023),
    "schools": load_schools,
    "mf_pit": load_mf_pit,
    "bdl_derived": lambda engine, path: load_bdl_derived(
        engine, path, value_column="Number of unemployed",
        variable="labour.registered_unemployed", measure_unit="osoba", additive=True,
        description="test",
    ),
}  # fmt: skip
"""The loader of each folder of the corpus; any other folder holds TERYT files."""


async def load(engine: AsyncEngine, path: Path) -> None:
    await LOADS.get(path.parent.name, load_teryt)(engine, path)


def _key(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_the_corpus_is_large_and_covers_every_loader():
    assert len(CORPUS) >= 30
    assert {p.parent.name for p in CORPUS} == {
        "bdl_export", "bdl_long", "area", "bdl_api", "teryt_zip", "mf_rb", "sio", "gus_ages",
        "schools", "cke_e8", "cke_matura", "mf_pit", "bdl_derived", "bad"
    }  # fmt: skip
    assert set(ROW_AND_FIELD) <= {_key(p) for p in CORPUS}
    assert set(EXPECTED_CODE) <= {_key(p) for p in CORPUS}


@pytest.fixture(scope="module")
async def stored_before(loaded_db_url: str) -> dict[str, str]:
    """The checksums of the shared loaded copy, taken once: every refusal must leave them so
    (hashing every row before and after each of the 119 files was half the suite's time)."""
    engine = engine_for(loaded_db_url)
    try:
        return await checksums(engine)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("path", [pytest.param(p, id=_key(p)) for p in CORPUS])
async def test_broken_file_is_refused_and_nothing_changes(loaded_db_url, stored_before, path):
    engine = engine_for(loaded_db_url)
    try:
        before = stored_before
        with pytest.raises(LoadRefused) as refused:
            await load(engine, path)
        problem = refused.value.problems[0]
        assert path.name in problem.file
        assert problem.message
        assert await checksums(engine) == before
        async with engine.connect() as conn:
            run = (
                await conn.execute(
                    text("SELECT status, errors FROM load_run ORDER BY id DESC LIMIT 1")
                )
            ).one()
        assert run.status == "failed"
        assert run.errors[0]["message"] == problem.message
        assert problem.code in PROBLEM_CODES
        assert run.errors[0]["code"] == problem.code
        if _key(path) in EXPECTED_CODE:
            assert problem.code == EXPECTED_CODE[_key(path)]
        if _key(path) in ROW_AND_FIELD:
            assert (problem.row, problem.field) == ROW_AND_FIELD[_key(path)]
    finally:
        await engine.dispose()
