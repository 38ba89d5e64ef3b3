"""The map to embed: one indicator on the map of Poland's voivodeships or powiats, or of one
voivodeship's gminas (`/osadz/mapa/{code}`).

The same quantile classes, boundaries and hatching as the indicator page's map
(indicator_page.draw_map), a legend that says in words what each colour holds and how many
units it counts, and the table of every value drawn. Like the other embeds (embed.py): no
script, one stylesheet, the source and a link back, `motyw` for the theme. A map of gminas
needs its voivodeship (`woj`): all 2,477 on one page would be too heavy for a phone.
"""

from collections.abc import Sequence

from litestar import get
from litestar.response import Template

from domains.errors import InvalidParameter
from domains.indicators.queries import cross_section, find_indicator
from domains.units.placed import placed_units
from schemas.indicators import ValueRow
from service.deps import CatalogueDep, Db
from service.web.context import EmbedPage
from service.web.embed import (
    EMBED_PREFIX,
    WORDS,
    ThemeParam,
    formatter,
    rank_words,
)
from service.web.geo import load_maps
from service.web.indicator_page import draw_map, legend_note, map_frame, shared_notes
from service.web.names import display_name
from service.web.params import ChoiceDep, IndicatorCode, UiDep
from service.web.templating import render


@get(f"{EMBED_PREFIX}/mapa/{{code:str}}", name="web-embed-map")
async def read_embed_map(
    *,
    ui: UiDep,
    db: Db,
    catalogue: CatalogueDep,
    code: IndicatorCode,
    choice: ChoiceDep,
    motyw: ThemeParam = "jasny",
) -> Template:
    """Powiats by default (gminas when `woj` is given and the indicator has them); `j` outlines
    one unit."""
    indicator = find_indicator(catalogue, code)
    woj = choice.voivodeship
    level = choice.level or _default_level(indicator.levels, woj)
    maps = load_maps()
    if level == "gmina" and (woj is None or woj not in maps.gminas):
        raise InvalidParameter("woj", "a voivodeship code (two digits) for a map of gminas")
    region = woj if level == "gmina" else None
    data = await cross_section(
        db, catalogue, code, ui.lang, year=choice.year, level=level, parent=region
    )
    words = WORDS[ui.lang]
    show = formatter(indicator.decimals, ui.lang, words)
    frame = map_frame(maps, level, region)
    gminas = maps.gminas.get(woj or "") if level == "gmina" else None
    wanted = {*(i.teryt for i in data.items), *frame.paths, *([woj] if woj else [])}
    placed = await placed_units(db, wanted)
    names = {t: display_name(p.unit.name, p.unit.kind, ui.lang) for t, p in placed.items()}
    where = names.get(woj) if level == "gmina" and woj else None
    chart, legend = draw_map(
        data.items,
        names,
        frame,
        highlight=choice.highlight,
        show=show,
        ui=ui,
        where=where,
        striped=set(gminas.shared) if gminas else set(),
        polarity=indicator.polarity,
    )
    title = f"{data.indicator.name} — {ui.t['map_title'].lower()} {data.year}"
    if where:
        title = f"{title}, {where}"
    page = EmbedPage(
        title=title,
        theme=motyw,
        unit=data.indicator.unit,
        chart=chart,
        legend=legend,
        legend_caption=f"{ui.t['legend']} ({data.indicator.unit}): "
        f"{legend_note(indicator.polarity, ui)}",
        notes=shared_notes(gminas.shared, names, ui) if gminas else [],
        columns=[words["rank"], words["unit"], words["value"]],
        rows=[
            [
                rank_words(row.rank, row.rank_of, ui.lang, words),
                names.get(row.teryt, row.name),
                show(row.value),
            ]
            for row in _by_rank(data.items)
        ],
        source=indicator.source,
        full_href=ui.url(
            "web-indicator",
            code=code,
            poziom=level,
            rok=data.year,
            woj=region,
        ),
        words=words,
    )
    return render("embed.html", ui, page)


def _default_level(levels: Sequence[str], woj: str | None) -> str:
    if woj is not None and "gmina" in levels:
        return "gmina"
    return "powiat" if "powiat" in levels else levels[0]


def _by_rank(items: list[ValueRow]) -> list[ValueRow]:
    """Ranked units first, best first; then the units with no value, by name."""
    return sorted(items, key=lambda row: (row.rank is None, row.rank or 0, row.name))
