"""`miarka sync bdl` end to end: a SYNTHETIC catalogue synced from a replay server on 127.0.0.1.

Everything the replay serves here is SYNTHETIC, in the real BDL shapes (see tests/bdl_replay.py
and tests/loaders/test_bdl_load.py): five made-up variable ids cited by four made-up
indicators, `/variables/{id}` answers written for the test, and by-variable pages for real
TERC units of Małopolska (3 voivodeships, 5 powiats, 7 gminas) with made-up values, in pages
of 2 units so every level has several pages. Every answer carries an ETag and a matching
`If-None-Match` gets 304, as the BDL API is said to do: unverified against the live service.
Time is a fake clock: the limiter's windows and the Retry-After waits pass at once.
"""

import asyncio
import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.errors import Conflict
from domains.indicators.catalogue import Catalogue, Indicator, default_catalogue
from domains.units.bdl_ids import BDL_LEVEL_GMINA, BDL_LEVEL_POWIAT, BDL_LEVEL_VOIVODESHIP
from loaders.bdl.client import ANONYMOUS_QUOTAS, REGISTERED_QUOTAS, BdlClient, BdlRequestFailed
from loaders.bdl.sync import SYNC_LOCK_KEY, NullSyncProgress, SyncReport, sync_bdl
from loaders.bdl.sync_plan import SyncPlan, plan_sync
from loaders.http_source import SlidingWindowLimiter, schedule_s
from tests.bdl_replay import page_body
from tests.loaders.teryt_db import teryt_engine, teryt_template
from tests.replay_server import FakeClock, RecordedRequest, ReplayServerBase, Reply, json_reply

__all__ = ["teryt_engine", "teryt_template"]

PLAIN, NUMERATOR, DENOMINATOR, WRONG_UNIT, WRONG_LEVEL = 900001, 900002, 900003, 900004, 900005
YEARS = (2021, 2022, 2023)
PAGE_SIZE = 2
SLOW_S = 3.0

# Real TERC codes of the register; their BDL ids are composed (macroregion 01, region 1,
# subregion 01), as `teryt_from_bdl_id` reads them.
UNITS: dict[int, list[str]] = {
    BDL_LEVEL_VOIVODESHIP: ["02", "12", "30"],
    BDL_LEVEL_POWIAT: ["1201", "1202", "1203", "1204", "1205"],
    BDL_LEVEL_GMINA: ["1201011", "1201022", "1201032", "1201042", "1201052", "1201063", "1201072"],
}
UNIT_COUNTS = {level: len(codes) for level, codes in UNITS.items()}


def bdl_id(teryt: str) -> str:
    if len(teryt) == 2:
        return f"01{teryt}00000000"
    return f"01{teryt[:2]}101{teryt[2:4]}{teryt[4:6] or '00'}{teryt[6:] or '0'}"


# SYNTHETIC `/variables/{id}` answers: (finest level, measure unit).
META: dict[int, tuple[int, str]] = {
    PLAIN: (BDL_LEVEL_GMINA, "osoba"),
    NUMERATOR: (BDL_LEVEL_POWIAT, "osoba"),
    DENOMINATOR: (BDL_LEVEL_GMINA, "osoba"),
    WRONG_UNIT: (BDL_LEVEL_GMINA, "m"),  # the catalogue says km
    WRONG_LEVEL: (BDL_LEVEL_POWIAT, "%"),  # the catalogue cites it for gminas
}


def indicator(
    code: str, levels: list[str], unit: str, numerator: int, source: str = "gus_bdl", **formula: Any
) -> Indicator:
    return msgspec.convert(
        {
            "code": f"syn.{code}",
            "version": 1,
            "domain": "kontekst",
            "service": "kontekst.ludnosc",
            "name_pl": f"SYNTHETIC {code}",
            "name_en": f"SYNTHETIC {code}",
            "description_pl": "SYNTHETIC",
            "description_en": "SYNTHETIC",
            "typology": "context",
            "unit_pl": unit,
            "unit_en": unit,
            "polarity": "neutral",
            "levels": levels,
            "source": "SYNTHETIC",
            "citation": "SYNTHETIC: made-up BDL variable ids of a test",
            "formula": {"numerator": [{"source": source, "code": str(numerator)}], **formula},
        },
        Indicator,
    )


