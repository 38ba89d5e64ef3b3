"""Indicator values: cross-sections, a unit's dashboard and series, peers, long selections."""

from typing import Annotated

from litestar import Router, get, post
from litestar.params import JSONBody

from domains.errors import InvalidParameter
from domains.groups.queries import get_group
from domains.indicators.monthly import monthly_series
from domains.indicators.queries import cross_section, dashboard, peers, query_values, series
from schemas.indicators import (
    MAX_QUERY_INDICATORS,
    MAX_QUERY_ROWS,
    MAX_QUERY_UNITS,
    CrossSection,
    Dashboard,
    IndicatorLevel,
    MonthlySeries,
    Peers,
    QueryIn,
    QueryOut,
    Series,
)
from service.deps import CatalogueDep, Db, ExportDep
from service.errors import problem_responses
from service.routes.changes import AsOfParam, as_of_for
from service.routes.params import (
    DomainFilter,
    IndicatorCode,
    LangParam,
    TerytPath,
    Year,
    documented,
)


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
    export: ExportDep,
    db: Db,
    catalogue: CatalogueDep,
    code: IndicatorCode,
    year: Year = None,
    level: Annotated[IndicatorLevel | None, documented("Default: gmina", "powiat")] = None,
    parent: Annotated[
        str | None, documented("TERC code of a voivodeship or powiat", "12", max_length=7)
    ] = None,
    group: Annotated[
        str | None,
        documented("Saved group id (from POST /api/v1/groups)", "rMKa8IhX", max_length=16),
    ] = None,
    provenance: Annotated[bool, documented("Add source variables and runs", True)] = False,
    lang: LangParam = "pl",
    as_of: AsOfParam = None,
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
        as_of=await as_of_for(db, as_of),
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
    export: ExportDep,
    db: Db,
    catalogue: CatalogueDep,
    teryt: TerytPath,
    domain: DomainFilter = None,
    year: Year = None,
    lang: LangParam = "pl",
    as_of: AsOfParam = None,
) -> Dashboard:
    return await dashboard(
        db, catalogue, teryt, lang, domain=domain, year=year, as_of=await as_of_for(db, as_of)
    )


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
    export: ExportDep,
    db: Db,
    catalogue: CatalogueDep,
    teryt: TerytPath,
    code: IndicatorCode,
    lang: LangParam = "pl",
    as_of: AsOfParam = None,
) -> Series:
    return await series(db, catalogue, teryt, code, lang, as_of=await as_of_for(db, as_of))


@get(
    "/units/{teryt:str}/indicators/{code:str}/monthly",
    operation_id="getMonthlySeries",
    summary="Month by month values of an indicator whose yearly figure is December's",
    description=(
        "For indicators the source publishes monthly (the registered unemployment rate): every "
        "month's value as the source gives it, with its flag; a yearly indicator is a 404."
    ),
    responses=problem_responses(400, 404, 503),
)
async def read_monthly_series(
    *,
    export: ExportDep,
    db: Db,
    catalogue: CatalogueDep,
    teryt: TerytPath,
    code: Annotated[
        str, documented("Code of an indicator with months", "kontekst.stopa_bezrobocia")
    ],
    lang: LangParam = "pl",
) -> MonthlySeries:
    return await monthly_series(db, catalogue, teryt, code, lang)


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
async def read_peers(export: ExportDep, db: Db, teryt: TerytPath) -> Peers:
    return await peers(db, teryt)


@post(
    "/query",
    operation_id="queryValues",
    summary="Long selections: many units x indicators x years in one request",
    description=f"At most {MAX_QUERY_UNITS:,} units, {MAX_QUERY_INDICATORS} indicators and "
    f"{MAX_QUERY_ROWS:,} values per request; larger selections get a 400. With `as_of`, "
    "values, flags, ranks and medians as they were in that release.",
    status_code=200,
    responses=problem_responses(400, 503),
)
async def run_query(
    export: ExportDep,
    db: Db,
    catalogue: CatalogueDep,
    data: JSONBody[QueryIn],
    as_of: AsOfParam = None,
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
        as_of=await as_of_for(db, as_of),
    )
    return QueryOut(count=len(items), items=items)


router = Router(
    path="/api/v1",
    route_handlers=[
        read_cross_section,
        read_dashboard,
        read_series,
        read_monthly_series,
        read_peers,
        run_query,
    ],
    tags=["values"],
)
