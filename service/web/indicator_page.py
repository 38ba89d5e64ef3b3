"""The indicator page: one indicator, one level, one year; ranking, map or histogram, CSV link.

Reads `get_indicator` and `cross_section`, `placed_units` for the kinds of the units ranked (one
statement) and `list_units` for the voivodeship filter. Voivodeships and powiats get a
choropleth map on the shipped shapes (geo.py: already joined to TERC codes); gminas get one
for a single voivodeship (all 2,477 on one page would be too heavy for a phone) and a
histogram for the whole of Poland. The table under each chart holds every value shown; a gmina
created after the 2020 boundaries is drawn striped over the 2020 polygon of the gmina it was
split from, and named so under the map.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.indicators.catalogue import Catalogue, Indicator
from domains.indicators.queries import cross_section, find_indicator, get_indicator
from domains.units.placed import placed_units
from domains.units.queries import UnitFilters, list_units
from domains.units.search import fold
from schemas.indicators import CrossSection, IndicatorDetail, Lang, TermOut, ValueRow
from service.web import fmt
from service.web.charts import (
    Formatter,
    MapShape,
    bin_of,
    choropleth,
    class_breaks,
    class_of,
    histogram,
    histogram_bins,
    palette_for,
    swatch_class,
)
from service.web.context import (
    HistogramRow,
    IndicatorPage,
    LegendItem,
    Option,
    RankRow,
    SortLink,
    Ui,
)
from service.web.geo import Maps, load_maps
from service.web.i18n import pick
from service.web.labels import LEVELS
from service.web.names import display_name, kind_words
from service.web.params import Choice
from service.web.shared import flags_in_words, meaning_of

SortKey = Literal["miejsce", "nazwa", "wartosc"]
Direction = Literal["rosn", "malej"]
VOIVODESHIP_LIMIT: Final = 100


def _formula(detail: IndicatorDetail) -> str:
    def terms(items: list[TermOut]) -> str:
        return " + ".join(item.name or f"{item.source}:{item.code}" for item in items)

    text_ = f"({terms(detail.formula.numerator)})"
    if detail.formula.denominator:
        text_ += f" ÷ ({terms(detail.formula.denominator)})"
    if detail.formula.multiplier != 1:
        text_ = f"{detail.formula.multiplier:g} {fmt.TIMES} {text_}"
    return text_


def _sorted(items: list[ValueRow], sort: SortKey, direction: Direction) -> list[ValueRow]:
    reverse = direction == "malej"
    if sort == "nazwa":
        return sorted(items, key=lambda i: (fold(i.name), i.name, i.teryt), reverse=reverse)
    key = "value" if sort == "wartosc" else "rank"
    present = [i for i in items if getattr(i, key) is not None]
    absent = [i for i in items if getattr(i, key) is None]
    ordered = sorted(present, key=lambda i: (getattr(i, key), i.teryt), reverse=reverse)
    return ordered + sorted(absent, key=lambda i: i.teryt)  # missing always last


def _sort_links(
    ui: Ui, code: str, params: dict[str, str | None], sort: SortKey, direction: Direction
) -> dict[str, SortLink]:
    """Column headers as links: a click sorts by the column, a second click reverses it."""
    t = ui.t
    labels = {"miejsce": t["col_rank"], "nazwa": t["col_name"], "wartosc": t["col_value"]}
    links = {}
    for key, label in labels.items():
        current = key == sort
        turn = "malej" if current and direction == "rosn" else "rosn"
        links[key] = SortLink(
            label=label,
            href=ui.link(
                "web-indicator",
                {"code": code, **params, "sort": key, "kier": turn},
                fragment="ranking",
            ),
            aria_sort=("ascending" if direction == "rosn" else "descending") if current else "none",
        )
    return links


async def build_indicator_page(
    conn: AsyncConnection,
    catalogue: Catalogue,
    code: str,
    ui: Ui,
    choice: Choice,
    *,
    sort: SortKey,
    direction: Direction,
) -> IndicatorPage:
    lang = ui.lang
    voivodeship, highlight = choice.voivodeship, choice.highlight
    indicator = find_indicator(catalogue, code)
    detail = await get_indicator(conn, catalogue, code, lang)
    level = choice.level or ("gmina" if "gmina" in detail.levels else detail.levels[0])
    has_data = bool(detail.years)
    section: CrossSection | None = None
    if has_data:
        section = await cross_section(
            conn,
            catalogue,
            code,
            lang,
            year=choice.year,
            level=level,
            parent=voivodeship if level == "gmina" else None,
        )
    items = section.items if section else []
    year = section.year if section else choice.year
    decimals = indicator.decimals

    def show(value: float | None) -> str:
        return fmt.number(value, decimals, lang)

    values = [i.value for i in items if i.value is not None]
    params: dict[str, str | None] = {
        "poziom": level,
        "rok": str(year) if year else None,
        "woj": voivodeship if level == "gmina" else None,
        "j": highlight,
    }
    voivodeships, _, _ = await list_units(
        conn, UnitFilters(level="voivodeship"), limit=VOIVODESHIP_LIMIT, cursor=None
    )
    maps = load_maps()
    region = next((v for v in voivodeships if v.teryt == voivodeship), None)
    gmina_map = maps.gminas.get(region.teryt) if level == "gmina" and region else None
    drawn = gmina_map.gminas if gmina_map else {}
    # the gminas drawn without a value are not ranked: their names come in the same statement
    placed = await placed_units(conn, {*(i.teryt for i in items), *drawn})
    kinds = {teryt: p.unit.kind for teryt, p in placed.items()}
    names = {teryt: display_name(p.unit.name, p.unit.kind, lang) for teryt, p in placed.items()}
    page_map: Markup | None = None
    hist_svg: Markup | None = None
    legend: list[LegendItem] = []
    hist_rows: list[HistogramRow] = []
    unmapped: list[str] = []
    shared: list[str] = []
    if items and level in ("voivodeship", "powiat"):
        page_map, legend = draw_map(
            items,
            names,
            map_frame(maps, level, None),
            highlight=highlight,
            show=show,
            ui=ui,
            polarity=indicator.polarity,
        )
    elif items and gmina_map is not None and region is not None:
        frame = map_frame(maps, level, region.teryt)
        where = display_name(region.name, region.kind, lang)
        page_map, legend = draw_map(
            items,
            names,
            frame,
            highlight=highlight,
            show=show,
            ui=ui,
            where=where,
            striped=set(gmina_map.shared),
            polarity=indicator.polarity,
        )
        unmapped = _unmapped(items, kinds, frame, lang)
        shared = shared_notes(gmina_map.shared, names, ui)
    elif items:
        hist_svg, hist_rows = _histogram(values, items, highlight, show, ui)
    csv_href = ui.url(
        "api-indicator-values",
        code=code,
        format="csv",
        locale="pl",
        level=level,
        year=year,
        parent=voivodeship if level == "gmina" else None,
    )
    common, rows = _rows(items, kinds, indicator, ui, highlight, sort=sort, direction=direction)
    return IndicatorPage(
        code=code,
        title=detail.name,
        name=detail.name,
        unit=detail.unit,
        domain=next(
            (pick(d, "name", lang) for d in catalogue.domains if d.code == detail.domain),
            detail.domain,
        ),
        meaning=meaning_of(indicator, lang),
        formula=_formula(detail),
        has_data=has_data,
        level=level,
        level_name=LEVELS[lang][level],
        year=year,
        levels=[Option(lv, LEVELS[lang][lv], lv == level) for lv in detail.levels],
        years=[Option(str(y), str(y), y == year) for y in reversed(detail.years)],
        voivodeships=[
            Option(v.teryt, display_name(v.name, v.kind, lang), v.teryt == voivodeship)
            for v in voivodeships
        ],
        voivodeship=voivodeship if level == "gmina" else None,
        highlight=highlight,
        csv_href=csv_href,
        count=len(values),
        missing=len(items) - len(values),
        national_median=show(section.national_median if section else None),
        map_svg=page_map,
        legend=legend,
        legend_note=legend_note(indicator.polarity, ui),
        map_unmapped=unmapped,
        map_shared=shared,
        histogram_svg=hist_svg,
        histogram_rows=hist_rows,
        sort_links=_sort_links(ui, code, params, sort, direction),
        common_notes=common,
        rows=rows,
    )


def _rows(
    items: list[ValueRow],
    kinds: Mapping[str, str],
    indicator: Indicator,
    ui: Ui,
    highlight: str | None,
    *,
    sort: SortKey,
    direction: Direction,
) -> tuple[list[str], list[RankRow]]:
    """Table rows, and the notes every row shares (said once above the table, not per row)."""
    lang = ui.lang
    shared = set.intersection(*(set(i.flags) for i in items)) if items else set()
    common = flags_in_words(indicator, sorted(shared), lang)
    rows = []
    for item in _sorted(items, sort, direction):
        kind = kinds.get(item.teryt, "")
        rows.append(
            RankRow(
                rank=fmt.integer(item.rank, lang) if item.rank is not None else fmt.EN_DASH,
                teryt=item.teryt,
                name=display_name(item.name, kind, lang),
                kind=kind_words(kind, lang) if item.level == "gmina" else "",
                href=ui.url("web-unit", teryt=item.teryt),
                value=fmt.number(item.value, indicator.decimals, lang),
                notes="; ".join(
                    flags_in_words(indicator, [f for f in item.flags if f not in shared], lang)
                ),
                highlight=item.teryt == highlight,
            )
        )
    return common, rows


@dataclass(frozen=True, slots=True)
class MapFrame:
    """What one map draws: its size in map units, a path per unit, borders drawn over them."""

    level: str
    size: tuple[int, int]
    paths: Mapping[str, str]
    outlines: list[str]
    scale: float = 1.0
    """Width over that of the map of Poland, which the strokes are sized for."""


def map_frame(maps: Maps, level: str, voivodeship: str | None) -> MapFrame:
    """Poland's voivodeships or powiats, or the gminas of `voivodeship` (for level gmina)."""
    if level == "voivodeship":
        return MapFrame(level, (maps.width, maps.height), maps.voivodeships, [])
    if level == "powiat":
        outlines = [*maps.voivodeships.values()]
        return MapFrame(level, (maps.width, maps.height), maps.powiats, outlines)
    gminas = maps.gminas[voivodeship or ""]
    return MapFrame(
        level,
        (gminas.width, gminas.height),
        gminas.gminas,
        [gminas.powiats],
        scale=gminas.width / maps.width,
    )


