"""`load_bdl`: BDL API variables into a real database, from a replay server on 127.0.0.1.

The replay serves two kinds of answers:

* real: `data/by-variable/0`, the saved pyBDL results (POLSKA, MAKROREGION POŁUDNIOWY,
  MAŁOPOLSKIE) in the shared replay's synthetic envelope (see tests/bdl_replay.py);
* SYNTHETIC, composed here in the real shape: `/variables/{id}` answers (the shape of
  samples_raw_variables.json `get_variable`; names and units written for the test), and
  `data/by-variable/60559` and `/72305` pages for real BDL unit ids from samples_raw_units.json
  (Powiat bocheński and four of its gminas) plus Polska and one made-up gmina id that is not in
  the register. Their values are made up.

The TERC register is loaded first, as in production.
"""

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.units.bdl_ids import BDL_LEVEL_GMINA, BDL_LEVEL_POWIAT, BDL_LEVEL_VOIVODESHIP
from loaders.bdl.api_load import describe_query, fetch_bdl, load_bdl
from loaders.bdl.client import BdlClient, BdlNotCached, BdlRequestFailed, Quota
from loaders.errors import LoadRefused
from loaders.run import RunSummary
from loaders.teryt import load_teryt
from service.settings import REPO_ROOT
from tests.bdl_replay import (
    API_PREFIX,
    SAMPLE_VARIABLE_ID,
    ReplayServer,
    Reply,
    html_error_page,
    page_body,
)

TERC = REPO_ROOT / "data" / "teryt" / "TERC_Urzedowy_2025-11-18.csv"
NOBODY_LISTENS = "http://127.0.0.1:1/api/v1"

DENSITY, POPULATION = 60559, 72305
VARIABLES = (SAMPLE_VARIABLE_ID, DENSITY, POPULATION)
LEVELS = (0, 1, BDL_LEVEL_VOIVODESHIP, BDL_LEVEL_POWIAT, BDL_LEVEL_GMINA)
YEARS = (2023,)
CONFIDENTIAL = "no_data_confidential_or_not_applicable"

# SYNTHETIC metadata in the real `/variables/{id}` shape.
VARIABLE_META: dict[int, dict[str, Any]] = {
    SAMPLE_VARIABLE_ID: {
        "id": SAMPLE_VARIABLE_ID,
        "subjectId": "P0000",
        "n1": "SYNTHETIC metadata of the saved sample results",
        "level": 6,
        "measureUnitId": 26,
        "measureUnitName": "osoba",
    },
    DENSITY: {
        "id": DENSITY,
        "subjectId": "P2425",
        "n1": "ludność na 1 km2",
        "level": 6,
        "measureUnitId": 1,
        "measureUnitName": "osoba na 1 km2",
    },
    POPULATION: {
        "id": POPULATION,
        "subjectId": "P2137",
        "n1": "ogółem",
        "n2": "ogółem",
        "level": 6,
        "measureUnitId": 26,
        "measureUnitName": "osoba",
    },
}

# Real BDL unit ids and names (samples_raw_units.json) and their levels; 011212001992 is made up.
UNITS: dict[str, tuple[str, int]] = {
    "000000000000": ("POLSKA", 0),
    "011212001000": ("Powiat bocheński", BDL_LEVEL_POWIAT),
    "011212001011": ("Bochnia", BDL_LEVEL_GMINA),
    "011212001022": ("Bochnia", BDL_LEVEL_GMINA),
    "011212001032": ("Drwinia", BDL_LEVEL_GMINA),
    "011212001042": ("Lipnica Murowana", BDL_LEVEL_GMINA),
    "011212001992": ("SYNTHETIC gmina not in the register", BDL_LEVEL_GMINA),
}

