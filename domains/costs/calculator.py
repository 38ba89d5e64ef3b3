"""The total cost of a service (KCU) as pure functions over Decimal, with the audit trail.

DESIGN.md section 5: for service s, unit j, year t, with W = Rb-28S expenditure (WW) and
D = Rb-27S income (DW),

    C   = sum over the service's rozdziały r of w_rs * sum over non-capital, non-debt
          paragraphs of W[r, p]                                    (direct current cost)
    E   = fees and earmarked grants in those rozdziały (never the general subsidy)
    O   = alpha * A, A = administration rozdziały, alpha = C / sum C (spend share) or none
    K   = average capital expenditure of the service over 5 or 10 years, or none
    KCU = C + O + K - E  (gross: C + O + K);  UC = KCU / Q,
    Q_t = 8/12 N(30.09.t-1) + 4/12 N(30.09.t) for pupils (the fiscal year spans two school years)

Nothing here reads a database: the query layer gathers lines and volumes, this module adds them
up and says exactly what it added (`Counted` lines), so a treasurer can redo it. Amounts keep
full precision; rounding is for display only. A component that was asked for but has no data is
`unavailable`, and the total is then None (missing is not zero), with `partial_total` beside it.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final, Literal

import msgspec

from domains.costs.mapping import Classification, ServiceMapping
from domains.costs.trail import (
    CapitalResult,
    CapitalYear,
    Component,
    CostInputs,
    CostParameters,
    CostResult,
    Counted,
    Line,
    OverheadResult,
    VolumeResult,
)
from schemas.costs import CapitalMethod, ComponentStatus, Perspective
from schemas.costs import LineRole as Role

__all__ = [
    "CapitalResult",
    "CapitalYear",
    "Component",
    "CostInputs",
    "CostParameters",
    "CostResult",
    "Counted",
    "Line",
    "OverheadResult",
    "VolumeResult",
    "administration",
    "calculate",
    "capital_cost",
    "dedicated_income",
    "direct_cost",
    "fiscal_year_volume",
    "kcu",
    "spend_share_alpha",
    "spend_share_base",
    "unit_cost",
]

ZERO: Final = Decimal(0)
EIGHT_TWELFTHS: Final = Decimal(8) / Decimal(12)
FOUR_TWELFTHS: Final = Decimal(4) / Decimal(12)
WINDOWS: Final = {"avg5": 5, "avg10": 10}


def kcu(
    direct: Decimal, overhead: Decimal, capital: Decimal, income: Decimal, *, net: bool
) -> Decimal:
    """KCU = C + O + K - E; the gross variant leaves E out."""
    return direct + overhead + capital - (income if net else ZERO)


def spend_share_alpha(direct: Decimal, base: Decimal) -> Decimal:
    """alpha = C / sum C: the service's share of all direct current spending."""
    return direct / base


def fiscal_year_volume(previous: Decimal, current: Decimal) -> Decimal:
    """Q_t = 8/12 N(30.09.t-1) + 4/12 N(30.09.t): January-August belong to the school year
    counted on 30 September of the previous year, September-December to this year's count."""
    return EIGHT_TWELFTHS * previous + FOUR_TWELFTHS * current


def unit_cost(total: Decimal | None, volume: Decimal | None) -> Decimal | None:
    if total is None or volume is None or volume == ZERO:
        return None
    return total / volume


def _current(line: Line, classification: Classification) -> bool:
    return not classification.is_capital(line.paragraf) and not classification.is_debt(
        line.paragraf, line.grupa
    )


def _count(line: Line, role: Role, share: Decimal, sign: int = 1) -> Counted:
    return Counted(
        rozdzial=line.rozdzial,
        paragraf=line.paragraf,
        p4=line.p4,
        role=role,
        amount=line.amount,
        share=share,
        counted=sign * share * line.amount,
    )


