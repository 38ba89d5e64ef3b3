"""Comparison: chosen units (or a unit and its most similar units) side by side.

Units come from the address (`?j=1261011&j=0264011`), so a comparison can be bookmarked and
sent; adding a unit is a plain GET form (`dodaj=<name>`) resolved by `list_units`, with a list
of candidates to choose from when the name is ambiguous. Values come from one `query_values`,
the units and where they lie from one `placed_units`.
"""

from collections import defaultdict
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter, UnknownUnit
from domains.indicators.catalogue import Catalogue
from domains.indicators.queries import list_indicators, peers, query_values
from domains.units.placed import PlacedUnit, placed_units
from domains.units.queries import UnitFilters, list_units
from domains.units.search import fold
from schemas.indicators import ValueRow
from service.web import fmt
from service.web.context import (
    CompareCell,
    CompareDomain,
    ComparePage,
    CompareRow,
    CompareUnit,
    Ui,
    UnitLink,
)
from service.web.i18n import pick
from service.web.shared import flags_in_words, ref_link

MAX_UNITS: Final = 12
SIMILAR_ADDED: Final = 5
CANDIDATES: Final = 10
MAX_VALUES: Final = 50_000


async def _resolve(
    conn: AsyncConnection, text_: str, levels: set[str], ui: Ui
) -> tuple[str | None, list[UnitLink]]:
    """One unit for the name typed, or the candidates to choose from.

    A name can be both a gmina and a powiat (Wrocław, a city with powiat rights); the level
    of the units already compared decides then.
    """
    try:
        found, _, _ = await list_units(
            conn, UnitFilters(q=text_[:100]), limit=CANDIDATES * 3, cursor=None
        )
    except InvalidParameter:
        return None, []
    units = [u for u in found if u.level != "gmina_part"]
    exact = [u for u in units if fold(u.name) == fold(text_)]
    same_level = [u for u in exact if u.level in levels]
    for choice in (units, exact, same_level):
        if len(choice) == 1:
            return choice[0].teryt, []
    places = await placed_units(conn, [u.teryt for u in units[:CANDIDATES]])
    return None, [
        ref_link(places[u.teryt].unit, ui, places[u.teryt].parents)
        for u in units[:CANDIDATES]
        if u.teryt in places
    ]


async def _units(conn: AsyncConnection, codes: list[str]) -> list[PlacedUnit]:
    """The chosen units in the order chosen; a code of no unit is a 404, as on its own page."""
    found = await placed_units(conn, codes)
    for code in codes:
        if code not in found:
            raise UnknownUnit(f"no territorial unit with TERC code {code}")
    return [found[code] for code in codes]


async def build_compare_page(
    conn: AsyncConnection,
    catalogue: Catalogue,
    ui: Ui,
    *,
    selected: list[str],
    add: str | None,
    similar: bool,
) -> ComparePage:
    lang, t = ui.lang, ui.t
    codes = list(dict.fromkeys(selected))
    candidates: list[UnitLink] = []
    if add and add.strip():
        levels: set[str] = {placed.unit.level for placed in await _units(conn, codes)}
        chosen, candidates = await _resolve(conn, add.strip(), levels, ui)
        candidates = [c for c in candidates if c.teryt not in codes]
        if chosen and chosen not in codes:
            codes.append(chosen)
    if similar and codes:
        neighbours = (await peers(conn, codes[0])).neighbours[:SIMILAR_ADDED]
        codes += [n.teryt for n in neighbours if n.teryt not in codes]
    too_many = len(codes) > MAX_UNITS
    codes = codes[:MAX_UNITS]
    placed = await _units(conn, codes)
    units = [p.unit for p in placed]

    indicators = await list_indicators(conn, catalogue, lang, status="ok")
    levels = {u.level for u in units}
    applicable = [i for i in indicators if levels & set(i.levels)]
    rows: list[ValueRow] = []
    if units and applicable:
        rows = await query_values(
            conn,
            catalogue,
            codes=[i.code for i in applicable],
            units=codes,
            levels=[],
            years=[],
            limit=MAX_VALUES,
        )
    by_indicator: dict[str, dict[tuple[str, int], ValueRow]] = defaultdict(dict)
    for row in rows:
        by_indicator[row.indicator][(row.teryt, row.year)] = row

    domains: dict[str, list[CompareRow]] = defaultdict(list)
    for summary in applicable:
        indicator = catalogue.indicator(summary.code)
        values = by_indicator.get(summary.code, {})
        years = [year for (_, year), row in values.items() if row.value is not None]
        if indicator is None or not years:
            continue
        year = max(years)
        found = [values[(u.teryt, year)] for u in units if (u.teryt, year) in values]
        shared = set.intersection(*(set(r.flags) for r in found)) if found else set()
        cells = []
        for unit in units:
            cell = values.get((unit.teryt, year))
            value = cell.value if cell else None
            notes = []
            if cell and cell.rank is not None:
                notes.append(
                    f"{t['rank_short']} {fmt.integer(cell.rank, lang)} {t['rank_of']} "
                    f"{fmt.integer(cell.rank_of, lang)}"
                )
            if cell:
                notes += flags_in_words(indicator, [f for f in cell.flags if f not in shared], lang)
            cells.append(
                CompareCell(
                    value=fmt.number(value, indicator.decimals, lang),
                    note="; ".join(notes),
                    missing=value is None,
                )
            )
        domains[summary.domain].append(
            CompareRow(
                name=summary.name,
                href=ui.url("web-indicator", code=summary.code),
                unit=summary.unit,
                year=year,
                note="; ".join(flags_in_words(indicator, sorted(shared), lang)),
                cells=cells,
            )
        )
    return ComparePage(
        title=t["compare_title"],
        units=[
            CompareUnit(
                link=ref_link(p.unit, ui, p.parents),
                remove_href=ui.url("web-compare", j=[c for c in codes if c != p.unit.teryt]),
            )
            for p in placed
        ],
        selected=codes,
        mixed_levels=len(levels) > 1,
        too_many=too_many,
        max_units=MAX_UNITS,
        domains=[
            CompareDomain(name=pick(d, "name", lang), rows=domains[d.code])
            for d in catalogue.domains
            if domains.get(d.code)
        ],
        add_query=(add or "") if candidates else "",
        candidates=[
            UnitLink(
                teryt=c.teryt,
                name=c.name,
                kind=c.kind,
                href=ui.url("web-compare", j=[*codes, c.teryt]),
                context=c.context,
            )
            for c in candidates
        ],
        peers_href=ui.url("web-compare", j=codes, podobne="1") if codes else None,
    )
