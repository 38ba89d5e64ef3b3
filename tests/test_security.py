"""Limits that protect a public API: per-client rate limit, request size, page size."""

import contextlib
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.test_deploy import FACTORY


async def test_rate_limit_answers_429_with_retry_after_and_ratelimit_headers(test_settings):
    settings = msgspec.structs.replace(test_settings, rate_limit_per_minute=5, redis_url=None)
    async with AsyncTestClient(app=create_app(settings)) as client:
        answers = [
            await client.get(f"/api/v1/units?level=voivodeship&limit={n}") for n in range(1, 8)
        ]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert answers[0].headers["ratelimit-limit"] == "5"
    assert answers[0].headers["ratelimit-remaining"] == "4"
    limited = answers[5]
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert limited.headers["content-type"] == "application/problem+json"


async def test_health_is_not_rate_limited(test_settings):
    settings = msgspec.structs.replace(test_settings, rate_limit_per_minute=2, redis_url=None)
    async with AsyncTestClient(app=create_app(settings)) as client:
        statuses = [(await client.get("/health")).status_code for _ in range(5)]
    assert statuses == [200] * 5


async def test_request_body_over_the_limit_is_413(test_settings):
    settings = msgspec.structs.replace(test_settings, max_request_bytes=1000)
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.post(
            "/api/v1/query", json={"indicators": ["kontekst.ludnosc"] * 200}
        )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_page_size_is_bounded(client):
    response = await client.get("/api/v1/units?limit=100000")
    assert response.status_code == 400


@contextlib.contextmanager
def granian_serving(database_url: str, port: int, **settings: str) -> Iterator[str]:
    """The API as deployments run it: granian with the factory, on 127.0.0.1, its own process.

    No REDIS_URL: the in-memory store, so the rate-limit budgets start fresh.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MIARKA_") and key not in {"REDIS_URL", "DATABASE_REPLICA_URL"}
    }
    command = [
        *(sys.executable, "-m", "granian", "--interface", "asgi", "--factory", FACTORY),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-access-log"),
    ]
    process = subprocess.Popen(
        command,
        env={**env, "DATABASE_URL": database_url, **settings},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"granian did not start: {process.communicate()[0]}")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.communicate(timeout=30)


_pages = itertools.count(1)


def _units_as(base: str, client: str) -> httpx.Response:
    """A request not answered from the response cache (which the rate limit does not count)."""
    return httpx.get(
        f"{base}/api/v1/units?level=voivodeship&limit={next(_pages)}",
        headers={"X-Forwarded-For": client},
        timeout=10,
    )


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(
    loaded_db_url, unused_tcp_port
):
    with granian_serving(
        loaded_db_url,
        unused_tcp_port,
        MIARKA_RATE_LIMIT_PER_MINUTE="3",
        MIARKA_FORWARDED_ALLOW_IPS="127.0.0.1",
    ) as base:
        first = [_units_as(base, "203.0.113.7").status_code for _ in range(4)]
        other = _units_as(base, "198.51.100.9")
        # A proxy appends the address it saw: the client is the last untrusted one.
        chained = _units_as(base, "192.0.2.1, 127.0.0.1")
    assert first == [200, 200, 200, 429]
    assert other.status_code == 200
    assert other.headers["ratelimit-remaining"] == "2"
    assert chained.status_code == 200
    assert chained.headers["ratelimit-remaining"] == "2"


def test_without_trusted_proxies_x_forwarded_for_is_ignored(loaded_db_url, unused_tcp_port):
    with granian_serving(loaded_db_url, unused_tcp_port, MIARKA_RATE_LIMIT_PER_MINUTE="3") as base:
        first = [_units_as(base, "203.0.113.7").status_code for _ in range(3)]
        other = _units_as(base, "198.51.100.9")
    assert first == [200, 200, 200]
    assert other.status_code == 429  # the same client (127.0.0.1) whatever the header says


async def test_cached_answers_count_against_the_limit_with_their_own_headers(test_settings):
    """The rate limit wraps the response cache: a replay is counted and carries fresh headers."""
    settings = msgspec.structs.replace(test_settings, rate_limit_per_minute=4, redis_url=None)
    async with AsyncTestClient(app=create_app(settings)) as client:
        answers = [await client.get("/api/v1/units?level=voivodeship") for _ in range(5)]
        etag = answers[0].headers["etag"]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers[:4]] == ["3", "2", "1", "0"]
    assert all(a.headers["etag"] == etag for a in answers[:4])  # the same cached answer


async def test_an_unreachable_rate_limit_store_lets_requests_through(test_settings):
    """The limit protects the service; its store failing must not take the service down."""
    settings = msgspec.structs.replace(
        test_settings, rate_limit_per_minute=2, redis_url="redis://127.0.0.1:9/0"
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        answers = [
            await client.get(f"/api/v1/units?level=voivodeship&limit={n}") for n in (1, 2, 3)
        ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all("ratelimit-limit" not in a.headers for a in answers)
