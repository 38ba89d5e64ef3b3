"""The cost calculator over the stored data: a unit's KCU with its trail, a cross-section of
unit costs with peer statistics, and what-if scenarios (computed, labelled, never stored).

Each call gathers the year's reports (and the capital window's), the volumes and the load runs
behind them, hands them to the pure calculator and presents the result (`present.py`). Bad
input is a 4xx: an unknown service or unit (404), a year without a Q4 report (404), an
overhead key the service does not support (400).
"""

from datetime import date
from decimal import Decimal
from typing import Final, Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.costs.calculator import CostInputs, CostParameters, calculate, fiscal_year_volume
from domains.costs.mapping import CostCatalogue, CostService
from domains.costs.present import GatheredUnit, cost_out
from domains.costs.schools import school_costs
from domains.costs.sources import (
    chosen_reports,
    lines_by_report,
    lines_by_year,
    load_runs,
    population,
    reports_of,
    sio_schools,
    years_with_reports,
)
from domains.costs.trail import Line, VolumeResult
from domains.errors import InvalidParameter, NotFound
from domains.units.queries import unit_in_force
from schemas.costs import CostOut

__all__ = ["NoCostData", "UnknownService", "find_service", "gather_unit", "unit_cost"]

Lang = Literal["pl", "en"]
WINDOW_YEARS: Final = 10
"""The longest capital window (avg10); one query reads all of it."""


class UnknownService(NotFound):
    slug = "unknown-service"
    title = "Unknown cost service"


class NoCostData(NotFound):
    slug = "no-cost-data"
    title = "No budget report for this unit and year"


def find_service(catalogue: CostCatalogue, code: str) -> CostService:
    service = catalogue.find_service(code)
    if service is None:
        known = ", ".join(s.code for s in catalogue.service)
        raise UnknownService(f"no cost service {code!r}; known: {known} (see /api/v1/costs)")
    return service


def check_parameters(service: CostService, params: CostParameters) -> None:
    if params.overhead not in service.overhead_keys:
        raise InvalidParameter(
            "overhead",
            f"{params.overhead!r} is not an overhead key of {service.code}; supported: "
            f"{', '.join(service.overhead_keys)}",
        )


async def _year(conn: AsyncConnection, teryt: str, year: int | None) -> int:
    years = await years_with_reports(conn, teryt)
    if year is None and years:
        return years[-1]
    if year is None or year not in years:
        have = ", ".join(map(str, years)) or "none"
        asked = f"for {year}" if year is not None else "for any year"
        raise NoCostData(f"no Q4 Rb-28S report of unit {teryt} {asked}; years with reports: {have}")
    return year


async def _volume(
    conn: AsyncConnection, service: CostService, teryt: str, year: int, run_ids: set[int]
) -> tuple[VolumeResult, list[date]]:
    if service.volume == "population":
        found = await population(conn, teryt, year)
        if found is None:
            return VolumeResult(
                value=None,
                kind="population",
                points={},
                formula="population",
                note="no population loaded for the unit",
            ), []
        pop_year, people, run_id = found
        run_ids.add(run_id)
        note = "" if pop_year == year else f"population of {pop_year}, the nearest year loaded"
        return VolumeResult(
            value=people,
            kind="population",
            points={f"population {pop_year}": people},
            formula="population (GUS) of the year, or the nearest year loaded",
            note=note,
        ), []
    dates = [date(year - 1, 9, 30), date(year, 9, 30)]
    schools = await sio_schools(conn, teryt, dates, service.school_types)
    run_ids.update(s.load_run_id for s in schools)
    points: dict[str, Decimal | None] = {}
    notes = []
    for when in dates:
        counted = [s for s in schools if s.as_of == when]
        known = [s.pupils for s in counted if s.pupils is not None]
        points[when.isoformat()] = sum(known, Decimal(0)) if known else None
        if not counted:
            notes.append(f"no SIO schools loaded for {when.isoformat()}")
        else:
            notes.append(f"{len(counted)} school(s) on {when.isoformat()}")
        if counted and len(known) < len(counted):
            notes.append(f"{len(counted) - len(known)} school(s) without pupils on {when}")
    previous, current = points[dates[0].isoformat()], points[dates[1].isoformat()]
    value = None if previous is None or current is None else fiscal_year_volume(previous, current)
    return VolumeResult(
        value=value,
        kind="pupils",
        points=points,
        formula=f"Q = 8/12 x N({dates[0].isoformat()}) + 4/12 x N({dates[1].isoformat()})",
        note="; ".join(notes),
    ), dates


