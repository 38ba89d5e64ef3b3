"""The plan of `miarka sync bdl`: every BDL variable the catalogue cites, where, and at what cost.

A variable is every `gus_bdl` term of an indicator's formula; its levels are the union of the
levels of the indicators citing it; each (variable, level) is read in pages of 100 units, all
years in each page (or the years from `--since`). The metadata request `/variables/{id}` comes
first. Page counts use the TERYT register's units per level; a run follows BDL's
`totalRecords` instead, so the plan is an estimate. Times are when the last request may start
under the quota windows of the client's limiter (`schedule_s`), sent one after another.

What the catalogue says of a variable, checked against `/variables/{id}` before it is loaded:

* its level: BDL's `level` is the finest level the variable is published at (6 gmina, 5
  powiat, 2 voivodeship); a variable cited for a finer level than that is a mismatch;
* its measure unit, where the catalogue states one: an indicator that is the variable itself
  (one numerator term, no denominator, multiplier 1) says its unit is the indicator's `unit_pl`;
  BDL's `measureUnitName` must then be the same words (case, spacing and `²`/`2` aside). A term of
  a ratio or a sum has no unit in the catalogue and is not compared.

The names n1/n2 are reported, never compared: the catalogue cites them only in free text.
"""

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Final

import msgspec

from domains.indicators.catalogue import Catalogue, Indicator
from domains.units.bdl_ids import BDL_LEVEL_GMINA, BDL_LEVEL_POWIAT, BDL_LEVEL_VOIVODESHIP
from loaders.bdl.api_load import VARIABLE_SOURCE, BdlVariable
from loaders.bdl.client import ANONYMOUS_QUOTAS, MAX_PAGE_SIZE, REGISTERED_QUOTAS
from loaders.errors import SourceProblem
from loaders.http_source import Quota, schedule_s

__all__ = [
    "LEVELS",
    "REGISTER_UNITS",
    "PlannedVariable",
    "SyncPlan",
    "metadata_mismatches",
    "plan_sync",
]

LEVELS: Final[Mapping[str, int]] = {
    "voivodeship": BDL_LEVEL_VOIVODESHIP,
    "powiat": BDL_LEVEL_POWIAT,
    "gmina": BDL_LEVEL_GMINA,
}
REGISTER_UNITS: Final[Mapping[int, int]] = {
    BDL_LEVEL_VOIVODESHIP: 16,
    BDL_LEVEL_POWIAT: 380,
    BDL_LEVEL_GMINA: 2_479,
}
"""Units per BDL level in the TERYT register (2025-01-01); BDL's own count may differ."""


class PlannedVariable(msgspec.Struct, frozen=True, kw_only=True):
    variable_id: int
    levels: tuple[int, ...]
    """BDL unit levels, coarsest first."""
    indicators: tuple[str, ...]
    measure_units: tuple[tuple[str, str], ...] = ()
    """(indicator, its unit_pl) for every indicator that is this variable as published."""


class SyncPlan(msgspec.Struct, frozen=True, kw_only=True):
    variables: tuple[PlannedVariable, ...]
    years: tuple[int, ...]
    """Empty: every year BDL has."""
    page_size: int = MAX_PAGE_SIZE
    unit_counts: Mapping[int, int] = msgspec.field(default_factory=lambda: dict(REGISTER_UNITS))
    scope: str = ""
    """What a resumed sync must have been asked for: domain, years and page size."""

    def pages(self, level: int) -> int:
        return max(1, math.ceil(self.unit_counts.get(level, 0) / self.page_size))

    def requests_of(self, variable: PlannedVariable) -> int:
        return 1 + sum(self.pages(level) for level in variable.levels)

    @property
    def requests(self) -> int:
        return sum(self.requests_of(v) for v in self.variables)

    def time_s(self, quotas: Sequence[Quota]) -> float:
        return schedule_s(quotas, self.requests)

    def describe(self) -> list[str]:
        """The plan in lines, as `miarka sync bdl --plan` prints it."""
        years = f"{self.years[0]}-{self.years[-1]}" if self.years else "every year BDL has"
        lines = [
            f"{len(self.variables)} BDL variables, {years}, pages of {self.page_size} units:"
            f" {self.requests:,} requests",
            f"  anonymous quotas: {_duration(self.time_s(ANONYMOUS_QUOTAS))}",
            f"  with MIARKA_BDL_CLIENT_ID: {_duration(self.time_s(REGISTERED_QUOTAS))}",
        ]
        names = {level: name for name, level in LEVELS.items()}
        for variable in self.variables:
            levels = ", ".join(f"{names[lv]} ({self.pages(lv)} p.)" for lv in variable.levels)
            lines.append(
                f"  {variable.variable_id}: {levels}; {self.requests_of(variable)} requests"
                f" — {', '.join(variable.indicators)}"
            )
        return lines


