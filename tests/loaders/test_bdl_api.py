"""The BDL API reader on real saved answers, and the client against a replay server on 127.0.0.1.

No database. Time is a fake clock: the limiter and the retries sleep on it, so quota windows of
15 minutes pass instantly and the tests can check every wait the client asked for.
"""

import asyncio
import copy
import json
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest

from loaders.bdl.api_json import ATTRIBUTES, parse_unit_data, parse_variable_page
from loaders.bdl.client import (
    ANONYMOUS_QUOTAS,
    REGISTERED_QUOTAS,
    BdlClient,
    BdlNotCached,
    BdlRequestFailed,
    CacheMeta,
    Quota,
    SlidingWindowLimiter,
)
from loaders.errors import LoadRefused
from tests.bdl_replay import (
    SAMPLE_VARIABLE_ID,
    ReplayServer,
    Reply,
    html_error_page,
    load_samples,
    page_body,
)
from tests.replay_server import FakeClock

SAMPLES = load_samples()
BY_VARIABLE = f"data/by-variable/{SAMPLE_VARIABLE_ID}"
BY_UNIT = "data/by-unit/023000000000"
NOBODY_LISTENS = "http://127.0.0.1:1/api/v1"


def client_for(server: ReplayServer, clock: FakeClock, **kwargs: Any) -> BdlClient:
    return BdlClient(base_url=server.base_url, clock=clock, sleep=clock.sleep, **kwargs)


def by_unit_body() -> dict[str, Any]:
    return copy.deepcopy(SAMPLES["by_unit_body"])


def variable_page(
    results: list[Any] | None = None, page: int = 0, page_size: int = 100
) -> dict[str, Any]:
    """The real saved results in the (synthetic) by-variable page envelope of tests/bdl_replay."""
    results = copy.deepcopy(SAMPLES["by_variable_results"]) if results is None else results
    body = page_body(BY_VARIABLE, {}, results, 0, len(results) or 1)
    return {**body, "page": page, "pageSize": page_size}


