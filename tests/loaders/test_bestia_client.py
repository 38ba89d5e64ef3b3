"""The BeSTi@ client and loader against a replay server on 127.0.0.1 with SYNTHETIC answers.

UNVERIFIED against the live API: these tests prove the client's paging, sorting,
de-duplication, retries and cache on answers of the shape public client code shows (see
tests/bestia_replay.py), not that the live service answers so. Time is a fake clock.
"""

import json
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from domains.costs.calculator import CostParameters
from domains.costs.mapping import default_cost_catalogue
from domains.costs.queries import unit_cost
from loaders.errors import LoadRefused
from loaders.mf_rb import load_mf_rb
from loaders.mf_rb.bestia_client import BestiaClient, BestiaNotCached, BestiaRequestFailed
from loaders.mf_rb.bestia_load import load_bestia, parse_amount_field, unit_filters
from loaders.sio import load_sio
from tests.bestia_replay import FILLER_TOTAL, RB27S, RB28S, UNIT_ID, BestiaReplay, Reply
from tests.loaders.teryt_db import checksum, teryt_engine, teryt_template
from tests.loaders.test_mf_rb import SPENT_2022
from tests.loaders.test_sio import PUPILS_2021, PUPILS_2022
from tests.replay_server import FakeClock

__all__ = ["teryt_engine", "teryt_template"]

LINES = "api/pozycje-rb28s"
FILTERS = {"jednostka-const-id": UNIT_ID, "okres-rok": "2022", "okres-okres": "4"}
NOBODY_LISTENS = "http://127.0.0.1:1"
KUTNO = "1002011"


@pytest.fixture
def replay() -> Iterator[BestiaReplay]:
    with BestiaReplay() as server:
        yield server


def client_for(replay: BestiaReplay, clock: FakeClock, **kwargs) -> BestiaClient:
    return BestiaClient(base_url=replay.base_url, clock=clock, sleep=clock.sleep, **kwargs)


async def test_every_page_is_asked_for_sorted_and_100_at_a_time(replay, clock):
    async with client_for(replay, clock) as client:
        rows, repeats = await client.fetch_all(f"/{LINES}", FILTERS, sort="dzial")
    assert len(rows) == len(RB28S) == 248
    assert repeats == 0
    asked = replay.requests_to(LINES)
    assert [r.param("page") for r in asked] == ["1", "2", "3"]
    for request in asked:
        assert request.param("sort") == "dzial"
        assert request.param("limit") == "100"
        assert request.param("format") == "JSON"
        assert request.param("filter[jednostka-const-id]") == UNIT_ID


async def test_unsorted_pages_repeat_rows_which_is_why_the_client_sorts(replay):
    seen: list[str] = []
    async with httpx.AsyncClient(base_url=replay.base_url) as http:
        for page in (1, 2, 3):
            body = (await http.get(f"/{LINES}", params={"page": page, "limit": 100})).content
            seen.extend(json.dumps(r, sort_keys=True) for r in json.loads(body)["data"])
    assert len(seen) == 248
    assert len(set(seen)) < 248  # the SYNTHETIC server is as unstable as the real one is said to be


async def test_rows_repeated_across_pages_are_dropped(replay, clock):
    replay.overlap = True
    async with client_for(replay, clock) as client:
        rows, repeats = await client.fetch_all(f"/{LINES}", FILTERS, sort="dzial")
    assert repeats == 2
    assert len({json.dumps(r, sort_keys=True) for r in rows}) == len(rows) == 248


async def test_429_and_500_are_retried_with_the_wait_asked_for(replay, clock):
    replay.script(LINES, Reply(429, b"{}", {"Retry-After": "7"}), Reply(503, b"busy"))
    async with client_for(replay, clock, backoff_s=2.0) as client:
        rows, _ = await client.fetch_all(f"/{LINES}", FILTERS, sort="dzial")
    assert len(rows) == 248
    assert 7.0 in clock.sleeps
    assert 4.0 in clock.sleeps  # the second attempt's backoff: 2 x 2^1


async def test_a_client_error_fails_at_once_naming_the_url(replay, clock):
    replay.script(LINES, Reply(400, b'{"message": "bad filter"}'))
    async with client_for(replay, clock) as client:
        with pytest.raises(BestiaRequestFailed) as caught:
            await client.fetch_all(f"/{LINES}", FILTERS, sort="dzial")
    assert caught.value.http_status == 400
    assert "pozycje-rb28s" in caught.value.url
    assert len(replay.requests_to(LINES)) == 1


async def test_no_content_is_an_empty_result(replay, clock):
    async with client_for(replay, clock) as client:
        rows, _ = await client.fetch_all(f"/{LINES}", {"okres-rok": "1999"}, sort="dzial")
    assert rows == []


async def test_an_html_page_instead_of_json_is_refused(replay, clock):
    replay.script(
        LINES, Reply(200, b"<html><body>Przerwa techniczna</body></html>", {}, "text/html")
    )
    async with client_for(replay, clock) as client:
        with pytest.raises(BestiaRequestFailed, match="not a BeSTi@ page"):
            await client.fetch_all(f"/{LINES}", FILTERS, sort="dzial")


async def test_answers_are_cached_and_replayed_offline(replay, clock, tmp_path):
    async with client_for(replay, clock, cache_dir=tmp_path) as client:
        online, _ = await client.fetch_all(f"/{LINES}", FILTERS, sort="dzial")
    assert len(list(tmp_path.glob("*.meta.json"))) == 3
    offline_client = BestiaClient(base_url=replay.base_url, cache_dir=tmp_path, from_cache=True)
    async with offline_client as offline:
        replayed, _ = await offline.fetch_all(f"/{LINES}", FILTERS, sort="dzial")
        with pytest.raises(BestiaNotCached, match="fetch it once without --from-cache"):
            await offline.fetch_all(f"/{LINES}", {"okres-rok": "2021"}, sort="dzial")
    assert replayed == online


