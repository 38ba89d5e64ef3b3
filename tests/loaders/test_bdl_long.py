"""BDL's long export layout (`Kod;Nazwa;<dimensions>;Rok;Wartosc;Jednostka miary;Atrybut`):
the registered unemployment rate of data/bdl/GUS_bezrobocie.csv, monthly 2014-01 … 2017-03.

Hand figures read from the file's December rows (PROVENANCE's facts: December 2016 Polska
8.3 %, powiat kutnowski 12.2 %): kutnowski 1002000 15,5 / 14,2 / 12,2 (2014-2016), łódzkie
1000000 11,8 / 10,3 / 8,6, powiat bolesławiecki 201000 (leading zero dropped) 8,9 in 2014.
"""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.bdl.api_json import ATTRIBUTES, SYMBOLS, attribute_for_symbol
from loaders.bdl.export_csv import parse_bdl_export
from loaders.errors import LoadRefused
from loaders.source_text import read_source_text
from service.settings import REPO_ROOT
from tests.plugin import engine_for

FILE = REPO_ROOT / "data" / "bdl" / "GUS_bezrobocie.csv"
DECEMBER = {"grudzień;stopa bezrobocia rejestrowanego": "labour.registered_unemployment_rate.m12"}
RATE = "kontekst.stopa_bezrobocia"
FIGURES = {
    ("1002", 2014): 15.5,
    ("1002", 2015): 14.2,
    ("1002", 2016): 12.2,
    ("10", 2014): 11.8,
    ("10", 2016): 8.6,
    ("0201", 2014): 8.9,
}


def test_the_december_rows_of_every_unit_and_year_are_read():
    data = parse_bdl_export(read_source_text(FILE), columns=DECEMBER)
    values = {(r.teryt, r.year): (r.value, r.flag) for r in data.records}
    assert len(data.records) == 4 * 396  # 16 voivodeships + 380 powiats, 2014-2017
    assert [words for _, words in data.skipped] == ["POLSKA (0) is not a unit of the register"] * 4
    for key, rate in FIGURES.items():
        assert values[key] == (rate, None)
    # 2017 ends in March: December is empty with attribute "n", a declared gap
    assert {values[teryt, 2017] for teryt in ("1002", "10")} == {(None, "attribute_n")}
    assert [(c.header, c.year, c.unit) for c in data.columns] == [
        ("grudzień;stopa bezrobocia rejestrowanego", year, "%") for year in range(2014, 2018)
    ]


def test_a_series_named_by_one_dimension_alone_is_refused_for_being_ambiguous():
    with pytest.raises(LoadRefused) as refused:
        parse_bdl_export(
            read_source_text(FILE), columns={"stopa bezrobocia rejestrowanego": "rate"}
        )
    problem = refused.value.problems[0]
    assert problem.code == "duplicate_column"
    assert "styczeń;stopa bezrobocia rejestrowanego" in problem.message
    assert "luty;stopa bezrobocia rejestrowanego" in problem.message