def encode(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


# --- parsing real answers -------------------------------------------------------------------


def test_by_unit_answer_gives_wielkopolskie_values_of_variable_9():
    parsed = parse_unit_data(encode(by_unit_body()), source="by-unit.json")
    assert parsed.skipped == []
    assert len(parsed.records) == 30
    assert {(r.teryt, r.variable, r.row, r.flag) for r in parsed.records} == {("30", "9", 1, None)}
    values = {r.year: r.value for r in parsed.records}
    assert (values[1995], values[1996], values[2010], values[2024]) == (12.0, 11.0, 55.0, 40.0)
    assert min(values) == 1995
    assert max(values) == 2024


def test_by_variable_page_reports_polska_and_makroregion_as_skipped():
    parsed = parse_variable_page(encode(variable_page()), source="page0.json")
    assert [(s.bdl_id, s.name, s.row, s.values) for s in parsed.skipped] == [
        ("000000000000", "POLSKA", 1, 30),
        ("010000000000", "MAKROREGION POŁUDNIOWY", 2, 30),
    ]
    assert {(r.teryt, r.row) for r in parsed.records} == {("12", 3)}
    malopolskie = {r.year: r.value for r in parsed.records}
    assert (malopolskie[1995], malopolskie[1996], malopolskie[2001]) == (8.0, 5.0, 1.0)
    assert parsed.total_records == 3


def test_rows_count_results_across_pages_when_page_is_not_the_first():
    results = copy.deepcopy(SAMPLES["by_variable_results"][2:])  # MAŁOPOLSKIE alone
    parsed = parse_variable_page(encode(variable_page(results, page=2, page_size=1)), source="p")
    assert {r.row for r in parsed.records} == {3}


def test_no_data_attributes_become_none_with_a_flag_never_zero():
    body = by_unit_body()
    values = body["results"][0]["values"]
    # SYNTHETIC edits of the real answer: the attributes of five years changed.
    values[0].update(val=0, attrId=4)  # 1995 x: no data / confidential
    values[1].update(val=0, attrId=15)  # 1996 "-"
    values[2].update(val=0, attrId=0)  # 1997 "0" with no attribute
    values[3].update(val=0, attrId=94)  # 1998 z: a real zero
    values[4].update(attrId=3)  # 1999 k: incomplete aggregate, value kept
    parsed = parse_unit_data(encode(body), source="by-unit.json")
    by_year = {r.year: (r.value, r.flag) for r in parsed.records}
    assert by_year[1995] == (None, "no_data_confidential_or_not_applicable")
    assert by_year[1996] == (None, "dash_unit_or_level_change")
    assert by_year[1997] == (None, "zero_without_attribute")
    assert by_year[1998] == (0.0, "zero_from_balance")
    assert by_year[1999] == (30.0, "incomplete_aggregate")
    assert by_year[2000] == (18.0, None)


def test_attribute_table_covers_every_attribute_of_the_saved_list():
    path = Path(__file__).parents[1] / "data/bdl/pyBDL_samples/samples_raw_attributes.json"
    saved = json.loads(path.read_text(encoding="utf-8"))["list_attributes"]
    assert {a["id"] for a in saved} == set(ATTRIBUTES)
    missing = {i for i, a in ATTRIBUTES.items() if a.missing}
    assert missing == {0, 4, 14, 15, 50, 91}
    assert all(a["name"] != "wartość" for a in saved if a["id"] in missing)


def test_by_unit_answer_for_polska_is_reported_as_skipped_whole():
    body = by_unit_body()
    body.update(unitId="000000000000", unitName="POLSKA")  # SYNTHETIC: real values, other unit
    parsed = parse_unit_data(encode(body), source="by-unit.json")
    assert parsed.records == []
    assert [(s.bdl_id, s.name, s.row, s.values) for s in parsed.skipped] == [
        ("000000000000", "POLSKA", None, 30)
    ]


def _broken(edit: Callable[[dict[str, Any]], object]) -> bytes:
    body = variable_page()
    edit(body)
    return encode(body)


@pytest.mark.parametrize(
    ("raw", "row", "field", "words"),
    [
        pytest.param(html_error_page(), None, None, "not BDL JSON", id="html"),
        pytest.param(encode(variable_page())[:700], None, None, "truncated", id="truncated"),
        pytest.param(b"", None, None, "not BDL JSON", id="empty"),
        pytest.param(
            _broken(lambda b: b.update(results={})), None, "results", "Expected `array`", id="shape"
        ),
        pytest.param(
            _broken(lambda b: b.pop("totalRecords")), None, "totalRecords", "missing", id="total"
        ),
        pytest.param(
            _broken(lambda b: b["results"][2]["values"][4].update(year="20x0")),
            3,
            "values[4].year",
            "four-digit year",
            id="year",
        ),
        pytest.param(
            _broken(lambda b: b["results"][1]["values"][0].update(val="21")),
            2,
            "values[0].val",
            "got `str`",
            id="val-string",
        ),
        pytest.param(
            _broken(lambda b: b["results"][0]["values"][3].pop("year")),
            1,
            "values[3].year",
            "missing required field",
            id="year-missing",
        ),
        pytest.param(
            _broken(lambda b: b["results"][2]["values"][0].update(attrId=42)),
            3,
            "values[0].attrId",
            "unknown attrId 42",
            id="attr-unknown",
        ),
        pytest.param(
            _broken(lambda b: b["results"][2]["values"][0].update(val=None)),
            3,
            "values[0].val",
            "null",
            id="val-null",
        ),
        pytest.param(
            _broken(lambda b: b["results"][2].update(id=12)), 3, "id", "got `int`", id="id-int"
        ),
    ],
)
def test_malformed_body_is_refused_naming_file_row_and_field(raw, row, field, words):
    with pytest.raises(LoadRefused) as refused:
        parse_variable_page(raw, source="https://bdl.example/data/by-variable/0?page=0")
    problem = refused.value.problems[0]
    assert problem.file == "https://bdl.example/data/by-variable/0?page=0"
    assert (problem.row, problem.field) == (row, field)
    assert words in problem.message


def test_problems_of_several_rows_are_all_reported():
    def edit(body):
        body["results"][0]["values"][0]["year"] = "x"
        body["results"][2]["values"][1]["attrId"] = 99

    with pytest.raises(LoadRefused) as refused:
        parse_variable_page(_broken(edit), source="p")
    assert [(p.row, p.field) for p in refused.value.problems] == [
        (1, "values[0].year"),
        (3, "values[1].attrId"),
    ]


# --- the client against the replay server ---------------------------------------------------


async def test_paging_fetches_every_page_exactly_once_in_order(bdl_replay_server):
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock) as bdl:
        pages = [
            p
            async for p in bdl.iter_variable_pages(SAMPLE_VARIABLE_ID, unit_level=None, page_size=1)
        ]
    requests = bdl_replay_server.requests_to(BY_VARIABLE)
    assert [r.param("page") for r in requests] == ["0", "1", "2"]
    for request in requests:
        assert (request.param("page-size"), request.param("format"), request.param("lang")) == (
            "1",
            "json",
            "pl",
        )
    parsed = [parse_variable_page(p, source=f"page{i}") for i, p in enumerate(pages)]
    assert [s.bdl_id for p in parsed for s in p.skipped] == ["000000000000", "010000000000"]
    records = [r for p in parsed for r in p.records]
    assert len(records) == 30
    assert {r.row for r in records} == {3}