def test_unit_filters_follow_the_bestia_codes():
    assert unit_filters(KUTNO) == {
        "jednostka-wk": "10",
        "jednostka-pk": "02",
        "jednostka-gk": "01",
        "jednostka-gt": "1",
    }
    # A city with powiat rights is filed under GK 00, PT 2 (public client code).
    assert unit_filters("1261011") == {
        "jednostka-wk": "12",
        "jednostka-pk": "61",
        "jednostka-gk": "00",
        "jednostka-pt": "2",
    }
    assert unit_filters("1002") == {
        "jednostka-wk": "10",
        "jednostka-pk": "02",
        "jednostka-gk": "00",
    }
    assert unit_filters("10")["jednostka-pk"] == "00"
    with pytest.raises(LoadRefused):
        unit_filters("1001024")  # a town part of an urban-rural gmina has no budget


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 234,56", Decimal("1234.56")),
        ("1\xa0234.5", Decimal("1234.50")),
        (12.5, Decimal("12.50")),
        (1000, Decimal("1000.00")),
        (None, None),
    ],
)
def test_amounts_as_bestia_may_write_them(raw, expected):
    assert parse_amount_field(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1.234", True])
def test_malformed_amounts_are_refused(raw):
    with pytest.raises(ValueError, match="amount"):
        parse_amount_field(raw)


async def scalar(engine, sql, **params):
    async with engine.connect() as conn:
        return await conn.scalar(text(sql), params)


async def test_loading_publishes_the_units_own_reports(teryt_engine, replay, clock):
    async with client_for(replay, clock) as client:
        summary = await load_bestia(teryt_engine, client, [KUTNO], [2022])
    assert summary.status == "published"
    assert summary.counts.rows_read == len(RB28S) + len(RB27S)
    reports = await scalar(
        teryt_engine,
        "SELECT string_agg(kind || ':' || unit_type || ':' || source, ',' ORDER BY kind) "
        "FROM budget_report",
    )
    assert reports == "rb27s:JST:bestia,rb28s:JST:bestia"
    total = await scalar(
        teryt_engine,
        "SELECT o.value FROM observation o JOIN variable v ON v.id = o.variable_id "
        "WHERE v.source = 'mf_rb28s' AND v.code = 'suma:wszystkie' AND o.teryt = :t",
        t=KUTNO,
    )
    assert Decimal(repr(total)) == Decimal("8750000.00") + FILLER_TOTAL
    flags = await scalar(
        teryt_engine, "SELECT string_agg(DISTINCT coalesce(flag, '-'), ',') FROM observation"
    )
    # Own reports: not partial; the SYNTHETIC answers say `sprawozdanie-wersja` 1, a correction.
    assert flags == "revised_at_source"
    before = await checksum(teryt_engine)
    async with client_for(replay, clock) as client:
        again = await load_bestia(teryt_engine, client, [KUTNO], [2022])
    assert again.status == "unchanged"
    assert await checksum(teryt_engine) == before


async def test_a_failed_request_fails_the_run_and_changes_nothing(teryt_engine, replay, clock):
    before = await checksum(teryt_engine)
    replay.script("api/sprawozdania", *[Reply(500, b"down")] * 8)
    async with client_for(replay, clock, max_attempts=2) as client:
        with pytest.raises(BestiaRequestFailed):
            await load_bestia(teryt_engine, client, [KUTNO], [2022])
    assert await checksum(teryt_engine) == before
    status = await scalar(teryt_engine, "SELECT status FROM load_run ORDER BY id DESC LIMIT 1")
    assert status == "failed"


async def test_own_reports_make_the_spend_share_overhead_computable(teryt_engine, replay, clock):
    """SYNTHETIC budget, real SIO pupils: every figure follows from tests/bestia_replay.py."""
    async with client_for(replay, clock) as client:
        await load_bestia(teryt_engine, client, [KUTNO], [2022])
    await load_mf_rb(teryt_engine, SPENT_2022)  # the schools' own reports, listed per school
    for path in (PUPILS_2021, PUPILS_2022):
        await load_sio(teryt_engine, path)
    async with teryt_engine.connect() as conn:
        answer = await unit_cost(
            conn,
            default_cost_catalogue(),
            KUTNO,
            "edukacja.szkoly_podstawowe",
            year=2022,
            params=CostParameters(),
        )
    c = Decimal("1300000.00")  # 80101 §401 + §411, 80148 §426 (§254 is a transfer out)
    base = c + Decimal("50000.00") + Decimal("5000000.00") + FILLER_TOTAL  # sum C, no 75023/757
    a = Decimal("2000000.00")  # 75023 §401
    e = Decimal("71000.00")  # §069 + §083 + §203; never §292, §231 is a transfer in
    k = Decimal("300000.00")  # 80101 §605, the only year with a report
    assert answer.reports.basis == "own"
    assert answer.components.direct_cost.amount == c
    assert answer.components.overhead.spend_share_base == base
    assert answer.components.overhead.alpha == (c / base).quantize(Decimal("0.000001"))
    assert answer.components.overhead.amount == (c / base * a).quantize(Decimal("0.01"))
    assert answer.components.capital.amount == k
    assert answer.components.dedicated_income.amount == e
    assert answer.total == (c + c / base * a + k - e).quantize(Decimal("0.01"))
    assert answer.missing == []
    assert len(answer.schools) == 7  # the budgetary units' reports are still shown per school
