"""Charts a gmina or a newspaper puts in an `<iframe>`: the pages under `/osadz/`.

Three pages: one indicator of one unit over the years against the medians of its peer group
and of Poland (`web-embed-series`), the ranking of the units of a level, or of one
voivodeship (`web-embed-ranking`), and the map of a level (`web-embed-map`, in
embed_map.py). Each is small (no script, one stylesheet), carries the
table of every number it draws, names its source and links back to the full page. Themed by
query parameters: `motyw` (jasny, ciemny) and `kolor` (#rrggbb for the unit's line and the
bars, refused with a 400 when it has less than 3:1 contrast with the background, WCAG 1.4.11).
These are the only pages that may be framed: the security hook gives them `frame-ancestors`
from the `MIARKA_EMBED_FRAME_ANCESTORS` setting instead of `'none'` (security_headers.py).
"""

import re
from collections.abc import Mapping
from typing import Annotated, Final, Literal

from litestar import get
from litestar.params import Parameter
from litestar.response import Template

from domains.errors import InvalidParameter
from domains.indicators.queries import cross_section, find_indicator, series
from schemas.indicators import Lang
from service.deps import CatalogueDep, Db
from service.web.charts import ACCENT, INK, Formatter, contrast_ratio
from service.web.context import EmbedPage
from service.web.embed_charts import (
    NATIONAL_DASH,
    PEER_DASH,
    Line,
    Palette,
    ranking_bars,
    series_lines,
)
from service.web.fmt import EN_DASH, integer, number
from service.web.params import ChoiceDep, Code, IndicatorCode, UiDep
from service.web.templating import render

EMBED_PREFIX: Final = "/osadz"
Theme = Literal["jasny", "ciemny"]
BACKGROUND: Final[Mapping[Theme, str]] = {"jasny": "#ffffff", "ciemny": "#10192b"}
PALETTES: Final[Mapping[Theme, Palette]] = {
    "jasny": Palette(ink=INK, unit=ACCENT),
    "ciemny": Palette(ink="#f3f4f6", unit="#ffd166"),
}
MIN_CONTRAST: Final = 3.0
"""WCAG 2.1 SC 1.4.11: graphical objects need 3:1 against what is next to them."""
MAX_RANKED: Final = 50
_COLOUR: Final = re.compile(r"^#[0-9a-fA-F]{6}$")

WORDS: Final[Mapping[Lang, Mapping[str, str]]] = {
    "pl": {
        "peers": "mediana grupy porównawczej",
        "poland": "mediana Polski",
        "year": "Rok",
        "rank": "Miejsce",
        "unit": "Jednostka",
        "value": "Wartość",
        "missing": "brak danych",
        "source": "Źródło",
        "full": "Pełne dane w Miarce",
        "table": "Dane wykresu",
        "series_desc": "Wartości jednostki w kolejnych latach (linia ciągła) na tle mediany "
        "grupy porównawczej (kreski) i mediany Polski (kropki).",
        "ranking_desc": "Jednostki od najlepszej wartości wskaźnika; długość słupka to wartość.",
        "ranking_of": "ranking",
        "of": "z",
    },
    "en": {
        "peers": "peer-group median",
        "poland": "median of Poland",
        "year": "Year",
        "rank": "Rank",
        "unit": "Unit",
        "value": "Value",
        "missing": "no data",
        "source": "Source",
        "full": "Full data in Miarka",
        "table": "Chart data",
        "series_desc": "The unit's values year by year (solid line) against the median of its "
        "peer group (dashes) and of Poland (dots).",
        "ranking_desc": "Units from the best value of the indicator; a bar's length is the value.",
        "ranking_of": "ranking",
        "of": "of",
    },
}

ThemeParam = Annotated[Theme, Parameter(description="jasny (light, default) or ciemny (dark)")]
ColourParam = Annotated[str | None, Parameter(description="#rrggbb of the unit", max_length=7)]


def palette_for(theme: Theme, colour: str | None) -> Palette:
    """The theme's colours, the unit's own when `kolor` is given and readable on the theme."""
    palette = PALETTES[theme]
    if colour is None:
        return palette
    if not _COLOUR.match(colour):
        raise InvalidParameter("kolor", "a colour as #rrggbb")
    ratio = contrast_ratio(colour, BACKGROUND[theme])
    if ratio < MIN_CONTRAST:
        raise InvalidParameter(
            "kolor", f"contrast {ratio:.1f}:1 with the {theme} background; at least 3:1 needed"
        )
    return Palette(ink=palette.ink, unit=colour.lower())