async def test_unit_level_and_years_are_sent_as_bdl_expects(bdl_replay_server):
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock) as bdl:
        pages = [
            p
            async for p in bdl.iter_variable_pages(
                SAMPLE_VARIABLE_ID, unit_level=2, years=[2021, 2020], lang="en"
            )
        ]
    (request,) = bdl_replay_server.requests_to(BY_VARIABLE)
    assert request.query["year"] == ["2020", "2021"]
    assert (request.param("unit-level"), request.param("lang"), request.param("page-size")) == (
        "2",
        "en",
        "100",
    )
    (page,) = pages
    records = parse_variable_page(page, source="p").records
    assert [(r.teryt, r.year, r.value) for r in records] == [("12", 2020, 19.0), ("12", 2021, 13.0)]


async def test_429_is_retried_after_the_wait_bdl_asks_for(bdl_replay_server):
    bdl_replay_server.script(BY_UNIT, Reply(429, b"{}", headers={"Retry-After": "7"}))
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock) as bdl:
        body = await bdl.get_json(BY_UNIT, {})
    assert clock.sleeps == [7.0]
    assert len(bdl_replay_server.requests_to(BY_UNIT)) == 2
    assert parse_unit_data(body, source="u").records[0].value == 12.0


async def test_500_is_retried_with_backoff(bdl_replay_server):
    bdl_replay_server.script(BY_UNIT, Reply(500, html_error_page()), Reply(503))
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock, backoff_s=2.0) as bdl:
        await bdl.get_json(BY_UNIT, {})
    assert clock.sleeps == [2.0, 4.0]
    assert len(bdl_replay_server.requests_to(BY_UNIT)) == 3


async def test_persistent_500_gives_up_naming_the_url_and_status(bdl_replay_server):
    bdl_replay_server.script(BY_UNIT, *[Reply(500, b"oops")] * 5)
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock) as bdl:
        with pytest.raises(BdlRequestFailed) as failed:
            await bdl.get_json(BY_UNIT, {"lang": "pl"})
    assert failed.value.http_status == 500
    message = str(failed.value)
    assert f"{bdl_replay_server.base_url}/{BY_UNIT}?format=json&lang=pl" in message
    assert "5 attempts" in message
    assert "HTTP 500" in message
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]
    assert len(bdl_replay_server.requests_to(BY_UNIT)) == 5