# SYNTHETIC values: bdl id -> [(year, val, attrId)]. attrId 4 is "x" (confidential or no data),
# sent as val 0 the way BDL does; it must be stored as NULL, never 0.
VALUES: dict[int, dict[str, list[tuple[str, float, int]]]] = {
    DENSITY: {
        "011212001000": [("2022", 163.0, 1), ("2023", 164.0, 1)],
        "011212001011": [("2022", 1650.0, 1), ("2023", 1661.0, 1)],
        "011212001022": [("2023", 146.0, 1)],
        "011212001032": [("2023", 0.0, 4)],
        "011212001042": [("2023", 122.0, 1)],
    },
    POPULATION: {
        "000000000000": [("2023", 37_600_000.0, 1)],
        "011212001000": [("2022", 106_500.0, 1), ("2023", 107_000.0, 1)],
        "011212001011": [("2023", 29_000.0, 1)],
        "011212001022": [("2023", 20_000.0, 1)],
        "011212001032": [("2023", 6_200.0, 1)],
        "011212001042": [("2023", 5_800.0, 1)],
        "011212001992": [("2023", 1.0, 1)],
    },
}

EXPECTED = {
    # MAŁOPOLSKIE 011200000000 -> 12, its real 2023 value
    ("0", "12"): (4.0, None),
    ("60559", "1201"): (164.0, None),
    ("60559", "1201011"): (1661.0, None),
    ("60559", "1201022"): (146.0, None),
    ("60559", "1201032"): (None, CONFIDENTIAL),
    ("60559", "1201042"): (122.0, None),
    ("72305", "1201"): (107_000.0, None),
    ("72305", "1201011"): (29_000.0, None),
    ("72305", "1201022"): (20_000.0, None),
    ("72305", "1201032"): (6_200.0, None),
    ("72305", "1201042"): (5_800.0, None),
}

CHECKSUM = """
SELECT
  (SELECT md5(coalesce(string_agg(o::text, '|' ORDER BY variable_id, year, teryt), ''))
   FROM observation o),
  (SELECT md5(coalesce(string_agg(i::text, '|' ORDER BY i::text), '')) FROM indicator_value i),
  (SELECT md5(coalesce(string_agg(v::text, '|' ORDER BY id), '')) FROM variable v),
  (SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY id), '')) FROM data_release r)
"""


class ApiReplay(ReplayServer):
    """The shared replay, plus the SYNTHETIC routes above where it has nothing to answer."""

    def __init__(self) -> None:
        super().__init__()
        self.broken: str | None = None
        """A path prefix answered with 500, every time."""

    def handle(self, raw_path: str, headers: dict[str, str]) -> Reply:
        reply = super().handle(raw_path, headers)  # records the request, plays scripts
        parts = urlsplit(raw_path)
        path = parts.path.removeprefix(API_PREFIX).strip("/")
        if self.broken is not None and path.startswith(self.broken):
            return Reply(500, b'{"message": "SYNTHETIC: internal server error"}')
        if reply.status != 404 or b"nothing replayed" not in reply.body:
            return reply
        kind, _, ident = path.rpartition("/")
        if kind == "variables" and int(ident) in VARIABLE_META:
            return Reply(200, encode(VARIABLE_META[int(ident)]))
        if kind == "data/by-variable" and int(ident) in VALUES:
            return Reply(200, encode(self._page(path, int(ident), parse_qs(parts.query))))
        return reply

    def _page(self, path: str, variable_id: int, query: dict[str, list[str]]) -> dict[str, Any]:
        level = int(query["unit-level"][0])
        years = set(query.get("year", []))
        results = [
            {
                "id": bdl_id,
                "name": UNITS[bdl_id][0],
                "values": [
                    {"year": year, "val": val, "attrId": attr}
                    for year, val, attr in values
                    if not years or year in years
                ],
            }
            for bdl_id, values in VALUES[variable_id].items()
            if UNITS[bdl_id][1] == level
        ]
        page, page_size = int(query["page"][0]), int(query["page-size"][0])
        body = page_body(path, query, results, page, page_size)
        return {**body, "variableId": variable_id}


