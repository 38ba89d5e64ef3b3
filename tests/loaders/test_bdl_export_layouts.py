"""Every layout BDL exports come in, read by one loader: the derived files of
tests/data/bdl_layouts/ (rows of the real shipped exports written again in each layout) give
the same figures as the real files, matched by variable name whatever year and unit follow.

Hand figures, read from the real files in data/bdl/: LUDN 2425 2023 DOLNOŚLĄSKIE 2879,27,
Bolesławiec (1) 37,06, Kraków (powiat 1261000) 806,20 thousand; FINA 2622 own revenue 2024
Bolesławiec (1) 180 180 717,13 zł, its powiat 380 800 926,08, DOLNOŚLĄSKIE 15 561 011 450,65;
KULT 3881 2018 powiat bolesławiecki 23 stadiums and 2 indoor pools, dzierżoniowski 16 tennis
courts; the December unemployment rate of powiat kutnowski 15,5 / 14,2 / 12,2 % (2014-2016),
2017 empty with attribute n, łódzkie 8,6 % in 2016, powiat bolesławiecki 8,9 % in 2014.
"""

import csv
from io import StringIO
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.bdl.export_csv import parse_bdl_export
from loaders.bdl.export_format import to_teryt
from loaders.bdl.export_header import detect_decimal, sniff_dialect
from loaders.bdl.export_load import load_bdl_export
from loaders.errors import LoadRefused
from loaders.source_text import read_source_text
from tests.conftest import SHIPPED_DATA, TEST_DATA
from tests.loaders.teryt_db import teryt_engine, teryt_template

__all__ = ["teryt_engine", "teryt_template"]  # fixtures

LAYOUTS = TEST_DATA / "bdl_layouts"
REAL = SHIPPED_DATA / "bdl"
POPULATION = {"ludność w tysiącach": "population.total"}
OWN = {"gminy łącznie z miastami na prawach powiatu;razem": "gmina_budget.own_revenue"}
SPORT = {
    "stadiony;ogółem": "sport.stadiums",
    "korty tenisowe": "sport.tennis_courts",  # the variable alone: its dimension is implied
    "pływalnie kryte;ogółem;2018;[ob.]": "sport.indoor_pools",  # a whole cell, copied
}
DECEMBER = {"grudzień;stopa bezrobocia rejestrowanego": "labour.unemployment_rate.m12"}
LUDN_FIGURES = {("02", 2023): 2879.27, ("0201011", 2023): 37.06, ("1261", 2023): 806.2}
RATE = "labour.unemployment_rate.m12"


class Layout(msgspec.Struct, frozen=True, kw_only=True):
    derived: str
    real: str
    columns: dict[str, str]
    dialect: tuple[str, str]
    """(separator, decimal mark) the loader must find."""
    units: set[tuple[int, str | None]]
    """(year, unit) of the columns read, as the derived header says them."""
    figures: dict[tuple[str, str, int], float | None]
    """(variable, teryt, year) -> value, read by hand from the real file."""
    real_year: int | None = None
    """--year the real file needs (its header does not say it)."""


def _ludn(figure: dict[tuple[str, int], float]) -> dict[tuple[str, str, int], float | None]:
    return {("population.total", teryt, year): value for (teryt, year), value in figure.items()}


FINA_FIGURES: dict[tuple[str, str, int], float | None] = {
    ("gmina_budget.own_revenue", "0201011", 2024): 180_180_717.13,
    ("gmina_budget.own_revenue", "0201", 2024): 380_800_926.08,
    ("gmina_budget.own_revenue", "02", 2024): 15_561_011_450.65,
}
FINA_UNITS = {(year, "zł") for year in range(2015, 2025)}
COMMA, SEMICOLON = (",", "."), (";", ",")


def _ludn_layout(derived: str, dialect: tuple[str, str]) -> Layout:
    return Layout(
        derived=derived, real="LUDN_2425_CTAB_20241028202819_2023.csv", columns=POPULATION,
        dialect=dialect, units={(2023, "tys. osób")}, figures=_ludn(LUDN_FIGURES),
        real_year=2023,
    )  # fmt: skip