def _unmapped(
    items: list[ValueRow], kinds: Mapping[str, str], frame: MapFrame, lang: Lang
) -> list[str]:
    """'Name (code)' of each unit ranked here that the map cannot draw (it has no shape)."""
    return [
        f"{display_name(item.name, kinds.get(item.teryt, ''), lang)} ({item.teryt})"
        for item in sorted(items, key=lambda i: i.teryt)
        if item.teryt not in frame.paths
    ]


def shared_notes(shared: Mapping[str, str], names: Mapping[str, str], ui: Ui) -> list[str]:
    """'Szczawa (1207132) within Kamienica (1207052)' for each new gmina drawn on the map."""
    return [
        f"{names.get(new, new)} ({new}) {ui.t['map_shared_in']} {names.get(old, old)} ({old})"
        for new, old in sorted(shared.items())
    ]


def draw_map(
    items: list[ValueRow],
    names: Mapping[str, str],
    frame: MapFrame,
    *,
    highlight: str | None,
    show: Formatter,
    ui: Ui,
    where: str | None = None,
    striped: frozenset[str] | set[str] = frozenset(),
    polarity: str = "neutral",
) -> tuple[Markup, list[LegendItem]]:
    """Quantile classes on real boundaries; units without a value are hatched.

    Only the units of `frame` are drawn and counted in the legend; a unit ranked but without a
    shape is for the caller to name. The `striped` ones share another unit's polygon.
    """
    t = ui.t
    by_teryt = {item.teryt: item for item in items}
    breaks = class_breaks([i.value for i in items if i.value is not None])
    colours = palette_for(breaks, polarity)
    shapes = []
    counts = [0] * len(colours)
    missing = 0
    for teryt, path in frame.paths.items():
        item = by_teryt.get(teryt)
        value = item.value if item else None
        index = class_of(breaks, value)
        if index is None:
            missing += 1
        else:
            counts[index] += 1
        name = names.get(teryt, item.name if item else teryt)
        shapes.append(
            MapShape(
                path=path,
                fill_class=index,
                label=f"{name}: {show(value)}",
                highlight=teryt == highlight,
                striped=teryt in striped,
            )
        )
    legend = map_legend(breaks, colours, counts, missing, show=show, ui=ui)
    title = f"{t['map_title']}: {LEVELS[ui.lang][frame.level]}"
    svg = choropleth(
        "map",
        size=frame.size,
        shapes=shapes,
        colours=colours,
        outlines=frame.outlines,
        title=f"{title}, {where}" if where else title,
        desc=t["map_desc"],
        scale=frame.scale,
    )
    return svg, legend


