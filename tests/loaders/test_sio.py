"""The SIO reader and loader on the real Kutno files (tests/data/sio, PROVENANCE.md there).

SIO_30_09_2021_schools.csv and SIO_30_09_2022_schools.csv: pupils of Kutno's primary schools
(the 2021 extract also lists a Catholic school run by a parish); SIO_etaty.csv: teacher FTEs
(no date in the file); uczniowie.csv: the 2022 pupils in another layout (no codes, no date).
Expected figures are read here with the csv module, independently of the loader.
"""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from loaders.errors import LoadRefused
from loaders.sio import load_sio, parse_sio
from loaders.sio.parse import sio_number
from tests.loaders.teryt_db import checksum, teryt_engine, teryt_template

__all__ = ["teryt_engine", "teryt_template"]

DATA = Path(__file__).resolve().parents[1] / "data" / "sio"
PUPILS_2021 = DATA / "SIO_30_09_2021_schools.csv"
PUPILS_2022 = DATA / "SIO_30_09_2022_schools.csv"
FTE = DATA / "SIO_etaty.csv"
PUPILS_OTHER_LAYOUT = DATA / "uczniowie.csv"
KUTNO = "1002011"
CATHOLIC = 31728
# Read from the files by hand and written down (RSPO -> pupils).
PUPILS_2022_BY_RSPO = {
    31727: Decimal("420.4063"),
    34266: Decimal("765.8344"),
    31729: Decimal("212.1704"),
    34265: Decimal("695.7776"),
    263961: Decimal("283"),
    31717: Decimal("257"),
    263969: Decimal("321"),
}
PUPILS_2021_BY_RSPO = {
    31727: Decimal("456.736"),  # written 456.73599999999999 by the program that made the file
    CATHOLIC: Decimal("140"),
    34265: Decimal("731.983"),
    31729: Decimal("236.76"),
    34266: Decimal("839.498"),
    31717: Decimal("240.706"),
    263969: Decimal("300"),
    263961: Decimal("263.3955"),
}