def _fina_layout(derived: str, dialect: tuple[str, str]) -> Layout:
    return Layout(
        derived=derived, real="FINA_2622_CTAB_20260608161005.csv", columns=OWN,
        dialect=dialect, units=FINA_UNITS, figures=FINA_FIGURES,
    )  # fmt: skip


LAYOUT_CASES = [
    _ludn_layout("LUDN_2425_CTAB_comma_joined_comma_derived.csv", COMMA),
    _ludn_layout("LUDN_2425_CTAB_semicolon_split_derived.csv", SEMICOLON),
    _ludn_layout("LUDN_2425_CTAB_comma_split_derived.csv", COMMA),
    _fina_layout("FINA_2622_CTAB_comma_joined_semicolon_derived.csv", COMMA),
    _fina_layout("FINA_2622_CTAB_semicolon_joined_comma_no_trailing_derived.csv", SEMICOLON),
    _fina_layout("FINA_2622_CTAB_semicolon_split_derived.csv", SEMICOLON),
    Layout(
        derived="KULT_3881_CTAB_comma_joined_comma_derived.csv",
        real="KULT_3881_CTAB_20220211231432.csv", columns=SPORT, dialect=(",", "."),
        units={(2018, "ob.")},
        figures={
            ("sport.stadiums", "0201", 2018): 23,
            ("sport.indoor_pools", "0201", 2018): 2,
            ("sport.tennis_courts", "0202", 2018): 16,
        },
    ),
    Layout(
        derived="GUS_bezrobocie_CREL_comma_derived.csv", real="GUS_bezrobocie.csv",
        columns=DECEMBER, dialect=(",", "."), units={(y, "%") for y in range(2014, 2018)},
        figures={
            (RATE, "1002", 2014): 15.5, (RATE, "1002", 2015): 14.2, (RATE, "1002", 2016): 12.2,
            (RATE, "1002", 2017): None, (RATE, "10", 2016): 8.6, (RATE, "0201", 2014): 8.9,
        },
    ),
]  # fmt: skip


def _read(path: Path, layout: Layout, *, year: int | None = None):
    return parse_bdl_export(read_source_text(path), columns=layout.columns, year=year)


def _values(data) -> dict[tuple[str, str, int], tuple[float | None, str | None]]:
    return {(r.variable, r.teryt, r.year): (r.value, r.flag) for r in data.records}


@pytest.mark.parametrize("layout", [pytest.param(c, id=c.derived) for c in LAYOUT_CASES])
def test_each_layout_gives_the_figures_of_the_real_file(layout: Layout):
    path = LAYOUTS / layout.derived
    derived = _read(path, layout)
    real = _read(REAL / layout.real, layout, year=layout.real_year)
    assert (derived.delimiter, derived.decimal) == layout.dialect
    assert {(c.year, c.unit) for c in derived.columns} == layout.units
    derived_values, real_values = _values(derived), _values(real)
    for key, figure in layout.figures.items():
        assert derived_values[key][0] == real_values[key][0] == figure, key
    # every figure of the derived file is the real file's, and none of its rows is lost
    assert derived_values == {key: real_values[key] for key in derived_values}
    rows = list(csv.reader(StringIO(path.read_text(encoding="utf-8")), delimiter=derived.delimiter))
    units = {to_teryt(row[0].zfill(7)) for row in rows[1:]} - {None}
    assert {teryt for _, teryt, _ in derived_values} == units


async def test_the_issue_command_loads_the_current_layout_by_the_variable_name(
    teryt_engine: AsyncEngine,
):
    """`miarka load bdl-export … --column "ludność w tysiącach=population.total"` on the
    layout of a June 2025 download: no --year, the year 2023 taken from the header."""
    summary = await load_bdl_export(
        teryt_engine, LAYOUTS / "LUDN_2425_CTAB_comma_joined_comma_derived.csv",
        table="LUDN 2425", columns=POPULATION, measure_unit="osoba", multiplier=1000,
        year=None,
    )  # fmt: skip
    assert summary.status == "published", summary.problems
    query = text(
        "SELECT o.teryt, o.year, o.value FROM observation o JOIN variable v "
        "ON v.id = o.variable_id WHERE v.code = 'population.total' AND NOT o.derived"
    )
    async with teryt_engine.connect() as conn:
        stored = {(r.teryt, r.year): r.value for r in await conn.execute(query)}
    for (teryt, year), thousands in LUDN_FIGURES.items():
        assert stored[teryt, year] == pytest.approx(thousands * 1000)
    assert {year for _, year in stored} == {2023}