def direct_cost(
    expenditure: Sequence[Line],
    income: Sequence[Line] | None,
    mapping: ServiceMapping,
    classification: Classification,
    perspective: Perspective,
) -> Component:
    """C: current lines of the service's rozdziały, each times its share. The provider
    perspective leaves out payments to other providers; the resident perspective keeps them
    and subtracts what other units paid for their residents served here."""
    counted: list[Counted] = []
    for line in expenditure:
        share = mapping.share_of(line.rozdzial)
        if share is None or not _current(line, classification):
            continue
        is_transfer = line.paragraf in mapping.transfer_out_paragraphs
        if is_transfer and perspective == "provider":
            continue
        counted.append(_count(line, "transfer_out" if is_transfer else "current", share))
    note = ""
    if perspective == "resident":
        if income is None:
            note = "resident perspective: no Rb-27S, transfers received not subtracted"
        for line in income or ():
            share = mapping.share_of(line.rozdzial)
            if share is not None and line.paragraf in mapping.transfer_in_paragraphs:
                counted.append(_count(line, "transfer_in", share, sign=-1))
    return Component(
        amount=sum((c.counted for c in counted), ZERO), status="ok", lines=counted, note=note
    )


def dedicated_income(
    income: Sequence[Line] | None, mapping: ServiceMapping, classification: Classification
) -> Component:
    """E: fees and earmarked grants in the service's rozdziały; never the general subsidy."""
    if income is None:
        note = "no Rb-27S report for the year"
        return Component(amount=None, status="unavailable", lines=[], note=note)
    counted = [
        _count(line, "income", share)
        for line in income
        if (share := mapping.share_of(line.rozdzial)) is not None
        and line.paragraf in mapping.income_paragraphs
        and line.paragraf not in classification.never_income_paragraphs
    ]
    return Component(amount=sum((c.counted for c in counted), ZERO), status="ok", lines=counted)


def administration(expenditure: Sequence[Line], classification: Classification) -> Component:
    """A: current spending of the administration rozdziały (councils, offices, joint service)."""
    counted = [
        _count(line, "administration", Decimal(1))
        for line in expenditure
        if line.rozdzial in classification.overhead_rozdzialy and _current(line, classification)
    ]
    return Component(amount=sum((c.counted for c in counted), ZERO), status="ok", lines=counted)


def spend_share_base(expenditure: Sequence[Line], classification: Classification) -> Decimal:
    """sum C: current spending of every rozdział but administration, debt and settlements."""
    return sum(
        (
            line.amount
            for line in expenditure
            if _current(line, classification)
            and line.rozdzial not in classification.overhead_rozdzialy
            and line.rozdzial[:3] not in classification.spend_share_excluded_dzialy
        ),
        ZERO,
    )


def overhead(inputs: CostInputs, direct: Decimal, params: CostParameters) -> OverheadResult:
    admin = administration(inputs.expenditure, inputs.classification)
    if params.overhead == "none" and params.alpha_override is None:
        return _overhead(admin, "not_requested", "none", alpha=None, base=None)
    base = spend_share_base(inputs.expenditure, inputs.classification)
    if params.alpha_override is not None:
        return _overhead(
            admin,
            "ok",
            "override",
            alpha=params.alpha_override,
            base=base,
            note="alpha given by the scenario, not derived from the data",
        )
    if not inputs.whole_budget:
        note = (
            "the spend share needs the unit's own report (JST) for all its spending; "
            "only its budgetary units' reports are loaded"
        )
        return _overhead(admin, "unavailable", "spend_share", alpha=None, base=None, note=note)
    if base == ZERO:
        note = "no direct current spending at all"
        return _overhead(admin, "unavailable", "spend_share", alpha=None, base=base, note=note)
    alpha = spend_share_alpha(direct, base)
    return _overhead(admin, "ok", "spend_share", alpha=alpha, base=base)


def _overhead(
    admin: Component,
    status: ComponentStatus,
    key: str,
    *,
    alpha: Decimal | None,
    base: Decimal | None,
    note: str = "",
) -> OverheadResult:
    """O = alpha x A where there is an alpha; `base` is the spend share's sum C."""
    return OverheadResult(
        amount=None if alpha is None else alpha * (admin.amount or ZERO),
        status=status,
        key=key,
        alpha=alpha,
        administration=admin,
        spend_share_base=base,
        note=note,
    )


