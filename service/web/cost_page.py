"""The total cost of a service (KCU) for one unit: breakdown, unit cost, peers, audit trail.

Reads only through the cost query layer, as the API does: `unit_cost`, `list_cost_services`,
`cost_cross_section` (and `years_with_reports` for the year choice). Missing data is explained
in words on the page (a 200), never shown as an error or as zero: no report for the year, or a
component the chosen parameters need but the loaded reports cannot give.
"""

from dataclasses import replace
from decimal import Decimal
from typing import Final, get_args

from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.costs.analysis import cost_cross_section, list_cost_services
from domains.costs.calculator import CostParameters
from domains.costs.mapping import CostCatalogue
from domains.costs.queries import NoCostData, unit_cost
from domains.costs.sources import years_with_reports
from domains.units.queries import get_unit
from schemas.costs import CapitalMethod, CostLevel, CostOut, CrossSectionRow, LineOut
from service.web import fmt
from service.web.charts import bars, position_strip
from service.web.context import CostPage, Option, Row, TrailRow, Ui
from service.web.labels import peer_group_label
from service.web.names import display_name

OVERHEAD_KEYS: Final = ("spend_share", "none")
CAPITAL_METHODS: Final[tuple[CapitalMethod, ...]] = get_args(CapitalMethod)


def _level(level: str) -> CostLevel | None:
    return next((lv for lv in get_args(CostLevel) if lv == level), None)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _problems(cost: CostOut, ui: Ui) -> list[str]:
    t = ui.t
    problems = []
    for name in cost.missing:
        if name == "overhead":
            own = cost.reports.basis == "own"
            problems.append(t["cost_missing_overhead_own" if own else "cost_missing_overhead"])
        elif name == "volume":
            pupils = cost.volume.kind == "pupils"
            problems.append(t["cost_missing_pupils" if pupils else "cost_missing_population"])
        else:
            problems.append(t[f"cost_missing_{name}"])
    return problems


def _notes(cost: CostOut, ui: Ui) -> list[str]:
    t, notes = ui.t, []
    if cost.reports.basis == "budgetary_units":
        units = ui.count("budgetary_units", len(cost.reports.units))
        notes.append(t["cost_note_budgetary"].format(units=units))
    capital = cost.components.capital
    if capital.status == "ok" and capital.years and capital.years_missing:
        notes.append(
            t["cost_note_capital_years"].format(
                first=capital.years[0].year,
                last=capital.years[-1].year,
                missing=", ".join(map(str, capital.years_missing)),
            )
        )
    if capital.series_breaks:
        notes.append(t["cost_note_breaks"].format(years=", ".join(map(str, capital.series_breaks))))
    return notes


def _component_text(amount: Decimal | None, status: str, ui: Ui, sign: str = "") -> str:
    if status == "not_requested":
        return ui.t["cost_not_requested"]
    if amount is None:
        return fmt.MISSING[ui.lang]
    return sign + fmt.amount(amount, ui.lang)


def _breakdown(cost: CostOut, ui: Ui) -> list[tuple[str, float | None, str]]:
    t, parts = ui.t, cost.components
    income = parts.dedicated_income
    return [
        (
            t["cost_direct"],
            _float(parts.direct_cost.amount),
            _component_text(parts.direct_cost.amount, parts.direct_cost.status, ui),
        ),
        (
            t["cost_overhead"],
            _float(parts.overhead.amount) if parts.overhead.status == "ok" else None,
            _component_text(parts.overhead.amount, parts.overhead.status, ui),
        ),
        (
            t["cost_capital"],
            _float(parts.capital.amount) if parts.capital.status == "ok" else None,
            _component_text(parts.capital.amount, parts.capital.status, ui),
        ),
        (
            t["cost_income"],
            _float(income.amount) if income.status == "ok" else None,
            _component_text(income.amount, income.status, ui, sign=fmt.MINUS),
        ),
    ]


def _trail(cost: CostOut, ui: Ui) -> list[TrailRow]:
    t, parts = ui.t, cost.components
    groups: list[tuple[str, list[LineOut]]] = [
        (t["cost_direct"], parts.direct_cost.lines),
        (t["cost_overhead"], parts.overhead.administration.lines),
        (t["cost_capital_year"], parts.capital.lines),
        (t["cost_income"], parts.dedicated_income.lines),
    ]
    return [
        TrailRow(
            component=component,
            rozdzial=line.rozdzial,
            paragraf=line.paragraf + line.p4,
            role=t[f"cost_role_{line.role}"],
            amount=fmt.amount(line.amount, ui.lang),
            share=fmt.exact(line.share.normalize(), ui.lang),
            counted=fmt.amount(line.counted, ui.lang),
        )
        for component, lines in groups
        for line in lines
    ]


def _volume(cost: CostOut, ui: Ui) -> tuple[list[Row], str]:
    t, volume = ui.t, cost.volume
    rows = []
    for point in volume.points:
        if volume.kind == "pupils":
            day = ".".join(reversed(point.label.split("-")))
            label = t["cost_pupils_on"].format(date=day)
        else:
            label = t["cost_population_of"].format(year=point.label.rsplit(" ", 1)[-1])
        rows.append(Row(label, fmt.exact(point.value, ui.lang)))
    if volume.kind == "pupils":
        rows.append(Row(t["cost_pupils_fiscal"], fmt.exact(volume.value, ui.lang)))
        days = [".".join(reversed(p.label.split("-"))) for p in volume.points]
        formula = t["cost_pupils_formula"].format(*days) if len(days) == 2 else ""  # noqa: PLR2004
    else:
        formula = t["cost_population_formula"]
    return rows, formula


