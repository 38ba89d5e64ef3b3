"""`/api/v1/admin`: load runs and starting a load. Every route needs a valid X-API-Key."""

from typing import Annotated, Any, Final

import structlog
from litestar import Request, Router, get, post
from litestar.background_tasks import BackgroundTask
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Response
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.admin.keys import key_name
from domains.errors import Conflict, NotFound
from domains.runs.models import LoadRun
from loaders.errors import LoadRefused
from loaders.run import fail_abandoned_runs
from loaders.shipped import load_shipped
from schemas.runs import LoadRunOut
from service.db import make_engine
from service.deps import Db, ExportDep, SettingsDep
from service.errors import problem_responses
from service.routes.params import documented
from service.settings import Settings

log = structlog.get_logger("miarka.admin")


async def require_api_key(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    async with connection.app.state.engine.connect() as conn:
        name = await key_name(conn, connection.headers.get("x-api-key"))
    connection.scope.setdefault("state", {})["api_key_name"] = name


def _run(row: Any) -> LoadRunOut:  # noqa: ANN401 - a SQLAlchemy row
    data = dict(row._mapping)
    data["changes"] = f"/api/v1/changes?run={data['id']}" if data["data_release_id"] else None
    return LoadRunOut(**{name: data[name] for name in LoadRunOut.__struct_fields__})


@get(
    "/runs",
    operation_id="listLoadRuns",
    summary="Recent load runs, newest first",
    description=(
        "Each run: source, file and its sha256, status, row counts and the data release it "
        "published."
    ),
    responses=problem_responses(400, 401, 503),
)
async def list_runs(
    db: Db,
    export: ExportDep,
    limit: Annotated[int, documented("At most this many", 50, ge=1, le=1000)] = 50,
    source: Annotated[str | None, documented("Only this source", "teryt", max_length=32)] = None,
) -> list[LoadRunOut]:
    query = select(LoadRun.__table__).order_by(LoadRun.id.desc()).limit(limit)
    if source:
        query = query.where(LoadRun.source == source)
    return [_run(row) for row in await db.execute(query)]


@get(
    "/runs/{run_id:int}",
    operation_id="getLoadRun",
    summary="One load run with its errors and warnings",
    description="The run with every problem it met (stable code, file, row, field).",
    responses=problem_responses(400, 401, 404, 503),
)
async def read_run(db: Db, run_id: Annotated[int, documented("Load run id", 1)]) -> LoadRunOut:
    row = (await db.execute(select(LoadRun.__table__).where(LoadRun.id == run_id))).first()
    if row is None:
        raise NotFound(f"no load run {run_id}")
    return _run(row)


ADMIN_LOAD_LOCK: Final = "miarka.admin_load"
"""Held for the whole of a load started here: one at a time, across every API replica."""


async def _claim_load_engine(settings: Settings) -> tuple[AsyncEngine, AsyncConnection]:
    """A loader's own engine (no statement limit, unlike requests) and the held load lock."""
    assert settings.database_url is not None  # noqa: S101 - resolved at start-up
    engine = make_engine(settings.database_url, settings, pool_size=2, statement_timeout_ms=0)
    lock = await engine.connect()
    claimed = await lock.scalar(
        text("SELECT pg_try_advisory_lock(hashtext(:key))"), {"key": ADMIN_LOAD_LOCK}
    )
    await lock.commit()
    if not claimed:
        await lock.close()
        await engine.dispose()
        raise Conflict("a load started from the admin API is still running; see /api/v1/admin/runs")
    return engine, lock


async def _load_shipped(engine: AsyncEngine, lock: AsyncConnection, settings: Settings) -> None:
    try:
        await fail_abandoned_runs(engine)
        summaries = await load_shipped(engine, settings.data_dir)
    except LoadRefused as refused:
        log.error("admin.load_refused", problems=len(refused.problems))
        return
    except Exception:
        log.exception("admin.load_failed")
        return
    finally:
        await lock.close()  # ends the session: the advisory lock goes with it
        await engine.dispose()
    log.info("admin.load_done", runs=[s.run_id for s in summaries])


@post(
    "/loads/shipped",
    operation_id="startShippedLoad",
    summary="Load every file of the data manifest again (in the background)",
    description="Answers 202 at once; follow the runs at /api/v1/admin/runs. Loading the same "
    "files again changes nothing and publishes no new release. The load runs on an engine of "
    "its own without the requests' statement limit; one at a time (409 while one runs).",
    status_code=HTTP_202_ACCEPTED,
    responses=problem_responses(401, 409, 503),
)
async def start_shipped_load(
    request: Request[Any, Any, Any], settings: SettingsDep
) -> Response[dict[str, str]]:
    engine, lock = await _claim_load_engine(settings)
    log.info("admin.load_started", by=request.scope.get("state", {}).get("api_key_name"))
    return Response(
        {"status": "started", "runs": "/api/v1/admin/runs"},
        status_code=HTTP_202_ACCEPTED,
        background=BackgroundTask(_load_shipped, engine, lock, settings),
    )


router = Router(
    path="/api/v1/admin",
    route_handlers=[list_runs, read_run, start_shipped_load],
    guards=[require_api_key],
    tags=["admin"],
    security=[{"apiKey": []}],
)
