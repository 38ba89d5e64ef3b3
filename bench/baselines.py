"""Baseline ASGI apps for bench/run.py, served on 127.0.0.1 by the same server as Miarka.

- `/hello`: the framework ceiling (Litestar returning a constant).
- `/redis`: the same bytes Miarka would serve from its cache, read straight from Redis.
- `/raw/cross-section`: Miarka's cross-section SQL through a bare asyncpg pool, rows encoded
  with msgspec: what Miarka's own endpoint is measured against.
- `/raw/dashboard`: the same for the dashboard's one query (Miarka then groups the values by
  domain and adds each indicator's summary from the catalogue).
Configured by BENCH_DATABASE_URL and BENCH_REDIS_URL.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import msgspec
from litestar import Litestar, Response, get
from litestar.datastructures import State
from redis.asyncio import Redis

from domains.indicators.queries import _DASHBOARD, VALUE_COLUMNS

CROSS_SECTION = f"""
SELECT {VALUE_COLUMNS}
FROM indicator_value v
JOIN territorial_unit u ON u.teryt = v.teryt AND u.valid_to IS NULL
WHERE v.indicator_code = $1 AND v.year = $2 AND v.level = $3
ORDER BY v.rank NULLS LAST, v.teryt
"""
REDIS_KEY = "bench:body"


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        os.environ["BENCH_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://"),
        min_size=2,
        max_size=10,
    )
    app.state.redis = Redis.from_url(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    try:
        yield
    finally:
        await app.state.pool.close()
        await app.state.redis.aclose()


@get("/hello")
async def hello() -> Response[bytes]:
    return Response(b'{"hello":"world"}', media_type="application/json")


@get("/redis")
async def from_redis(state: State) -> Response[bytes]:
    body = await state.redis.get(REDIS_KEY)
    return Response(body or b"", media_type="application/json")


@get("/raw/cross-section")
async def raw_cross_section(state: State, code: str, year: int, level: str) -> Response[bytes]:
    rows = await state.pool.fetch(CROSS_SECTION, code, year, level)
    body = msgspec.json.encode({"items": [dict(row) for row in rows]})
    return Response(body, media_type="application/json")


@get("/raw/dashboard")
async def raw_dashboard(state: State, teryt: str) -> Response[bytes]:
    rows = await state.pool.fetch(_DASHBOARD, teryt, None)
    body = msgspec.json.encode({"items": [dict(row) for row in rows]})
    return Response(body, media_type="application/json")


app = Litestar(
    route_handlers=[hello, from_redis, raw_cross_section, raw_dashboard], lifespan=[lifespan]
)
