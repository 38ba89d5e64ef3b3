"""The indicator catalogue and indicator values as the API shows them."""

from typing import Literal

import msgspec

Lang = Literal["pl", "en"]
Status = Literal["ok", "no_data"]
Typology = Literal["quantity", "quality", "accessibility", "efficiency", "context"]
Polarity = Literal["higher_better", "lower_better", "neutral"]
IndicatorLevel = Literal["voivodeship", "powiat", "gmina"]


class ServiceOut(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str


class IndicatorSummary(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    domain: str
    service: str
    typology: Typology
    unit: str
    polarity: Polarity
    levels: list[IndicatorLevel]
    status: Status
    """`no_data` while the source data of the indicator are not loaded: listed, never faked."""
    years: list[int]


class DomainOut(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    description: str
    services: list[ServiceOut]
    indicator_count: int
    indicators_with_data: int


class DomainDetail(DomainOut, frozen=True, kw_only=True):
    indicators: list[IndicatorSummary]


class TermOut(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    code: str
    year: Literal["same", "nearest"]
    name: str | None
    """The variable's name as loaded; null until its source is loaded."""
    measure_unit: str | None


class FormulaOut(msgspec.Struct, frozen=True, kw_only=True):
    numerator: list[TermOut]
    denominator: list[TermOut]
    multiplier: float
    difference_to: Literal["poland"] | None = None
    """`poland`: the value is the unit's ratio minus Poland's of the same year."""
    expression: str
    """The formula in words, e.g. `1000 * (numerator) / (denominator)`."""


class LevelCount(msgspec.Struct, frozen=True, kw_only=True):
    level: IndicatorLevel
    year: int
    values: int
    missing: int


class IndicatorDetail(IndicatorSummary, frozen=True, kw_only=True):
    version: int
    name_pl: str
    name_en: str
    description: str
    caveats: str
    source: str
    citation: str
    decimals: int
    formula: FormulaOut
    coverage: list[LevelCount]


class ValueRow(msgspec.Struct, frozen=True, gc=False):
    """One indicator value of one unit and year, with its position among units of its level.

    Positional construction is allowed on purpose: hot reads build it from a row whose
    columns are in this order (`VALUE_COLUMNS` in domains/indicators/queries.py). Not
    tracked by the garbage collector (it holds no cycles): a cross-section makes thousands.
    """

    indicator: str
    teryt: str
    name: str
    level: str
    year: int
    value: float | None
    """Null = missing (see `flags`), never 0 for missing."""
    flags: list[str]
    numerator: float | None
    denominator: float | None
    rank: int | None
    """1 = best by the indicator's polarity (largest first when neutral)."""
    rank_of: int | None
    peer_group: str | None
    peer_median: float | None
    peer_q1: float | None
    peer_q3: float | None
    national_median: float | None
    yoy_change: float | None
    """Change on the previous year, in %; null when that year is missing."""


class Provenance(msgspec.Struct, frozen=True, kw_only=True):
    variables: list[TermOut]
    load_run_ids: list[int]
    data_release: int


class CrossSection(msgspec.Struct, frozen=True, kw_only=True):
    indicator: IndicatorSummary
    year: int
    level: IndicatorLevel
    count: int
    national_median: float | None
    items: list[ValueRow]
    provenance: Provenance | None = None


class DashboardItem(msgspec.Struct, frozen=True, kw_only=True):
    indicator: IndicatorSummary
    value: ValueRow | None
    """The latest (or the asked) year; null when the unit has no value for it."""


class DashboardDomain(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    items: list[DashboardItem]


class Dashboard(msgspec.Struct, frozen=True, kw_only=True):
    teryt: str
    name: str
    level: str
    peer_group: str | None
    domains: list[DashboardDomain]


class SeriesPoint(msgspec.Struct, frozen=True, gc=False):
    year: int
    value: float | None
    flags: list[str]
    rank: int | None
    rank_of: int | None
    peer_median: float | None
    national_median: float | None


class Series(msgspec.Struct, frozen=True, kw_only=True):
    teryt: str
    name: str
    indicator: IndicatorSummary
    peer_group: str | None
    points: list[SeriesPoint]


class Neighbour(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    teryt: str
    name: str
    distance: float
    features: dict[str, float]


class Peers(msgspec.Struct, frozen=True, kw_only=True):
    teryt: str
    name: str
    peer_group: str | None
    peer_group_size: int
    features: dict[str, float]
    """This unit's own values of the similarity features (latest year of each)."""
    feature_names: list[str]
    neighbours: list[Neighbour]


MAX_QUERY_UNITS = 1_000
MAX_QUERY_INDICATORS = 100
MAX_QUERY_ROWS = 200_000


class QueryIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A long selection: up to 1,000 units x 100 indicators, at most 200,000 values."""

    indicators: list[str]
    units: list[str] = []
    """TERC codes; empty = every unit of `levels`."""
    levels: list[IndicatorLevel] = []
    years: list[int] = []
    """Empty = every year available."""


class QueryOut(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    items: list[ValueRow]


class MonthlyPoint(msgspec.Struct, frozen=True, gc=False):
    year: int
    month: int
    value: float | None
    flag: str | None
    """The source's flag (e.g. attribute_n: no value published for that month)."""


class MonthlySeries(msgspec.Struct, frozen=True, kw_only=True):
    teryt: str
    name: str
    indicator: IndicatorSummary
    points: list[MonthlyPoint]
    """Every month the source gives for the unit, oldest first; December is the yearly value."""