async def _peers(
    conn: AsyncConnection, catalogue: CostCatalogue, cost: CostOut, params: CostParameters, ui: Ui
) -> tuple[list[Row], Markup | None, str]:
    t, lang = ui.t, ui.lang
    level = _level(cost.level)
    if cost.unit_cost is None or level is None:
        return [], None, t["cost_peers_no_unit_cost"]
    try:
        section = await cost_cross_section(
            conn, catalogue, cost.service, year=cost.year, level=level, params=params, lang=lang
        )
    except NoCostData:
        return [], None, t["cost_peers_none"]
    row: CrossSectionRow | None = next((r for r in section.items if r.teryt == cost.teryt), None)
    national = section.national
    rank = fmt.MISSING[lang]
    if row is not None and row.rank is not None:
        rank = f"{fmt.integer(row.rank, lang)} {t['rank_of']} {fmt.integer(national.count, lang)}"
    rows = [
        Row(t["this_unit"], fmt.amount(cost.unit_cost, lang)),
        Row(t["cost_rank"], rank),
        Row(t["national_median"], fmt.amount(national.median, lang)),
        Row(
            t["cost_middle_half"],
            f"{t['from']} {fmt.amount(national.q1, lang)} {t['to']} "
            f"{fmt.amount(national.q3, lang)}",
        ),
    ]
    group = next(
        (g for g in section.peer_groups if row is not None and g.group == row.peer_group), None
    )
    if group is not None:
        rows.append(
            Row(
                f"{t['peer_median']} ({peer_group_label(group.group, lang)}, "
                f"{ui.count('units_in_group', group.count)})",
                fmt.amount(group.median, lang),
            )
        )
    note = t["cost_peers_alone"] if national.count < 2 else ""  # noqa: PLR2004
    strip = position_strip(
        "koszt-pozycja",
        value=_float(cost.unit_cost),
        q1=_float(national.q1),
        median=_float(national.median),
        q3=_float(national.q3),
        title=t["cost_peers"],
        desc="; ".join(f"{r.label}: {r.value}" for r in rows),
    )
    return rows, strip, note


async def build_cost_page(
    conn: AsyncConnection,
    catalogue: CostCatalogue,
    teryt: str,
    ui: Ui,
    *,
    service: str | None,
    year: int | None,
    overhead: str,
    capital: CapitalMethod,
) -> CostPage:
    lang, t = ui.lang, ui.t
    detail = await get_unit(conn, teryt)
    name = display_name(detail.name, detail.kind, lang)
    services = list_cost_services(catalogue, lang).items
    code = service or services[0].code
    params = CostParameters(perspective="provider", overhead=overhead, capital=capital, net=True)
    cost: CostOut | None = None
    problems: list[str] = []
    try:
        cost = await unit_cost(conn, catalogue, teryt, code, year=year, params=params, lang=lang)
    except NoCostData:
        problems.append(t["cost_no_report_year"].format(year=year) if year else t["cost_no_report"])
    years = await years_with_reports(conn, teryt)
    if cost is None and years:
        problems.append(t["cost_years_with_data"].format(years=", ".join(map(str, years))))
    shown_year = cost.year if cost else year
    chosen = next((s for s in services if s.code == code), services[0])
    missing = fmt.MISSING[lang]
    base = CostPage(
        teryt=teryt,
        name=name,
        title=f"{t['cost_title']}: {name}",
        unit_href=ui.url("web-unit", teryt=teryt),
        api_href=ui.url(
            "api-unit-cost",
            teryt=teryt,
            service=code,
            year=shown_year,
            overhead=overhead,
            capital=capital,
            keep_lang=False,
        ),
        services=[Option(s.code, s.name, s.code == code) for s in services],
        years=[Option(str(y), str(y), y == shown_year) for y in reversed(years)],
        overheads=[
            Option(key, t[f"cost_overhead_{key}"], key == overhead)
            for key in chosen.overhead_keys
            if key in OVERHEAD_KEYS
        ],
        capitals=[Option(m, t[f"cost_capital_{m}"], m == capital) for m in CAPITAL_METHODS],
        service_name=chosen.name,
        year=shown_year,
        has_cost=False,
        problems=problems,
        notes=[],
        total=missing,
        partial_total=None,
        unit_cost=missing,
        unit=chosen.unit,
        direct_unit_cost=missing,
        formula="",
        breakdown_svg=None,
        breakdown=[],
        peers=[],
        peers_svg=None,
        peers_note="",
        volume=[],
        volume_formula="",
        trail=[],
    )
    if cost is None:
        return base
    breakdown = _breakdown(cost, ui)
    described = "; ".join(f"{label}: {text}" for label, _, text in breakdown)
    peers, peers_svg, peers_note = await _peers(conn, catalogue, cost, params, ui)
    volume, volume_formula = _volume(cost, ui)
    return replace(
        base,
        has_cost=True,
        problems=_problems(cost, ui),
        notes=_notes(cost, ui),
        total=fmt.amount(cost.total, lang),
        partial_total=fmt.amount(cost.partial_total, lang) if cost.total is None else None,
        unit_cost=fmt.amount(cost.unit_cost, lang),
        direct_unit_cost=fmt.amount(cost.direct_unit_cost, lang),
        formula=t["cost_formula"],
        breakdown_svg=bars("koszt-skladniki", breakdown, t["cost_breakdown"], described),
        breakdown=[Row(label, text) for label, _, text in breakdown],
        peers=peers,
        peers_svg=peers_svg,
        peers_note=peers_note,
        volume=volume,
        volume_formula=volume_formula,
        trail=_trail(cost, ui),
    )
