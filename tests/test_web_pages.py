"""The web client on the shipped real data: every page renders real figures, in Polish.

Expected figures come from the API (one query layer serves both) or from the source files;
a number on a page is Polish-formatted: a no-break space between thousands, a decimal comma.
"""

import re
from html.parser import HTMLParser

import pytest

from service.web.build_gminas import read_register_gminas
from service.web.build_shapes import register_file
from service.web.geo import load_maps

NBSP = "\u00a0"
KRAKOW = "1261011"
BOLESLAWIEC = "0201011"  # gmina miejska; two more gminas share the name
ZYWIEC = "2417011"
SZCZAWA = "1207132"  # created on 2025-01-01: no population in the shipped 2020/2023 tables
KAMIENICA = "1207052"  # the gmina Szczawa was split from
WLODOWICE = "2416093"  # 2416092 (gmina wiejska) in the 2020 boundary file: RODZ changed


class _Text(HTMLParser):
    """Visible text and a few structural facts, without a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.lang: str | None = None
        self.svgs: list[dict[str, str | None]] = []
        self.ids: set[str] = set()
        self.tables = 0
        self.captions = 0

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag in ("script", "style", "svg"):
            self.skip += 1
        if tag == "html":
            self.lang = found.get("lang")
        if tag == "svg":
            self.svgs.append(found)
        if tag == "table":
            self.tables += 1
        if tag == "caption":
            self.captions += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts).replace(NBSP, " "))


def parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def pl(value: float, decimals: int) -> str:
    """Polish number format, written independently of service/web/fmt.py."""
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")


async def page(client, path: str, status: int = 200, **params) -> _Text:
    response = await client.get(path, params=params, headers={"Accept": "text/html"})
    assert response.status_code == status, (path, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    parsed = parse(response.text)
    assert parsed.lang == params.get("lang", "pl")
    assert "tresc" in parsed.ids  # the skip link's target: <main id="tresc">
    for svg in parsed.svgs:  # every chart is an image with a title and a description
        assert svg.get("role") == "img"
        title, desc = str(svg.get("aria-labelledby")).split()
        assert {title, desc} <= parsed.ids
    assert parsed.tables == parsed.captions  # every table says what it holds
    return parsed


async def test_start_page_offers_search_and_the_voivodeships(client):
    start = await page(client, "/")
    assert "Znajdź swoją gminę, powiat lub województwo" in start.text
    assert "województwo małopolskie" in start.text
    assert "Ludność" in start.text  # indicators with data are listed


async def test_search_ignores_diacritics_and_lists_where_a_unit_lies(client):
    response = await client.get("/", params={"q": "zywiec"})
    found = parse(response.text)
    assert f'href="/j/{ZYWIEC}"' in response.text
    assert "Żywiec — gmina miejska, powiat żywiecki, województwo śląskie" in found.text
    assert 'href="/j/2417"' in response.text  # powiat żywiecki


async def test_search_without_letters_says_nothing_was_found(client):
    found = await page(client, "/", q="!!!")
    assert "Nie znaleziono jednostki" in found.text


async def test_browse_voivodeship_then_powiat_then_gmina(client):
    voivodeship = await client.get("/", params={"woj": "24"})
    assert 'href="/?pow=2417#przegladaj"' in voivodeship.text
    assert "powiat żywiecki" in parse(voivodeship.text).text
    powiat = await client.get("/", params={"pow": "2417"})
    assert f'href="/j/{ZYWIEC}"' in powiat.text
    assert "Gminy: powiat żywiecki" in parse(powiat.text).text


async def test_dashboard_shows_krakow_population_the_polish_way(client):
    dashboard = await page(client, f"/j/{KRAKOW}")
    assert "Kraków" in dashboard.text
    assert "Ludność 806 200 osoby (2023)" in dashboard.text  # key facts
    assert "806 200" in dashboard.text
    assert "gminy miejskie, 100 tys. mieszkańców i więcej" in dashboard.text
    assert "powierzchnia wg stanu na 2025 r." in dashboard.text  # a flag in words
    assert "Co oznacza ta liczba?" in dashboard.text
    assert "Wskaźnik opisowy" in dashboard.text  # polarity in words


async def test_dashboard_figure_equals_the_api_value(client):
    api = (await client.get(f"/api/v1/units/{BOLESLAWIEC}/indicators")).json()
    (share,) = [
        item["value"]
        for domain in api["domains"]
        for item in domain["items"]
        if item["indicator"]["code"] == "kontekst.udzial_65_plus"
    ]
    dashboard = await page(client, f"/j/{BOLESLAWIEC}")
    assert share["year"] == 2020
    assert f"Udział ludności w wieku 65 lat i więcej {pl(share['value'], 1)} %" in dashboard.text
    assert pl(share["peer_median"], 1) in dashboard.text


async def test_a_missing_value_is_shown_as_missing_never_as_zero(client):
    dashboard = await page(client, f"/j/{SZCZAWA}")
    assert "Ludność brak danych" in dashboard.text
    assert "Brak danych dla tej jednostki" in dashboard.text
    assert " 0 osoby" not in dashboard.text


async def test_unknown_unit_is_a_polish_404_page(client):
    missing = await page(client, "/j/9999999", status=404)
    assert "Nie znaleziono strony" in missing.text
    bad = await page(client, "/j/abc", status=400)
    assert "Nieprawidłowy adres" in bad.text
    await page(client, "/w/nie.ma.takiego", status=404)
    english = await page(client, "/j/9999999", status=404, lang="en")
    assert "Page not found" in english.text


async def test_unknown_path_is_html_for_a_browser_and_a_problem_for_the_api(client):
    await page(client, "/nie-ma-takiej-strony", status=404)
    api = await client.get("/api/v1/nie-ma", headers={"Accept": "text/html"})
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")


async def test_english_switch_keeps_the_page_and_the_language(client):
    response = await client.get(f"/j/{KRAKOW}", params={"lang": "en"})
    english = parse(response.text)
    assert english.lang == "en"
    assert "Population 806,200 persons (2023)" in english.text
    assert 'href="/porownaj?j=1261011' in response.text
    assert "lang=en" in response.text.split('href="/porownaj?', 1)[1].split('"', 1)[0]
    polish = await client.get(f"/j/{KRAKOW}")
    assert f'href="/j/{KRAKOW}?lang=en"' in polish.text


@pytest.mark.parametrize(("level", "shapes"), [("powiat", 380), ("voivodeship", 16)])
async def test_indicator_map_colours_every_unit_of_the_level(client, level, shapes):
    response = await client.get("/w/kontekst.ludnosc", params={"poziom": level})
    indicator = parse(response.text)
    assert response.status_code == 200
    svg = response.text.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]
    fills = re.findall(r'<path d="[^"]+" fill="([^"]+)"><title>', svg)
    assert len(fills) == shapes
    assert not [fill for fill in fills if fill.startswith("url(")]  # none hatched: all joined
    legend = re.findall(r'<td class="n">(\d+)</td></tr>', response.text.split("legend")[1])
    assert sum(int(n) for n in legend[:5]) == shapes
    assert "Ranking jednostek" in indicator.text


async def test_the_darkest_colour_is_the_best_class_by_the_indicator_s_polarity(client):
    """Unemployed per 1,000 is lower_better: its lowest class is the darkest, and said so."""
    lower = await client.get("/w/kontekst.bezrobotni_na_1000", params={"poziom": "powiat"})
    neutral = await client.get("/w/kontekst.ludnosc", params={"poziom": "powiat"})
    swatches = []
    for response in (lower, neutral):
        legend = response.text.split('<table class="legend">', 1)[1].split("</table>", 1)[0]
        swatches.append(re.findall(r'class="swatch (swatch-\d)"', legend))
    assert swatches[0] == ["swatch-5", "swatch-4", "swatch-3", "swatch-2", "swatch-1"]
    assert swatches[1] == ["swatch-1", "swatch-2", "swatch-3", "swatch-4", "swatch-5"]
    assert "Im ciemniejszy kolor, tym lepsza wartość" in lower.text
    assert "Im ciemniejszy kolor, tym wyższa wartość" in neutral.text


def _map_paths(html: str) -> list[tuple[str, str, str]]:
    """(path data, fill, title) of every unit drawn on the page's map."""
    svg = html.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]
    return re.findall(r'<path d="([^"]+)" fill="([^"]+)"><title>([^<]+)</title></path>', svg)


