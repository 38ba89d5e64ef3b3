"""Limits that protect a public API: per-client rate limit, request size, page size."""

import msgspec
from litestar.testing import AsyncTestClient

from service.app import create_app


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