def column_sum(path: Path, column: str) -> Decimal:
    """The hand computation: the column of every row, rounded to SIO's 4 decimals."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sum((Decimal(r[column]).quantize(Decimal("0.0001")) for r in rows), Decimal(0))


def test_pupils_are_exact_decimals_and_codes_are_padded():
    batch = parse_sio(PUPILS_2022)
    assert batch.layout == "schools"
    assert batch.as_of == date(2022, 9, 30)  # from the name
    assert {s.rspo: s.pupils for s in batch.schools} == PUPILS_2022_BY_RSPO
    six = next(s for s in batch.schools if s.rspo == 31727)
    assert six.regon == "000903280"  # written 903280
    assert six.registering_teryt == six.governing_teryt == KUTNO  # written 10,2,1 + M
    assert six.name == "SZKOŁA PODSTAWOWA NR 6 IM. MARII SKŁODOWSKIEJ - CURIE W KUTNIE"


def test_float_printing_noise_is_read_as_the_decimal_meant():
    assert "456.73599999999999" in PUPILS_2021.read_text(encoding="utf-8")
    assert sio_number("456.73599999999999") == Decimal("456.736")
    assert sio_number("263.39550000000003") == Decimal("263.3955")
    assert sio_number("420.4063") == Decimal("420.4063")
    assert sio_number("") is None
    with pytest.raises(ValueError, match="not a number"):
        sio_number("4OO")


def test_a_school_run_by_a_parish_has_no_governing_unit():
    batch = parse_sio(PUPILS_2021)
    assert {s.rspo: s.pupils for s in batch.schools} == PUPILS_2021_BY_RSPO
    catholic = next(s for s in batch.schools if s.rspo == CATHOLIC)
    assert catholic.governing_type == "Organizacje Wyznaniowe"
    assert catholic.registering_teryt == KUTNO
    assert catholic.governing_teryt is None


@pytest.mark.parametrize("path", [PUPILS_2021, PUPILS_2022], ids=lambda p: p.name)
def test_pupil_totals_equal_the_source_files(path):
    parsed = sum((s.pupils for s in parse_sio(path).schools), Decimal(0))
    assert parsed == column_sum(path, "Liczba uczniów")
    assert parsed == {PUPILS_2021: Decimal("3209.0785"), PUPILS_2022: Decimal("2955.1887")}[path]


def test_teacher_ftes_need_a_date_and_add_up():
    with pytest.raises(LoadRefused, match="give --as-of"):
        parse_sio(FTE)
    batch = parse_sio(FTE, as_of=date(2022, 9, 30))
    assert batch.layout == "fte"
    assert sum((s.teacher_fte for s in batch.schools), Decimal(0)) == Decimal("321.36")
    assert all(s.pupils is None and s.governing_teryt is None for s in batch.schools)


def test_a_reference_date_still_to_come_is_refused():
    with pytest.raises(LoadRefused, match="has not come yet"):
        parse_sio(FTE, as_of=date(2099, 9, 30))


def test_a_date_that_contradicts_the_name_is_refused():
    with pytest.raises(LoadRefused, match="the name says 2022-09-30"):
        parse_sio(PUPILS_2022, as_of=date(2021, 9, 30))


def bad_copy(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / PUPILS_2022.name
    target.write_text(PUPILS_2022.read_text(encoding="utf-8").replace(old, new, 1), "utf-8")
    return target


@pytest.mark.parametrize(
    ("old", "new", "row", "field", "message"),
    [
        (",420.4063,", ",420,4063,", 2, None, "fields, the header has"),
        (",903280,", ",9O3280,", 2, "REGON", "not a REGON"),
        (",dzienna,420.4063,", ",dzienna,dużo,", 2, "Liczba uczniów", "not a number"),
        (",Kutno,M,903334,", ",Kutno,X,903334,", 3, "Woj/Pow/Gmi/Typ gminy", "Typ gminy"),
    ],
)
def test_malformed_rows_are_refused_with_row_and_field(tmp_path, old, new, row, field, message):  # noqa: PLR0917
    with pytest.raises(LoadRefused) as caught:
        parse_sio(bad_copy(tmp_path, old, new))
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.field) == (PUPILS_2022.name, row, field)
    assert message in problem.message


async def rows(engine, sql, **params):
    async with engine.connect() as conn:
        return (await conn.execute(text(sql), params)).all()


async def test_loading_keeps_pupils_by_school_and_date(teryt_engine):
    for path in (PUPILS_2021, PUPILS_2022):
        summary = await load_sio(teryt_engine, path)
        assert summary.status == "published"
    stored = await rows(
        teryt_engine,
        "SELECT as_of, sum(pupils), count(*) FROM sio_school "
        "WHERE governing_teryt = :t GROUP BY as_of ORDER BY as_of",
        t=KUTNO,
    )
    # Governed by Kutno: the 7 gmina schools (the parish school is not).
    assert stored == [
        (date(2021, 9, 30), Decimal("3069.0785"), 7),
        (date(2022, 9, 30), Decimal("2955.1887"), 7),
    ]
    again = await load_sio(teryt_engine, PUPILS_2022)
    assert again.status == "unchanged"


async def test_teacher_ftes_join_the_stored_schools_without_touching_pupils(teryt_engine):
    await load_sio(teryt_engine, PUPILS_2022)
    summary = await load_sio(teryt_engine, FTE, as_of=date(2022, 9, 30))
    assert summary.counts.rows_updated == 7
    stored = await rows(
        teryt_engine,
        "SELECT rspo, pupils, teacher_fte, governing_teryt FROM sio_school ORDER BY rspo",
    )
    assert {r.rspo: r.pupils for r in stored} == PUPILS_2022_BY_RSPO
    assert {r.rspo: r.teacher_fte for r in stored}[34265] == Decimal("66.71")
    assert {r.governing_teryt for r in stored} == {KUTNO}


async def test_a_code_less_file_takes_the_governing_unit_from_stored_rows(teryt_engine):
    await load_sio(teryt_engine, PUPILS_2021)
    summary = await load_sio(teryt_engine, PUPILS_OTHER_LAYOUT, as_of=date(2022, 9, 30))
    assert summary.status == "published"
    stored = {
        r.rspo: r
        for r in await rows(
            teryt_engine, "SELECT * FROM sio_school WHERE as_of = :d", d=date(2022, 9, 30)
        )
    }
    assert stored[31727].governing_teryt == KUTNO
    assert stored[CATHOLIC].governing_teryt is None
    assert stored[CATHOLIC].pupils == Decimal("131")


async def test_a_code_less_file_alone_warns_about_every_school(teryt_engine):
    summary = await load_sio(teryt_engine, FTE, as_of=date(2022, 9, 30))
    assert sum("no stored row with unit codes" in p.message for p in summary.problems) == 7


async def test_a_bad_file_leaves_the_database_unchanged(teryt_engine, tmp_path):
    await load_sio(teryt_engine, PUPILS_2021)
    before = await checksum(teryt_engine)
    with pytest.raises(LoadRefused):
        await load_sio(teryt_engine, bad_copy(tmp_path, ",903280,", ",abc,"))
    assert await checksum(teryt_engine) == before