@pytest.mark.parametrize(
    ("voivodeship", "name", "shared"),
    [("24", "śląskie", {}), ("12", "małopolskie", {SZCZAWA: KAMIENICA}), ("14", "mazowieckie", {})],
)
async def test_gmina_map_of_a_voivodeship_draws_each_of_its_gminas_in_force(
    client, voivodeship, name, shared
):
    in_force = [t for t in read_register_gminas(register_file()) if t[:2] == voivodeship]
    response = await client.get(
        "/w/kontekst.ludnosc", params={"poziom": "gmina", "woj": voivodeship}
    )
    assert response.status_code == 200
    text = parse(response.text).text
    drawn = _map_paths(response.text)
    assert len(drawn) == len(in_force)
    assert sorted(d for d, _, _ in drawn) == sorted(load_maps().gminas[voivodeship].gminas.values())
    assert f"Mapa: gminy, województwo {name}" in response.text  # the map's own <title>
    legend = response.text.split('<table class="legend">', 1)[1].split("</table>", 1)[0]
    counts = re.findall(r'<td class="n">(\d+)</td></tr>', legend)
    assert sum(int(n) for n in counts) == len(drawn)  # classes (and "no data") count shapes
    assert "Rozkład wartości" not in text  # the map replaces the histogram
    assert "Bez kształtu na mapie" not in text  # every gmina in force is drawn
    notes = re.findall(r'<p class="hint">Gminy utworzone 1 stycznia 2025[^<]*</p>', response.text)
    assert len(notes) == (1 if shared else 0)
    for new, old in shared.items():  # drawn striped over the 2020 polygon, and said so
        assert f"Szczawa ({new}) w granicach gminy Kamienica ({old})" in notes[0]
        [fill] = [f for _, f, t in drawn if t.startswith("Szczawa")]
        assert fill.startswith("url(#map-s")
        paths = {t.split(":")[0]: d for d, _, t in drawn}
        assert paths["Szczawa"] == paths["Kamienica"]


