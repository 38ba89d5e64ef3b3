"""The small map on a gmina's page: the gmina and the gminas around it, for one indicator.

Shapes and neighbours are the shipped ones (geo.py: each gmina's neighbours and the box around
them, precomputed at build time); a neighbour in another voivodeship keeps its own map's path
data and is placed by an SVG transform between the two voivodeships' projections. Colours are
the quantile classes of every gmina's value that year (as on the gmina histogram of Poland), so
a colour means the same on every gmina's page; the table under the map says each value and its
class in words. Reads `cross_section` (all gminas, one statement), `years_by_indicator` (which
indicators have values) and `placed_units` (the names of the gminas drawn, one statement).
"""

from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter
from domains.indicators.as_of import AsOf
from domains.indicators.catalogue import Catalogue, Indicator
from domains.indicators.queries import cross_section, years_by_indicator
from domains.units.placed import placed_units
from service.web import fmt
from service.web.charts import (
    MapLayer,
    MapShape,
    class_breaks,
    class_of,
    neighbourhood_map,
    palette_for,
)
from service.web.context import NeighbourhoodMap, NeighbourRow, Option, Ui
from service.web.geo import frame_transform, load_maps
from service.web.i18n import pick
from service.web.indicator_page import class_label, legend_note, map_legend, shared_notes
from service.web.names import display_name

DEFAULT_INDICATOR: Final = "kontekst.gestosc_zaludnienia"
FRAGMENT: Final = "okolica"
"""The id of the map's section on the gmina's page."""


def _map_indicator(catalogue: Catalogue, code: str | None, with_data: set[str]) -> Indicator:
    chosen = catalogue.indicator(code or DEFAULT_INDICATOR)
    if chosen is None or "gmina" not in chosen.levels:
        raise InvalidParameter("mapa", "the code of an indicator with gmina values")
    if code is None and chosen.code not in with_data:
        return next(i for i in catalogue.indicators if "gmina" in i.levels and i.code in with_data)
    return chosen


async def build_neighbourhood(
    conn: AsyncConnection,
    catalogue: Catalogue,
    teryt: str,
    ui: Ui,
    *,
    code: str | None,
    as_of: AsOf | None = None,
    as_of_day: str = "",
) -> NeighbourhoodMap | None:
    """None for a unit that is not a gmina in force (or when no gmina indicator has data).

    With `as_of` (the release in force on `as_of_day`, the page's `stan_na`), every gmina's
    value and the colour classes are those of that release, its latest year then."""
    maps = load_maps()
    around = maps.neighbourhoods.get(teryt)
    if around is None:
        return None
    # Indicators are listed with their years, none for an indicator without values yet.
    with_data = {c for c, years in (await years_by_indicator(conn)).items() if years}
    if not any("gmina" in i.levels and i.code in with_data for i in catalogue.indicators):
        return None
    indicator = _map_indicator(catalogue, code, with_data)
    lang = ui.lang
    section = await cross_section(
        conn, catalogue, indicator.code, lang, year=None, level="gmina", as_of=as_of
    )
    day = as_of_day if as_of is not None else None
    values = {item.teryt: item.value for item in section.items}
    drawn = [teryt, *around.neighbours]
    placed = await placed_units(conn, drawn)
    names = {code_: display_name(p.unit.name, p.unit.kind, lang) for code_, p in placed.items()}

    def show(value: float | None) -> str:
        return fmt.number(value, indicator.decimals, lang)

    breaks = class_breaks([v for v in values.values() if v is not None])
    colours = palette_for(breaks, indicator.polarity)
    counts = [0] * len(colours)
    missing = 0
    home = maps.gminas[teryt[:2]]
    shared = {new: old for frame in maps.gminas.values() for new, old in frame.shared.items()}
    by_voivodeship: dict[str, list[MapShape]] = {}
    rows = []
    for unit in drawn:
        value = values.get(unit)
        index = class_of(breaks, value)
        if index is None:
            missing += 1
        else:
            counts[index] += 1
        name = names.get(unit, unit)
        by_voivodeship.setdefault(unit[:2], []).append(
            MapShape(
                path=maps.gminas[unit[:2]].gminas[unit],
                fill_class=index,
                label=f"{name}: {show(value)}",
                highlight=unit == teryt,
                striped=unit in shared,
            )
        )
        rows.append(
            NeighbourRow(
                teryt=unit,
                name=name,
                href=ui.url("web-unit", teryt=unit, mapa=code, stan_na=day, fragment=FRAGMENT),
                value=show(value),
                class_label=ui.t["legend_missing"]
                if index is None
                else class_label(breaks, index, show),
                is_self=unit == teryt,
            )
        )
    layers = []
    for voivodeship, shapes in sorted(by_voivodeship.items(), key=lambda i: i[0] != teryt[:2]):
        k, dx, dy = frame_transform(home, maps.gminas[voivodeship])
        layers.append(MapLayer(shapes=shapes, k=k, dx=dx, dy=dy))
    name = pick(indicator, "name", lang)
    here = names.get(teryt, teryt)
    svg = neighbourhood_map(
        "okolica-map",
        box=around.box,
        layers=layers,
        colours=colours,
        title=f"{ui.t['neighbourhood_title']}: {here}; {name}, {section.year}",
        desc=ui.t["neighbourhood_desc"],
    )
    in_map = {unit: shared[unit] for unit in drawn if unit in shared}
    return NeighbourhoodMap(
        indicator=name,
        unit=pick(indicator, "unit", lang),
        year=section.year,
        svg=svg,
        legend=map_legend(breaks, colours, counts, missing, show=show, ui=ui),
        legend_note=legend_note(indicator.polarity, ui),
        rows=[rows[0], *sorted(rows[1:], key=lambda r: (r.name, r.teryt))],
        options=[
            Option(i.code, pick(i, "name", lang), i.code == indicator.code)
            for i in catalogue.indicators
            if "gmina" in i.levels and i.code in with_data
        ],
        action=ui.action("web-unit", teryt=teryt),
        indicator_href=ui.url(
            "web-indicator",
            code=indicator.code,
            poziom="gmina",
            woj=teryt[:2],
            j=teryt,
            fragment=f"t-{teryt}",
        ),
        shared=shared_notes(in_map, names, ui),
        as_of_day=day or "",
    )
