"""The shared base of the HTTP source clients against a replay server on 127.0.0.1.

Retries, `Retry-After`, the quota windows and the raw-answer cache, tested once here for every
source. Time is a fake clock where a test checks the waits, the real one where it checks that
the waits really happen (kept below two seconds).
"""

import time
from bisect import bisect_left
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from loaders.http_source import (
    CacheMeta,
    LiveSource,
    Query,
    Quota,
    ReplaySource,
    SourceNotCached,
    SourceRequestFailed,
    SourceSpec,
    open_source,
)
from tests.replay_server import FakeClock, ReplayServerBase, Reply, json_reply

SPEC = SourceSpec(
    name="Test API", key="test", failed=SourceRequestFailed, not_cached=SourceNotCached
)
PING = "v1/ping"
BODY = b'{"SYNTHETIC": "pong"}'
NOBODY_LISTENS = "http://127.0.0.1:1"
ROOMY = (Quota(1_000, 1),)


class PingReplay(ReplayServerBase):
    """SYNTHETIC: one route that always answers, so every failure is a scripted one."""

    def route(self, path: str, query: dict[str, list[str]]) -> Reply:
        if path == PING:
            return Reply(200, BODY)
        return super().route(path, query)


@pytest.fixture
def server() -> Iterator[PingReplay]:
    with PingReplay() as replay:
        yield replay


def live(base_url: str, clock: FakeClock | None = None, **kwargs: Any) -> LiveSource:
    kwargs.setdefault("quotas", ROOMY)
    if clock is not None:
        kwargs.update(clock=clock, sleep=clock.sleep)
    return LiveSource(SPEC, base_url, **kwargs)


async def fetch(source: LiveSource, query: Query = (("a", "1"),)) -> bytes:
    try:
        return await source.get(PING, query)
    finally:
        await source.aclose()


# --- Retry-After ----------------------------------------------------------------------------


async def test_retry_after_seconds_are_waited_for_when_the_source_answers_429(server, clock):
    server.script(PING, Reply(429, b"{}", headers={"Retry-After": "3"}))
    assert await fetch(live(server.base_url, clock)) == BODY
    assert clock.sleeps == [3.0]
    assert len(server.requests_to(PING)) == 2


async def test_retry_after_as_an_http_date_is_waited_for_when_a_503_names_it(server, clock):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    server.script(PING, Reply(503, b"busy", headers={"Retry-After": when}))
    assert await fetch(live(server.base_url, clock)) == BODY
    (wait,) = clock.sleeps
    assert 110 < wait <= 120


async def test_retry_after_past_max_wait_fails_at_once_when_the_quota_is_used_up(server, clock):
    server.script(PING, Reply(429, b"{}", headers={"Retry-After": "11"}))
    with pytest.raises(SourceRequestFailed) as failed:
        await fetch(live(server.base_url, clock, max_wait_s=10))
    message = str(failed.value)
    assert "Test API asks to retry in 11 s" in message
    assert "max_wait_s=10" in message
    assert failed.value.http_status == 429
    assert clock.sleeps == []
    assert len(server.requests_to(PING)) == 1


async def test_retry_after_is_really_waited_for_when_time_is_real(server):
    server.script(PING, Reply(429, b"{}", headers={"Retry-After": "1"}))
    started = time.monotonic()
    assert await fetch(live(server.base_url)) == BODY
    assert 1.0 <= time.monotonic() - started < 5
    assert len(server.requests_to(PING)) == 2


# --- 5xx, transport errors, client errors ---------------------------------------------------


async def test_5xx_is_retried_with_backoff_when_the_source_recovers(server, clock):
    server.script(PING, Reply(500, b"oops"), Reply(502), Reply(504))
    assert await fetch(live(server.base_url, clock, backoff_s=0.5)) == BODY
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert len(server.requests_to(PING)) == 4


async def test_5xx_is_reported_naming_url_status_and_attempts_when_retries_run_out(server, clock):
    server.script(PING, *[Reply(503, b"SYNTHETIC: down for maintenance")] * 3)
    with pytest.raises(SourceRequestFailed) as failed:
        await fetch(live(server.base_url, clock, max_attempts=3), query=(("a", "1"), ("b", "2")))
    assert failed.value.http_status == 503
    assert failed.value.url == f"{server.base_url}/{PING}?a=1&b=2"
    message = str(failed.value)
    assert message.startswith(f"{server.base_url}/{PING}?a=1&b=2: gave up after 3 attempts")
    assert "HTTP 503" in message
    assert "down for maintenance" in message
    assert clock.sleeps == [1.0, 2.0]
    assert len(server.requests_to(PING)) == 3


async def test_transport_errors_are_retried_then_reported_when_nobody_listens(clock):
    with pytest.raises(SourceRequestFailed, match="ConnectError") as failed:
        await fetch(live(NOBODY_LISTENS, clock))
    assert failed.value.http_status is None
    assert "gave up after 5 attempts" in str(failed.value)
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]


async def test_client_errors_fail_at_once_when_the_source_refuses(server, clock):
    server.script(PING, json_reply(400, {"message": "SYNTHETIC: bad filter"}))
    with pytest.raises(SourceRequestFailed, match="Test API answered HTTP 400") as failed:
        await fetch(live(server.base_url, clock))
    assert failed.value.http_status == 400
    assert clock.sleeps == []
    assert len(server.requests_to(PING)) == 1