CATALOGUE = Catalogue(
    domains=[],
    indicators=[
        indicator("plain", ["voivodeship", "powiat", "gmina"], "osoba", PLAIN),
        indicator(
            "ratio",
            ["voivodeship", "powiat"],
            "%",
            NUMERATOR,
            denominator=[{"source": "gus_bdl", "code": str(DENOMINATOR)}],
            multiplier=100.0,
        ),
        indicator("wrong_unit", ["gmina"], "km", WRONG_UNIT),
        indicator("wrong_level", ["gmina"], "%", WRONG_LEVEL),
        indicator("not_bdl", ["gmina"], "km²", 1, source="gugik_prg"),  # not synced
    ],
)


class SyncReplay(ReplayServerBase):
    """SYNTHETIC BDL: variables and pages with ETags, 304 on a matching If-None-Match."""

    root = "/api/v1"

    def __init__(self) -> None:
        super().__init__()
        self.version: Counter[int] = Counter()
        """Bump to change a variable's values (what the next sync must load)."""
        self.meta = dict(META)
        self.slow: str | None = None
        """A path answered after `SLOW_S`: a request in flight when the test kills the sync."""

    def handle(self, raw_path: str, headers: dict[str, str]) -> Reply:
        reply = super().handle(raw_path, headers)
        etag = reply.headers.get("ETag")
        if reply.status == 200 and etag is not None and headers.get("if-none-match") == etag:
            return Reply(304, b"", headers={"ETag": etag})
        return reply

    def route(self, path: str, query: dict[str, list[str]]) -> Reply:
        kind, _, ident = path.rpartition("/")
        if kind == "variables" and int(ident) in self.meta:
            level, unit = self.meta[int(ident)]
            return tagged(
                {
                    "id": int(ident),
                    "subjectId": "P0000",
                    "n1": f"SYNTHETIC variable {ident}",
                    "n2": "ogółem",
                    "level": level,
                    "measureUnitId": 1,
                    "measureUnitName": unit,
                }
            )
        if kind == "data/by-variable" and int(ident) in self.meta:
            page = tagged(self.page(path, int(ident), query))
            return replace(page, delay_s=SLOW_S) if path == self.slow else page
        return json_reply(404, {"message": f"SYNTHETIC: nothing at {path}"})

    def page(self, path: str, variable_id: int, query: dict[str, list[str]]) -> dict[str, Any]:
        years = query.get("year") or [str(y) for y in YEARS]
        results = [
            {
                "id": bdl_id(teryt),
                "name": f"SYNTHETIC {teryt}",
                "values": [
                    {"year": year, "val": value(variable_id, teryt, int(year), self), "attrId": 1}
                    for year in years
                ],
            }
            for teryt in UNITS[int(query["unit-level"][0])]
        ]
        page, page_size = int(query["page"][0]), int(query["page-size"][0])
        return {**page_body(path, query, results, page, page_size), "variableId": variable_id}


def value(variable_id: int, teryt: str, year: int, server: SyncReplay) -> float:
    revision = server.version[variable_id]
    return float(variable_id % 100 * 1000 + int(teryt) % 97 + year - 2000 + revision)


def tagged(body: dict[str, Any]) -> Reply:
    data = json.dumps(body, ensure_ascii=False).encode()
    return Reply(200, data, headers={"ETag": f'"{hashlib.sha256(data).hexdigest()[:16]}"'})


def request_key(request: RecordedRequest) -> str:
    pairs = sorted((k, v) for k, values in request.query.items() for v in values)
    return f"{request.path}?{urlencode(pairs)}"


def the_plan(**kwargs: Any) -> SyncPlan:
    return plan_sync(CATALOGUE, page_size=PAGE_SIZE, unit_counts=UNIT_COUNTS, **kwargs)


class Killed(BaseException):
    """What a kill -9 does to the process, as far as the database sees it: it stops here."""


class KillAfter(NullSyncProgress):
    def __init__(self, requests: int) -> None:
        self.left = requests

    def advance(self, requests: int = 1) -> None:
        self.left -= requests
        if self.left <= 0:
            raise Killed


@pytest.fixture
def server() -> Iterator[SyncReplay]:
    with SyncReplay() as replay:
        yield replay


@pytest.fixture
def engine(teryt_engine: AsyncEngine) -> AsyncEngine:
    return teryt_engine


async def sync(
    engine: AsyncEngine, server: SyncReplay, clock: FakeClock, **kwargs: Any
) -> SyncReport:
    client = BdlClient(
        base_url=server.base_url, clock=clock, sleep=clock.sleep, backoff_s=0.5, max_attempts=4
    )
    async with client:
        return await sync_bdl(engine, client, the_plan(), **kwargs)


async def rows(engine: AsyncEngine, sql: str) -> list[Any]:
    async with engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(text(sql))]