def encode(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


async def no_sleep(_seconds: float) -> None:
    return None


def client_for(base_url: str, cache_dir: Path, **kwargs: Any) -> BdlClient:
    return BdlClient(
        base_url=base_url,
        cache_dir=cache_dir,
        quotas=(Quota(10_000, 1),),
        backoff_s=0.0,
        max_attempts=3,
        sleep=no_sleep,
        **kwargs,
    )


def page_url(base_url: str, variable_id: int, level: int, page: int = 0) -> str:
    """The URL the client sends, written out by hand (parameters sorted, as the client does)."""
    return (
        f"{base_url}/data/by-variable/{variable_id}?format=json&lang=pl&page={page}"
        f"&page-size=100&unit-level={level}&year=2023"
    )


@pytest.fixture
def api_server() -> Iterator[ApiReplay]:
    with ApiReplay() as server:
        yield server


@pytest.fixture
async def engine(fresh_engine: AsyncEngine) -> AsyncEngine:
    await load_teryt(fresh_engine, TERC)
    return fresh_engine


async def load(
    engine: AsyncEngine, client: BdlClient, years: tuple[int, ...] = YEARS
) -> RunSummary:
    async with client:
        return await load_bdl(engine, client, VARIABLES, unit_levels=LEVELS, years=years)


async def stored(engine: AsyncEngine) -> dict[tuple[str, str], tuple[float | None, str | None]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT v.code, o.teryt, o.year, o.value, o.flag, o.derived FROM observation o"
                " JOIN variable v ON v.id = o.variable_id WHERE v.source = 'gus_bdl'"
            )
        )
        result = {}
        for code, teryt, year, value, flag, derived in rows:
            assert (year, derived) == (2023, False)
            result[(code, teryt)] = (value, flag)
        return result


async def run_row(engine: AsyncEngine, run_id: int) -> dict[str, Any]:
    async with engine.connect() as conn:
        row = await conn.execute(
            text("SELECT row_to_json(r)::text FROM load_run r WHERE id = :id"), {"id": run_id}
        )
        run: dict[str, Any] = json.loads(row.scalar_one())
        return run


async def last_run(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as conn:
        run_id = await conn.scalar(text("SELECT max(id) FROM load_run"))
    return await run_row(engine, run_id)


async def checksum(engine: AsyncEngine) -> tuple[str, ...]:
    async with engine.connect() as conn:
        return tuple((await conn.execute(text(CHECKSUM))).one())


async def test_values_are_stored_under_terc_codes_when_bdl_gives_its_own_unit_ids(
    engine, api_server, tmp_path
):
    summary = await load(engine, client_for(api_server.base_url, tmp_path))
    assert summary.status == "published"
    assert await stored(engine) == EXPECTED
    async with engine.connect() as conn:
        variables = (
            await conn.execute(
                text(
                    "SELECT code, name, measure_unit, additive, citation FROM variable"
                    " WHERE source = 'gus_bdl' ORDER BY code"
                )
            )
        ).all()
    assert [tuple(v) for v in variables] == [
        ("0", "SYNTHETIC metadata of the saved sample results", "osoba", False,
         "GUS BDL API /variables/0: subject P0000"),
        ("60559", "ludność na 1 km2", "osoba na 1 km2", False,
         "GUS BDL API /variables/60559: subject P2425"),
        ("72305", "ogółem, ogółem", "osoba", False,
         "GUS BDL API /variables/72305: subject P2137"),
    ]  # fmt: skip


async def test_confidential_value_is_stored_as_null_with_its_flag_never_zero(
    engine, api_server, tmp_path
):
    await load(engine, client_for(api_server.base_url, tmp_path))
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT o.value, o.flag FROM observation o JOIN variable v"
                    " ON v.id = o.variable_id WHERE v.code = '60559' AND o.teryt = '1201032'"
                )
            )
        ).one()
    assert tuple(row) == (None, CONFIDENTIAL)


