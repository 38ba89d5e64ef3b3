"""Per budgetary unit (school) figures: its own Rb-28S/Rb-27S joined to its SIO pupils.

A school's report is joined to SIO by REGON when the REGON is its own in that period; when
several reports carry the same REGON (a real Kutno 2022 package files two schools under one)
or SIO has no such REGON, by name: the report's name must be the start of exactly one SIO
school name (`Szkoła Podstawowa Nr 7` -> `SZKOŁA PODSTAWOWA NR 7 IM. ADAMA MICKIEWICZA`),
ignoring case and diacritics. Otherwise the school stays unmatched and has no unit cost.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import msgspec

from domains.costs.calculator import (
    dedicated_income,
    direct_cost,
    fiscal_year_volume,
    unit_cost,
)
from domains.costs.mapping import Classification, ServiceMapping
from domains.costs.sources import ReportRef, SioSchool
from domains.costs.trail import Counted, Line
from domains.units.search import fold
from schemas.costs import LineOut, SchoolCostOut, SchoolMatch

__all__ = ["line_out", "match_schools", "money", "money_or_none", "ratio", "school_costs", "volume"]

ZERO = Decimal(0)


def line_out(counted: Counted) -> LineOut:
    """The line rounded for display."""
    return msgspec.structs.replace(
        counted,
        amount=money(counted.amount),
        share=ratio(counted.share),
        counted=money(counted.counted),
    )


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _trimmed(value: Decimal, step: Decimal) -> Decimal:
    """Rounded to `step`, trailing zeros dropped, never in exponent form (`40720`, not
    `4.072E+4`), so a spreadsheet reads it as the number it is."""
    short = value.quantize(step).normalize()
    exponent = short.as_tuple().exponent
    return short.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else short


def money_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else money(value)


def ratio(value: Decimal) -> Decimal:
    return _trimmed(value, Decimal("0.000001"))


def volume(value: Decimal) -> Decimal:
    return _trimmed(value, Decimal("0.0001"))


def _name_matches(report_name: str, sio_name: str) -> bool:
    short, full = fold(report_name), fold(sio_name)
    return full == short or (full.startswith(short) and not full[len(short)].isalnum())


def match_schools(
    units: Sequence[tuple[str, str]], schools: Sequence[SioSchool]
) -> dict[str, tuple[int | None, SchoolMatch]]:
    """unit_key -> (RSPO, how matched) for (unit_key, name) pairs of one period's reports."""
    regon_uses = Counter(key.split("|", 1)[0] for key, _ in units)
    by_regon: dict[str, set[int]] = defaultdict(set)
    names: dict[int, set[str]] = defaultdict(set)
    for school in schools:
        if school.regon:
            by_regon[school.regon].add(school.rspo)
        names[school.rspo].add(school.name)
    matched: dict[str, tuple[int | None, SchoolMatch]] = {}
    for key, name in units:
        regon = key.split("|", 1)[0]
        candidates = by_regon.get(regon, set())
        if regon_uses[regon] == 1 and len(candidates) == 1:
            matched[key] = (next(iter(candidates)), "regon")
            continue
        by_name = {
            rspo for rspo, seen in names.items() if any(_name_matches(name, n) for n in seen)
        }
        matched[key] = (next(iter(by_name)), "name") if len(by_name) == 1 else (None, "none")
    return matched


def school_costs(
    reports: Sequence[ReportRef],
    lines: dict[int, list[Line]],
    schools: Sequence[SioSchool],
    *,
    dates: tuple[date, date],
    mapping: ServiceMapping,
    classification: Classification,
) -> list[SchoolCostOut]:
    """Direct cost, dedicated income, capital spent and pupils of each budgetary unit."""
    budgetary = [r for r in reports if r.unit_type == "JB"]
    by_unit: dict[str, dict[str, ReportRef]] = defaultdict(dict)
    for report in budgetary:
        by_unit[report.unit_key][report.kind] = report
    units = [(key, next(iter(kinds.values())).unit_name) for key, kinds in by_unit.items()]
    matched = match_schools(units, schools)
    pupils = {(s.rspo, s.as_of): s.pupils for s in schools}
    sio_names = {s.rspo: s.name for s in sorted(schools, key=lambda s: s.as_of)}
    out = []
    for key, kinds in by_unit.items():
        spent = kinds.get("rb28s")
        if spent is None:
            continue
        received = kinds.get("rb27s")
        expenditure = lines.get(spent.id, [])
        income = None if received is None else lines.get(received.id, [])
        direct = direct_cost(expenditure, income, mapping, classification, "provider")
        earned = dedicated_income(income, mapping, classification)
        capital = sum(
            (
                share * line.amount
                for line in expenditure
                if (share := mapping.share_of(line.rozdzial)) is not None
                and classification.is_capital(line.paragraf)
            ),
            ZERO,
        )
        rspo, how = matched[key]
        previous = None if rspo is None else pupils.get((rspo, dates[0]))
        current = None if rspo is None else pupils.get((rspo, dates[1]))
        q = None if previous is None or current is None else fiscal_year_volume(previous, current)
        c = direct.amount or ZERO
        net = None if earned.amount is None else c - earned.amount
        out.append(
            SchoolCostOut(
                unit_name=spent.unit_name,
                regon=spent.regon,
                rspo=rspo,
                sio_name=None if rspo is None else sio_names.get(rspo),
                match=how,
                direct_cost=money(c),
                dedicated_income=money_or_none(earned.amount),
                capital_spent=money(capital),
                pupils_previous=previous,
                pupils_current=current,
                pupils_fiscal_year=None if q is None else volume(q),
                direct_unit_cost=money_or_none(unit_cost(c, q)),
                net_direct_unit_cost=money_or_none(unit_cost(net, q)),
                lines=[line_out(c) for c in direct.lines + earned.lines],
            )
        )
    return sorted(out, key=lambda s: fold(s.unit_name))