async def test_a_retry_after_beyond_max_wait_stops_at_once(bdl_replay_server):
    bdl_replay_server.script(BY_UNIT, Reply(429, headers={"Retry-After": "3600"}))
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock) as bdl:
        with pytest.raises(BdlRequestFailed, match="retry in 3600 s"):
            await bdl.get_json(BY_UNIT, {})
    assert clock.sleeps == []


async def test_404_is_not_retried(bdl_replay_server):
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock) as bdl:
        with pytest.raises(BdlRequestFailed, match="HTTP 404") as failed:
            await bdl.get_json("data/by-variable/123456789", {})
    assert failed.value.http_status == 404
    assert len(bdl_replay_server.requests) == 1


async def test_client_id_is_sent_as_x_clientid_and_raises_the_quotas(bdl_replay_server):
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock, client_id="test-key") as bdl:
        await bdl.get_json(BY_UNIT, {})
    assert bdl.limiter.quotas == REGISTERED_QUOTAS
    async with client_for(bdl_replay_server, clock) as anonymous:
        await anonymous.get_json(BY_UNIT, {})
    assert anonymous.limiter.quotas == ANONYMOUS_QUOTAS
    first, second = bdl_replay_server.requests_to(BY_UNIT)
    assert first.headers["x-clientid"] == "test-key"
    assert "x-clientid" not in second.headers


async def test_requests_wait_in_the_limiter_before_they_go_out(bdl_replay_server):
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock) as bdl:
        for _ in range(7):
            await bdl.get_json(BY_UNIT, {})
    assert len(bdl_replay_server.requests_to(BY_UNIT)) == 7
    assert sum(clock.sleeps) == pytest.approx(1.0)  # the 6th waited for the 1-second window


async def test_no_more_requests_in_flight_than_max_concurrency(bdl_replay_server):
    bdl_replay_server.script(BY_UNIT, *[Reply(200, encode(by_unit_body()), delay_s=0.1)] * 6)
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock, max_concurrency=2) as bdl:
        bodies = await asyncio.gather(*(bdl.get_json(BY_UNIT, {}) for _ in range(6)))
    assert len(set(bodies)) == 1
    assert bdl_replay_server.max_in_flight == 2


async def test_connection_errors_are_retried_then_reported():
    clock = FakeClock()
    async with BdlClient(base_url=NOBODY_LISTENS, clock=clock, sleep=clock.sleep) as bdl:
        with pytest.raises(BdlRequestFailed, match="ConnectError") as failed:
            await bdl.get_json(BY_UNIT, {})
    assert failed.value.http_status is None
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]


def _most_in_any_window(times: list[float], period: float) -> int:
    """Most start times inside any half-open window [t, t + period)."""
    return max(bisect_left(times, t + period) - i for i, t in enumerate(times))


