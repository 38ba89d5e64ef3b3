"""`/api/v1/units`: the TERYT register, filtered, searched and paged."""

from typing import Annotated

from litestar import Request, Router, get

from domains.units.queries import UnitFilters, get_unit, list_units
from schemas.units import UnitDetail, UnitKind, UnitLevel, UnitPage
from service.deps import Db, ExportDep, SettingsDep
from service.errors import problem_responses
from service.routes.params import TERC_PATTERN, PageLimit, documented, page_of

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
    export: ExportDep,
    request: Request,  # type: ignore[type-arg]
    db: Db,
    settings: SettingsDep,
    level: Annotated[
        UnitLevel | None,
        documented("voivodeship, powiat, gmina (RODZ 1-3) or gmina_part (RODZ 4,5,8,9)", "gmina"),
    ] = None,
    kind: Annotated[
        UnitKind | None, documented("Kind of unit (from RODZ)", "gmina_miejska")
    ] = None,
    parent: Annotated[
        str | None, documented("TERC code of the parent unit", "1261", pattern=TERC_PATTERN)
    ] = None,
    q: Annotated[
        str | None,
        documented(
            "Name search ignoring case and Polish diacritics (`lodz` finds Łódź)",
            "krakow",
            min_length=1,
            max_length=100,
        ),
    ] = None,
    include_closed: Annotated[
        bool, documented("Also list units closed by a newer register", False)
    ] = False,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None,
        documented("Opaque cursor from `next_cursor`", "WzAsIjAyMDEiLDJd", max_length=200),
    ] = None,
) -> UnitPage:
    limit = min(limit, settings.max_page_size)
    filters = UnitFilters(level=level, kind=kind, parent=parent, q=q, include_closed=include_closed)
    found = await list_units(db, filters, limit=limit, cursor=cursor)
    return page_of(UnitPage, request, limit, found)


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
    db: Db,
    teryt: Annotated[str, documented("TERC code: 2, 4 or 7 digits", "1261011", "1261")],
) -> UnitDetail:
    return await get_unit(db, teryt)


router = Router(
    path="/api/v1/units", route_handlers=[list_units_handler, read_unit], tags=["units"]
)
