"""Issue 12's web client: links from route names, counts with CLDR plurals, unit kinds from the
register, and page builders whose statement count does not grow with the units they list."""

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.indicators.catalogue import load_catalogue
from domains.units.placed import placed_units
from service.app import create_app
from service.web import WebClientPlugin
from service.web.compare_page import build_compare_page
from service.web.context import Ui
from service.web.i18n import COUNTS, STRINGS
from service.web.links import Links
from service.web.plurals import count_phrase, plural_categories
from service.web.start_page import build_start_page
from service.web.templating import asset_version
from tests.conftest import engine_for

KRAKOW = "1261011"
ZYWIEC = "2417011"
HREF = re.compile(r'(?:href|action|src)="([^"]*)"')


@pytest.mark.parametrize(
    ("n", "lang", "text"),
    [
        (1, "pl", "1 jednostka w grupie"),
        (2, "pl", "2 jednostki w grupie"),
        (4, "pl", "4 jednostki w grupie"),
        (5, "pl", "5 jednostek w grupie"),
        (12, "pl", "12 jednostek w grupie"),
        (22, "pl", "22 jednostki w grupie"),
        (25, "pl", "25 jednostek w grupie"),
        (1002, "pl", "1\u00a0002 jednostki w grupie"),
        (1, "en", "1 unit in the group"),
        (2, "en", "2 units in the group"),
        (0, "en", "0 units in the group"),
    ],
)
def test_counts_take_the_plural_cldr_gives_the_number(n, lang, text):
    assert count_phrase("units_in_group", n, lang) == text


def test_every_count_phrase_has_every_plural_form_of_its_language():
    assert plural_categories("pl") == {"one", "few", "many", "other"}
    assert plural_categories("en") == {"one", "other"}
    assert COUNTS["pl"].keys() == COUNTS["en"].keys()
    for lang in ("pl", "en"):
        for phrase, forms in COUNTS[lang].items():
            assert forms.keys() == plural_categories(lang), (lang, phrase)


@pytest.fixture(scope="module")
async def conn(loaded_db_url: str) -> AsyncIterator[AsyncConnection]:
    engine = engine_for(loaded_db_url)
    async with engine.connect() as connection:
        yield connection
    await engine.dispose()


async def test_unit_kinds_and_places_come_from_the_register(conn):
    found = await placed_units(conn, [KRAKOW, "1261", "2417", ZYWIEC, "9999999"])
    assert set(found) == {KRAKOW, "1261", "2417", ZYWIEC}  # a code of no unit is left out
    assert found["1261"].unit.kind == "miasto_na_prawach_powiatu"  # "Kraków", capitalised
    assert found["2417"].unit.kind == "powiat_ziemski"  # "żywiecki"
    assert found[KRAKOW].unit.kind == "gmina_miejska"
    assert [p.teryt for p in found[ZYWIEC].parents] == ["2417", "24"]
    assert [p.teryt for p in found[KRAKOW].parents] == ["1261", "12"]
    assert await placed_units(conn, []) == {}


def _ui(app: Any) -> Ui:
    return Ui(
        lang="pl",
        t=STRINGS["pl"],
        path="/",
        params=(),
        asset_version=asset_version(),
        links=Links(app),
    )


class _Statements:
    """Counts the statements sent on one connection (how a query loop shows itself)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.count = 0
        self._sync = conn.sync_connection
        assert self._sync is not None

    def _seen(self, *_: object) -> None:
        self.count += 1

    def __enter__(self) -> "_Statements":
        event.listen(self._sync, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self._sync, "before_cursor_execute", self._seen)


async def test_the_compare_page_sends_as_many_statements_for_five_units_as_for_two(
    conn, test_settings
):
    app = create_app(test_settings)
    catalogue = load_catalogue()
    counts = []
    for codes in (
        [KRAKOW, "0264011"],
        [KRAKOW, "0264011", ZYWIEC, "1465011", "3064011"],
    ):
        with _Statements(conn) as statements:
            page = await build_compare_page(
                conn, catalogue, _ui(app), selected=codes, add=None, similar=False
            )
        assert [c.link.teryt for c in page.units] == codes
        counts.append(statements.count)
    assert counts[0] == counts[1]


async def test_search_sends_as_many_statements_for_many_results_as_for_one(conn, test_settings):
    app = create_app(test_settings)
    catalogue = load_catalogue()
    counts = []
    for query in ("Szczawa", "Nowa"):  # one unit; many units in many powiats
        with _Statements(conn) as statements:
            page = await build_start_page(
                conn, catalogue, _ui(app), q=query, voivodeship=None, powiat=None
            )
        counts.append(statements.count)
        assert page.results
    assert counts[0] == counts[1]


async def _hrefs(client: AsyncTestClient, path: str, **params: Any) -> list[str]:  # type: ignore[type-arg]
    response = await client.get(path, params=params, headers={"Accept": "text/html"})
    assert response.status_code == 200, (path, response.text[:300])
    return [h.replace("&amp;", "&") for h in HREF.findall(response.text)]


def _local(hrefs: list[str]) -> list[str]:
    return sorted({h.split("#")[0] for h in hrefs if h.startswith("/") and h.split("#")[0]})


async def test_every_link_on_the_pages_leads_somewhere(client):
    hrefs: set[str] = set()
    for path, params in [
        ("/", {}),
        ("/", {"q": "zywiec"}),
        (f"/j/{KRAKOW}", {}),
        (f"/j/{KRAKOW}", {"lang": "en"}),
        ("/w/kontekst.ludnosc", {"poziom": "powiat"}),
        ("/porownaj", {"j": [KRAKOW, ZYWIEC]}),
        (f"/j/{KRAKOW}/koszty", {}),
    ]:
        hrefs.update(_local(await _hrefs(client, path, **params)))
    by_kind: dict[str, list[str]] = {}
    for href in sorted(hrefs):
        kind = re.sub(r"\d+", "N", href.split("?")[0])
        by_kind.setdefault(kind, []).append(href)
    assert {"/j/N", "/w/kontekst.ludnosc", "/porownaj", "/"} <= set(by_kind)
    for kind, found in by_kind.items():
        for href in found[:2]:
            response = await client.get(href, headers={"Accept": "text/html"})
            if href.startswith("/api/"):  # a route that answers, maybe "no data for this unit"
                assert response.status_code == 200 or (
                    response.json()["type"] != "/problems/not-found"
                ), (kind, href)
            else:
                assert response.status_code == 200, (kind, href)


async def test_the_client_mounted_elsewhere_links_under_its_own_path(test_settings):
    app = create_app(test_settings, web=WebClientPlugin(path="/web"))
    async with AsyncTestClient(app=app) as client:
        start = _local(await _hrefs(client, "/web/", q="zywiec"))
        unit = _local(await _hrefs(client, f"/web/j/{ZYWIEC}"))
        not_api = [h for h in start + unit if not h.startswith(("/api/", "/schema"))]
        assert not_api
        paths = {h.split("?")[0] for h in not_api}
        assert [p for p in paths if p != "/web" and not p.startswith("/web/")] == []
        assert (await client.get("/web", headers={"Accept": "text/html"})).status_code == 200
        assert f"/web/j/{ZYWIEC}" in start
        assert any(h.startswith("/web/static/") for h in unit)
        assert (await client.get(f"/j/{ZYWIEC}", headers={"Accept": "text/html"})).status_code == (
            404
        )