async def test_units_without_terc_are_warnings_naming_the_page_url_and_are_not_stored(
    engine, api_server, tmp_path
):
    base = api_server.base_url
    summary = await load(engine, client_for(base, tmp_path))
    run = await run_row(engine, summary.run_id)
    warnings = {(w["file"], w["row"], w["field"], w["message"]) for w in run["warnings"]}
    assert warnings == {
        (page_url(base, 0, 0), 1, "id",
         "unit 000000000000 POLSKA has no TERC code (Polska or a statistical region);"
         " 1 value(s) not stored"),
        (page_url(base, 0, 1), 1, "id",
         "unit 010000000000 MAKROREGION POŁUDNIOWY has no TERC code (Polska or a statistical"
         " region); 1 value(s) not stored"),
        (page_url(base, POPULATION, 0), 1, "id",
         "unit 000000000000 POLSKA has no TERC code (Polska or a statistical region);"
         " 1 value(s) not stored"),
        ("BDL API variables 0,60559,72305 levels 0,1,2,5,6 years 2023", 5, "code",
         "unit 1201992 is not in the register in force; 1 value(s) not stored"),
    }  # fmt: skip
    # the summary carries the same warnings, for the CLI to show
    assert [msgspec.structs.asdict(p) for p in summary.problems] == run["warnings"]
    requested = {
        f"{base}/{r.path}?{'&'.join(f'{k}={v}' for k, vs in sorted(r.query.items()) for v in vs)}"
        for r in api_server.requests
    }
    assert {w[0] for w in warnings if w[0].startswith("http")} <= requested
    async with engine.connect() as conn:
        lengths = (await conn.execute(text("SELECT DISTINCT length(teryt) FROM observation"))).all()
    assert {n for (n,) in lengths} == {2, 4, 7}


async def test_run_records_the_query_the_sha256_of_the_bodies_and_the_counts(
    engine, api_server, tmp_path
):
    client = client_for(api_server.base_url, tmp_path)
    bodies: list[bytes] = []
    async with client_for(api_server.base_url, tmp_path / "independent") as fetcher:
        await fetch_bdl(fetcher, VARIABLES, unit_levels=LEVELS, years=YEARS, on_body=bodies.append)
    assert len(bodies) == len(VARIABLES) * (1 + len(LEVELS))

    summary = await load(engine, client)
    run = await run_row(engine, summary.run_id)
    assert run["source"] == "bdl"
    assert run["file_name"] is None
    assert run["query"] == describe_query(client, VARIABLES, unit_levels=LEVELS, years=YEARS)
    assert run["query"].splitlines()[:2] == [
        f"{api_server.base_url}/variables/0?format=json&lang=pl",
        page_url(api_server.base_url, 0, 0).replace("page=0&", ""),
    ]
    assert len(run["query"].splitlines()) == 18
    assert run["sha256"] == hashlib.sha256(b"".join(bodies)).hexdigest()
    assert {k: run[k] for k in ("status", "rows_read", "rows_inserted", "rows_skipped")} == {
        "status": "published",
        "rows_read": 12,  # 11 stored + the gmina not in the register
        "rows_inserted": 11,
        "rows_skipped": 4,  # POLSKA twice, MAKROREGION, the unknown gmina
    }
    assert run["data_release_id"] == summary.data_release_id
    assert summary.file_name == "BDL API variables 0,60559,72305 levels 0,1,2,5,6 years 2023"


async def test_second_identical_load_is_unchanged_without_a_new_release(
    engine, api_server, tmp_path
):
    first = await load(engine, client_for(api_server.base_url, tmp_path))
    before = await checksum(engine)
    second = await load(engine, client_for(api_server.base_url, tmp_path))
    assert second.status == "unchanged"
    assert second.data_release_id is None
    assert second.counts.rows_unchanged == 11
    assert await checksum(engine) == before
    assert (await run_row(engine, second.run_id))["sha256"] == (
        await run_row(engine, first.run_id)
    )["sha256"]


