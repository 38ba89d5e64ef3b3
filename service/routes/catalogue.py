"""`/api/v1/domains` and `/api/v1/indicators`: what Miarka measures, with definitions."""

from typing import Annotated, Literal

from litestar import Router, get
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
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

LangParam = Annotated[
    Lang,
    Parameter(description="Language of names and descriptions", examples=[Example(value="pl")]),
]


@get(
    "/domains",
    operation_id="listDomains",
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
    operation_id="getDomain",
    summary="One domain with its indicators",
    description="The domain's services and every indicator of it, with how many units have data.",
    responses=problem_responses(400, 404, 503),
)
async def read_domain(
    db: NamedDependency[AsyncConnection],
    catalogue: NamedDependency[Catalogue],
    code: Annotated[
        str,
        Parameter(
            description="Domain code, e.g. edukacja",
            max_length=64,
            examples=[Example(value="edukacja")],
        ),
    ],
    lang: LangParam = "pl",
) -> DomainDetail:
    return await get_domain(db, catalogue, code, lang)


@get(
    "/indicators",
    operation_id="listIndicators",
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
    domain: Annotated[
        str | None,
        Parameter(description="Domain code", max_length=64, examples=[Example(value="kontekst")]),
    ] = None,
    typology: Annotated[
        Typology | None,
        Parameter(description="Kind of indicator", examples=[Example(value="context")]),
    ] = None,
    level: Annotated[
        IndicatorLevel | None,
        Parameter(description="Applies to level", examples=[Example(value="gmina")]),
    ] = None,
    status: Annotated[
        Status | None, Parameter(description="ok or no_data", examples=[Example(value="ok")])
    ] = None,
    q: Annotated[
        str | None,
        Parameter(
            description="Text in the code or name",
            max_length=100,
            examples=[Example(value="ludno")],
        ),
    ] = None,
    lang: LangParam = "pl",
) -> list[IndicatorSummary]:
    return await list_indicators(
        db, catalogue, lang, domain=domain, typology=typology, level=level, status=status, q=q
    )


@get(
    "/indicators/{code:str}",
    operation_id="getIndicator",
    summary="One indicator: definition, formula, sources, years available",
    description=(
        "What the indicator measures and how: numerator and denominator with their source "
        "variables, polarity, the levels it applies to, the years with data and how many units "
        "have a value in each."
    ),
    responses=problem_responses(400, 404, 503),
)
async def read_indicator(
    db: NamedDependency[AsyncConnection],
    catalogue: NamedDependency[Catalogue],
    code: Annotated[
        str,
        Parameter(
            description="Indicator code",
            max_length=100,
            examples=[Example(value="kontekst.ludnosc")],
        ),
    ],
    lang: LangParam = "pl",
) -> IndicatorDetail:
    return await get_indicator(db, catalogue, code, lang)


Order = Literal["rank", "teryt"]

router = Router(
    path="/api/v1",
    route_handlers=[list_domains_handler, read_domain, list_indicators_handler, read_indicator],
    tags=["indicators"],
)