async def _anonymous_start_times(requests: int) -> list[float]:
    """When each of `requests` requests in a row starts under the anonymous quotas."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(ANONYMOUS_QUOTAS, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(requests):
        await limiter.acquire()
        times.append(clock.now)
    return times


async def test_limiter_lets_at_most_5_requests_into_any_second():
    times = await _anonymous_start_times(40)
    assert _most_in_any_window(times, 1) == 5
    assert times[-1] - times[0] == pytest.approx(7.0)  # 40 requests, 5 a second


async def test_limiter_enforces_100_per_15_minutes_too():
    times = await _anonymous_start_times(250)
    assert _most_in_any_window(times, 1) == 5
    assert _most_in_any_window(times, 15 * 60) == 100
    assert times[100] - times[0] == pytest.approx(900.0)
    assert times[200] - times[100] == pytest.approx(900.0)


async def test_limiter_enforces_the_long_windows():
    clock = FakeClock()
    quotas = (Quota(3, 1), Quota(4, 60), Quota(6, 3600))  # scaled-down copies of BDL's windows
    limiter = SlidingWindowLimiter(quotas, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(13):
        await limiter.acquire()
        times.append(clock.now)
    for quota in quotas:
        assert _most_in_any_window(times, quota.period_s) == quota.limit
    assert times[6] - times[0] == pytest.approx(3600.0)


async def test_answers_are_cached_and_replayed_offline(bdl_replay_server, tmp_path):
    cache = tmp_path / "bdl-cache"
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock, cache_dir=cache, client_id="secret-key") as bdl:
        online = [
            p
            async for p in bdl.iter_variable_pages(SAMPLE_VARIABLE_ID, unit_level=None, page_size=2)
        ]
        await bdl.get_json(BY_UNIT, {"lang": "pl"})
    assert len(online) == 2
    bodies = sorted(p for p in cache.iterdir() if not p.name.endswith(".meta.json"))
    metas = sorted(cache.glob("*.meta.json"))
    assert (len(bodies), len(metas)) == (3, 3)
    assert all(b"secret-key" not in p.read_bytes() for p in cache.iterdir())
    meta = msgspec.json.decode(metas[-1].read_bytes(), type=CacheMeta)
    assert meta.status == 200
    assert meta.url.startswith(f"{bdl_replay_server.base_url}/data/by-")
    assert meta.fetched_at.tzinfo is not None
    assert ("format", "json") in meta.params
    bdl_replay_server.stop()
    fetched = len(bdl_replay_server.requests)

    async with BdlClient(base_url=NOBODY_LISTENS, cache_dir=cache, from_cache=True) as offline:
        replayed = [
            p
            async for p in offline.iter_variable_pages(
                SAMPLE_VARIABLE_ID, unit_level=None, page_size=2
            )
        ]
        assert await offline.get_json(BY_UNIT, {"lang": "pl"}) == by_unit_json(cache)
        with pytest.raises(BdlNotCached, match=r"data/by-variable/0\?.*page-size=1"):
            async for _ in offline.iter_variable_pages(
                SAMPLE_VARIABLE_ID, unit_level=None, page_size=1
            ):
                pass
    assert replayed == online
    assert len(bdl_replay_server.requests) == fetched


def by_unit_json(cache: Path) -> bytes:
    (path,) = [p for p in cache.glob("data-by-unit-*.json") if not p.name.endswith(".meta.json")]
    return path.read_bytes()


async def test_html_page_answered_with_200_is_refused_naming_the_url(bdl_replay_server):
    bdl_replay_server.script(BY_VARIABLE, Reply(200, html_error_page(), content_type="text/html"))
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock) as bdl:
        with pytest.raises(LoadRefused, match="not BDL JSON") as refused:
            async for _ in bdl.iter_variable_pages(SAMPLE_VARIABLE_ID, unit_level=None):
                pass
    assert refused.value.problems[0].file.startswith(f"{bdl_replay_server.base_url}/{BY_VARIABLE}?")


async def test_pages_that_do_not_add_up_to_total_records_fail(bdl_replay_server):
    first = variable_page(copy.deepcopy(SAMPLES["by_variable_results"][:1]), page=0, page_size=1)
    empty = variable_page([], page=1, page_size=1)
    # SYNTHETIC: both pages claim 3 records, the second brings none
    bdl_replay_server.script(
        BY_VARIABLE,
        Reply(200, encode(first | {"totalRecords": 3})),
        Reply(200, encode(empty | {"totalRecords": 3})),
    )
    clock = FakeClock()
    async with client_for(bdl_replay_server, clock) as bdl:
        with pytest.raises(BdlRequestFailed, match="1 of totalRecords=3"):
            async for _ in bdl.iter_variable_pages(
                SAMPLE_VARIABLE_ID, unit_level=None, page_size=1
            ):
                pass