def plan_sync(
    catalogue: Catalogue,
    *,
    domain: str | None = None,
    since: int | None = None,
    until: int | None = None,
    page_size: int = MAX_PAGE_SIZE,
    unit_counts: Mapping[int, int] = REGISTER_UNITS,
) -> SyncPlan:
    """Every `gus_bdl` variable of the catalogue (of one domain), in the order first cited."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, not {page_size}")
    levels: dict[int, set[int]] = {}
    indicators: dict[int, list[str]] = {}
    units: dict[int, list[tuple[str, str]]] = {}
    for indicator in catalogue.indicators:
        if domain is not None and indicator.domain != domain:
            continue
        own = _own_variable(indicator)
        for term in (*indicator.formula.numerator, *indicator.formula.denominator):
            if term.source != VARIABLE_SOURCE:
                continue
            variable_id = int(term.code)
            levels.setdefault(variable_id, set()).update(LEVELS[lv] for lv in indicator.levels)
            cited = indicators.setdefault(variable_id, [])
            if indicator.code not in cited:
                cited.append(indicator.code)
            if own == term.code:
                units.setdefault(variable_id, []).append((indicator.code, indicator.unit_pl))
    last = until if until is not None else datetime.now(UTC).year
    return SyncPlan(
        variables=tuple(
            PlannedVariable(
                variable_id=variable_id,
                levels=tuple(sorted(levels[variable_id])),
                indicators=tuple(cited),
                measure_units=tuple(units.get(variable_id, ())),
            )
            for variable_id, cited in indicators.items()
        ),
        years=() if since is None else tuple(range(since, last + 1)),
        page_size=page_size,
        unit_counts=unit_counts,
        scope=f"domain={domain or '*'} since={since or '*'} page_size={page_size}",
    )


def metadata_mismatches(
    meta: BdlVariable, planned: PlannedVariable, *, source: str
) -> list[SourceProblem]:
    """What `/variables/{id}` (at `source`) contradicts in the catalogue (see the module doc)."""
    problems = []
    finest = max(planned.levels)
    if meta.level < finest:
        problems.append(
            SourceProblem(
                file=source,
                field="level",
                code="metadata_mismatch",
                message=f"BDL publishes variable {meta.id} ({meta.name}) down to level"
                f" {meta.level}, the catalogue cites it at level {finest}"
                f" ({', '.join(planned.indicators)})",
            )
        )
    for indicator, unit in planned.measure_units:
        if _unit_words(unit) != _unit_words(meta.measure_unit_name):
            problems.append(
                SourceProblem(
                    file=source,
                    field="measureUnitName",
                    code="metadata_mismatch",
                    message=f"BDL measures variable {meta.id} ({meta.name}) in"
                    f" {meta.measure_unit_name!r}, {indicator} says {unit!r}",
                )
            )
    return problems


def _own_variable(indicator: Indicator) -> str | None:
    """The code of the BDL variable the indicator merely publishes, if it is one."""
    formula = indicator.formula
    if (
        len(formula.numerator) == 1
        and not formula.denominator
        and formula.multiplier == 1.0
        and formula.difference_to is None
        and not indicator.monthly
        and formula.numerator[0].source == VARIABLE_SOURCE
    ):
        return formula.numerator[0].code
    return None


def _unit_words(unit: str) -> str:
    return " ".join(unit.replace("²", "2").casefold().split())


def _duration(seconds: float) -> str:
    if seconds < 60:  # noqa: PLR2004 - a minute
        return f"{seconds:.0f} s"
    if seconds < 3600:  # noqa: PLR2004 - an hour
        return f"{seconds / 60:.1f} min"
    if seconds < 86400:  # noqa: PLR2004 - a day
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
