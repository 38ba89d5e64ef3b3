"""`/api/v1/groups`: user-defined groups of units (functional areas, partnerships)."""

from collections.abc import AsyncIterator
from typing import Annotated

from litestar import Router, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.groups.queries import create_group, get_group, group_indicator, list_groups
from domains.indicators.catalogue import Catalogue
from schemas.groups import GroupIn, GroupIndicator, GroupOut
from schemas.indicators import Lang
from service.errors import problem_responses
from service.tabular import ExportOptions


async def provide_write_db(state: State) -> AsyncIterator[AsyncConnection]:
    """A connection to the primary in a transaction committed when the handler succeeds."""
    async with state.engine.begin() as conn:
        yield conn


@get("/", summary="Saved groups, newest first (at most 200)", responses=problem_responses(400, 503))
async def list_groups_handler(
    export: NamedDependency[ExportOptions], db: NamedDependency[AsyncConnection]
) -> list[GroupOut]:
    return await list_groups(db)


@post(
    "/",
    summary="Save a group of units",
    description="A list of TERC codes under a short id; share `url`. Members must be units "
    "in force; at most 3,000.",
    responses=problem_responses(400, 503),
    dependencies={"write_db": Provide(provide_write_db)},
)
async def create_group_handler(
    write_db: NamedDependency[AsyncConnection], data: GroupIn
) -> GroupOut:
    return await create_group(write_db, data)


@get("/{group_id:str}", summary="One saved group", responses=problem_responses(400, 404, 503))
async def read_group(
    db: NamedDependency[AsyncConnection],
    group_id: Annotated[str, Parameter(description="Group id", max_length=16)],
) -> GroupOut:
    return await get_group(db, group_id)


@get(
    "/{group_id:str}/indicators/{code:str}",
    summary="An indicator over a group: ratio of sums, with every member's value",
    responses=problem_responses(400, 404, 503),
)
async def read_group_indicator(
    *,
    export: NamedDependency[ExportOptions],
    db: NamedDependency[AsyncConnection],
    catalogue: NamedDependency[Catalogue],
    group_id: Annotated[str, Parameter(description="Group id", max_length=16)],
    code: Annotated[str, Parameter(description="Indicator code", max_length=100)],
    year: Annotated[int | None, Parameter(ge=1990, le=2100)] = None,
    lang: Annotated[Lang, Parameter(description="Language of names")] = "pl",
) -> GroupIndicator:
    return await group_indicator(db, catalogue, group_id, code, lang, year=year)


router = Router(
    path="/api/v1/groups",
    route_handlers=[list_groups_handler, create_group_handler, read_group, read_group_indicator],
    tags=["groups"],
)
