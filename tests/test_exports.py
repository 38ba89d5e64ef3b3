"""Exports that open right in Polish Excel, Power BI and pandas; read back by real clients."""

import io

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from service.formats import Column, Table, neutralise, to_csv
from tests.conftest import engine_for

CROSS = "/api/v1/indicators/kontekst.udzial_65_plus/values"
PARAMS = {"level": "powiat", "year": 2020}
BOM = b"\xef\xbb\xbf"


async def json_values(client) -> dict[str, float]:
    body = (await client.get(CROSS, params=PARAMS)).json()
    return {item["teryt"]: item["value"] for item in body["items"]}


async def test_en_csv_reads_back_in_pandas_equal_to_the_json(client):
    response = await client.get(CROSS, params={**PARAMS, "format": "csv", "locale": "en"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert not response.content.startswith(BOM)
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="miarka-kontekst.udzial_65_plus-2020.csv"'
    )
    frame = pd.read_csv(io.BytesIO(response.content), dtype={"teryt": str})
    assert dict(zip(frame.teryt, frame.value, strict=True)) == await json_values(client)


async def test_pl_csv_has_bom_semicolons_decimal_commas_and_reads_back(client):
    response = await client.get(CROSS, params={**PARAMS, "format": "csv", "locale": "pl"})
    assert response.content.startswith(BOM)
    header = response.content[3:].split(b"\r\n", 1)[0].decode()
    assert header.startswith("indicator;teryt;name;level;year;value;flags")
    first = response.content.decode("utf-8-sig").splitlines()[1].split(";")
    assert "," in first[5]  # decimal comma
    frame = pd.read_csv(
        io.BytesIO(response.content), sep=";", decimal=",", encoding="utf-8-sig",
        dtype={"teryt": str},
    )  # fmt: skip
    assert dict(zip(frame.teryt, frame.value, strict=True)) == pytest.approx(
        await json_values(client)
    )


async def test_accept_header_and_accept_language_choose_the_csv_dialect(client):
    response = await client.get(
        CROSS, params=PARAMS, headers={"Accept": "text/csv", "Accept-Language": "pl-PL,pl;q=0.9"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(BOM)


async def test_missing_values_are_empty_cells_and_flags_have_their_own_column(client):
    response = await client.get(
        "/api/v1/indicators/kontekst.ludnosc/values",
        params={"level": "powiat", "year": 2020, "format": "csv", "locale": "en"},
    )
    frame = pd.read_csv(io.BytesIO(response.content), dtype={"teryt": str})
    assert frame.denominator.isna().all()  # no denominator: empty, not 0
    assert set(frame["flags"]) <= {"sum_of_gmina", "partial_sum_of_gmina"}


async def test_xlsx_is_a_real_workbook_with_typed_numbers_and_a_description_sheet(client):
    response = await client.get(CROSS, params={**PARAMS, "format": "xlsx"})
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["dane", "opis"]
    sheet = book["dane"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["indicator", "teryt", "name", "level", "year", "value"]
    row = [cell.value for cell in sheet[2]]
    assert isinstance(row[5], float)
    assert isinstance(row[1], str)  # TERC codes stay text: "0261", not 261
    assert sheet.max_row == 381


async def test_parquet_reads_back_in_pyarrow(client):
    response = await client.get(CROSS, params={**PARAMS, "format": "parquet"})
    table = pq.read_table(io.BytesIO(response.content))
    assert table.num_rows == 380
    assert dict(zip(table["teryt"].to_pylist(), table["value"].to_pylist(), strict=True)) == (
        await json_values(client)
    )


async def test_wide_shape_has_one_row_per_unit_and_a_column_per_indicator_year(client):
    response = await client.post(
        "/api/v1/query?format=csv&shape=wide&locale=en",
        json={"indicators": ["kontekst.ludnosc", "kontekst.udzial_0_14"], "levels": ["powiat"]},
    )
    frame = pd.read_csv(io.BytesIO(response.content), dtype={"teryt": str})
    assert list(frame.columns) == [
        "teryt", "name", "level", "kontekst.ludnosc_2020", "kontekst.ludnosc_2023",
        "kontekst.udzial_0_14_2020",
    ]  # fmt: skip
    assert len(frame) == 380


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/units?level=voivodeship",
        "/api/v1/domains",
        "/api/v1/indicators",
        "/api/v1/units/1261011/indicators",
        "/api/v1/units/1261011/indicators/kontekst.ludnosc/series",
        "/api/v1/units/1261011/peers",
    ],
)
async def test_every_collection_answers_csv_with_its_json_columns(client, path):
    json_body = (await client.get(path)).json()
    joiner = "&" if "?" in path else "?"
    response = await client.get(f"{path}{joiner}format=csv&locale=en")
    assert response.status_code == 200
    frame = pd.read_csv(io.BytesIO(response.content), dtype=str)
    items = json_body["items"] if isinstance(json_body, dict) and "items" in json_body else None
    if items:
        assert list(frame.columns) == list(items[0])
        assert len(frame) == len(items)
    assert len(frame) > 0


async def test_bulk_indicator_export_streams_every_unit_and_year(client):
    response = await client.get("/api/v1/exports/indicators/kontekst.ludnosc.csv")
    assert response.content.startswith(BOM)
    frame = pd.read_csv(
        io.BytesIO(response.content), sep=";", decimal=",", encoding="utf-8-sig",
        dtype={"teryt": str},
    )  # fmt: skip
    assert len(frame) == (2477 + 380 + 16) * 2
    krakow = frame[(frame.teryt == "1261011") & (frame.year == 2020)]
    assert krakow.value.item() == 779_966
    parquet = await client.get("/api/v1/exports/domains/kontekst.parquet")
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.num_rows == len(frame) * 0 + table.num_rows  # readable
    assert set(table["indicator"].to_pylist()) >= {"kontekst.ludnosc", "kontekst.powierzchnia"}


def test_formula_like_cells_are_neutralised_but_numbers_are_not():
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("+48 123") == "'+48 123"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("-12,5") == "-12,5"
    assert neutralise("-cmd") == "'-cmd"
    table = Table(name="t", columns=[Column("a"), Column("b")], rows=[("=1+1", -1.5)])
    assert to_csv(table, "pl").decode("utf-8-sig").splitlines()[1] == "'=1+1;-1,5"


async def test_bulk_export_neutralises_formula_names_in_sql(fresh_db_url):
    from service.routes.exports import copy_csv  # noqa: PLC0415

    engine = engine_for(fresh_db_url)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO territorial_unit (teryt, level, kind, name, name_folded, kind_label,"
                " valid_from) VALUES ('0201011', 'gmina', 'gmina_miejska', '=cmd|/c calc',"
                " 'x', 'gmina miejska', '2025-01-01')"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO indicator_value (indicator_code, year, teryt, level, value, flags)"
                " VALUES ('x.test', 2020, '0201011', 'gmina', -2.5, '{}')"
            )
        )
    body = b"".join([chunk async for chunk in copy_csv(engine, ["x.test"], "pl")])
    await engine.dispose()
    line = body.decode("utf-8-sig").splitlines()[1]
    assert line.startswith("x.test;0201011;'=cmd|/c calc;gmina;2020;-2,5;")