@get(f"{EMBED_PREFIX}/szereg/{{teryt:str}}/{{code:str}}", name="web-embed-series")
async def read_embed_series(
    *,
    ui: UiDep,
    db: Db,
    catalogue: CatalogueDep,
    teryt: Code,
    code: IndicatorCode,
    motyw: ThemeParam = "jasny",
    kolor: ColourParam = None,
) -> Template:
    palette = palette_for(motyw, kolor)
    words = WORDS[ui.lang]
    data = await series(db, catalogue, teryt, code, ui.lang)
    indicator = find_indicator(catalogue, code)
    show = formatter(indicator.decimals, ui.lang, words)
    title = f"{data.indicator.name} — {data.name}"
    lines = [
        Line(label=data.name, points=[(p.year, p.value) for p in data.points]),
        Line(
            label=words["peers"],
            points=[(p.year, p.peer_median) for p in data.points],
            dash=PEER_DASH,
        ),
        Line(
            label=words["poland"],
            points=[(p.year, p.national_median) for p in data.points],
            dash=NATIONAL_DASH,
        ),
    ]
    page = EmbedPage(
        title=title,
        theme=motyw,
        unit=data.indicator.unit,
        chart=series_lines("embed", lines, palette, (title, words["series_desc"]), show),
        columns=[words["year"], data.name, words["peers"], words["poland"]],
        rows=[
            [str(p.year), show(p.value), show(p.peer_median), show(p.national_median)]
            for p in data.points
        ],
        source=indicator.source,
        full_href=ui.url("web-unit", teryt=teryt, mapa=None),
        words=words,
    )
    return render("embed.html", ui, page)


@get(f"{EMBED_PREFIX}/ranking/{{code:str}}", name="web-embed-ranking")
async def read_embed_ranking(
    *,
    ui: UiDep,
    db: Db,
    catalogue: CatalogueDep,
    code: IndicatorCode,
    choice: ChoiceDep,
    n: Annotated[int, Parameter(ge=1, le=MAX_RANKED)] = 10,
    motyw: ThemeParam = "jasny",
    kolor: ColourParam = None,
) -> Template:
    """The best `n` units of the level (`poziom`), within voivodeship `woj` when given."""
    palette = palette_for(motyw, kolor)
    words = WORDS[ui.lang]
    woj = choice.voivodeship
    data = await cross_section(
        db, catalogue, code, ui.lang, year=choice.year, level=choice.level, parent=woj
    )
    indicator = find_indicator(catalogue, code)
    show = formatter(indicator.decimals, ui.lang, words)
    ranked = sorted(
        (row for row in data.items if row.value is not None),
        key=lambda row: (row.rank or 0, row.name),
    )[:n]
    title = f"{data.indicator.name} — {words['ranking_of']} {data.year}"
    chart = ranking_bars(
        [(row.name, row.value, show(row.value)) for row in ranked if row.value is not None],
        f"{title}. {words['ranking_desc']}",
        palette,
    )
    page = EmbedPage(
        title=title,
        theme=motyw,
        unit=data.indicator.unit,
        chart=chart,
        columns=[words["rank"], words["unit"], words["value"]],
        rows=[
            [rank_words(row.rank, row.rank_of, ui.lang, words), row.name, show(row.value)]
            for row in ranked
        ],
        source=indicator.source,
        full_href=ui.url("web-indicator", code=code, poziom=data.level, rok=data.year, woj=woj),
        words=words,
    )
    return render("embed.html", ui, page)


def rank_words(rank: int | None, of: int | None, lang: Lang, words: Mapping[str, str]) -> str:
    if rank is None:
        return EN_DASH
    return f"{integer(rank, lang)} {words['of']} {integer(of, lang)}"


def formatter(decimals: int, lang: Lang, words: Mapping[str, str]) -> Formatter:
    def show(value: float | None) -> str:
        return words["missing"] if value is None else number(value, decimals, lang)

    return show
