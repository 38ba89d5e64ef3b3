"""Every collection in every format, locale and shape: a file that opens, never a 5xx.

An outside fuzzer found `/units/{teryt}/peers?format=xlsx` answering 500 (a nested object in a
cell). The matrix below asks every operation that takes `format` for every combination of
format x locale x shape and opens what comes back: CSV with the dialect's separator, XLSX with
openpyxl, Parquet with pyarrow. Cells must be flat (text, number, boolean, date or empty);
a nested value has one defined flat form (see service/tabular.py).
"""

import csv
import io
import itertools
import json
import uuid
from datetime import date, datetime

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from domains.admin.keys import create_key
from service.app import create_app
from service.formats import BOM, MEDIA_TYPES
from tests.plugin import engine_for

FORMATS = ("json", "csv", "xlsx", "parquet")
LOCALES = ("pl", "en")
SHAPES = ("long", "wide")
GROUP_MEMBERS = ["1261011", "1206022", "1206032", "1206092"]

# operationId -> method, path ({group} and {partnership} are made below), JSON body. Real units and
# codes of the shipped data, each answer small enough to run 16 times.
REQUESTS: dict[str, tuple[str, str, dict[str, object] | None]] = {
    "listUnits": ("GET", "/api/v1/units?parent=12", None),
    "listSchools": ("GET", "/api/v1/schools?teryt=1261011&limit=100", None),
    "listDomains": ("GET", "/api/v1/domains", None),
    "listIndicators": ("GET", "/api/v1/indicators", None),
    "getCrossSection": (
        "GET",
        "/api/v1/indicators/kontekst.ludnosc/values?year=2023&parent=12",
        None,
    ),
    "getDashboard": ("GET", "/api/v1/units/1261011/indicators", None),
    "getSeries": ("GET", "/api/v1/units/1261011/indicators/kontekst.ludnosc/series", None),
    "getMonthlySeries": (
        "GET",
        "/api/v1/units/1002/indicators/kontekst.stopa_bezrobocia/monthly",
        None,
    ),
    "getPeers": ("GET", "/api/v1/units/1261011/peers", None),
    "queryValues": (
        "POST",
        "/api/v1/query",
        {"indicators": ["kontekst.ludnosc", "kontekst.udzial_0_14"], "units": GROUP_MEMBERS},
    ),
    "listGroups": ("GET", "/api/v1/groups", None),
    "getGroupIndicator": ("GET", "/api/v1/groups/{group}/indicators/kontekst.ludnosc", None),
    "listLoadRuns": ("GET", "/api/v1/admin/runs", None),
    "listChanges": ("GET", "/api/v1/changes?since=0&indicator=kontekst.ludnosc&limit=50", None),
    "listPartnerships": ("GET", "/api/v1/partnerships", None),
    "getPartnership": ("GET", "/api/v1/partnerships/{partnership}", None),
    "getPartnershipIndicator": (
        "GET",
        "/api/v1/partnerships/{partnership}/indicators/kontekst.ludnosc",
        None,
    ),
    "listPartnershipAssessments": ("GET", "/api/v1/partnerships/{partnership}/assessments", None),
}


