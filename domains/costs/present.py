"""Turn a calculator result and its context into the API's `CostOut`, rounded for display."""

from typing import Literal

import msgspec

from domains.costs.calculator import CostInputs, CostParameters, CostResult
from domains.costs.mapping import CostService, Vintage
from domains.costs.schools import line_out, money, money_or_none, ratio, volume
from domains.costs.sources import Basis, ReportRef
from domains.costs.trail import CapitalResult, Component, OverheadResult, VolumeResult
from schemas.costs import (
    CapitalOut,
    CapitalYearOut,
    ComponentOut,
    CostComponents,
    CostOut,
    OverheadOut,
    ReleaseOut,
    ReportsUsed,
    SchoolCostOut,
    VolumeOut,
    VolumePoint,
)

__all__ = ["GatheredUnit", "cost_out"]


class GatheredUnit(msgspec.Struct, frozen=True, kw_only=True):
    teryt: str
    name: str
    level: str
    service: CostService
    vintage: Vintage
    inputs: CostInputs
    basis: Basis
    reports: list[ReportRef]
    schools: list[SchoolCostOut]
    releases: list[ReleaseOut]
    breaks: list[int]
    """Series-breaking vintages that start inside the capital window."""


def _component(component: Component) -> ComponentOut:
    return msgspec.structs.replace(
        component,
        amount=money_or_none(component.amount),
        lines=[line_out(c) for c in component.lines],
    )


def _overhead(result: OverheadResult) -> OverheadOut:
    return msgspec.structs.replace(
        result,
        amount=money_or_none(result.amount),
        alpha=None if result.alpha is None else ratio(result.alpha),
        administration=_component(result.administration),
        spend_share_base=money_or_none(result.spend_share_base),
    )


def _capital(result: CapitalResult, method_breaks: list[int]) -> CapitalOut:
    return CapitalOut(
        amount=money_or_none(result.amount),
        status=result.status,
        method=result.method,
        basis=result.basis,
        years=[
            CapitalYearOut(
                year=y.year,
                nominal=money_or_none(y.nominal),
                deflator=y.deflator,
                real=money_or_none(y.real),
            )
            for y in result.years
        ],
        years_missing=result.years_missing,
        lines=[line_out(c) for c in result.lines],
        series_breaks=method_breaks,
        note=result.note,
    )


def _volume(result: VolumeResult, unit: str) -> VolumeOut:
    return VolumeOut(
        kind="population" if result.kind == "population" else "pupils",
        value=None if result.value is None else volume(result.value),
        unit=unit,
        points=[
            VolumePoint(label=label, value=None if value is None else volume(value))
            for label, value in result.points.items()
        ],
        formula=result.formula,
        note=result.note,
    )


def _notes(unit: GatheredUnit, result: CostResult, params: CostParameters) -> list[str]:
    notes = []
    if unit.basis == "budgetary_units":
        notes.append(
            "Figures are the sum of the reports of the unit's budgetary units (JB): spending "
            "the unit makes elsewhere (e.g. through its office) is not in them."
        )
        reporting = len({r.unit_key for r in unit.reports if r.kind == "rb28s"})
        notes.append(
            f"{reporting} budgetary unit Rb-28S report(s); volume: {result.volume.note or '-'}"
        )
    if params.perspective == "resident":
        notes.append(
            "Resident perspective: volumes are still the pupils of the unit's own schools (SIO "
            "has no count of residents taught elsewhere)."
        )
    window = [y.year for y in result.capital.years]
    if window and unit.breaks:
        notes.append(f"The capital window {window[0]}-{window[-1]} spans classification changes")
    return notes


def cost_out(
    unit: GatheredUnit, result: CostResult, params: CostParameters, lang: Literal["pl", "en"]
) -> CostOut:
    service = unit.service
    unit_label = service.unit_pl if lang == "pl" else service.unit_en
    volume_unit = service.volume_unit_pl if lang == "pl" else service.volume_unit_en
    window = [y.year for y in result.capital.years]
    breaks = [b for b in unit.breaks if window and window[0] < b <= window[-1]]
    own_names = sorted({r.unit_name for r in unit.reports})
    return CostOut(
        teryt=unit.teryt,
        name=unit.name,
        level=unit.level,
        service=service.code,
        service_name=service.name_pl if lang == "pl" else service.name_en,
        year=unit.inputs.year,
        perspective=params.perspective,
        overhead_key=params.overhead,
        capital_method=params.capital,
        net=params.net,
        total=money_or_none(result.total),
        partial_total=money(result.partial_total),
        unit_cost=money_or_none(result.unit_cost),
        direct_unit_cost=money_or_none(result.direct_unit_cost),
        unit=unit_label,
        formula=f"{result.formula}; UC = KCU / Q",
        components=CostComponents(
            direct_cost=_component(result.direct),
            overhead=_overhead(result.overhead),
            capital=_capital(result.capital, breaks),
            dedicated_income=_component(result.income),
        ),
        volume=_volume(result.volume, volume_unit),
        vintage=unit.vintage,
        reports=ReportsUsed(
            basis=unit.basis,
            units=own_names,
            rb28s_reports=sum(1 for r in unit.reports if r.kind == "rb28s"),
            rb27s_reports=sum(1 for r in unit.reports if r.kind == "rb27s"),
        ),
        missing=result.missing + ([] if result.volume.value is not None else ["volume"]),
        notes=_notes(unit, result, params),
        releases=unit.releases,
        schools=unit.schools,
    )
