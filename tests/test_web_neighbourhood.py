"""The small map on a gmina's page: the gmina and the gminas around it, for one indicator.

Served pages on the shipped real data; the shapes expected are the shipped ones (load_maps) and
the values the API's cross-section, Polish-formatted.
"""

import re

from service.web.geo import frame_transform, load_maps
from tests.test_web_pages import KAMIENICA, SZCZAWA, ZYWIEC, page, pl

DENSITY = "kontekst.gestosc_zaludnienia"
CHRZANOW = "1203033"  # małopolskie; borders Jaworzno 2468011 in śląskie
JAWORZNO = "2468011"


def _section(html: str) -> str:
    return html.split('<section id="okolica"', 1)[1].split("</section>", 1)[0]


def _paths(section: str) -> list[tuple[str, str, str]]:
    """(path data, fill, title) of every gmina drawn on the neighbourhood map."""
    return re.findall(r'<path d="([^"]+)" fill="([^"]+)"><title>([^<]+)</title></path>', section)


async def _density(client) -> dict[str, float | None]:
    body = (await client.get(f"/api/v1/indicators/{DENSITY}/values?level=gmina")).json()
    return {item["teryt"]: item["value"] for item in body["items"]}


async def test_a_gmina_page_maps_the_gmina_and_its_neighbours_with_their_values(client):
    response = await client.get(f"/j/{ZYWIEC}")
    assert response.status_code == 200
    parsed = await page(client, f"/j/{ZYWIEC}")  # every chart an image, every table captioned
    section = _section(response.text)
    around = load_maps().neighbourhoods[ZYWIEC]
    drawn = _paths(section)
    silesia = load_maps().gminas["24"].gminas
    assert sorted(d for d, _, _ in drawn) == sorted(
        silesia[t] for t in [ZYWIEC, *around.neighbours]
    )
    x, y, width, height = around.box
    assert f'viewBox="{x} {y} {width} {height}"' in section
    assert f'<path d="{silesia[ZYWIEC]}"/>' in section  # the red outline over every fill
    assert "Gmina i jej sąsiedzi na mapie: Gęstość zaludnienia" in parsed.text
    values = await _density(client)
    table = section.split('<table class="mini">', 1)[1]
    rows = re.findall(
        r"<tr[^>]*><th scope=\"row\">(.*?)</th><td class=\"code code-col\">(\d+)"
        r"</td><td class=\"n\">([^<]+)</td><td>([^<]+)</td></tr>",
        table,
    )
    assert rows[0][1] == ZYWIEC  # the gmina first, then its neighbours
    assert {teryt for _, teryt, _, _ in rows} == {ZYWIEC, *around.neighbours}
    for _, teryt, shown, class_label in rows:
        assert shown.replace("\u00a0", " ") == pl(values[teryt], 1), teryt
        assert " \u2013 " in class_label  # the class in words, not only a colour
    legend = section.split('<table class="legend">', 1)[1].split("</table>", 1)[0]
    assert sum(int(n) for n in re.findall(r'<td class="n">(\d+)</td></tr>', legend)) == len(rows)
    neighbour = around.neighbours[0]
    assert f'href="/j/{neighbour}#okolica"' in section  # links by route name, to their own map
    indicator = f"/w/{DENSITY}?poziom=gmina&amp;woj=24&amp;j={ZYWIEC}#t-{ZYWIEC}"
    assert f'href="{indicator}"' in section


async def test_a_neighbour_in_another_voivodeship_is_placed_by_a_transform(client):
    maps = load_maps()
    assert JAWORZNO in maps.neighbourhoods[CHRZANOW].neighbours
    response = await client.get(f"/j/{CHRZANOW}")
    section = _section(response.text)
    k, dx, dy = frame_transform(maps.gminas["12"], maps.gminas["24"])
    group = f'<g transform="matrix({k:.6g} 0 0 {k:.6g} {dx:.2f} {dy:.2f})"'
    assert group in section
    after = section.split(group, 1)[1].split("</g>", 1)[0]
    assert f'<path d="{maps.gminas["24"].gminas[JAWORZNO]}"' in after
    assert f'<path d="{maps.gminas["12"].gminas[CHRZANOW]}"' not in after


async def test_the_reader_chooses_the_indicator_on_the_map(client):
    response = await client.get(f"/j/{ZYWIEC}", params={"mapa": "kontekst.ludnosc"})
    section = _section(response.text)
    assert "Gmina i jej sąsiedzi na mapie: Ludność, " in section
    assert '<option value="kontekst.ludnosc" selected>' in section
    assert 'action="/j/2417011#okolica"' in section
    assert f'href="/j/{load_maps().neighbourhoods[ZYWIEC].neighbours[0]}?mapa=kontekst.ludnosc' in (
        section
    )
    wrong = await client.get(f"/j/{ZYWIEC}", params={"mapa": "kontekst.nie_ma"})
    assert wrong.status_code == 400
    assert wrong.headers["content-type"].startswith("text/html")


async def test_the_map_speaks_english_with_the_page(client):
    parsed = await page(client, f"/j/{ZYWIEC}", lang="en")
    assert "The gmina and its neighbours on a map: Population density" in parsed.text
    assert "Values of the gminas on the map" in parsed.text


async def test_a_new_gmina_is_drawn_striped_over_the_gmina_it_was_split_from(client):
    response = await client.get(f"/j/{SZCZAWA}")
    section = _section(response.text)
    drawn = _paths(section)
    paths = {title.split(":")[0]: (d, fill) for d, fill, title in drawn}
    assert paths["Szczawa"][0] == paths["Kamienica"][0]
    assert paths["Szczawa"][1].startswith("url(#okolica-map-s")
    assert f"Szczawa ({SZCZAWA}) w granicach gminy Kamienica ({KAMIENICA})" in section
    kamienica = _section((await client.get(f"/j/{KAMIENICA}")).text)
    assert "Szczawa (1207132) w granicach gminy Kamienica" in kamienica


async def test_a_powiat_or_voivodeship_page_has_no_neighbourhood_map(client):
    for teryt in ("2417", "24"):
        response = await client.get(f"/j/{teryt}")
        assert response.status_code == 200
        assert 'id="okolica"' not in response.text