# --- the quota windows ----------------------------------------------------------------------


def _most_in_any_window(times: list[float], period: float) -> int:
    """Most start times inside any half-open window [t, t + period)."""
    return max(bisect_left(times, t + period) - i for i, t in enumerate(times))


async def test_every_quota_window_holds_when_requests_go_out(server, clock):
    quotas = (Quota(2, 1), Quota(3, 10), Quota(5, 60))  # small copies of BDL's four windows
    source = live(server.base_url, clock, quotas=quotas)
    times = []
    try:
        for _ in range(11):
            await source.get(PING, ())
            times.append(clock.now)  # the clock moves only while the limiter waits
    finally:
        await source.aclose()
    for quota in quotas:
        assert _most_in_any_window(times, quota.period_s) == quota.limit
    assert times[5] - times[0] == pytest.approx(60.0)
    assert len(server.requests_to(PING)) == 11


async def test_quota_windows_hold_in_real_time(server):
    # 6 requests, 2 in any 0.2 s, 3 in any 0.6 s: they start at 0, 0, 0.2, 0.6, 0.6, 0.8.
    source = live(server.base_url, quotas=(Quota(2, 0.2), Quota(3, 0.6)))
    started = time.monotonic()
    try:
        for _ in range(6):
            await source.get(PING, ())
    finally:
        await source.aclose()
    assert 0.8 <= time.monotonic() - started < 3
    assert len(server.requests_to(PING)) == 6


# --- conditional requests ------------------------------------------------------------------


async def test_a_304_answers_a_kept_etag_and_is_neither_cached_nor_an_error(server, tmp_path):
    server.script(PING, Reply(304, headers={"ETag": '"v1"'}, content_type="text/plain"))
    source = live(server.base_url, cache_dir=tmp_path)
    try:
        answer = await source.get_conditional(PING, (("a", "1"),), etag='"v1"')
    finally:
        await source.aclose()
    assert (answer.status, answer.body, answer.etag) == (304, b"", '"v1"')
    assert server.requests_to(PING)[0].headers["if-none-match"] == '"v1"'
    assert list(tmp_path.iterdir()) == []  # the kept body is the caller's


async def test_a_304_to_a_request_without_an_etag_is_refused(server, clock):
    server.script(PING, Reply(304, content_type="text/plain"))
    with pytest.raises(SourceRequestFailed, match="HTTP 304"):
        await fetch(live(server.base_url, clock))
    assert "if-none-match" not in server.requests_to(PING)[0].headers


# --- the cache and the replay ---------------------------------------------------------------


async def test_a_cache_hit_answers_without_the_network_when_replaying(server, tmp_path):
    online = await fetch(live(server.base_url, cache_dir=tmp_path))
    (meta_path,) = tmp_path.glob("*.meta.json")
    meta = msgspec.json.decode(meta_path.read_bytes(), type=CacheMeta)
    assert (meta.url, meta.status, meta.bytes) == (f"{server.base_url}/{PING}?a=1", 200, len(BODY))
    server.stop()
    asked = len(server.requests)

    replay = open_source(SPEC, NOBODY_LISTENS, replay=True, cache_dir=tmp_path, quotas=ROOMY)
    assert isinstance(replay, ReplaySource)
    assert await replay.get(PING, (("a", "1"),)) == online == BODY
    with pytest.raises(SourceNotCached, match=r"v1/ping\?a=2 is not in the cache") as missing:
        await replay.get(PING, (("a", "2"),))
    assert "fetch it once without --from-cache" in str(missing.value)
    assert len(server.requests) == asked


async def test_an_empty_answer_is_cached_with_its_status_when_nothing_matches(server, tmp_path):
    server.script(PING, Reply(204, content_type="text/plain"))
    assert await fetch(live(server.base_url, cache_dir=tmp_path)) == b""
    (meta_path,) = tmp_path.glob("*.meta.json")
    assert msgspec.json.decode(meta_path.read_bytes(), type=CacheMeta).status == 204


async def test_open_source_is_live_unless_replaying_and_a_replay_needs_a_cache():
    source = open_source(SPEC, NOBODY_LISTENS, replay=False, cache_dir=None, quotas=ROOMY)
    assert isinstance(source, LiveSource)
    await source.aclose()
    with pytest.raises(ValueError, match="needs cache_dir"):
        open_source(SPEC, NOBODY_LISTENS, replay=True, cache_dir=None, quotas=ROOMY)


def test_urls_are_shown_readable_when_the_spec_asks():
    readable = SourceSpec(
        name="R",
        key="r",
        failed=SourceRequestFailed,
        not_cached=SourceNotCached,
        readable_urls=True,
    )
    query = (("filter[okres-rok]", "2022"), ("page", "1"))
    assert ReplaySource(readable, "http://127.0.0.1:1/", Path()).url_of("/api/x", query) == (
        "http://127.0.0.1:1/api/x?filter[okres-rok]=2022&page=1"
    )
    assert ReplaySource(SPEC, "http://127.0.0.1:1", Path()).url_of("api/x", query) == (
        "http://127.0.0.1:1/api/x?filter%5Bokres-rok%5D=2022&page=1"
    )
