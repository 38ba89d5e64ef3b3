"""`/api/v1/domains` and `/api/v1/indicators`: what Miarka measures, with definitions."""

from typing import Annotated, Literal

from litestar import Router, get
from litestar.di import NamedDependency
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.indicators.catalogue import Catalogue
from domains.indicators.queries import get_domain, get_indicator, list_domains, list_indicators
from schemas.indicators import (
    DomainDetail,
    DomainOut,
    IndicatorDetail,
    IndicatorLevel,
    IndicatorSummary,
    Lang,
    Status,
    Typology,
)
from service.errors import problem_responses
from service.tabular import ExportOptions

LangParam = Annotated[Lang, Parameter(description="Language of names and descriptions")]


@get(
    "/domains",
    summary="The SMUP domains and their services",
    description="The nine SMUP domains plus Kontekst, each with its services and how many of "
    "its indicators have data.",
    responses=problem_responses(400, 503),
)
async def list_domains_handler(
    export: NamedDependency[ExportOptions],
    db: NamedDependency[AsyncConnection],
    catalogue: NamedDependency[Catalogue],
    lang: LangParam = "pl",
) -> list[DomainOut]:
    return await list_domains(db, catalogue, lang)


@get(
    "/domains/{code:str}",
    summary="One domain with its indicators",
    responses=problem_responses(400, 404, 503),
)
async def read_domain(
    db: NamedDependency[AsyncConnection],
    catalogue: NamedDependency[Catalogue],
    code: Annotated[str, Parameter(description="Domain code, e.g. edukacja", max_length=64)],
    lang: LangParam = "pl",
) -> DomainDetail:
    return await get_domain(db, catalogue, code, lang)


@get(
    "/indicators",
    summary="The indicator catalogue",
    description="Every indicator, including those whose data are not loaded yet "
    "(`status: no_data`): listed, never hidden and never faked.",
    responses=problem_responses(400, 503),
)
async def list_indicators_handler(
    *,
    export: NamedDependency[ExportOptions],
    db: NamedDependency[AsyncConnection],
    catalogue: NamedDependency[Catalogue],
    domain: Annotated[str | None, Parameter(description="Domain code", max_length=64)] = None,
    typology: Annotated[Typology | None, Parameter(description="Kind of indicator")] = None,
    level: Annotated[IndicatorLevel | None, Parameter(description="Applies to level")] = None,
    status: Annotated[Status | None, Parameter(description="ok or no_data")] = None,
    q: Annotated[
        str | None, Parameter(description="Text in the code or name", max_length=100)
    ] = None,
    lang: LangParam = "pl",
) -> list[IndicatorSummary]:
    return await list_indicators(
        db, catalogue, lang, domain=domain, typology=typology, level=level, status=status, q=q
    )


@get(
    "/indicators/{code:str}",
    summary="One indicator: definition, formula, sources, years available",
    responses=problem_responses(400, 404, 503),
)
async def read_indicator(
    db: NamedDependency[AsyncConnection],
    catalogue: NamedDependency[Catalogue],
    code: Annotated[str, Parameter(description="Indicator code", max_length=100)],
    lang: LangParam = "pl",
) -> IndicatorDetail:
    return await get_indicator(db, catalogue, code, lang)


Order = Literal["rank", "teryt"]

router = Router(
    path="/api/v1",
    route_handlers=[list_domains_handler, read_domain, list_indicators_handler, read_indicator],
    tags=["indicators"],
)