async def stored(engine: AsyncEngine, variable_id: int, teryt: str, year: int) -> float:
    async with engine.connect() as conn:
        found = await conn.scalar(
            text(
                "SELECT o.value FROM observation o JOIN variable v ON v.id = o.variable_id"
                " WHERE v.source = 'gus_bdl' AND v.code = :code AND o.teryt = :teryt"
                " AND o.year = :year"
            ),
            {"code": str(variable_id), "teryt": teryt, "year": year},
        )
    return float(found)


OBSERVATIONS = """
SELECT v.code, count(*), min(o.year), max(o.year) FROM observation o
JOIN variable v ON v.id = o.variable_id WHERE v.source = 'gus_bdl' GROUP BY v.code ORDER BY 1
"""
RUNS = "SELECT status, count(*) FROM load_run WHERE source = 'bdl' GROUP BY status ORDER BY 1"


# --- the plan ---------------------------------------------------------------------------------


def test_plan_lists_every_variable_level_and_page_of_the_catalogue():
    plan = the_plan()
    assert [(v.variable_id, v.levels) for v in plan.variables] == [
        (PLAIN, (BDL_LEVEL_VOIVODESHIP, BDL_LEVEL_POWIAT, BDL_LEVEL_GMINA)),
        (NUMERATOR, (BDL_LEVEL_VOIVODESHIP, BDL_LEVEL_POWIAT)),
        (DENOMINATOR, (BDL_LEVEL_VOIVODESHIP, BDL_LEVEL_POWIAT)),
        (WRONG_UNIT, (BDL_LEVEL_GMINA,)),
        (WRONG_LEVEL, (BDL_LEVEL_GMINA,)),
    ]
    # metadata + pages of 2: voivodeships 2, powiats 3, gminas 4
    assert [plan.requests_of(v) for v in plan.variables] == [10, 6, 6, 5, 5]
    assert plan.requests == 32
    assert plan.variables[0].measure_units == (("syn.plain", "osoba"),)
    assert plan.variables[1].measure_units == ()  # a term of a ratio: no unit stated
    assert the_plan(since=2021, until=2023).years == YEARS
    assert plan_sync(CATALOGUE, domain="edukacja").variables == ()


def test_plan_of_the_shipped_catalogue_covers_every_gus_bdl_term():
    catalogue = default_catalogue()
    cited = {
        int(term.code)
        for i in catalogue.indicators
        for term in (*i.formula.numerator, *i.formula.denominator)
        if term.source == "gus_bdl"
    }
    plan = plan_sync(catalogue)
    assert {v.variable_id for v in plan.variables} == cited
    assert plan.requests == sum(plan.requests_of(v) for v in plan.variables)
    anonymous, keyed = plan.time_s(ANONYMOUS_QUOTAS), plan.time_s(REGISTERED_QUOTAS)
    assert keyed < anonymous
    text_plan = "\n".join(plan.describe())
    assert f"{plan.requests:,} requests" in text_plan
    assert "anonymous quotas" in text_plan


async def test_plan_time_is_when_the_limiter_lets_the_last_request_go():
    for quotas, requests in ((ANONYMOUS_QUOTAS, 1_234), (REGISTERED_QUOTAS, 600)):
        clock = FakeClock()
        limiter = SlidingWindowLimiter(quotas, clock=clock, sleep=clock.sleep)
        start = clock.now
        for _ in range(requests):
            await limiter.acquire()
        assert schedule_s(quotas, requests) == pytest.approx(clock.now - start)


# --- the sync ---------------------------------------------------------------------------------


