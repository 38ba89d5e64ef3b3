"""`/api/v1/admin`: load runs and starting a load. Every route needs a valid X-API-Key."""

from typing import Annotated, Any

import structlog
from litestar import Request, Router, get, post
from litestar.background_tasks import BackgroundTask
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Parameter
from litestar.response import Response
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.admin.keys import key_name
from domains.errors import NotFound
from domains.runs.models import LoadRun
from loaders.errors import LoadRefused
from loaders.shipped import load_shipped
from schemas.runs import LoadRunOut
from service.errors import problem_responses
from service.settings import Settings
from service.tabular import ExportOptions

log = structlog.get_logger("miarka.admin")


async def require_api_key(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    async with connection.app.state.engine.connect() as conn:
        name = await key_name(conn, connection.headers.get("x-api-key"))
    connection.scope.setdefault("state", {})["api_key_name"] = name


def _run(row: Any) -> LoadRunOut:  # noqa: ANN401 - a SQLAlchemy row
    data = dict(row._mapping)
    return LoadRunOut(**{name: data[name] for name in LoadRunOut.__struct_fields__})


@get("/runs", summary="Recent load runs, newest first", responses=problem_responses(400, 401, 503))
async def list_runs(
    db: NamedDependency[AsyncConnection],
    export: NamedDependency[ExportOptions],
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 50,
    source: Annotated[str | None, Parameter(max_length=32)] = None,
) -> list[LoadRunOut]:
    query = select(LoadRun.__table__).order_by(LoadRun.id.desc()).limit(limit)
    if source:
        query = query.where(LoadRun.source == source)
    return [_run(row) for row in await db.execute(query)]


@get("/runs/{run_id:int}", summary="One load run with its errors and warnings",
     responses=problem_responses(400, 401, 404, 503))  # fmt: skip
async def read_run(db: NamedDependency[AsyncConnection], run_id: int) -> LoadRunOut:
    row = (await db.execute(select(LoadRun.__table__).where(LoadRun.id == run_id))).first()
    if row is None:
        raise NotFound(f"no load run {run_id}")
    return _run(row)


async def _load_shipped(engine: AsyncEngine, settings: Settings) -> None:
    try:
        summaries = await load_shipped(engine, settings.data_dir)
    except LoadRefused as refused:
        log.error("admin.load_refused", problems=len(refused.problems))
        return
    log.info("admin.load_done", runs=[s.run_id for s in summaries])


@post(
    "/loads/shipped",
    summary="Load every file of the data manifest again (in the background)",
    description="Answers 202 at once; follow the runs at /api/v1/admin/runs. Loading the same "
    "files again changes nothing and publishes no new release.",
    status_code=HTTP_202_ACCEPTED,
    responses=problem_responses(401, 503),
)
async def start_shipped_load(
    request: Request[Any, Any, Any], state: State, settings: NamedDependency[Settings]
) -> Response[dict[str, str]]:
    log.info("admin.load_started", by=request.scope.get("state", {}).get("api_key_name"))
    return Response(
        {"status": "started", "runs": "/api/v1/admin/runs"},
        status_code=HTTP_202_ACCEPTED,
        background=BackgroundTask(_load_shipped, state.engine, settings),
    )


router = Router(
    path="/api/v1/admin",
    route_handlers=[list_runs, read_run, start_shipped_load],
    guards=[require_api_key],
    tags=["admin"],
    security=[{"apiKey": []}],
)
