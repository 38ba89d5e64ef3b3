"""The embeddable charts (/osadz/...): figures as the API gives them, themes, and framing.

Every number is checked against the API's own answer for the same unit and indicator on the
shipped data (Kraków 1261011, Małopolskie 12); the pages must hold nothing a strict CSP
blocks, may be framed as the setting says, and no other page may be framed at all.
"""

import re

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings, SettingsError
from service.web.fmt import number
from tests.test_security_headers import HTML, blocked

KRAKOW, MALOPOLSKIE = "1261011", "12"
POPULATION = "kontekst.ludnosc"
SERIES = f"/osadz/szereg/{KRAKOW}/{POPULATION}"
RANKING = f"/osadz/ranking/{POPULATION}?poziom=powiat&woj={MALOPOLSKIE}&n=5"


def _cells(html: str) -> list[list[str]]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in body.split("<tr>")[1:]]


async def test_the_series_is_the_api_s_series_with_its_medians(client):
    page = await client.get(SERIES, headers=HTML)
    assert page.status_code == 200, page.text
    api = (await client.get(f"/api/v1/units/{KRAKOW}/indicators/{POPULATION}/series")).json()
    columns = ("value", "peer_median", "national_median")
    expected = [[str(p["year"]), *(number(p[k], 0, "pl") for k in columns)] for p in api["points"]]
    assert _cells(page.text) == expected
    assert len(expected) >= 2
    html = page.text
    assert 'role="img"' in html
    assert html.count("<polyline") >= 3
    assert 'href="/j/1261011"' in html  # back to the full page, by route name
    assert "Źródło: GUS" in html
    assert blocked(html) == []


async def test_the_ranking_is_the_best_units_of_the_cross_section(client):
    page = await client.get(RANKING, headers=HTML)
    assert page.status_code == 200, page.text
    api = (
        await client.get(f"/api/v1/indicators/{POPULATION}/values?level=powiat&parent=12")
    ).json()
    best = sorted(api["items"], key=lambda item: item["rank"])[:5]
    rows = _cells(page.text)
    assert [row[1] for row in rows] == [item["name"] for item in best]
    assert rows[0][1] == "Kraków"  # the largest powiat of Małopolska (neutral: largest first)
    assert [row[2] for row in rows] == [number(item["value"], 0, "pl") for item in best]
    assert page.text.count("<rect") == 5
    assert "/w/kontekst.ludnosc?" in page.text
    english = await client.get(f"{RANKING}&lang=en", headers=HTML)
    assert '<html lang="en">' in english.text
    assert "Rank" in english.text


async def test_themes_and_colours_follow_the_query_and_a_faint_colour_is_refused(client):
    dark = await client.get(f"{SERIES}?motyw=ciemny&kolor=%2300e5ff", headers=HTML)
    assert dark.status_code == 200
    assert 'class="embed embed-ciemny"' in dark.text
    assert 'stroke="#00e5ff"' in dark.text
    faint = await client.get(f"{SERIES}?kolor=%23fafafa", headers=HTML)  # 1.0:1 on white
    assert faint.status_code == 400
    assert "kolor" in faint.text
    assert (await client.get(f"{SERIES}?kolor=red", headers=HTML)).status_code == 400
    assert (await client.get(f"{SERIES}?motyw=neon", headers=HTML)).status_code == 400
    assert (await client.get("/osadz/szereg/9999999/kontekst.ludnosc")).status_code == 404


async def test_only_the_embeds_may_be_framed(client):
    embed = await client.get(SERIES, headers=HTML)
    assert "x-frame-options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "script-src 'self'" in embed.headers["content-security-policy"]
    for path in ("/", f"/j/{KRAKOW}", f"/w/{POPULATION}"):
        page = await client.get(path, headers=HTML)
        assert page.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"], path


@pytest.mark.parametrize("ancestors", ["'self' https://www.kutno.pl", "https://*.kutno.pl"])
async def test_the_frame_ancestors_setting_is_the_embed_s_policy(test_settings, ancestors):
    settings = msgspec.structs.replace(test_settings, embed_frame_ancestors=ancestors)
    async with AsyncTestClient(app=create_app(settings)) as client:
        embed = await client.get(RANKING, headers=HTML)
    assert f"frame-ancestors {ancestors};" in embed.headers["content-security-policy"]


@pytest.mark.parametrize("bad", ["", "https://a.pl; script-src *", "https://a.pl,https://b.pl"])
def test_a_frame_ancestors_setting_that_is_no_source_list_is_refused(bad):
    with pytest.raises(SettingsError, match="EMBED_FRAME_ANCESTORS"):
        Settings(embed_frame_ancestors=bad)


POWIAT_MAP = f"/osadz/mapa/{POPULATION}?poziom=powiat"
GMINA_MAP = f"/osadz/mapa/{POPULATION}?woj={MALOPOLSKIE}&j={KRAKOW}"


def _legend_counts(html: str) -> list[int]:
    legend = html[html.index('<ul class="map-legend"') : html.index("</ul>")]
    return [int(count) for count in re.findall(r": (\d+)</li>", legend)]


async def test_the_powiat_map_draws_every_powiat_with_the_api_s_values(client):
    page = await client.get(POWIAT_MAP, headers=HTML)
    assert page.status_code == 200, page.text
    api = (await client.get(f"/api/v1/indicators/{POPULATION}/values?level=powiat")).json()
    assert len(api["items"]) == 380
    rows = _cells(page.text)
    assert len(rows) == 380  # the table holds every unit drawn
    by_name = {row[1]: row[2] for row in rows}
    krakow = next(item for item in api["items"] if item["teryt"] == "1261")
    assert by_name["Kraków"] == number(krakow["value"], 0, "pl")
    assert rows[0][1] == "powiat m.st. Warszawa" or rows[0][0].startswith("1 z")
    assert sum(_legend_counts(page.text)) == 380  # every powiat in one class or "no data"
    assert page.text.count("<path") >= 380
    assert "/w/kontekst.ludnosc?poziom=powiat" in page.text
    assert blocked(page.text) == []
    assert "frame-ancestors *" in page.headers["content-security-policy"]


async def test_the_gmina_map_is_one_voivodeship_with_the_unit_outlined(client):
    page = await client.get(GMINA_MAP, headers=HTML)
    assert page.status_code == 200, page.text
    api = (await client.get(f"/api/v1/indicators/{POPULATION}/values?level=gmina&parent=12")).json()
    rows = _cells(page.text)
    assert len(rows) == len(api["items"]) == 182  # Małopolska's gminas in force
    assert sum(_legend_counts(page.text)) >= 182  # Szczawa (2025) is drawn in its 2020 parent
    assert 'stroke="#c8102e"' in page.text  # Kraków outlined
    assert "Szczawa (1207132)" in page.text  # named as drawn inside another gmina's polygon
    english = await client.get(f"{GMINA_MAP}&lang=en&motyw=ciemny", headers=HTML)
    assert english.status_code == 200
    assert 'class="embed embed-ciemny"' in english.text
    assert "Legend" in english.text


async def test_a_gmina_map_needs_its_voivodeship(client):
    whole = await client.get(f"/osadz/mapa/{POPULATION}?poziom=gmina", headers=HTML)
    assert whole.status_code == 400  # all 2,477 gminas would be too heavy for a phone
    unknown = await client.get(f"/osadz/mapa/{POPULATION}?poziom=gmina&woj=99", headers=HTML)
    assert unknown.status_code == 400
    assert (await client.get("/osadz/mapa/no.such?poziom=powiat", headers=HTML)).status_code == 404
