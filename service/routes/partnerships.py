"""`/api/v1/partnerships`: partnerships of local governments and their ZMP self-assessment.

Reads are public and never cached by release (stewards change them between releases).
Creating a partnership needs an admin key; a self-assessment takes an admin key or a key
scoped to that partnership (`miarka partnerships key`).
"""

from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, patch, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody

from domains.costs.mapping import default_cost_catalogue
from domains.indicators.catalogue import Catalogue
from domains.partnerships.keys import steward_name
from domains.partnerships.measured import with_measured
from domains.partnerships.queries import (
    create_assessment,
    create_partnership,
    get_partnership,
    list_assessments,
    list_partnerships,
    partnership_indicator,
    update_partnership,
)
from domains.partnerships.rubric import Rubric, check_indicators, default_rubric
from schemas.indicators import IndicatorLevel
from schemas.partnerships import (
    AssessmentIn,
    AssessmentOut,
    AssessmentPage,
    MemberOut,
    PartnershipIn,
    PartnershipIndicator,
    PartnershipList,
    PartnershipOut,
    PartnershipPatch,
    PartnershipSummary,
)
from service.deps import CatalogueDep, CostCatalogueDep, Db, ExportDep
from service.errors import problem_responses
from service.formats import Table
from service.routes.admin import require_api_key
from service.routes.catalogue import LangParam
from service.routes.groups import WriteDb, provide_write_db
from service.routes.params import Year, documented
from service.tabular import flat_rows, register_adapter

EXAMPLE_ID = "przyklad-of-krakowski"

PartnershipIdParam = Annotated[
    str, documented("Partnership id (a slug)", EXAMPLE_ID, max_length=64)
]


def checked_rubric(catalogue: Catalogue) -> Rubric:
    """The rubric, with every indicator it names found in the catalogue (run at start-up)."""
    rubric = default_rubric()
    check_indicators(rubric, {indicator.code for indicator in catalogue.indicators})
    return rubric


def provide_rubric() -> Rubric:
    return default_rubric()


