"""Unit costs across units (with peer statistics), what-if scenarios and the service list.

A cross-section computes every unit of a level that has a Q4 Rb-28S report for the year with
the same parameters, ranks them by unit cost (1 = lowest: a cost, not a quality) and gives the
national and peer-group quartiles (peer groups: the typology of the indicator engine). A
scenario recomputes one unit with the changes asked for and returns both answers, labelled a
simulation; nothing is written.
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Final, Literal

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.costs.calculator import CostParameters, calculate, fiscal_year_volume
from domains.costs.mapping import CostCatalogue
from domains.costs.present import cost_out
from domains.costs.queries import (
    NoCostData,
    check_parameters,
    find_service,
    gather_unit,
    with_inputs,
)
from domains.costs.schools import money, money_or_none, ratio
from domains.costs.trail import Line, VolumeResult
from domains.errors import InvalidParameter
from schemas.costs import (
    CostCrossSection,
    CostLevel,
    CostServiceList,
    CostServiceOut,
    CrossSectionRow,
    PeerStats,
    ScenarioIn,
    ScenarioOut,
)

__all__ = ["cost_cross_section", "cost_scenario", "list_cost_services", "quantile"]

Lang = Literal["pl", "en"]
CODE_LENGTH: Final[dict[str, int]] = {"gmina": 7, "powiat": 4, "voivodeship": 2}
MAX_AMOUNT: Final = Decimal(10) ** 12
"""A what-if amount above a trillion PLN is a typo, not a scenario."""
MAX_VOLUME: Final = Decimal(10) ** 8
_ROZDZIAL = re.compile(r"\d{5}")
_PARAGRAF = re.compile(r"\d{3}")
_UNITS = """
SELECT DISTINCT r.teryt FROM budget_report r
JOIN territorial_unit u ON u.teryt = r.teryt AND u.valid_to IS NULL AND u.level = :level
WHERE r.period = 4 AND r.kind = 'rb28s' AND r.year = :year
ORDER BY r.teryt
"""
_LATEST = """
SELECT max(r.year) FROM budget_report r
JOIN territorial_unit u ON u.teryt = r.teryt AND u.valid_to IS NULL AND u.level = :level
WHERE r.period = 4 AND r.kind = 'rb28s'
"""
_PEERS = """
SELECT DISTINCT ON (teryt) teryt, peer_group FROM unit_typology
WHERE teryt = ANY(:units) ORDER BY teryt, year DESC
"""


def list_cost_services(catalogue: CostCatalogue, lang: Lang) -> CostServiceList:
    newest = max(catalogue.vintage, key=lambda v: v.valid_from)
    items = []
    for service in catalogue.service:
        _, mapping = catalogue.mapping_for(service, newest.valid_from)
        items.append(
            CostServiceOut(
                code=service.code,
                name=service.name_pl if lang == "pl" else service.name_en,
                volume=service.volume,
                unit=service.unit_pl if lang == "pl" else service.unit_en,
                volume_unit=service.volume_unit_pl if lang == "pl" else service.volume_unit_en,
                overhead_keys=service.overhead_keys,
                rozdzialy=mapping.rozdzialy,
                income_paragraphs=mapping.income_paragraphs,
                note=service.note,
            )
        )
    classification = catalogue.classification
    return CostServiceList(
        items=items,
        vintages=sorted(catalogue.vintage, key=lambda v: v.valid_from),
        classification=classification.citation,
        capital_paragraph_prefixes=classification.capital_paragraph_prefixes,
        debt_paragraphs=classification.debt_paragraphs,
        overhead_rozdzialy=classification.overhead_rozdzialy,
    )


def quantile(values: Sequence[Decimal], q: Decimal) -> Decimal | None:
    """Linear interpolation between order statistics (PostgreSQL's percentile_cont)."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _stats(group: str, values: Sequence[Decimal]) -> PeerStats:
    def at(q: str) -> Decimal | None:
        return money_or_none(quantile(values, Decimal(q)))

    return PeerStats(
        group=group,
        count=len(values),
        minimum=at("0"),
        q1=at("0.25"),
        median=at("0.5"),
        q3=at("0.75"),
        maximum=at("1"),
    )


async def cost_cross_section(
    conn: AsyncConnection,
    catalogue: CostCatalogue,
    service_code: str,
    *,
    year: int | None,
    level: CostLevel,
    params: CostParameters,
    lang: Lang = "pl",
) -> CostCrossSection:
    service = find_service(catalogue, service_code)
    check_parameters(service, params)
    if year is None:
        year = await conn.scalar(text(_LATEST), {"level": level})
    units = (
        []
        if year is None
        else list((await conn.scalars(text(_UNITS), {"level": level, "year": year})).all())
    )
    if year is None or not units:
        raise NoCostData(f"no Q4 Rb-28S report of any {level} for {year or 'any year'}")
    found = await conn.execute(text(_PEERS), {"units": units})
    peers: dict[str, str] = {row.teryt: row.peer_group for row in found}
    rows = []
    for teryt in units:
        unit = await gather_unit(conn, catalogue, teryt, service, year, with_schools=False)
        answer = cost_out(unit, calculate(unit.inputs, params), params, lang)
        rows.append(
            CrossSectionRow(
                teryt=teryt,
                name=unit.name,
                peer_group=peers.get(teryt),
                total=answer.total,
                partial_total=answer.partial_total,
                unit_cost=answer.unit_cost,
                direct_unit_cost=answer.direct_unit_cost,
                volume=answer.volume.value,
                basis=answer.reports.basis,
                missing=answer.missing,
                rank=None,
            )
        )
    ranked = sorted((r.unit_cost, r.teryt) for r in rows if r.unit_cost is not None)
    rank = {teryt: position for position, (_, teryt) in enumerate(ranked, start=1)}
    rows = [msgspec.structs.replace(r, rank=rank.get(r.teryt)) for r in rows]
    by_group: dict[str, list[Decimal]] = defaultdict(list)
    for r in rows:
        if r.unit_cost is not None and r.peer_group is not None:
            by_group[r.peer_group].append(r.unit_cost)
    return CostCrossSection(
        service=service.code,
        service_name=service.name_pl if lang == "pl" else service.name_en,
        year=year,
        level=level,
        perspective=params.perspective,
        overhead_key=params.overhead,
        capital_method=params.capital,
        net=params.net,
        unit=service.unit_pl if lang == "pl" else service.unit_en,
        items=rows,
        national=_stats("national", [v for v, _ in ranked]),
        peer_groups=[_stats(g, v) for g, v in sorted(by_group.items())],
    )


def _bounded(field: str, value: Decimal, low: Decimal, high: Decimal) -> None:
    if not value.is_finite() or not low <= value <= high:
        raise InvalidParameter(field, f"must be a number from {low} to {high}", source="body")


def _check_scenario(body: ScenarioIn, volume_kind: str) -> None:
    for index, change in enumerate(body.amount_changes):
        where = f"amount_changes[{index}]"
        if not _ROZDZIAL.fullmatch(change.rozdzial):
            raise InvalidParameter(f"{where}.rozdzial", "a rozdział has 5 digits", source="body")
        if not _PARAGRAF.fullmatch(change.paragraf):
            raise InvalidParameter(f"{where}.paragraf", "a paragraph has 3 digits", source="body")
        _bounded(f"{where}.delta", change.delta, -MAX_AMOUNT, MAX_AMOUNT)
        if change.delta != change.delta.quantize(Decimal("0.01")):
            raise InvalidParameter(f"{where}.delta", "at most two decimals (grosze)", "body")
    counts = {
        "pupils_previous": body.pupils_previous,
        "pupils_current": body.pupils_current,
        "population": body.population,
    }
    for field, value in counts.items():
        if value is None:
            continue
        _bounded(field, value, Decimal(0), MAX_VOLUME)
        if (field == "population") != (volume_kind == "population"):
            raise InvalidParameter(field, f"not a volume of this service ({volume_kind})", "body")
    if body.alpha is not None:
        _bounded("alpha", body.alpha, Decimal(0), Decimal(1))
    if body.capital_amount is not None:
        _bounded("capital_amount", body.capital_amount, Decimal(0), MAX_AMOUNT)


def _scenario_volume(volume: VolumeResult, body: ScenarioIn) -> VolumeResult:
    if volume.kind == "population":
        if body.population is None:
            return volume
        given: dict[str, Decimal | None] = {"population (scenario)": body.population}
        return msgspec.structs.replace(volume, value=body.population, points=given)
    if body.pupils_previous is None and body.pupils_current is None:
        return volume
    labels = list(volume.points)
    previous = (
        body.pupils_previous if body.pupils_previous is not None else volume.points[labels[0]]
    )
    current = body.pupils_current if body.pupils_current is not None else volume.points[labels[1]]
    value = None if previous is None or current is None else fiscal_year_volume(previous, current)
    points: dict[str, Decimal | None] = {labels[0]: previous, labels[1]: current}
    return msgspec.structs.replace(
        volume, value=value, points=points, note="pupils of the scenario"
    )


async def cost_scenario(
    conn: AsyncConnection,
    catalogue: CostCatalogue,
    teryt: str,
    service_code: str,
    *,
    body: ScenarioIn,
    lang: Lang = "pl",
) -> ScenarioOut:
    service = find_service(catalogue, service_code)
    params = CostParameters(
        perspective=body.perspective, overhead=body.overhead, capital=body.capital, net=body.net
    )
    check_parameters(service, params)
    _check_scenario(body, service.volume)
    unit = await gather_unit(conn, catalogue, teryt, service, body.year)
    base = cost_out(unit, calculate(unit.inputs, params), params, lang)
    inputs = unit.inputs
    expenditure, income = list(inputs.expenditure), inputs.income
    history = dict(inputs.capital_history)
    changes = []
    for change in body.amount_changes:
        line = Line(rozdzial=change.rozdzial, paragraf=change.paragraf, amount=change.delta)
        if change.report == "rb28s":
            expenditure.append(line)
            if inputs.classification.is_capital(change.paragraf):
                history[inputs.year] = [*(history.get(inputs.year) or []), line]
        else:
            income = [*(income or []), line]
        changes.append(f"{change.report} {change.rozdzial} §{change.paragraf}: {change.delta:+}")
    volume = _scenario_volume(inputs.volume, body)
    if volume is not inputs.volume:
        changes.append(f"volume: {volume.points}")
    if body.alpha is not None:
        changes.append(f"overhead share alpha = {ratio(body.alpha)}")
    if body.capital_amount is not None:
        changes.append(f"capital cost K = {money(body.capital_amount)}")
    what_if = with_inputs(
        unit, expenditure=expenditure, income=income, capital_history=history, volume=volume
    )
    scenario_params = msgspec.structs.replace(
        params, alpha_override=body.alpha, capital_override=body.capital_amount
    )
    scenario = msgspec.structs.replace(
        cost_out(what_if, calculate(what_if.inputs, scenario_params), scenario_params, lang),
        simulation=True,
    )
    return ScenarioOut(
        note="A simulation on the published data with the changes listed; not an official "
        "figure and never stored.",
        changes=changes,
        base=base,
        scenario=scenario,
        total_difference=_difference(scenario.total, base.total),
        unit_cost_difference=_difference(scenario.unit_cost, base.unit_cost),
    )


def _difference(after: Decimal | None, before: Decimal | None) -> Decimal | None:
    return None if after is None or before is None else after - before
