"""The workbook loaders (CKE E8 and matura, GUS ages, MF PIT, the derived BDL copies) refuse a
broken file naming where.

Each broken file is derived from a real one (tests/data/bad/<source>/derive.py) and must be
refused with its first problem's code, sheet, row and field; the database is left as it was and
the run is recorded as failed.
"""

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.bdl_derived import load_bdl_derived
from loaders.cke import load_cke_e8, load_cke_matura
from loaders.gus_ages import load_gus_ages
from loaders.mf_pit import load_mf_pit
from loaders.run import RunSummary
from tests.conftest import TEST_DATA
from tests.education.exam_db import all_checksums
from tests.loader_checks import Checksum, Where, refused_and_unchanged
from tests.loaders.teryt_db import checksum, teryt_engine, teryt_template

__all__ = ["teryt_engine", "teryt_template"]

BAD = TEST_DATA / "bad"


class Source(NamedTuple):
    slice_file: Path
    """The derived slice of a real file that loads (kept small, as the broken files are)."""
    checksum: Checksum
    """A fingerprint of every table the loader may write."""
    load: Callable[[AsyncEngine, Path], Awaitable[RunSummary]]


SOURCES = {
    "cke_e8": Source(
        TEST_DATA / "cke" / "E8_2023_slice_derived.xlsx",
        all_checksums,
        lambda engine, path: load_cke_e8(engine, path, year=2023),
    ),
    "cke_matura": Source(
        TEST_DATA / "cke" / "EM2023_2023_slice_derived.xlsx",
        all_checksums,
        lambda engine, path: load_cke_matura(engine, path, year=2023, formula=2023),
    ),
    "gus_ages": Source(
        TEST_DATA / "gus_ages" / "tabela12_slice_derived.xlsx", checksum, load_gus_ages
    ),
    "mf_pit": Source(
        TEST_DATA / "mf_pit" / "Miasta_NPP_2020_slice_derived.xlsx", checksum, load_mf_pit
    ),
    "bdl_derived": Source(
        TEST_DATA / "bdl_derived" / "Number of unemployed_slice_derived.xlsx",
        checksum,
        lambda engine, path: load_bdl_derived(
            engine,
            path,
            value_column="Number of unemployed",
            variable="labour.registered_unemployed",
            measure_unit="osoba",
            additive=True,
            description="test",
        ),
    ),
}
BROKEN: dict[str, dict[str, Where]] = {
    # the source -> the file name -> the first problem's code, sheet, row and field
    "cke_e8": {
        "truncated.xlsx": ("unreadable_file", None, None, None),
        "is_html.xlsx": ("unreadable_file", None, None, None),
        "missing_sheet.xlsx": ("missing_sheet", "SAS", None, None),
        "no_legend.xlsx": ("missing_sheet", "Legenda", None, None),
        "missing_header.xlsx": ("missing_header", "SAS", 2, "Kod teryt gminy"),
        "non_numeric_count.xlsx": ("not_a_number", "SAS", 5, "matematyka: liczba zdających"),
        "bad_code.xlsx": ("bad_code", "SAS", 4, "Kod teryt gminy"),
        "statistics_below_threshold.xlsx": (
            "inconsistent", "SAS", 45, "matematyka: liczba zdających",
        ),
        "unknown_codes.xlsx": ("too_many_unplaced", "SAS", 3, "Kod teryt gminy"),
    },
    "cke_matura": {
        "truncated.xlsx": ("unreadable_file", None, None, None),
        "missing_sheet.xlsx": ("missing_sheet", "SAS", None, None),
        "missing_header.xlsx": (
            "missing_header", "SAS", 3,
            "Liczba zdających, którzy przystąpili do wszystkich egzaminów wymaganych",
        ),
        "non_numeric_count.xlsx": (
            "not_a_number", "SAS", 5, "Otrzymali świadectwo dojrzałości - liczba",
        ),
        "bad_code.xlsx": ("bad_code", "SAS", 4, "Kod teryt gminy"),
        "certificates_over_takers.xlsx": (
            "inconsistent", "SAS", 5, "Otrzymali świadectwo dojrzałości - liczba",
        ),
        "pass_rate_mismatch.xlsx": ("inconsistent", "SAS", 5, "zdawalność (%)"),
    },
    "gus_ages": {
        "truncated.xlsx": ("unreadable_file", None, None, None),
        "truncated_gzip.xls.gz": ("unreadable_file", None, None, None),
        "is_html.xls": ("unreadable_file", None, None, None),
        "missing_header.xlsx": ("missing_header", "Łódzkie", 6, "Identyfikator terytorialny"),
        "header_row_removed.xlsx": ("missing_header", "Dolnośląskie", None, "Wyszczególnienie"),
        "non_numeric_count.xlsx": ("not_a_number", "Dolnośląskie", 84, "Ogółem"),
        "bad_code.xlsx": ("bad_code", "Dolnośląskie", 9, "Identyfikator terytorialny"),
        "inconsistent_3_6.xlsx": ("inconsistent", "Dolnośląskie", 144, "Ogółem"),
        "unknown_codes.xlsx": ("too_many_unplaced", "Łódzkie", 9, "Identyfikator terytorialny"),
    },
    "mf_pit": {
        "truncated.xlsx": ("unreadable_file", None, None, None),
        "is_html.xlsx": ("unreadable_file", None, None, None),
        "missing_header.xlsx": ("missing_header", "MNPP", 5, "ROZDZIAŁ"),
        "header_row_removed.xlsx": ("missing_header", "MNPP", None, "WK"),
        "non_numeric_amount.xlsx": ("not_a_number", "MNPP", 10, "Dochody wykonane"),
        "bad_code.xlsx": ("bad_code", "MNPP", 12, "PK"),
        "unknown_codes.xlsx": ("too_many_unplaced", "MNPP", 14, "WK+PK+GK+GT"),
        "negative_amount.xlsx": ("negative_count", "MNPP", 9, "Należności"),
        "inconsistent_balance.xlsx": (
            "inconsistent", "MNPP", 16, "Saldo końcowe: należności pozostałe do zapłaty, ogółem"
        ),
    },
    "bdl_derived": {
        "truncated.xlsx": ("unreadable_file", None, None, None),
        "is_html.xlsx": ("unreadable_file", None, None, None),
        "missing_column.xlsx": ("missing_column", None, 1, "Number of unemployed"),
        "non_numeric_count.xlsx": ("not_a_number", None, 7, "Number of unemployed"),
        "bad_code.xlsx": ("bad_code", None, 9, "Code"),
        "name_of_another_powiat.xlsx": ("inconsistent", None, 30, "County"),
    },
}  # fmt: skip


@pytest.mark.parametrize("source", sorted(BROKEN))
def test_every_broken_variant_is_listed(source):
    listed = {p.name for p in (BAD / source).iterdir() if p.name != "derive.py"}
    assert listed == set(BROKEN[source])


@pytest.mark.parametrize(
    ("source", "name"), [(source, name) for source in BROKEN for name in sorted(BROKEN[source])]
)
async def test_a_broken_file_is_refused_naming_where_and_nothing_changes(
    teryt_engine, source, name
):
    checksum, load = SOURCES[source].checksum, SOURCES[source].load
    refusal = await refused_and_unchanged(
        teryt_engine, checksum, lambda: load(teryt_engine, BAD / source / name)
    )
    problem = refusal.problems[0]
    assert problem.file == name
    assert (problem.code, problem.sheet, problem.row, problem.field) == BROKEN[source][name]
    async with teryt_engine.connect() as conn:
        status = await conn.scalar(text("SELECT status FROM load_run ORDER BY id DESC LIMIT 1"))
    assert status == "failed"


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_derived_files_stay_small(source):
    files = [SOURCES[source].slice_file, *(BAD / source).iterdir()]
    assert all(p.stat().st_size < 50_000 for p in files)
