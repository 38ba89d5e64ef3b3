"""`/api/v1/domains` and `/api/v1/indicators`: what Miarka measures, with definitions."""

from typing import Annotated, Literal

from litestar import Router, get

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
from service.deps import CatalogueDep, Db, ExportDep
from service.errors import problem_responses
from service.routes.params import DomainFilter, IndicatorCode, documented

LangParam = Annotated[Lang, documented("Language of names and descriptions", "pl")]


@get(
    "/domains",
    operation_id="listDomains",
    summary="The SMUP domains and their services",
    description="The nine SMUP domains plus Kontekst, each with its services and how many of "
    "its indicators have data.",
    responses=problem_responses(400, 503),
)
async def list_domains_handler(
    export: ExportDep, db: Db, catalogue: CatalogueDep, lang: LangParam = "pl"
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
    db: Db,
    catalogue: CatalogueDep,
    code: Annotated[str, documented("Domain code, e.g. edukacja", "edukacja", max_length=64)],
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
    export: ExportDep,
    db: Db,
    catalogue: CatalogueDep,
    domain: DomainFilter = None,
    typology: Annotated[Typology | None, documented("Kind of indicator", "context")] = None,
    level: Annotated[IndicatorLevel | None, documented("Applies to level", "gmina")] = None,
    status: Annotated[Status | None, documented("ok or no_data", "ok")] = None,
    q: Annotated[
        str | None, documented("Text in the code or name", "ludno", max_length=100)
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
    db: Db, catalogue: CatalogueDep, code: IndicatorCode, lang: LangParam = "pl"
) -> IndicatorDetail:
    return await get_indicator(db, catalogue, code, lang)


Order = Literal["rank", "teryt"]

router = Router(
    path="/api/v1",
    route_handlers=[list_domains_handler, read_domain, list_indicators_handler, read_indicator],
    tags=["indicators"],
)
