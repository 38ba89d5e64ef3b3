"""The calculator's inputs and results: every figure with the lines it was built from.

These Structs are the audit trail of DESIGN.md section 5: a `Counted` line says which report
line was counted, in which role, with which share and sign; components keep their lines; the
result keeps every component, the volumes and what was missing. A line, a component and the
overhead are the API's own Structs (schemas/costs.py), unrounded until domains/costs/present.py
rounds them for display.
"""

from decimal import Decimal
from typing import Literal

import msgspec

from domains.costs.mapping import Classification, ServiceMapping
from schemas.costs import CapitalMethod, ComponentOut, LineOut, OverheadOut, Perspective
from schemas.costs import ComponentStatus as Status


class Line(msgspec.Struct, frozen=True, kw_only=True):
    """An executed amount of one report line (WW of Rb-28S or DW of Rb-27S), possibly summed
    over the reports of several budgetary units."""

    rozdzial: str
    paragraf: str
    p4: str = "0"
    grupa: str | None = None
    amount: Decimal


Counted = LineOut
"""One line as the calculator counted it: `counted = sign * share * amount`."""
Component = ComponentOut
OverheadResult = OverheadOut


class CapitalYear(msgspec.Struct, frozen=True, kw_only=True):
    year: int
    nominal: Decimal | None
    """None: no report for that year (not zero)."""
    deflator: Decimal | None = None
    real: Decimal | None = None


class CapitalResult(msgspec.Struct, frozen=True, kw_only=True):
    amount: Decimal | None
    status: Status
    method: CapitalMethod
    basis: Literal["real", "nominal"]
    years: list[CapitalYear]
    years_missing: list[int]
    lines: list[Counted] = []
    """Capital lines of the year itself, for the trail."""
    note: str = ""


class VolumeResult(msgspec.Struct, frozen=True, kw_only=True):
    value: Decimal | None
    kind: str
    points: dict[str, Decimal | None]
    """E.g. {"2021-09-30": 2000, "2022-09-30": 1950} or {"population 2023": ...}."""
    formula: str
    note: str = ""


class CostParameters(msgspec.Struct, frozen=True, kw_only=True):
    perspective: Perspective = "provider"
    overhead: str = "spend_share"
    capital: CapitalMethod = "avg5"
    net: bool = True
    alpha_override: Decimal | None = None
    """A what-if key: this alpha instead of the spend share (scenarios only)."""
    capital_override: Decimal | None = None
    """A what-if K instead of the average of the reports (scenarios only)."""


class CostInputs(msgspec.Struct, frozen=True, kw_only=True):
    year: int
    mapping: ServiceMapping
    classification: Classification
    expenditure: list[Line]
    income: list[Line] | None
    whole_budget: bool
    """True when the lines are the unit's own reports (JST): the spend-share base is known."""
    capital_history: dict[int, list[Line] | None]
    """Capital lines by year of the window (None: no report that year)."""
    volume: VolumeResult
    deflators: dict[int, Decimal] | None = None


class CostResult(msgspec.Struct, frozen=True, kw_only=True):
    direct: Component
    income: Component
    overhead: OverheadResult
    capital: CapitalResult
    volume: VolumeResult
    total: Decimal | None
    partial_total: Decimal
    unit_cost: Decimal | None
    direct_unit_cost: Decimal | None
    missing: list[str]
    formula: str