async def test_whole_catalogue_sync_loads_each_variable_once_and_refuses_mismatches(
    engine, server, clock
):
    # 429 with Retry-After on the first gmina page of PLAIN, a 500 on a powiat page of NUMERATOR
    server.script(f"data/by-variable/{PLAIN}", Reply(429, b"{}", headers={"Retry-After": "7"}))
    server.script(f"data/by-variable/{NUMERATOR}", Reply(500, b'{"message": "SYNTHETIC"}'))
    report = await sync(engine, server, clock)

    assert [(v.variable_id, v.status) for v in report.variables] == [
        (PLAIN, "published"),
        (NUMERATOR, "published"),
        (DENOMINATOR, "published"),
        (WRONG_UNIT, "refused"),
        (WRONG_LEVEL, "refused"),
    ]
    assert {(v.name, v.measure_unit) for v in report.variables[:1]} == {
        (f"SYNTHETIC variable {PLAIN}, ogółem", "osoba")
    }
    unit, level = report.refused
    assert unit.message is not None
    assert "'m'" in unit.message
    assert "syn.wrong_unit says 'km'" in unit.message
    assert level.message is not None
    assert "down to level 5" in level.message
    assert "level 6" in level.message
    # 10 + 6 + 6 requests for the three loaded, one metadata request for each refused one
    assert (report.fetched, report.not_modified, report.kept) == (24, 0, 0)
    assert len(server.requests) == 26  # and the two retries
    assert 7.0 in clock.sleeps
    assert await rows(engine, OBSERVATIONS) == [
        (str(PLAIN), 15 * 3, 2021, 2023),
        (str(NUMERATOR), 8 * 3, 2021, 2023),
        (str(DENOMINATOR), 8 * 3, 2021, 2023),
    ]
    assert await rows(engine, RUNS) == [("failed", 2), ("published", 3)]
    codes = await rows(
        engine,
        "SELECT e->>'field', e->>'code' FROM load_run, jsonb_array_elements(errors) e"
        " WHERE status = 'failed' ORDER BY 1",
    )
    assert codes == [("level", "metadata_mismatch"), ("measureUnitName", "metadata_mismatch")]
    assert await stored(engine, PLAIN, "1201063", 2022) == value(PLAIN, "1201063", 2022, server)


async def test_second_sync_revalidates_with_etags_and_loads_only_what_changed(
    engine, server, clock
):
    await sync(engine, server, clock)
    releases = await rows(engine, "SELECT count(*) FROM data_release")
    first = len(server.requests)
    server.version[NUMERATOR] += 1  # BDL revised NUMERATOR's values

    report = await sync(engine, server, clock)

    assert [(v.variable_id, v.status) for v in report.variables] == [
        (PLAIN, "unchanged"),
        (NUMERATOR, "published"),
        (DENOMINATOR, "unchanged"),
        (WRONG_UNIT, "refused"),
        (WRONG_LEVEL, "refused"),
    ]
    second = server.requests[first:]
    assert len(second) == 24  # one revalidation per request, no more
    assert all("if-none-match" in r.headers for r in second)
    assert (report.fetched, report.not_modified) == (5, 19)  # NUMERATOR's 5 pages changed
    assert await rows(engine, RUNS) == [("failed", 4), ("published", 4)]
    assert await rows(engine, "SELECT count(*) FROM data_release") == [(releases[0][0] + 1,)]
    assert await stored(engine, NUMERATOR, "1202", 2023) == value(NUMERATOR, "1202", 2023, server)


@pytest.mark.parametrize("kill_after", [3, 13, 23])
async def test_killed_sync_resumes_where_it_stopped_fetching_nothing_twice(
    engine, server, clock, kill_after
):
    with pytest.raises(Killed):
        await sync(engine, server, clock, progress=KillAfter(kill_after))
    assert len(server.requests) == kill_after

    report = await sync(engine, server, clock)

    assert report.resumed
    assert [v.status for v in report.variables] == ["published"] * 3 + ["refused"] * 2
    assert all(v.name == f"SYNTHETIC variable {v.variable_id}, ogółem" for v in report.variables)
    asked = Counter(request_key(r) for r in server.requests)
    assert len(asked) == 24
    assert set(asked.values()) == {1}
    assert await rows(engine, OBSERVATIONS) == [
        (str(PLAIN), 45, 2021, 2023),
        (str(NUMERATOR), 24, 2021, 2023),
        (str(DENOMINATOR), 24, 2021, 2023),
    ]
    # the sync is finished: the next one starts anew and revalidates everything
    again = await sync(engine, server, clock)
    assert not again.resumed
    assert again.not_modified == 24


async def test_pages_that_do_not_add_up_stop_the_sync_and_are_asked_again_on_resume(
    engine, server, clock
):
    # BDL changed PLAIN between two pages: page 0 of the voivodeships counts 5 units, not 3
    path = f"data/by-variable/{PLAIN}"
    query = {"unit-level": ["2"], "page": ["0"], "page-size": ["2"]}
    changed = {**server.page(path, PLAIN, query), "totalRecords": 5}
    server.script(path, tagged(changed))
    with pytest.raises(BdlRequestFailed, match="did the data change during the run"):
        await sync(engine, server, clock)

    report = await sync(engine, server, clock)

    assert report.resumed
    assert [v.status for v in report.variables][:3] == ["published"] * 3
    voivodeship_pages = [
        r.param("page") for r in server.requests_to(path) if r.param("unit-level") == "2"
    ]
    assert voivodeship_pages == ["0", "1", "2", "0", "1"]  # asked again, not replayed