def _deflated(
    years: dict[int, Decimal | None], year: int, deflators: Mapping[int, Decimal] | None
) -> tuple[list[CapitalYear], Literal["real", "nominal"], str]:
    needed = [y for y, amount in years.items() if amount is not None] + [year]
    if deflators is None or any(y not in deflators for y in needed):
        rows = [CapitalYear(year=y, nominal=a) for y, a in sorted(years.items())]
        return rows, "nominal", "nominal prices: no deflator loaded for these years"
    rows = [
        CapitalYear(
            year=y,
            nominal=a,
            deflator=deflators.get(y),
            real=None if a is None else a * deflators[year] / deflators[y],
        )
        for y, a in sorted(years.items())
    ]
    return rows, "real", f"real terms, prices of {year}"


def capital_cost(
    history: Mapping[int, list[Line] | None],
    year: int,
    *,
    method: CapitalMethod,
    mapping: ServiceMapping,
    classification: Classification,
    deflators: Mapping[int, Decimal] | None = None,
) -> CapitalResult:
    """K: the average capital spending (6xx) of the service over the window ending in `year`,
    over the years that have reports (those without are listed, never counted as zero)."""
    this_year = [
        _count(line, "capital", share)
        for line in history.get(year) or ()
        if (share := mapping.share_of(line.rozdzial)) is not None
        and classification.is_capital(line.paragraf)
    ]
    if method == "none":
        return CapitalResult(
            amount=None,
            status="not_requested",
            method=method,
            basis="nominal",
            years=[],
            years_missing=[],
            lines=this_year,
        )
    window = range(year - WINDOWS[method] + 1, year + 1)
    totals: dict[int, Decimal | None] = {}
    for y in window:
        lines = history.get(y)
        totals[y] = (
            None
            if lines is None
            else sum(
                (
                    share * line.amount
                    for line in lines
                    if (share := mapping.share_of(line.rozdzial)) is not None
                    and classification.is_capital(line.paragraf)
                ),
                ZERO,
            )
        )
    rows, basis, note = _deflated(totals, year, deflators)
    values = [(r.real if basis == "real" else r.nominal) for r in rows]
    present = [v for v in values if v is not None]
    missing = [r.year for r in rows if r.nominal is None]
    if not present:
        note = "no capital data in the window"
    elif missing:
        note += f"; average of {len(present)} of {len(rows)} years (no reports for {missing})"
    return CapitalResult(
        amount=sum(present, ZERO) / len(present) if present else None,
        status="ok" if present else "unavailable",
        method=method,
        basis=basis,
        years=rows,
        years_missing=missing,
        lines=this_year,
        note=note,
    )


def _capital(inputs: CostInputs, params: CostParameters) -> CapitalResult:
    computed = capital_cost(
        inputs.capital_history,
        inputs.year,
        method=params.capital,
        mapping=inputs.mapping,
        classification=inputs.classification,
        deflators=inputs.deflators,
    )
    if params.capital_override is None:
        return computed
    return msgspec.structs.replace(
        computed,
        amount=params.capital_override,
        status="ok",
        note="K given by the scenario, not derived from the reports",
    )


def calculate(inputs: CostInputs, params: CostParameters) -> CostResult:
    """Every component, the total (None when a requested component has no data) and UC."""
    direct = direct_cost(
        inputs.expenditure, inputs.income, inputs.mapping, inputs.classification, params.perspective
    )
    c = direct.amount or ZERO
    income = dedicated_income(inputs.income, inputs.mapping, inputs.classification)
    if not params.net:
        income = msgspec.structs.replace(income, status="not_requested")
    over = overhead(inputs, c, params)
    capital = _capital(inputs, params)
    parts = {"overhead": over.status, "capital": capital.status, "dedicated_income": income.status}
    missing = [name for name, status in parts.items() if status == "unavailable"]
    o = over.amount if over.status == "ok" and over.amount is not None else ZERO
    k = capital.amount if capital.status == "ok" and capital.amount is not None else ZERO
    e = income.amount if income.status == "ok" and income.amount is not None else ZERO
    partial = kcu(c, o, k, e, net=params.net)
    total = None if missing else partial
    q = inputs.volume.value
    formula = "KCU = C + O + K - E" if params.net else "KCU (gross) = C + O + K"
    return CostResult(
        direct=direct,
        income=income,
        overhead=over,
        capital=capital,
        volume=inputs.volume,
        total=total,
        partial_total=partial,
        unit_cost=unit_cost(total, q),
        direct_unit_cost=unit_cost(c, q),
        missing=missing,
        formula=formula,
    )
