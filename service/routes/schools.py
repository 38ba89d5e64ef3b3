"""`/api/v1/schools`: every school and institution (RSPO) with its figures by year."""

from typing import Annotated
from urllib.parse import urlencode

from litestar import Request, Router, get
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.schools.queries import SchoolFilters, get_school, list_schools
from schemas.schools import SchoolDetail, SchoolPage
from schemas.units import PageLinks
from service.errors import problem_responses
from service.settings import Settings
from service.tabular import ExportOptions

DEFAULT_PAGE_SIZE = 1_000
TERC_PATTERN = r"^(\d{2}|\d{4}|\d{7})$"


@get(
    "/",
    operation_id="listSchools",
    summary="List schools and institutions",
    description=(
        "Schools and education institutions by RSPO number: type, public or not, who runs "
        "them and where they are. Filter by where they are (`teryt`: a voivodeship, powiat or "
        "gmina), by who runs them (`governing`), by RSPO type code and by public status. "
        "Keyset paging: follow `links.next` until it is null; `limit` is at most 5,000."
    ),
    responses=problem_responses(400, 503),
)
async def list_schools_handler(
    *,
    export: NamedDependency[ExportOptions],
    request: Request,  # type: ignore[type-arg]
    db: NamedDependency[AsyncConnection],
    settings: NamedDependency[Settings],
    teryt: Annotated[
        str | None,
        Parameter(
            description="Located in this unit: TERC of a voivodeship, powiat or gmina",
            pattern=TERC_PATTERN,
            examples=[Example(value="1261011")],
        ),
    ] = None,
    governing: Annotated[
        str | None,
        Parameter(
            description="Run by this local government (TERC)",
            pattern=TERC_PATTERN,
            examples=[Example(value="1261011")],
        ),
    ] = None,
    type_code: Annotated[
        int | None,
        Parameter(
            query="type",
            description="RSPO type code (e.g. 3 = szkoła podstawowa)",
            ge=1,
            le=999,
            examples=[Example(value=3)],
        ),
    ] = None,
    public: Annotated[
        bool | None,
        Parameter(description="Public (true) or not (false)", examples=[Example(value=True)]),
    ] = None,
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
            max_length=20,
            examples=[Example(value="3569")],
        ),
    ] = None,
) -> SchoolPage:
    limit = min(limit, settings.max_page_size)
    filters = SchoolFilters(teryt=teryt, governing=governing, type_code=type_code, public=public)
    items, total, next_cursor = await list_schools(db, filters, limit=limit, cursor=cursor)
    params = {k: v for k, v in request.query_params.items() if k != "cursor"}
    query = request.url.query
    next_link = None
    if next_cursor is not None:
        next_link = f"{request.url.path}?{urlencode({**params, 'cursor': next_cursor})}"
    return SchoolPage(
        items=items,
        total=total,
        limit=limit,
        next_cursor=next_cursor,
        links=PageLinks(self=request.url.path + (f"?{query}" if query else ""), next=next_link),
    )


@get(
    "/{rspo:int}",
    operation_id="getSchool",
    summary="One school with its figures",
    description=(
        "The school and every figure Miarka holds for it by year (register counts, exam "
        "results), each beside the median of the schools of the same type in its gmina and the "
        "quartiles in Poland, with the source file and row it was read from."
    ),
    responses=problem_responses(400, 404, 503),
)
async def read_school(
    db: NamedDependency[AsyncConnection],
    rspo: Annotated[
        int,
        Parameter(description="RSPO number", ge=1, le=9_999_999, examples=[Example(value=34719)]),
    ],
) -> SchoolDetail:
    return await get_school(db, rspo)


router = Router(
    path="/api/v1/schools", route_handlers=[list_schools_handler, read_school], tags=["schools"]
)