async def test_a_gmina_that_changed_its_rodz_is_drawn_under_its_code_in_force(client):
    response = await client.get("/w/kontekst.ludnosc", params={"poziom": "gmina", "woj": "24"})
    path = load_maps().gminas["24"].gminas[WLODOWICE]
    [(fill, title)] = [(f, t) for d, f, t in _map_paths(response.text) if d == path]
    assert title.startswith("Włodowice: ")
    assert not fill.startswith("url(")  # coloured by the value kept under the code in force
    assert f'id="t-{WLODOWICE}"' in response.text


async def test_gmina_map_highlights_the_chosen_gmina(client):
    response = await client.get(
        "/w/kontekst.ludnosc", params={"poziom": "gmina", "woj": "24", "j": ZYWIEC}
    )
    path = load_maps().gminas["24"].gminas[ZYWIEC]
    assert f'<path d="{path}" fill="none" stroke=' in response.text


async def test_indicator_page_for_gminas_has_a_histogram_and_a_sortable_table(client):
    response = await client.get(
        "/w/kontekst.ludnosc", params={"poziom": "gmina", "sort": "wartosc", "kier": "malej"}
    )
    assert response.status_code == 200
    ranking = parse(response.text)
    assert 'aria-sort="descending"' in response.text
    first_row = response.text.split("<tbody>", 2)[-1].split("</tr>", 1)[0]
    assert 'id="t-1465011"' in first_row  # Warszawa, the largest gmina
    assert "1 861 600" in ranking.text
    assert "Rozkład wartości" in ranking.text
    assert (
        'href="/api/v1/indicators/kontekst.ludnosc/values?format=csv&amp;locale=pl' in response.text
    )


async def test_indicator_page_filtered_to_a_voivodeship_highlights_the_unit(client):
    response = await client.get(
        "/w/kontekst.udzial_65_plus",
        params={"poziom": "gmina", "woj": "02", "j": BOLESLAWIEC},
    )
    ranking = parse(response.text)
    assert f'<tr id="t-{BOLESLAWIEC}" class="hl">' in response.text
    assert "wybrana jednostka" in ranking.text
    assert "Jednostek z wartością: 169" in ranking.text  # dolnośląskie has 169 gminas


async def test_compare_puts_units_side_by_side(client):
    compare = await page(client, "/porownaj", j=[KRAKOW, "0264011"])
    assert "806 200" in compare.text
    assert "673 740" in compare.text  # Wrocław 2023
    added = await page(client, "/porownaj", j=[KRAKOW], dodaj="Wrocław")
    assert "Wrocław — gmina miejska" in added.text  # the gmina, not the city powiat


async def test_compare_with_the_most_similar_units(client):
    api = (await client.get(f"/api/v1/units/{KRAKOW}/peers")).json()
    compare = await page(client, "/porownaj", j=[KRAKOW], podobne="1")
    for neighbour in api["neighbours"][:5]:
        assert neighbour["name"] in compare.text


async def test_report_is_one_printable_sheet_with_the_figures(client):
    report = await page(client, f"/j/{KRAKOW}/raport")
    assert "Monitor usług publicznych" in report.text
    assert "806 200" in report.text
    css = (await client.get("/static/miarka.css")).text
    assert "@page { size: A4" in css


async def test_dashboard_is_under_100_kb_gzipped(client):
    response = await client.get(f"/j/{KRAKOW}", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"
    assert response.num_bytes_downloaded < 100_000


async def test_the_largest_gmina_map_page_is_under_40_kb_gzipped(client):
    """Mazowieckie's 314 gminas, the heaviest gmina map (32,159 B gzip when measured)."""
    response = await client.get(
        "/w/kontekst.ludnosc",
        params={"poziom": "gmina", "woj": "14"},
        headers={"Accept-Encoding": "gzip"},
    )
    assert response.headers.get("content-encoding") == "gzip"
    assert response.num_bytes_downloaded < 40_000
