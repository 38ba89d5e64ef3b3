"""The web page of the total cost of a service (KCU) on the shipped real data (Kutno, 2022).

Expected figures come from the JSON API (one query layer serves both), formatted the Polish
way here, independently of service/web/fmt.py.
"""

from decimal import Decimal

import pytest

from tests.test_web_pages import page

KUTNO = "1002011"
ZYWIEC = "2417011"  # no budget reports shipped
SERVICE = "edukacja.szkoly_podstawowe"
PATH = f"/j/{KUTNO}/koszty"
API = f"/api/v1/units/{KUTNO}/costs/{SERVICE}"


def zl(value: str) -> str:
    """ "42216201.19" -> "42 216 201,19 zł" (the page's no-break spaces read as spaces)."""
    return f"{Decimal(value):,.2f}".replace(",", " ").replace(".", ",") + " zł"


def count(value: str) -> str:
    number = Decimal(value)
    places = max(0, -int(number.as_tuple().exponent))
    return f"{number:,.{places}f}".replace(",", " ").replace(".", ",")


async def test_kutno_shows_the_apis_figures_the_polish_way(client):
    api = (await client.get(API, params={"year": 2022, "overhead": "none"})).json()
    costs = await page(client, PATH, usluga=SERVICE, rok="2022", narzut="none")
    text = costs.text
    assert "Koszt całkowity usługi: Kutno" in text
    assert api["total"] == "42216201.19"
    assert f"Koszt całkowity {zl(api['total'])}" in text
    assert f"Koszt jednostkowy (zł na ucznia) {zl(api['unit_cost'])}" in text
    parts = api["components"]
    assert f"Koszty bezpośrednie {zl(parts['direct_cost']['amount'])}" in text
    assert f"Koszty majątkowe {zl(parts['capital']['amount'])}" in text
    assert f"Dochody usługi (odejmowane) \u2212{zl(parts['dedicated_income']['amount'])}" in text
    assert "Koszty administracji nie uwzględniono" in text
    # volumes: both 30 September counts and the fiscal-year weighting
    previous, current = api["volume"]["points"]
    assert f"Uczniowie wg stanu na 30.09.2021 {count(previous['value'])}" in text
    assert f"Uczniowie wg stanu na 30.09.2022 {count(current['value'])}" in text
    assert f"(ważeni) {count(api['volume']['value'])}" in text
    assert "8/12" in text
    # the audit trail: every line of the direct cost, with its rozdział and amount
    for line in parts["direct_cost"]["lines"]:
        assert f"{line['rozdzial']} {line['paragraf']}{line['p4']}" in text
        assert zl(line["counted"]) in text
    # peers: Kutno is the only gmina with reports, and the page says so
    assert "Miejsce (1 = najniższy koszt) 1 z 1" in text
    assert "tylko ta jednostka" in text
    assert "brak sprawozdań za: 2018, 2019, 2020, 2021" in text
    assert len(costs.svgs) == 2  # the breakdown bars and the peer position


async def test_the_default_overhead_explains_the_missing_office_report(client):
    api = (await client.get(API)).json()
    assert api["missing"] == ["overhead"]
    costs = await page(client, PATH)
    text = costs.text
    assert "Czego brakuje" in text
    assert "wczytano tylko sprawozdania jej jednostek budżetowych" in text
    assert "Koszt całkowity brak danych" in text
    assert f"(to nie jest koszt całkowity) {zl(api['partial_total'])}" in text
    assert "bez kosztów administracji" in text  # the way out, offered in the form


async def test_a_unit_without_reports_says_what_is_missing(client):
    text = (await page(client, f"/j/{ZYWIEC}/koszty")).text
    assert "Nie wczytano żadnego rocznego sprawozdania budżetowego Rb-28S" in text
    year = (await page(client, PATH, rok="2021")).text
    assert "za 2021 r." in year
    assert "Lata, za które są sprawozdania: 2022" in year


async def test_english_switch(client):
    text = (await page(client, PATH, narzut="none", lang="en")).text
    assert "Total cost of a service" in text
    assert "42,216,201.19 PLN" in text


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"narzut": "pupils_share"}, 400),
        ({"kapital": "avg7"}, 400),
        ({"rok": "1800"}, 400),
        ({"usluga": "nie.ma"}, 404),
    ],
)
async def test_bad_parameters_are_html_errors(client, params, status):
    await page(client, PATH, status=status, **params)


async def test_unknown_unit_is_a_404_page_and_the_dashboard_links_here(client):
    missing = await page(client, "/j/9999999/koszty", status=404)
    assert "Nie znaleziono strony" in missing.text
    await page(client, "/j/10x2011/koszty", status=400)
    dashboard = await client.get(f"/j/{KUTNO}")
    assert f'href="/j/{KUTNO}/koszty"' in dashboard.text
