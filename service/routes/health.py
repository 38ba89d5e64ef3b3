"""Liveness (`/health`: the process answers) and readiness (`/ready`: database and cache)."""

import time
from importlib.metadata import version

from litestar import Response, Router, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text

from schemas.health import Check, Health, Readiness

READY_PROBE_KEY = "ready-probe"
VERSION = version("miarka")


@get(
    "/health",
    operation_id="getHealth",
    description="Answers 200 while the process runs; checks nothing else (see /ready).",
    summary="Liveness: the process is up",
    cache=False,
)
async def read_health() -> Health:
    return Health(status="ok", version=VERSION)


@get(
    "/ready",
    operation_id="getReadiness",
    summary="Readiness: the database and the cache answer",
    description="200 when both answer, 503 otherwise; the body says which check failed.",
    cache=False,
    responses={
        HTTP_503_SERVICE_UNAVAILABLE: ResponseSpec(
            data_container=Readiness, description="Not ready: the body says which check failed"
        )
    },
)
async def read_ready(state: State) -> Response[Readiness]:
    database, release = await _check_database(state)
    cache = await _check_cache(state)
    ready = database.ok and cache.ok
    body = Readiness(
        status="ready" if ready else "not_ready",
        database=database,
        cache=cache,
        data_release=release,
    )
    return Response(body, status_code=HTTP_200_OK if ready else HTTP_503_SERVICE_UNAVAILABLE)


async def _check_database(state: State) -> tuple[Check, int | None]:
    started = time.perf_counter()
    try:
        async with state.read_engine.connect() as conn:
            release = await conn.scalar(text("SELECT coalesce(max(id), 0) FROM data_release"))
    except Exception as exc:
        return Check(ok=False, detail=type(exc).__name__, milliseconds=_ms(started)), None
    return Check(ok=True, milliseconds=_ms(started)), int(release)


async def _check_cache(state: State) -> Check:
    started = time.perf_counter()
    try:
        await state.store.ping()
    except Exception as exc:
        return Check(ok=False, detail=type(exc).__name__, milliseconds=_ms(started))
    return Check(ok=True, milliseconds=_ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


router = Router(path="/", route_handlers=[read_health, read_ready], tags=["health"])