def _refusal(path: Path, columns: dict[str, str]) -> tuple[str, int | None, str | None]:
    """(code, row, field) of the first problem the file is refused for."""
    with pytest.raises(LoadRefused) as refused:
        parse_bdl_export(read_source_text(path), columns=columns)
    problem = refused.value.problems[0]
    assert problem.file == path.name
    return problem.code, problem.row, problem.field


def _broken(tmp_path: Path, layout: Layout, row: int, field: int, value: str) -> Path:
    """The derived file with one field of one row (1-based, header = 1) replaced."""
    source = (LAYOUTS / layout.derived).read_text(encoding="utf-8")
    separator = sniff_dialect(source.split("\n", 1)[0])
    rows = list(csv.reader(StringIO(source), delimiter=separator))
    rows[row - 1][field] = value
    out = StringIO()
    csv.writer(out, delimiter=separator, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(
        rows
    )
    path = tmp_path / layout.derived.replace("_derived", "_broken_derived")
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize("layout", [pytest.param(c, id=c.derived) for c in LAYOUT_CASES])
def test_each_layout_refuses_a_broken_file_naming_row_field_and_code(tmp_path, layout):
    good = _read(LAYOUTS / layout.derived, layout)
    long = layout.derived.startswith("GUS_bezrobocie")
    value_field, value_header = (5, "Wartosc") if long else (2, good.columns[0].header)
    last = len((LAYOUTS / layout.derived).read_text(encoding="utf-8").splitlines())
    cases = [
        ("bad_code", 3, 0, "02O1O11", "Kod"),
        ("not_a_number", last, value_field, "12 os.", value_header),
    ]
    for code, row, field, value, header in cases:
        broken = _broken(tmp_path, layout, row, field, value)
        assert _refusal(broken, layout.columns) == (code, row, header)
    missing = {"ludność ogółem": "x"}
    assert _refusal(LAYOUTS / layout.derived, missing) == ("missing_column", 1, "ludność ogółem")


def test_a_column_giving_one_variable_in_two_units_is_refused(tmp_path):
    """DERIVED: two rows of FINA 2622 with the 2016 column said to be in thousands."""
    path = tmp_path / "FINA_2622_two_units_derived.csv"
    path.write_text(
        '"Kod";"Nazwa";"gminy;razem;2015;[zł]";"gminy;razem;2016;[tys. zł]";\n'
        '"0201011";"Bolesławiec (1)";"1,00";"2,00";\n',
        encoding="utf-8",
    )
    expected = ("inconsistent", 1, "gminy;razem;2016;[tys. zł]")
    assert _refusal(path, {"razem": "own"}) == expected


@pytest.mark.parametrize(
    ("line", "separator"),
    [
        ('"Kod";"Nazwa";"ludność w tysiącach,2024,[tys. osób]";', ";"),
        ('"Kod","Nazwa","gminy;razem;2015;[zł]","gminy;razem;2016;[zł]",', ","),
        ('"Kod","Nazwa","ogółem"', ","),
        ("Kod\tNazwa\togółem", "\t"),
    ],
)
def test_the_separator_is_counted_outside_quotes(line, separator):
    assert sniff_dialect(line) == separator


def test_a_semicolon_file_with_points_only_reads_points_and_a_mixed_one_refuses_the_odd_row(
    tmp_path,
):
    assert detect_decimal(";", '"0201011";"B (1)";"37.06";\n') == "."
    assert detect_decimal(";", '"0201011";"B (1)";"37,06";\n"0201022";"B (2)";"15.27";\n') == ","
    path = tmp_path / "LUDN_2425_mixed_marks_derived.csv"
    path.write_text(
        '"Kod";"Nazwa";"ludność w tysiącach;2023;[tys. osób]";\n'
        '"0201011";"Bolesławiec (1)";"37,06";\n"0201022";"Bolesławiec (2)";"15.27";\n',
        encoding="utf-8",
    )
    assert _refusal(path, POPULATION)[:2] == ("not_a_number", 3)