def class_label(breaks: list[float], index: int, show: Formatter) -> str:
    """A map class in words: its bounds with an en dash between them."""
    return f"{show(breaks[index])} {fmt.EN_DASH} {show(breaks[index + 1])}"


def legend_note(polarity: str, ui: Ui) -> str:
    """What the darkest colour means, in words: the best values, or the highest (neutral)."""
    return ui.t["legend_neutral" if polarity == "neutral" else "legend_darker_better"]


def map_legend(
    breaks: list[float],
    colours: list[str],
    counts: list[int],
    missing: int,
    *,
    show: Formatter,
    ui: Ui,
) -> list[LegendItem]:
    """Each class with its bounds in words and how many units of the map it holds, then "no
    data": the legend says in text what the colours say."""
    legend = [
        LegendItem(
            colour=colour,
            swatch=swatch_class(colour),
            label=class_label(breaks, i, show),
            count=counts[i],
        )
        for i, colour in enumerate(colours)
    ]
    if missing:
        legend.append(
            LegendItem(
                colour="",
                swatch="swatch-na",
                label=ui.t["legend_missing"],
                count=missing,
                missing=True,
            )
        )
    return legend


def _histogram(
    values: list[float],
    items: list[ValueRow],
    highlight: str | None,
    show: Formatter,
    ui: Ui,
) -> tuple[Markup | None, list[HistogramRow]]:
    t = ui.t
    bins = histogram_bins(values)
    chosen = next((i.value for i in items if i.teryt == highlight), None)
    marked = bin_of(bins, chosen)
    rows = [
        HistogramRow(
            label=f"{show(b.low)} {fmt.EN_DASH} {show(b.high)}"
            if b.high is not None
            else f"{show(b.low)} {t['and_more']}",
            count=b.count,
            highlight=index == marked,
        )
        for index, b in enumerate(bins)
    ]
    svg = histogram(
        "hist",
        bins=bins,
        highlight=marked,
        title=t["histogram_title"],
        desc=t["histogram_desc"],
        label=show,
    )
    return svg, rows
