"""`/api/v1/costs` and `/api/v1/units/{teryt}/costs`: the total cost of a service (KCU).

Every answer carries its audit trail (rozdziały, paragraphs, amounts, shares, key, capital
method, volumes, load runs); scenarios are labelled simulations and never stored.
"""

from typing import Annotated

from litestar import Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from domains.costs.analysis import cost_cross_section, cost_scenario, list_cost_services
from domains.costs.calculator import CostParameters
from domains.costs.mapping import default_cost_catalogue
from domains.costs.queries import unit_cost
from schemas.costs import (
    CapitalMethod,
    CostCrossSection,
    CostLevel,
    CostOut,
    CostServiceList,
    Perspective,
    ScenarioIn,
    ScenarioOut,
)
from service.deps import CostCatalogueDep, Db
from service.errors import problem_responses
from service.routes.params import LangParam, documented

ServiceParam = Annotated[
    str,
    documented(
        "Cost service code, e.g. edukacja.szkoly_podstawowe",
        "edukacja.szkoly_podstawowe",
        max_length=100,
    ),
]
# Kutno: the gmina whose Rb-27S/Rb-28S reports are shipped.
TerytParam = Annotated[str, documented("TERC code", "1002011", max_length=7)]
YearParam = Annotated[
    int | None, documented("Budget year; default: the latest", 2023, ge=1990, le=2100)
]
PerspectiveParam = Annotated[
    Perspective,
    documented(
        "provider: own facilities; resident: + payments for residents served "
        "elsewhere - income for others' residents served here",
        "provider",
    ),
]
OverheadParam = Annotated[
    str,
    documented(
        "Overhead key: spend_share (alpha = C / sum C of the unit) or none; "
        "the service lists the keys it supports",
        "spend_share",
        max_length=32,
    ),
]
CapitalParam = Annotated[
    CapitalMethod,
    documented("avg5 / avg10: average capital spending over 5 / 10 years; none", "avg5"),
]
NetParam = Annotated[bool, documented("true: KCU = C + O + K - E; false: gross", True)]


def provide_cost_parameters(
    perspective: PerspectiveParam = "provider",
    overhead: OverheadParam = "spend_share",
    capital: CapitalParam = "avg5",
    net: NetParam = True,
) -> CostParameters:
    """How a cost is computed, from the query; the same four parameters on every cost route."""
    return CostParameters(perspective=perspective, overhead=overhead, capital=capital, net=net)


@get(
    "/costs",
    operation_id="listCostServices",
    summary="Services whose total cost Miarka computes, with their budget mapping",
    description="Each service: the rozdziały and shares it is built from, its dedicated income "
    "paragraphs, its unit (per pupil, per resident) and the overhead keys it supports; plus "
    "the classification vintages and their series breaks.",
    responses=problem_responses(400, 503),
)
async def list_costs(cost_catalogue: CostCatalogueDep, lang: LangParam = "pl") -> CostServiceList:
    return list_cost_services(cost_catalogue, lang)


@get(
    "/costs/{service:str}",
    operation_id="getCostCrossSection",
    summary="Cross-section: unit costs of a service for every unit of a level, with peers",
    description="Every unit with a Q4 Rb-28S report for the year, computed with the same "
    "parameters; rank 1 = lowest unit cost; national and peer-group quartiles.",
    responses=problem_responses(400, 404, 503),
)
async def read_cost_cross_section(
    *,
    db: Db,
    cost_catalogue: CostCatalogueDep,
    service: ServiceParam,
    year: YearParam = None,
    level: Annotated[CostLevel, documented("Default: gmina", "gmina")] = "gmina",
    cost_params: NamedDependency[CostParameters],
    lang: LangParam = "pl",
) -> CostCrossSection:
    return await cost_cross_section(
        db, cost_catalogue, service, year=year, level=level, params=cost_params, lang=lang
    )


@get(
    "/units/{teryt:str}/costs/{service:str}",
    operation_id="getUnitCost",
    summary="Total cost of a service in a unit (KCU), unit cost and the full audit trail",
    description="KCU = C + O + K - E (gross without E); UC = KCU / Q, with Q for pupils "
    "aligned to the fiscal year: 8/12 N(30.09.t-1) + 4/12 N(30.09.t). Each component lists "
    "the budget lines it was built from; `schools` gives each budgetary unit's own figures. "
    "`total` is null when a component asked for has no data (`missing` says which).",
    responses=problem_responses(400, 404, 503),
)
async def read_unit_cost(
    *,
    db: Db,
    cost_catalogue: CostCatalogueDep,
    teryt: TerytParam,
    service: ServiceParam,
    year: YearParam = None,
    cost_params: NamedDependency[CostParameters],
    lang: LangParam = "pl",
) -> CostOut:
    return await unit_cost(
        db, cost_catalogue, teryt, service, year=year, params=cost_params, lang=lang
    )


@post(
    "/units/{teryt:str}/costs/{service:str}/scenarios",
    operation_id="runCostScenario",
    summary="What-if: the cost with other pupils, amounts, overhead share or capital cost",
    description="Answered as a labelled simulation next to the published figure; nothing is "
    "stored and the answer is never official.",
    status_code=200,
    responses=problem_responses(400, 404, 503),
)
async def run_cost_scenario(
    *,
    db: Db,
    cost_catalogue: CostCatalogueDep,
    teryt: TerytParam,
    service: ServiceParam,
    data: JSONBody[ScenarioIn],
    lang: LangParam = "pl",
) -> ScenarioOut:
    return await cost_scenario(db, cost_catalogue, teryt, service, body=data, lang=lang)


router = Router(
    path="/api/v1",
    route_handlers=[list_costs, read_cost_cross_section, read_unit_cost, run_cost_scenario],
    dependencies={
        "cost_catalogue": Provide(default_cost_catalogue, sync_to_thread=False),
        "cost_params": Provide(provide_cost_parameters, sync_to_thread=False),
    },
    tags=["costs"],
)