def test_the_comma_and_decimal_point_variant_reads_the_same(tmp_path: Path):
    """DERIVED: the file's December rows rewritten with `,` between fields and decimal points."""
    lines = FILE.read_text(encoding="utf-8").splitlines()
    december = [line for line in lines if ";grudzień;" in line]
    derived = tmp_path / "GUS_bezrobocie_comma_layout_derived.csv"
    derived.write_text(
        "\n".join(
            line.replace(",", ".").replace(";", ",") for line in [lines[0], *december]
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    comma = parse_bdl_export(read_source_text(derived), columns=DECEMBER)
    original = parse_bdl_export(read_source_text(FILE), columns=DECEMBER)
    assert (comma.delimiter, comma.decimal) == (",", ".")
    key = [(r.teryt, r.year, r.value, r.flag) for r in comma.records]
    assert key == [(r.teryt, r.year, r.value, r.flag) for r in original.records]


def test_the_attribute_symbols_are_those_of_the_real_attributes_answer():
    listed = json.loads(
        (REPO_ROOT / "tests/data/bdl/pyBDL_samples/samples_raw_attributes.json").read_text(
            encoding="utf-8"
        )
    )["list_attributes"]
    by_symbol: dict[str, set[str | None]] = {}
    for attribute in listed:
        if attribute["symbol"].strip():
            by_symbol.setdefault(attribute["symbol"], set()).add(ATTRIBUTES[attribute["id"]].flag)
    assert {symbol: ATTRIBUTES[i].flag for symbol, i in SYMBOLS.items()} == {
        symbol: flags.pop() for symbol, flags in by_symbol.items() if len(flags) == 1
    }
    assert attribute_for_symbol("s") == attribute_for_symbol("9") == ATTRIBUTES[9]


def test_a_number_with_an_attribute_keeps_it_as_a_flag(tmp_path: Path):
    """DERIVED: no row of the real file has both a number and an `Atrybut` (checked with
    pandas: 15,483 rows with a number and no attribute, 3,573 empty with `n`). So the file's
    December rows are written again with attributes added to numbers they do not have in the
    source: `s` (BDL's "szacunki wstępne") on kutnowski 2016, the id `9` of that attribute on
    łódzkie 2016, `x` (no data) on kutnowski 2015 and an unlisted `q` on łódzkie 2014."""
    lines = FILE.read_text(encoding="utf-8").splitlines()
    added = {("1002000", "2016"): "s", ("1000000", "2016"): "9",
             ("1002000", "2015"): "x", ("1000000", "2014"): "q"}  # fmt: skip
    rows = []
    for line in lines[1:]:
        fields = line.split(";")
        if fields[2] != "grudzień":
            continue
        attribute = added.get((fields[0], fields[4]))
        rows.append(";".join([*fields[:-1], attribute]) if attribute else line)
    derived = tmp_path / "GUS_bezrobocie_attributes_derived.csv"
    derived.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    data = parse_bdl_export(read_source_text(derived), columns=DECEMBER)
    values = {(r.teryt, r.year): (r.value, r.flag) for r in data.records}
    assert values["1002", 2016] == (12.2, "preliminary_estimate")
    assert values["10", 2016] == (8.6, "preliminary_estimate")
    assert values["1002", 2015] == (None, "attribute_x")  # "x": the number is no measurement
    assert values["10", 2014] == (11.8, "attribute_q")
    assert values["1002", 2014] == (15.5, None)
    assert values["1002", 2017] == (None, "attribute_n")


@pytest.fixture(scope="module")
async def engine(loaded_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(loaded_db_url)
    yield engine
    await engine.dispose()


async def test_the_rate_is_published_as_the_source_gives_it_and_never_summed(engine):
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT teryt, year, value, level FROM indicator_value "
                 "WHERE indicator_code = :c AND value IS NOT NULL"), {"c": RATE}
        )  # fmt: skip
        values = {(r.teryt, r.year): (r.value, r.level) for r in rows}
        derived = await conn.scalar(
            text("SELECT count(*) FROM observation o JOIN variable v ON v.id = o.variable_id "
                 "WHERE v.code LIKE 'labour.registered_unemployment_rate.m__' AND o.derived")
        )  # fmt: skip
    for key, rate in FIGURES.items():
        assert values[key][0] == pytest.approx(rate)
    assert derived == 0
    levels = {year: [level for (_, y), (_, level) in values.items() if y == year]
              for year in (2014, 2015, 2016, 2017)}  # fmt: skip
    for year in (2014, 2015, 2016):
        assert levels[year].count("powiat") == 380
        assert levels[year].count("voivodeship") == 16
    assert levels[2017] == []
    assert all(0 < value < 40 for value, _ in values.values())  # a rate in %, 2014-2016


async def test_the_monthly_series_is_every_month_of_the_file(client):
    """Powiat kutnowski, rows 4706-4753 of the file (month by month, four years each)."""
    answer = await client.get(f"/api/v1/units/1002/indicators/{RATE}/monthly")
    assert answer.status_code == 200, answer.text
    points = {(p["year"], p["month"]): (p["value"], p["flag"]) for p in answer.json()["points"]}
    assert len(points) == 4 * 12  # 2014-2017, the months after March 2017 declared missing
    assert points[2014, 1] == (18.5, None)  # row 4706
    assert points[2016, 2] == (15.1, None)  # row 4712
    assert points[2017, 3] == (11.8, None)  # row 4717, the file's last month
    assert points[2017, 4] == (None, "attribute_n")  # row 4721: empty with attribute n
    assert points[2016, 12] == (12.2, None)  # December: the yearly value of the indicator
    assert sum(value is None for value, _ in points.values()) == 9
    assert [(p["year"], p["month"]) for p in answer.json()["points"]] == sorted(points)


async def test_a_yearly_indicator_has_no_monthly_series(client):
    answer = await client.get("/api/v1/units/1002/indicators/kontekst.ludnosc/monthly")
    assert answer.status_code == 404
    assert answer.json()["type"] == "/problems/not-monthly"
    assert RATE in answer.json()["detail"]