async def test_from_cache_replays_the_load_when_the_server_is_stopped(engine, api_server, tmp_path):
    bodies: list[bytes] = []
    async with client_for(api_server.base_url, tmp_path) as online:
        await fetch_bdl(online, VARIABLES, unit_levels=LEVELS, years=YEARS, on_body=bodies.append)
    api_server.stop()

    summary = await load(engine, client_for(NOBODY_LISTENS, tmp_path, from_cache=True))
    assert summary.status == "published"
    assert await stored(engine) == EXPECTED
    run = await run_row(engine, summary.run_id)
    assert run["sha256"] == hashlib.sha256(b"".join(bodies)).hexdigest()
    assert run["query"].startswith(f"{NOBODY_LISTENS}/variables/0?")


async def test_uncached_request_fails_the_run_naming_the_url_when_loading_from_cache(
    engine, tmp_path
):
    with pytest.raises(BdlNotCached):
        await load(engine, client_for(NOBODY_LISTENS, tmp_path, from_cache=True))
    run = await last_run(engine)
    assert run["status"] == "failed"
    assert run["errors"][0]["file"] == f"{NOBODY_LISTENS}/variables/0?format=json&lang=pl"
    assert "is not in the cache" in run["errors"][0]["message"]


async def test_server_failing_forever_fails_the_run_naming_the_url_and_changes_nothing(
    engine, api_server, tmp_path
):
    await load(engine, client_for(api_server.base_url, tmp_path))
    before = await checksum(engine)
    assert before[0] != hashlib.md5(b"").hexdigest()  # noqa: S324 - as PostgreSQL's md5
    api_server.broken = f"data/by-variable/{POPULATION}"
    asked_before = len(api_server.requests_to(f"data/by-variable/{POPULATION}"))

    with pytest.raises(BdlRequestFailed):
        await load(engine, client_for(api_server.base_url, tmp_path / "second"), years=(2023,))
    run = await last_run(engine)
    assert run["status"] == "failed"
    assert run["rows_inserted"] == 0
    assert run["sha256"] is None
    failing = page_url(api_server.base_url, POPULATION, 0)
    assert [e["file"] for e in run["errors"]] == [failing]
    assert run["errors"][0]["message"].startswith("gave up after 3 attempts; last: HTTP 500")
    assert run["message"].startswith(f"{failing}: gave up")
    assert len(api_server.requests_to(f"data/by-variable/{POPULATION}")) == asked_before + 3
    assert await checksum(engine) == before


async def test_html_page_instead_of_json_refuses_the_load_naming_the_page_url(
    engine, api_server, tmp_path
):
    api_server.script(
        f"data/by-variable/{DENSITY}",
        Reply(200, html_error_page("Bad Gateway"), content_type="text/html"),
    )
    before = await checksum(engine)
    with pytest.raises(LoadRefused):
        await load(engine, client_for(api_server.base_url, tmp_path))
    run = await last_run(engine)
    assert run["status"] == "failed"
    assert run["errors"][0]["file"] == page_url(api_server.base_url, DENSITY, 0)
    assert "not BDL JSON" in run["errors"][0]["message"]
    assert await checksum(engine) == before


async def test_refusal_names_the_url_and_row_of_a_later_page_when_the_first_was_good(
    engine, api_server, tmp_path
):
    path = f"data/by-variable/{DENSITY}"
    polska = {"id": "000000000000", "name": "POLSKA", "values": []}
    bochnia = {
        "id": "011212001011",
        "name": "Bochnia",
        "values": [{"year": "2023", "val": 1661, "attrId": 999}],
    }
    # SYNTHETIC: pages of one result; the second has an attrId BDL never documented.
    pages = [
        {**page_body(path, {}, [polska, bochnia], page, 1), "variableId": DENSITY}
        for page in (0, 1)
    ]
    api_server.script(path, *(Reply(200, encode(p)) for p in pages))
    with pytest.raises(LoadRefused):
        await load(engine, client_for(api_server.base_url, tmp_path))
    run = await last_run(engine)
    assert [(e["file"], e["row"], e["field"]) for e in run["errors"]] == [
        (page_url(api_server.base_url, DENSITY, 0, page=1), 2, "values[0].attrId")
    ]
    assert run["errors"][0]["message"].startswith("unknown attrId 999")