async def gather_unit(
    conn: AsyncConnection,
    catalogue: CostCatalogue,
    teryt: str,
    service: CostService,
    year: int | None,
    *,
    with_schools: bool = True,
) -> GatheredUnit:
    """Everything the calculator needs for one unit and year, and the context of the answer."""
    name, level = await unit_in_force(conn, teryt)
    year = await _year(conn, teryt, year)
    vintage, mapping = catalogue.mapping_for(service, year)
    window = list(range(year - WINDOW_YEARS + 1, year + 1))
    stored = await reports_of(conn, teryt, window)
    chosen, basis = chosen_reports(stored)
    this_year = [r for r in chosen if r.year == year]
    lines = await lines_by_year(conn, this_year)
    capital_lines = await lines_by_year(
        conn,
        [r for r in chosen if r.kind == "rb28s"],
        paragraph_prefixes=catalogue.classification.capital_paragraph_prefixes,
    )
    history: dict[int, list[Line] | None] = {
        y: (capital_lines.get((y, "rb28s"), []) if y in basis else None) for y in window
    }
    has_income = any(r.kind == "rb27s" for r in this_year)
    run_ids = {r.load_run_id for r in this_year}
    volume, dates = await _volume(conn, service, teryt, year, run_ids)
    budgetary = [r for r in stored if r.year == year and r.unit_type == "JB"]
    schools = []
    if with_schools and service.volume == "pupils" and budgetary:
        sio = await sio_schools(conn, teryt, dates, service.school_types)
        schools = school_costs(
            budgetary,
            await lines_by_report(conn, [r.id for r in budgetary]),
            sio,
            dates=(dates[0], dates[1]),
            mapping=mapping,
            classification=catalogue.classification,
        )
        run_ids.update(r.load_run_id for r in budgetary)
    inputs = CostInputs(
        year=year,
        mapping=mapping,
        classification=catalogue.classification,
        expenditure=lines.get((year, "rb28s"), []),
        income=lines.get((year, "rb27s"), []) if has_income else None,
        whole_budget=basis[year] == "own",
        capital_history=history,
        volume=volume,
    )
    return GatheredUnit(
        teryt=teryt,
        name=name,
        level=level,
        service=service,
        vintage=vintage,
        inputs=inputs,
        basis=basis[year],
        reports=this_year,
        schools=schools,
        releases=await load_runs(conn, sorted(run_ids)),
        breaks=catalogue.breaks_between(year - WINDOW_YEARS + 1, year),
    )


async def unit_cost(
    conn: AsyncConnection,
    catalogue: CostCatalogue,
    teryt: str,
    service_code: str,
    *,
    year: int | None,
    params: CostParameters,
    lang: Lang = "pl",
) -> CostOut:
    """`GET /units/{teryt}/costs/{service}`: the KCU of one unit, year and set of parameters."""
    service = find_service(catalogue, service_code)
    check_parameters(service, params)
    unit = await gather_unit(conn, catalogue, teryt, service, year)
    return cost_out(unit, calculate(unit.inputs, params), params, lang)


def with_inputs(unit: GatheredUnit, **changes: object) -> GatheredUnit:
    return msgspec.structs.replace(unit, inputs=msgspec.structs.replace(unit.inputs, **changes))
