"""Liveness and readiness against the real database and cache, and when they are gone."""

import msgspec
from litestar.testing import AsyncTestClient

from loaders.manifest import read_manifest
from loaders.shipped import LOADERS
from service.app import create_app
from tests.plugin import SHIPPED_DATA


async def test_health_answers_without_touching_dependencies(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_ready_checks_database_and_cache(client):
    response = await client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["database"]["ok"]
    assert body["cache"]["ok"]
    # one release per file of data/manifest.toml that is loaded (not the TERYT history the
    # gmina placer reads), but the 2 MF PIT statements of the metropolis, which store nothing
    loaded = [f for f in read_manifest(SHIPPED_DATA).file if f.source in LOADERS]
    assert body["data_release"] == len(loaded) - 2


async def test_ready_is_503_when_the_cache_is_unreachable(test_settings):
    broken = msgspec.structs.replace(test_settings, redis_url="redis://127.0.0.1:1/0")
    async with AsyncTestClient(app=create_app(broken)) as client:
        response = await client.get("/ready")
        units = await client.get("/api/v1/units/12")
    assert response.status_code == 503
    assert response.json()["cache"] == {
        "ok": False,
        "detail": "ConnectionError",
        "milliseconds": response.json()["cache"]["milliseconds"],
    }
    assert units.status_code == 200  # the API itself still answers from PostgreSQL


async def test_database_down_is_a_503_problem_with_retry_after(test_settings):
    gone = msgspec.structs.replace(
        test_settings, database_url="postgresql://postgres@127.0.0.1:1/none"
    )
    async with AsyncTestClient(app=create_app(gone)) as client:
        ready = await client.get("/ready")
        units = await client.get("/api/v1/units/12")
    assert ready.status_code == 503
    assert ready.json()["database"]["ok"] is False
    assert units.status_code == 503
    assert units.headers["content-type"] == "application/problem+json"
    assert units.headers["retry-after"] == "5"
    assert units.json()["type"] == "/problems/database-unavailable"


async def test_a_query_over_the_statement_timeout_is_a_503_problem_not_a_500(test_settings):
    """The API's statement timeout (MIARKA_SQL_TIMEOUT_MS) cancelling a read means the server is
    busy: 503 with Retry-After, as for a database that does not answer."""
    hasty = msgspec.structs.replace(test_settings, sql_timeout_ms=1)
    async with AsyncTestClient(app=create_app(hasty)) as client:
        answer = await client.get("/api/v1/indicators/kontekst.ludnosc/values?level=gmina")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["type"] == "/problems/query-timeout"
