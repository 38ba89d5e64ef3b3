"""Indicator values: cross-sections, a unit's dashboard and series, peers, long selections."""

from typing import Annotated

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter
from domains.groups.queries import get_group
from domains.indicators.catalogue import Catalogue
from domains.indicators.queries import cross_section, dashboard, peers, query_values, series
from schemas.indicators import (
    MAX_QUERY_INDICATORS,
    MAX_QUERY_ROWS,
    MAX_QUERY_UNITS,
    CrossSection,
    Dashboard,
    IndicatorLevel,
    Lang,
    Peers,
    QueryIn,
    QueryOut,
    Series,
)
from service.errors import problem_responses
from service.tabular import ExportOptions

LangParam = Annotated[
    Lang, Parameter(description="Language of names", examples=[Example(value="pl")])
]
Year = Annotated[
    int | None,
    Parameter(ge=1990, le=2100, description="Default: the latest", examples=[Example(value=2023)]),
]
TerytPath = Annotated[
    str, Parameter(description="TERC code", max_length=7, examples=[Example(value="1261011")])
]
IndicatorPath = Annotated[
    str,
    Parameter(
        description="Indicator code", max_length=100, examples=[Example(value="kontekst.ludnosc")]
    ),
]


@get(
    "/indicators/{code:str}/values",
    operation_id="getCrossSection",
    summary="Cross-section: one indicator for every unit of a level in one year",
    description="Ranking with peer statistics (peer-group median and quartiles, national "
    "median, rank by polarity, change on the previous year). Filter by `parent` (a TERC "
    "prefix: a voivodeship or powiat) or by a saved `group`.",
    responses=problem_responses(400, 404, 503),
)
async def read_cross_section(
    *,
    export: NamedDependency[ExportOptions],
    db: NamedDependency[AsyncConnection],
    catalogue: NamedDependency[Catalogue],
    code: IndicatorPath,
    year: Year = None,
    level: Annotated[
        IndicatorLevel | None,
        Parameter(description="Default: gmina", examples=[Example(value="powiat")]),
    ] = None,
    parent: Annotated[
        str | None,
        Parameter(
            description="TERC code of a voivodeship or powiat",
            max_length=7,
            examples=[Example(value="12")],
        ),
    ] = None,
    group: Annotated[
        str | None,
        Parameter(
            description="Saved group id (from POST /api/v1/groups)",
            max_length=16,
            examples=[Example(value="rMKa8IhX")],
        ),
    ] = None,
    provenance: Annotated[
        bool, Parameter(description="Add source variables and runs", examples=[Example(value=True)])
    ] = False,
    lang: LangParam = "pl",
) -> CrossSection:
    members = (await get_group(db, group)).members if group else None
    return await cross_section(
        db,
        catalogue,
        code,
        lang,
        year=year,
        level=level,
        parent=parent,
        members=members,
        provenance=provenance,
    )


@get(
    "/units/{teryt:str}/indicators",
    operation_id="getDashboard",
    summary="A unit's dashboard: its indicators by domain",
    description="For each indicator that applies to the unit's level: the latest value (or "
    "the one of `year`) with rank and peer statistics; null when the unit has none.",
    responses=problem_responses(400, 404, 503),
)
async def read_dashboard(
    *,
    export: NamedDependency[ExportOptions],
    db: NamedDependency[AsyncConnection],
    catalogue: NamedDependency[Catalogue],
    teryt: TerytPath,
    domain: Annotated[
        str | None,
        Parameter(description="Domain code", max_length=64, examples=[Example(value="kontekst")]),
    ] = None,
    year: Year = None,
    lang: LangParam = "pl",
) -> Dashboard:
    return await dashboard(db, catalogue, teryt, lang, domain=domain, year=year)


@get(
    "/units/{teryt:str}/indicators/{code:str}/series",
    operation_id="getSeries",
    summary="Time series of one indicator for one unit, with peer and national medians",
    description=(
        "Every year the unit has a value of the indicator, each beside the median of its peer "
        "group and of Poland in that year."
    ),
    responses=problem_responses(400, 404, 503),
)
async def read_series(
    *,
    export: NamedDependency[ExportOptions],
    db: NamedDependency[AsyncConnection],
    catalogue: NamedDependency[Catalogue],
    teryt: TerytPath,
    code: IndicatorPath,
    lang: LangParam = "pl",
) -> Series:
    return await series(db, catalogue, teryt, code, lang)


@get(
    "/units/{teryt:str}/peers",
    operation_id="getPeers",
    summary="The unit's peer group and its most similar units, with the features compared",
    description=(
        "The peer group the unit is compared within and its nearest units by the similarity "
        "features (population, density, age shares); each neighbour with its distance and its own"
        " feature values. In files, one column per feature: `features.<name>`."
    ),
    responses=problem_responses(400, 404, 503),
)
async def read_peers(
    export: NamedDependency[ExportOptions],
    db: NamedDependency[AsyncConnection],
    teryt: TerytPath,
) -> Peers:
    return await peers(db, teryt)


@post(
    "/query",
    operation_id="queryValues",
    summary="Long selections: many units x indicators x years in one request",
    description=f"At most {MAX_QUERY_UNITS:,} units, {MAX_QUERY_INDICATORS} indicators and "
    f"{MAX_QUERY_ROWS:,} values per request; larger selections get a 400.",
    status_code=200,
    responses=problem_responses(400, 503),
)
async def run_query(
    export: NamedDependency[ExportOptions],
    db: NamedDependency[AsyncConnection],
    catalogue: NamedDependency[Catalogue],
    data: QueryIn,
) -> QueryOut:
    if not data.indicators or len(data.indicators) > MAX_QUERY_INDICATORS:
        raise InvalidParameter(
            "indicators", f"give 1 to {MAX_QUERY_INDICATORS} indicator codes", source="body"
        )
    if len(data.units) > MAX_QUERY_UNITS:
        raise InvalidParameter("units", f"at most {MAX_QUERY_UNITS:,} units", source="body")
    items = await query_values(
        db,
        catalogue,
        codes=data.indicators,
        units=data.units,
        levels=list(data.levels),
        years=data.years,
        limit=MAX_QUERY_ROWS,
    )
    return QueryOut(count=len(items), items=items)


router = Router(
    path="/api/v1",
    route_handlers=[read_cross_section, read_dashboard, read_series, read_peers, run_query],
    tags=["values"],
)