async def test_a_second_sync_at_the_same_time_is_refused(engine, server, clock):
    async with engine.connect() as other:
        await other.execute(text("SELECT pg_advisory_lock(hashtext(:key))"), {"key": SYNC_LOCK_KEY})
        with pytest.raises(Conflict, match="another `miarka sync bdl` is running"):
            await sync(engine, server, clock)
        await other.execute(
            text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": SYNC_LOCK_KEY}
        )
    assert server.requests == []
    assert (await sync(engine, server, clock)).fetched == 24  # once the other one is gone


# --- the command --------------------------------------------------------------------------------


def miarka(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env={**os.environ, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_plan_command_prints_requests_and_times_and_fetches_nothing():
    planned = miarka("sync", "bdl", "--plan", "--domain", "podatki_oplaty", "--since", "2020")
    assert planned.returncode == 0, planned.stderr
    assert planned.stdout.splitlines()[:3] == [
        f"2 BDL variables, 2020-{datetime.now(UTC).year}, pages of 100 units: 52 requests",
        "  anonymous quotas: 10 s",  # 5 a second
        "  with MIARKA_BDL_CLIENT_ID: 5 s",  # 10 a second
    ]
    wrong = miarka("sync", "bdl", "--plan", "--domain", "nope")
    assert wrong.returncode == 64
    assert "--domain 'nope'" in wrong.stderr


async def test_sync_command_publishes_reports_and_exits_2_on_a_refused_variable(engine, server):
    # The shipped catalogue's podatki_oplaty cites 76973 (zł na mieszkańca, the indicator
    # itself) and 76976 (a term of a ratio, at gmina level); SYNTHETIC metadata for both,
    # the second one published only down to powiats.
    server.meta.update({76973: (BDL_LEVEL_GMINA, "zł na mieszkańca"), 76976: (5, "zł")})
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    args = ("sync", "bdl", "--domain", "podatki_oplaty", "--base-url", server.base_url)
    done = miarka(*args, DATABASE_URL=url)
    assert done.returncode == 2, done.stderr
    assert "76973" in done.stderr
    assert "published" in done.stderr
    assert "refused" in done.stderr
    assert "down to level 5" in done.stderr
    assert "SYNTHETIC variable 76973, ogółem" in done.stderr
    assert "3 answers fetched, 0 unchanged (304)" in done.stderr
    assert len(server.requests) == 3  # two metadata requests, one page of 7 gminas
    again = miarka(*args, DATABASE_URL=url)
    assert "0 answers fetched, 3 unchanged (304)" in again.stderr


def shipped_meta(domain: str) -> dict[int, tuple[int, str]]:
    """SYNTHETIC metadata agreeing with the shipped catalogue for a domain's variables."""
    plan = plan_sync(default_catalogue(), domain=domain)
    return {
        v.variable_id: (BDL_LEVEL_GMINA, v.measure_units[0][1] if v.measure_units else "osoba")
        for v in plan.variables
    }


async def test_sync_killed_by_sigkill_resumes_asking_only_for_what_it_had_not_got(engine, server):
    server.meta.update(shipped_meta("kontekst"))
    plan = plan_sync(default_catalogue(), domain="kontekst")
    fourth = plan.variables[3].variable_id
    server.slow = f"data/by-variable/{fourth}"
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    args = [sys.executable, "-m", "service.cli", "sync", "bdl", "--domain", "kontekst"]
    env = {**os.environ, "COLUMNS": "200", "DATABASE_URL": url}
    process = await asyncio.create_subprocess_exec(
        *args,
        "--base-url",
        server.base_url,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            if server.requests_to(server.slow):
                break
            await asyncio.sleep(0.05)
        assert server.requests_to(server.slow), "the sync never reached the fourth variable"
    finally:
        process.kill()  # SIGKILL: no handler runs, the database sees the connection drop
        await process.wait()
    before = len(server.requests)
    server.slow = None

    resumed = miarka(*args[3:], "--base-url", server.base_url, DATABASE_URL=url)

    assert resumed.returncode == 0, resumed.stderr
    assert "(resumed)" in resumed.stderr
    asked = Counter(request_key(r) for r in server.requests)
    twice = {key for key, count in asked.items() if count > 1}
    assert {key.split("?")[0] for key in twice} == {f"data/by-variable/{fourth}"}
    assert len(twice) == 1  # only the request in flight at the kill, once more
    assert len(server.requests) == len(asked) + 1
    assert len(asked) > before  # the resumed sync went on past the kill
    statuses = await rows(engine, RUNS)
    assert statuses == [("published", len(plan.variables))]
