"""What Miarka measures beside a self-assessment: standards 5 (integration of services) and 7
(monitoring and evaluation) get the partnership's service indicators and their spread.

The indicators are the ones `standards.toml` lists for a standard (Miarka's choice, marked so);
standard 5 also gets the cost per pupil of the members' primary schools from the cost
calculator (domains/costs), as Σ total / Σ pupils over the members with a Q4 Rb-28S report of
the latest year any member has one. A figure that is not loaded stays empty, never 0.
"""

from typing import Final

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.costs.calculator import CostParameters, calculate
from domains.costs.mapping import CostCatalogue
from domains.costs.present import cost_out
from domains.costs.queries import find_service, gather_unit
from domains.costs.sources import years_with_reports
from domains.errors import MiarkaError
from domains.indicators.catalogue import Catalogue
from domains.partnerships.compare import spread
from domains.partnerships.queries import get_partnership, partnership_indicator
from domains.partnerships.rubric import Rubric
from schemas.indicators import Lang
from schemas.partnerships import (
    AssessmentPage,
    MeasuredCost,
    MeasuredIndicator,
    MeasuredStandard,
    MemberCost,
)

COST_SERVICE: Final = "edukacja.szkoly_podstawowe"
COST_STANDARD: Final = 5


async def measured_indicator(
    conn: AsyncConnection, catalogue: Catalogue, partnership_id: str, code: str, lang: Lang
) -> MeasuredIndicator:
    url = f"/api/v1/partnerships/{partnership_id}/indicators/{code}"
    try:
        body = await partnership_indicator(
            conn, catalogue, partnership_id, code, lang, year=None, with_similar=False
        )
    except MiarkaError:  # no member of its levels, or no values loaded
        indicator = catalogue.indicator(code)
        name = "" if indicator is None else getattr(indicator, f"name_{lang}")
        unit = "" if indicator is None else getattr(indicator, f"unit_{lang}")
        return MeasuredIndicator(
            code=code,
            name=name,
            unit=unit,
            level=None,
            year=None,
            value=None,
            members_with_values=0,
            spread=None,
            url=url,
        )
    aggregate = body.aggregate
    return MeasuredIndicator(
        code=code,
        name=body.indicator.name,
        unit=body.indicator.unit,
        level=body.level,
        year=body.year if aggregate and aggregate.value is not None else None,
        value=aggregate.value if aggregate else None,
        members_with_values=aggregate.members_with_values if aggregate else 0,
        spread=body.spread,
        url=url,
    )


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


async def measured_cost(
    conn: AsyncConnection,
    cost_catalogue: CostCatalogue,
    members: list[tuple[str, str]],
    lang: Lang,
) -> MeasuredCost:
    """The cost per pupil of the gmina members' primary schools, each and all together."""
    service = find_service(cost_catalogue, COST_SERVICE)
    years = {teryt: await years_with_reports(conn, teryt) for teryt, _ in members}
    year = max((y for found in years.values() for y in found), default=None)
    params = CostParameters()
    rows = []
    for teryt, name in members:
        total = pupils = unit_cost = direct = None
        if year is not None and year in years[teryt]:
            unit = await gather_unit(conn, cost_catalogue, teryt, service, year, with_schools=False)
            answer = cost_out(unit, calculate(unit.inputs, params), params, lang)
            total, pupils = _float(answer.total), _float(answer.volume.value)
            unit_cost, direct = _float(answer.unit_cost), _float(answer.direct_unit_cost)
        rows.append(
            MemberCost(
                teryt=teryt,
                name=name,
                total=total,
                pupils=pupils,
                unit_cost=unit_cost,
                direct_unit_cost=direct,
            )
        )
    return MeasuredCost(
        service=service.code,
        name=service.name_pl if lang == "pl" else service.name_en,
        unit=service.unit_pl if lang == "pl" else service.unit_en,
        year=year,
        value=_per_pupil([(r.unit_cost, r.pupils) for r in rows]),
        direct_value=_per_pupil([(r.direct_unit_cost, r.pupils) for r in rows]),
        members=rows,
        spread=spread([(r.teryt, r.unit_cost) for r in rows]),
        direct_spread=spread([(r.teryt, r.direct_unit_cost) for r in rows]),
    )


def _per_pupil(rows: list[tuple[float | None, float | None]]) -> float | None:
    """Σ (cost per pupil x pupils) / Σ pupils: the members' costs summed, then divided."""
    both = [(cost, pupils) for cost, pupils in rows if cost is not None and pupils]
    pupils = sum(p for _, p in both if p is not None)
    if not both or not pupils:
        return None
    return sum(c * p for c, p in both if p is not None) / pupils


async def with_measured(
    conn: AsyncConnection,
    catalogue: Catalogue,
    cost_catalogue: CostCatalogue,
    rubric: Rubric,
    page: AssessmentPage,
    *,
    lang: Lang,
) -> AssessmentPage:
    partnership_id = page.partnership.id
    whole = await get_partnership(conn, partnership_id, lang)
    gminas = [(m.teryt, m.name) for m in whole.members if m.in_force and m.level == "gmina"]
    measured = []
    for standard in rubric.standard:
        if not standard.miarka_indicators:
            continue
        indicators = [
            await measured_indicator(conn, catalogue, partnership_id, code, lang)
            for code in standard.miarka_indicators
        ]
        cost = (
            await measured_cost(conn, cost_catalogue, gminas, lang)
            if standard.number == COST_STANDARD
            else None
        )
        measured.append(
            MeasuredStandard(standard=standard.number, indicators=indicators, cost=cost)
        )
    return msgspec.structs.replace(page, measured=measured)