@pytest.fixture(scope="module")
async def uncached(test_settings):
    """The app without its response cache: a group made here is listed at once (the cache
    keys on the data release, which a new group does not change), and this is about files."""
    settings = msgspec.structs.replace(test_settings, response_cache=False)
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
async def group_id(uncached) -> str:
    created = await uncached.post(
        "/api/v1/groups", json={"name": "formats matrix", "members": GROUP_MEMBERS}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


@pytest.fixture(scope="module")
async def admin_key(loaded_db_url) -> str:
    engine = engine_for(loaded_db_url)
    try:
        async with engine.begin() as conn:
            return await create_key(conn, f"formats-matrix-{uuid.uuid4().hex}")
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def partnership_id(uncached, admin_key) -> str:
    """An EXAMPLE partnership (made up, flagged so) with one self-assessment."""
    headers = {"X-API-Key": admin_key}
    partnership = f"przyklad-formaty-{uuid.uuid4().hex[:8]}"
    created = await uncached.post(
        "/api/v1/partnerships",
        json={
            "id": partnership,
            "name": "PRZYKŁAD: formaty (dane testowe)",
            "kind": "of",
            "leader_teryt": GROUP_MEMBERS[0],
            "example": True,
            "members": [{"teryt": teryt, "joined_on": "2015-01-01"} for teryt in GROUP_MEMBERS],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    assessed = await uncached.post(
        f"/api/v1/partnerships/{partnership}/assessments",
        json={"year": 2024, "items": [{"standard": 5, "stage": 2}, {"standard": 7, "stage": 1}]},
        headers=headers,
    )
    assert assessed.status_code == 201, assessed.text
    return partnership


async def test_every_collection_with_a_format_is_in_the_matrix(client):
    spec = (await client.get("/schema/openapi.json")).json()
    with_format = {
        operation["operationId"]
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        and any(
            # The catalogue's `format` (jsonld or ttl) is not a table's: not in the matrix.
            p["name"] == "format" and "csv" in json.dumps(p["schema"])
            for p in operation.get("parameters", [])
        )
    }
    assert with_format == set(REQUESTS)


def _plain(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool | date | datetime)


def _read(fmt: str, locale: str, content: bytes) -> tuple[list[str], list[list[object]]]:
    """Header and rows of an export, each cell checked to be flat."""
    if fmt == "csv":
        text = content.decode("utf-8")
        assert text.startswith(BOM) == (locale == "pl")
        separator = ";" if locale == "pl" else ","
        reader = csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=separator)
        header, *rows = list(reader)
        # No Python or JSON object in a cell; a list of objects is JSON text `[{...}]`.
        assert not any(cell.startswith(("{", "[{'")) for row in rows for cell in row)
        return header, [list(row) for row in rows]
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(content), read_only=True)
        assert book.sheetnames == ["dane", "opis"]
        header, *rows = [list(row) for row in book["dane"].iter_rows(values_only=True)]
        assert all(_plain(cell) for row in rows for cell in row)
        described = [row[0] for row in book["opis"].iter_rows(min_row=2, values_only=True)]
        assert described[: len(header)] == header
        return [str(h) for h in header], rows
    table = pq.read_table(io.BytesIO(content))
    nested = [f.name for f in table.schema if pa.types.is_nested(f.type)]
    assert not nested, f"nested Parquet columns: {nested}"
    return table.column_names, [list(r.values()) for r in table.to_pylist()]


@pytest.mark.parametrize(
    ("operation", "fmt", "locale", "shape"),
    list(itertools.product(REQUESTS, FORMATS, LOCALES, SHAPES)),
)
async def test_every_collection_answers_every_format_locale_and_shape(  # noqa: PLR0917
    uncached, group_id, partnership_id, admin_key, operation, fmt, locale, shape
):
    method, path, body = REQUESTS[operation]
    params = {"format": fmt, "locale": locale, "shape": shape}
    response = await uncached.request(
        method,
        path.format(group=group_id, partnership=partnership_id),
        params=params,
        json=body,
        headers={"X-API-Key": admin_key},
    )
    assert response.status_code == 200, response.text[:500]
    if fmt == "json":
        assert response.headers["content-type"].startswith("application/json")
        assert json.loads(response.content) is not None
        return
    assert response.headers["content-type"].split(";")[0] == MEDIA_TYPES[fmt]
    assert response.headers["content-disposition"].endswith(f'.{fmt}"')
    header, rows = _read(fmt, locale, response.content)
    assert header, "an export without columns"
    assert len(set(header)) == len(header), "duplicate column names"
    assert rows, "the shipped data give every one of these requests rows"
    assert all(len(row) == len(header) for row in rows)
