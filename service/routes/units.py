"""`/api/v1/units`: the TERYT register, filtered, searched and paged."""

from typing import Annotated
from urllib.parse import urlencode

from litestar import Request, Router, get
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.units.queries import UnitFilters, get_unit, list_units
from schemas.units import PageLinks, UnitDetail, UnitKind, UnitLevel, UnitPage
from service.errors import problem_responses
from service.settings import Settings
from service.tabular import ExportOptions

DEFAULT_PAGE_SIZE = 5_000
"""The whole register (4,348 units in 2025) fits on one default page."""


@get(
    "/",
    operation_id="listUnits",
    summary="List territorial units",
    description=(
        "Units in force of the TERYT register (gminas, powiats, voivodeships and parts of "
        "gminas), ordered by TERC code, or by relevance first when `q` is given. Paging is by "
        "keyset: follow `links.next` (or pass `next_cursor` as `cursor`) until it is null. "
        "`limit` is at most 5,000."
    ),
    responses=problem_responses(400, 503),
)
async def list_units_handler(
    *,
    export: NamedDependency[ExportOptions],
    request: Request,  # type: ignore[type-arg]
    db: NamedDependency[AsyncConnection],
    settings: NamedDependency[Settings],
    level: Annotated[
        UnitLevel | None,
        Parameter(
            description="voivodeship, powiat, gmina (RODZ 1-3) or gmina_part (RODZ 4,5,8,9)",
            examples=[Example(value="gmina")],
        ),
    ] = None,
    kind: Annotated[
        UnitKind | None,
        Parameter(
            description="Kind of unit (from RODZ)", examples=[Example(value="gmina_miejska")]
        ),
    ] = None,
    parent: Annotated[
        str | None,
        Parameter(
            description="TERC code of the parent unit",
            pattern=r"^(\d{2}|\d{4}|\d{7})$",
            examples=[Example(value="1261")],
        ),
    ] = None,
    q: Annotated[
        str | None,
        Parameter(
            description="Name search ignoring case and Polish diacritics (`lodz` finds Łódź)",
            min_length=1,
            max_length=100,
            examples=[Example(value="krakow")],
        ),
    ] = None,
    include_closed: Annotated[
        bool,
        Parameter(
            description="Also list units closed by a newer register",
            examples=[Example(value=False)],
        ),
    ] = False,
    limit: Annotated[
        int,
        Parameter(
            ge=1, le=5_000, description="Page size (max 5,000)", examples=[Example(value=100)]
        ),
    ] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None,
        Parameter(
            description="Opaque cursor from `next_cursor`",
            max_length=200,
            examples=[Example(value="WzAsIjAyMDEiLDJd")],
        ),
    ] = None,
) -> UnitPage:
    limit = min(limit, settings.max_page_size)
    filters = UnitFilters(level=level, kind=kind, parent=parent, q=q, include_closed=include_closed)
    items, total, next_cursor = await list_units(db, filters, limit=limit, cursor=cursor)
    params = {k: v for k, v in request.query_params.items() if k != "cursor"}
    next_link = None
    if next_cursor is not None:
        next_link = f"{request.url.path}?{urlencode({**params, 'cursor': next_cursor})}"
    return UnitPage(
        items=items,
        total=total,
        limit=limit,
        next_cursor=next_cursor,
        links=PageLinks(self=_self_link(request), next=next_link),
    )


def _self_link(request: Request) -> str:  # type: ignore[type-arg]
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


@get(
    "/{teryt:str}",
    operation_id="getUnit",
    summary="One territorial unit",
    description=(
        "The unit with its parents up to the voivodeship, the number of its children and, for "
        "a city with powiat rights, both of its roles (the 4-digit powiat and the 7-digit gmina)."
    ),
    responses=problem_responses(400, 404, 503),
)
async def read_unit(
    db: NamedDependency[AsyncConnection],
    teryt: Annotated[
        str,
        Parameter(
            description="TERC code: 2, 4 or 7 digits",
            examples=[Example(value="1261011"), Example(value="1261")],
        ),
    ],
) -> UnitDetail:
    return await get_unit(db, teryt)


router = Router(
    path="/api/v1/units", route_handlers=[list_units_handler, read_unit], tags=["units"]
)
