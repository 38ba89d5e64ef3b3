"""`/api/v1/schools`: every school and institution (RSPO) with its figures by year."""

from typing import Annotated

from litestar import Request, Router, get

from domains.schools.queries import SchoolFilters, get_school, list_schools
from schemas.schools import SchoolDetail, SchoolPage
from service.deps import Db, ExportDep, SettingsDep
from service.errors import problem_responses
from service.routes.params import TERC_PATTERN, PageLimit, documented, page_of

DEFAULT_PAGE_SIZE = 1_000


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
    export: ExportDep,
    request: Request,  # type: ignore[type-arg]
    db: Db,
    settings: SettingsDep,
    teryt: Annotated[
        str | None,
        documented(
            "Located in this unit: TERC of a voivodeship, powiat or gmina",
            "1261011",
            pattern=TERC_PATTERN,
        ),
    ] = None,
    governing: Annotated[
        str | None,
        documented("Run by this local government (TERC)", "1261011", pattern=TERC_PATTERN),
    ] = None,
    type_code: Annotated[
        int | None,
        documented("RSPO type code (e.g. 3 = szkoła podstawowa)", 3, query="type", ge=1, le=999),
    ] = None,
    public: Annotated[bool | None, documented("Public (true) or not (false)", True)] = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None, documented("Opaque cursor from `next_cursor`", "3569", max_length=20)
    ] = None,
) -> SchoolPage:
    limit = min(limit, settings.max_page_size)
    filters = SchoolFilters(teryt=teryt, governing=governing, type_code=type_code, public=public)
    found = await list_schools(db, filters, limit=limit, cursor=cursor)
    return page_of(SchoolPage, request, limit, found)


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
    db: Db,
    rspo: Annotated[int, documented("RSPO number", 34719, ge=1, le=9_999_999)],
) -> SchoolDetail:
    return await get_school(db, rspo)


router = Router(
    path="/api/v1/schools", route_handlers=[list_schools_handler, read_school], tags=["schools"]
)
