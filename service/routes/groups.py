"""`/api/v1/groups`: user-defined groups of units (functional areas, partnerships)."""

from collections.abc import AsyncIterator
from typing import Annotated

from litestar import Router, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.groups.queries import create_group, get_group, group_indicator, list_groups
from schemas.groups import GroupIn, GroupIndicator, GroupOut
from service.deps import CatalogueDep, Db, ExportDep
from service.errors import problem_responses
from service.routes.changes import AsOfParam, as_of_for
from service.routes.params import LangParam, Year, documented


async def provide_write_db(state: State) -> AsyncIterator[AsyncConnection]:
    """A connection to the primary in a transaction committed when the handler succeeds."""
    async with state.engine.begin() as conn:
        yield conn


WriteDb = NamedDependency[AsyncConnection]
"""The connection `provide_write_db` gives, for the routes that declare it."""

GroupIdParam = Annotated[
    str, documented("Group id, as POST /api/v1/groups answered it", "rMKa8IhX", max_length=16)
]


@get(
    "/",
    operation_id="listGroups",
    summary="Saved groups, newest first (at most 200)",
    description="Groups anyone saved, with their members; share a group's `url`.",
    responses=problem_responses(400, 503),
)
async def list_groups_handler(export: ExportDep, db: Db) -> list[GroupOut]:
    return await list_groups(db)


@post(
    "/",
    operation_id="createGroup",
    summary="Save a group of units",
    description="A list of TERC codes under a short id; share `url`. Members must be units "
    "in force; at most 3,000.",
    responses=problem_responses(400, 503),
    dependencies={"write_db": Provide(provide_write_db)},
)
async def create_group_handler(write_db: WriteDb, data: JSONBody[GroupIn]) -> GroupOut:
    return await create_group(write_db, data)


@get(
    "/{group_id:str}",
    operation_id="getGroup",
    summary="One saved group",
    description="The group's name, description and member TERC codes.",
    responses=problem_responses(400, 404, 503),
)
async def read_group(db: Db, group_id: GroupIdParam) -> GroupOut:
    return await get_group(db, group_id)


@get(
    "/{group_id:str}/indicators/{code:str}",
    operation_id="getGroupIndicator",
    summary="An indicator over a group: ratio of sums, with every member's value",
    description=(
        "The group's value as a ratio of sums over its members (never a mean of the members' "
        "ratios) and every member's own value, for one year (default: the latest); with `as_of`, "
        "from the members' values as they were then."
    ),
    responses=problem_responses(400, 404, 503),
)
async def read_group_indicator(
    *,
    export: ExportDep,
    db: Db,
    catalogue: CatalogueDep,
    group_id: GroupIdParam,
    code: Annotated[
        str, documented("Indicator code", "kontekst.gestosc_zaludnienia", max_length=100)
    ],
    year: Year = None,
    lang: LangParam = "pl",
    as_of: AsOfParam = None,
) -> GroupIndicator:
    return await group_indicator(
        db, catalogue, group_id, code, lang, year=year, as_of=await as_of_for(db, as_of)
    )


router = Router(
    path="/api/v1/groups",
    route_handlers=[list_groups_handler, create_group_handler, read_group, read_group_indicator],
    tags=["groups"],
)