async def require_steward_key(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    partnership_id = str(connection.path_params["partnership_id"])
    async with connection.app.state.engine.connect() as conn:
        name = await steward_name(conn, connection.headers.get("x-api-key"), partnership_id)
    connection.scope.setdefault("state", {})["api_key_name"] = name


@get(
    "/",
    operation_id="listPartnerships",
    summary="Partnerships of local governments",
    description="Every recorded partnership, by name. `membership_sourced` is false when no "
    "public source for its members is cited: its membership is not presented as fact. "
    "`example` partnerships are made up (for demonstrations and tests).",
    responses=problem_responses(400, 503),
)
async def list_partnerships_handler(
    export: ExportDep, db: Db, lang: LangParam = "pl"
) -> PartnershipList:
    return await list_partnerships(db, lang)


@post(
    "/",
    operation_id="createPartnership",
    summary="Record a partnership (admin key)",
    description="Members are gminas or powiats in force, with the dates they joined (and "
    "left); or `from_group` promotes a saved group (POST /api/v1/groups), its members joining "
    "on `joined_on`. Cite `source_url` for the membership; mark made-up ones `example`.",
    responses=problem_responses(400, 401, 404, 409, 503),
    dependencies={"write_db": Provide(provide_write_db)},
    guards=[require_api_key],
    security=[{"apiKey": []}],
)
async def create_partnership_handler(
    write_db: WriteDb, data: JSONBody[PartnershipIn]
) -> PartnershipOut:
    return await create_partnership(write_db, data)


@get(
    "/{partnership_id:str}",
    operation_id="getPartnership",
    summary="One partnership with its members over time",
    description="Kind, leader, description, the cited source of the membership and every "
    "member with the dates it joined and left (the members as CSV, XLSX or Parquet).",
    responses=problem_responses(400, 404, 503),
)
async def read_partnership(
    export: ExportDep, db: Db, partnership_id: PartnershipIdParam, lang: LangParam = "pl"
) -> PartnershipOut:
    return await get_partnership(db, partnership_id, lang)


@patch(
    "/{partnership_id:str}",
    operation_id="updatePartnership",
    summary="Edit a partnership (admin key)",
    description="Only the fields given change; `null` clears the leader or the cited source. "
    "A member with the `joined_on` of a recorded membership sets its `left_on` (it left); any "
    "other member is a new membership, a gmina or powiat in force not overlapping its others.",
    responses=problem_responses(400, 401, 404, 503),
    dependencies={"write_db": Provide(provide_write_db)},
    guards=[require_api_key],
    security=[{"apiKey": []}],
)
async def update_partnership_handler(
    write_db: WriteDb,
    partnership_id: PartnershipIdParam,
    data: JSONBody[PartnershipPatch],
    lang: LangParam = "pl",
) -> PartnershipOut:
    return await update_partnership(write_db, partnership_id, data, lang)


@get(
    "/{partnership_id:str}/indicators/{code:str}",
    operation_id="getPartnershipIndicator",
    summary="An indicator over a partnership, year by year, with the members' positions",
    description="For every year, the ratio of sums over the members of that year (a member "
    "counts when it was one on 31 December); for `year` (default: the latest with a value) "
    "each member's value and whether it is above or below the partnership's, the spread "
    "between members, and `similar`: other partnerships of the same kind, nearest in "
    "population first.",
    responses=problem_responses(400, 404, 503),
)
async def read_partnership_indicator(
    *,
    export: ExportDep,
    db: Db,
    catalogue: CatalogueDep,
    partnership_id: PartnershipIdParam,
    code: Annotated[
        str, documented("Indicator code", "kontekst.gestosc_zaludnienia", max_length=100)
    ],
    year: Year = None,
    level: Annotated[
        IndicatorLevel | None,
        documented(
            "Members of this level only (default: the first of the indicator's levels that a "
            "member has)",
            "gmina",
        ),
    ] = None,
    lang: LangParam = "pl",
) -> PartnershipIndicator:
    return await partnership_indicator(
        db, catalogue, partnership_id, code, lang, year=year, level=level
    )


YearParam = Annotated[int | None, documented("Only this year", 2024, ge=2000, le=2100)]


@get(
    "/{partnership_id:str}/assessments",
    operation_id="listPartnershipAssessments",
    summary="The partnership's self-assessment against the 10 ZMP standards, with history",
    description="Every answer ever entered (newest year first); `current` marks the newest "
    "answer of each year and standard. `rubric` gives the standards as the source (ZMP) "
    "states them; only standard 5 has stage descriptors there. `measured` puts beside "
    "standards 5 and 7 what Miarka measures: the partnership's service indicators and the "
    "spread between its members, and the cost per pupil of the members' primary schools.",
    responses=problem_responses(400, 404, 503),
)
async def list_assessments_handler(
    *,
    export: ExportDep,
    db: Db,
    catalogue: CatalogueDep,
    cost_catalogue: CostCatalogueDep,
    rubric: NamedDependency[Rubric],
    partnership_id: PartnershipIdParam,
    year: YearParam = None,
    current_only: Annotated[bool, documented("Only each standard's newest answer", False)] = False,
    lang: LangParam = "pl",
) -> AssessmentPage:
    page = await list_assessments(
        db, rubric, partnership_id, lang, year=year, current_only=current_only
    )
    return await with_measured(db, catalogue, cost_catalogue, rubric, page, lang=lang)


@post(
    "/{partnership_id:str}/assessments",
    operation_id="createPartnershipAssessment",
    summary="Enter a year's self-assessment (admin key or the partnership's own key)",
    description="For each standard given (1-10), the stage 1-5, a justification and links "
    "to evidence. Earlier answers are kept as the history, never overwritten.",
    responses=problem_responses(400, 401, 403, 404, 503),
    dependencies={"write_db": Provide(provide_write_db)},
    guards=[require_steward_key],
    security=[{"apiKey": []}],
)
async def create_assessment_handler(
    *,
    write_db: WriteDb,
    catalogue: CatalogueDep,
    cost_catalogue: CostCatalogueDep,
    rubric: NamedDependency[Rubric],
    partnership_id: PartnershipIdParam,
    data: JSONBody[AssessmentIn],
    request: Request[Any, Any, Any],
) -> AssessmentPage:
    entered_by = str(request.scope.get("state", {}).get("api_key_name", ""))
    page = await create_assessment(write_db, rubric, partnership_id, data, entered_by=entered_by)
    return await with_measured(write_db, catalogue, cost_catalogue, rubric, page, lang="pl")


def _table(name: str, items: list[Any], kind: type[msgspec.Struct]) -> Table:
    columns, rows = flat_rows(items, list(kind.__struct_fields__))
    return Table(name=name, columns=columns, rows=rows)


def _indicator_table(body: PartnershipIndicator, _shape: str) -> Table:
    name = f"miarka-partnership-{body.partnership.id}-{body.indicator.code}"
    columns, rows = flat_rows(body.series, ["year", "aggregate", "members_in_force"])
    return Table(name=name, columns=columns, rows=rows)


register_adapter(
    PartnershipList,
    lambda body, _s: _table("miarka-partnerships", body.items, PartnershipSummary),
)
register_adapter(
    PartnershipOut,
    lambda body, _s: _table(f"miarka-partnership-{body.id}-members", body.members, MemberOut),
)
register_adapter(PartnershipIndicator, _indicator_table)
register_adapter(
    AssessmentPage,
    lambda body, _s: _table(
        f"miarka-partnership-{body.partnership.id}-assessments",
        body.items,
        AssessmentOut,
    ),
)

router = Router(
    path="/api/v1/partnerships",
    route_handlers=[
        list_partnerships_handler,
        create_partnership_handler,
        read_partnership,
        update_partnership_handler,
        read_partnership_indicator,
        list_assessments_handler,
        create_assessment_handler,
    ],
    dependencies={
        "rubric": Provide(provide_rubric, sync_to_thread=False),
        "cost_catalogue": Provide(default_cost_catalogue, sync_to_thread=False),
    },
    tags=["partnerships"],
)
