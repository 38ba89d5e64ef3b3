"""The total cost of a service (KCU) as the API shows it: figures with their audit trail.

Amounts, shares and volumes are exact decimals, serialised as JSON strings (`"1234.56"`), never
floats: a treasurer must be able to add the lines up to the grosz. Amounts are rounded to the
grosz, shares and alpha to 6 places, volumes to 4, for display; the totals are computed
before rounding, so a sum of rounded lines can differ from a total by a grosz.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

Perspective = Literal["provider", "resident"]
CapitalMethod = Literal["avg5", "avg10", "none"]
CostLevel = Literal["gmina", "powiat", "voivodeship"]
ComponentStatus = Literal["ok", "unavailable", "not_requested"]
LineRole = Literal["current", "transfer_out", "transfer_in", "income", "capital", "administration"]
SchoolMatch = Literal["regon", "name", "none"]


class RozdzialOut(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A rozdział of a service with its share, as services.toml states it and the API shows it."""

    code: str
    name: str
    share: Decimal
    note: str = ""


class VintageOut(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A vintage of the budget classification, as services.toml states it and the API shows it."""

    code: str
    valid_from: int
    series_break: bool
    """True when the vintage changed the classification so that series across it differ."""
    regulation: str
    changes: str


class CostServiceOut(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    volume: Literal["pupils", "population"]
    unit: str
    volume_unit: str
    overhead_keys: list[str]
    rozdzialy: list[RozdzialOut]
    """The mapping of the newest vintage."""
    income_paragraphs: list[str]
    note: str


class CostServiceList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[CostServiceOut]
    vintages: list[VintageOut]
    classification: str
    """The budget classification regulation the mappings follow."""
    capital_paragraph_prefixes: list[str]
    debt_paragraphs: list[str]
    overhead_rozdzialy: list[str]


class LineOut(msgspec.Struct, frozen=True, kw_only=True):
    rozdzial: str
    paragraf: str
    """Three digits; `p4` is the fourth (source of funding)."""
    p4: str
    role: LineRole
    amount: Decimal
    """As reported (WW or DW), summed over the reports used."""
    share: Decimal
    counted: Decimal
    """share x amount, negative when subtracted."""


class ComponentOut(msgspec.Struct, frozen=True, kw_only=True):
    amount: Decimal | None
    status: ComponentStatus
    lines: list[LineOut]
    note: str = ""


class OverheadOut(msgspec.Struct, frozen=True, kw_only=True):
    amount: Decimal | None
    status: ComponentStatus
    key: str
    alpha: Decimal | None
    """O = alpha x A; with the spend share alpha = C / spend_share_base."""
    administration: ComponentOut
    spend_share_base: Decimal | None
    note: str = ""


class CapitalYearOut(msgspec.Struct, frozen=True, kw_only=True):
    year: int
    nominal: Decimal | None
    """null: no report that year (not zero)."""
    deflator: Decimal | None
    real: Decimal | None


class CapitalOut(msgspec.Struct, frozen=True, kw_only=True):
    amount: Decimal | None
    status: ComponentStatus
    method: CapitalMethod
    basis: Literal["real", "nominal"]
    years: list[CapitalYearOut]
    years_missing: list[int]
    lines: list[LineOut]
    """Capital lines (6xx) of the year itself."""
    series_breaks: list[int]
    """Years inside the averaging window where the classification changed."""
    note: str = ""


class VolumePoint(msgspec.Struct, frozen=True, kw_only=True):
    label: str
    """`2021-09-30` for a SIO count, `population 2023` for a population."""
    value: Decimal | None


class VolumeOut(msgspec.Struct, frozen=True, kw_only=True):
    kind: Literal["pupils", "population"]
    value: Decimal | None
    unit: str
    points: list[VolumePoint]
    formula: str
    note: str = ""


class CostComponents(msgspec.Struct, frozen=True, kw_only=True):
    direct_cost: ComponentOut
    overhead: OverheadOut
    capital: CapitalOut
    dedicated_income: ComponentOut


class ReportsUsed(msgspec.Struct, frozen=True, kw_only=True):
    basis: Literal["own", "budgetary_units"]
    """`own`: the unit's own reports (JST); `budgetary_units`: the sum of its budgetary units'
    reports, which leaves out whatever it spends elsewhere."""
    units: list[str]
    """Names of the reporting units."""
    rb28s_reports: int
    rb27s_reports: int


class ReleaseOut(msgspec.Struct, frozen=True, kw_only=True):
    load_run_id: int
    source: str
    file: str | None
    data_release_id: int | None
    finished_at: datetime | None


class SchoolCostOut(msgspec.Struct, frozen=True, kw_only=True):
    """One budgetary unit that reports on its own (a school): its direct figures."""

    unit_name: str
    regon: str
    rspo: int | None
    sio_name: str | None
    match: SchoolMatch
    """How the report was joined to SIO: by REGON, by name (REGON ambiguous), or not at all."""
    direct_cost: Decimal
    dedicated_income: Decimal | None
    capital_spent: Decimal
    """Capital lines of its report in that year (not averaged)."""
    pupils_previous: Decimal | None
    pupils_current: Decimal | None
    pupils_fiscal_year: Decimal | None
    direct_unit_cost: Decimal | None
    net_direct_unit_cost: Decimal | None
    """(direct cost - dedicated income) / pupils of the fiscal year."""
    lines: list[LineOut]


class CostOut(msgspec.Struct, frozen=True, kw_only=True):
    teryt: str
    name: str
    level: str
    service: str
    service_name: str
    year: int
    perspective: Perspective
    overhead_key: str
    capital_method: CapitalMethod
    net: bool
    simulation: bool = False
    """True for a what-if answer: never an official figure, never stored."""
    total: Decimal | None
    """KCU; null when a component asked for has no data (see `missing`)."""
    partial_total: Decimal
    """The sum of the components that have data."""
    unit_cost: Decimal | None
    direct_unit_cost: Decimal | None
    unit: str
    formula: str
    components: CostComponents
    volume: VolumeOut
    vintage: VintageOut
    reports: ReportsUsed
    missing: list[str]
    notes: list[str]
    releases: list[ReleaseOut]
    schools: list[SchoolCostOut]


class PeerStats(msgspec.Struct, frozen=True, kw_only=True):
    group: str
    count: int
    minimum: Decimal | None
    q1: Decimal | None
    median: Decimal | None
    q3: Decimal | None
    maximum: Decimal | None


class CrossSectionRow(msgspec.Struct, frozen=True, kw_only=True):
    teryt: str
    name: str
    peer_group: str | None
    total: Decimal | None
    partial_total: Decimal
    unit_cost: Decimal | None
    direct_unit_cost: Decimal | None
    volume: Decimal | None
    basis: Literal["own", "budgetary_units"]
    missing: list[str]
    rank: int | None
    """1 = the lowest unit cost among units with one (a cost, not a quality ranking)."""


class CostCrossSection(msgspec.Struct, frozen=True, kw_only=True):
    service: str
    service_name: str
    year: int
    level: CostLevel
    perspective: Perspective
    overhead_key: str
    capital_method: CapitalMethod
    net: bool
    unit: str
    items: list[CrossSectionRow]
    national: PeerStats
    peer_groups: list[PeerStats]


class AmountChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    report: Literal["rb28s", "rb27s"]
    rozdzial: str
    paragraf: str
    delta: Decimal
    """Added to the executed amount (WW or DW) of that line; a new line if there was none."""


class ScenarioIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    year: Annotated[int, msgspec.Meta(ge=1990, le=2100)] | None = None
    perspective: Perspective = "provider"
    overhead: str = "spend_share"
    capital: CapitalMethod = "avg5"
    net: bool = True
    pupils_previous: Decimal | None = None
    """Pupils on 30 September of the previous year, instead of SIO's."""
    pupils_current: Decimal | None = None
    population: Decimal | None = None
    amount_changes: Annotated[list[AmountChange], msgspec.Meta(max_length=100)] = []
    alpha: Decimal | None = None
    """An overhead key of your own: O = alpha x A instead of the spend share."""
    capital_amount: Decimal | None = None
    """K of your own, instead of the average of the reports."""


class ScenarioOut(msgspec.Struct, frozen=True, kw_only=True):
    label: Literal["simulation"] = "simulation"
    official: bool = False
    note: str
    changes: list[str]
    base: CostOut
    scenario: CostOut
    total_difference: Decimal | None
    unit_cost_difference: Decimal | None
