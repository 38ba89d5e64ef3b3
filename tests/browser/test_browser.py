"""A councillor's journey in a real browser, and an axe-core scan of every page.

search "zywiec" -> Żywiec's dashboard -> the population ranking -> comparison with similar
gminas -> the printable report (checked to be one A4 page as a PDF). Every figure expected on
screen is read from the API of the same server first. Each page is also scanned by axe-core
(vendored, tests/browser/vendor) with every <details> opened; serious or critical violations
fail. Screenshots (phone and desktop), axe results and page timings go to artifacts/.
"""

import asyncio
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from domains.indicators.as_of import POLAND
from tests.browser.conftest import AXE, save_json

NBSP = "\u00a0"
ZYWIEC = "2417011"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PAGES = {
    "start": "/",
    "search": "/?q=zywiec",
    "browse-voivodeship": "/?woj=24",
    "browse-powiat": "/?pow=2417",
    "dashboard-gmina": f"/j/{ZYWIEC}",
    "dashboard-powiat": "/j/2417",
    "dashboard-voivodeship": "/j/24",
    # the neighbourhood map: a neighbour in another voivodeship; a new gmina drawn striped
    "dashboard-gmina-neighbourhood": "/j/1203033?mapa=kontekst.ludnosc",
    "dashboard-new-gmina": "/j/1207132",
    # Kutno: its budget figures marked revised at source, with the legend (issue 17)
    "dashboard-status-marks": "/j/1002011",
    "report-status-marks": "/j/1002011/raport",
    "indicator-gmina": f"/w/kontekst.ludnosc?poziom=gmina&woj=24&j={ZYWIEC}",
    "indicator-gmina-largest": "/w/kontekst.ludnosc?poziom=gmina&woj=14",  # 314 gminas
    "indicator-gmina-all": "/w/kontekst.udzial_65_plus",
    "indicator-powiat-map": "/w/kontekst.gestosc_zaludnienia?poziom=powiat&j=2417",
    "indicator-voivodeship-map": "/w/kontekst.ludnosc?poziom=voivodeship",
    "indicator-no-data": "/w/edukacja.wydatki_oswiata",
    "compare": f"/porownaj?j={ZYWIEC}&podobne=1",
    "compare-empty": "/porownaj",
    "report": f"/j/{ZYWIEC}/raport",
    "costs": "/j/1002011/koszty?narzut=none",
    "not-found": "/j/9999999",
    "dashboard-english": f"/j/{ZYWIEC}?lang=en",
    # as of a date: the date field and the notice (the shipped releases are all of today)
    "dashboard-as-of": f"/j/{ZYWIEC}?stan_na={datetime.now(POLAND).date().isoformat()}",
    # the charts for an iframe, in both themes
    "embed-series": f"/osadz/szereg/{ZYWIEC}/kontekst.ludnosc",
    "embed-series-dark": f"/osadz/szereg/{ZYWIEC}/kontekst.udzial_65_plus?motyw=ciemny",
    "embed-ranking": "/osadz/ranking/kontekst.ludnosc?poziom=powiat&woj=24&lang=en",
    "embed-map": "/osadz/mapa/kontekst.ludnosc?woj=24&j=2469011",
    # the school layer: a school's figures, and a gmina's sortable list of every type
    "school": "/szkola/20957",
    "school-english": "/szkola/20957?lang=en",
    "school-lyceum-matura": "/szkola/4648",
    "dashboard-gmina-schools": "/j/0201022?szkoly=wszystkie&szkoly_sort=matematyka",
    "accessibility-declaration": "/deklaracja-dostepnosci",
    "accessibility-statement-english": "/deklaracja-dostepnosci?lang=en",
}
BLOCKING = ("serious", "critical")
SCREENSHOT_SCREENS = 4
"""Pages up to this many screens high are captured whole."""
AXE_ROWS = 200


def pl(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}".replace(",", NBSP).replace(".", ",")


def api(server: str, path: str) -> Any:
    response = httpx.get(server + path, timeout=30)
    response.raise_for_status()
    return response.json()


def latest(server: str, teryt: str, code: str) -> dict[str, Any]:
    board = api(server, f"/api/v1/units/{teryt}/indicators")
    return next(
        item["value"]
        for domain in board["domains"]
        for item in domain["items"]
        if item["indicator"]["code"] == code
    )


async def new_page(
    browser: Browser, viewport: dict[str, int] = DESKTOP, *, bypass_csp: bool = False
) -> Page:
    context = await browser.new_context(viewport=viewport, locale="pl-PL", bypass_csp=bypass_csp)
    return await context.new_page()


async def test_search_dashboard_indicator_compare_report(browser: Browser, server: str, artifacts):
    population = latest(server, ZYWIEC, "kontekst.ludnosc")
    peers = api(server, f"/api/v1/units/{ZYWIEC}/peers")["neighbours"][:5]
    page = await new_page(browser)

    await page.goto(server + "/")
    await page.get_by_label("Nazwa jednostki").fill("zyw")
    await expect(page.locator("#q-suggestions option").first).to_have_attribute(
        "value", re.compile("Żywiec|żywiecki")
    )  # suggestions come from /api/v1/units (progressive enhancement)
    await page.get_by_label("Nazwa jednostki").fill("zywiec")
    await page.get_by_role("button", name="Szukaj").click()
    await expect(page.get_by_role("heading", name="Wyniki wyszukiwania")).to_be_visible()
    await page.get_by_role("link", name="Żywiec", exact=True).click()

    await expect(page).to_have_url(re.compile(f"/j/{ZYWIEC}$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Żywiec")
    figure = pl(population["value"], 0)
    facts = page.locator(".facts")
    await expect(facts).to_contain_text(f"{figure} osoby")
    await expect(facts).to_contain_text(str(population["year"]))

    await page.get_by_role("link", name=re.compile(r"^Ranking i mapa\W+Ludność$")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ludność")
    row = page.locator(f"#t-{ZYWIEC}")
    await expect(row).to_contain_text("Żywiec")
    await expect(row).to_contain_text(figure)
    await expect(row).to_contain_text(pl(population["rank"], 0))
    await expect(page.get_by_role("link", name="Pobierz dane (CSV, Excel)")).to_have_attribute(
        "href", re.compile(r"^/api/v1/indicators/kontekst\.ludnosc/values\?format=csv&locale=pl")
    )

    await page.go_back()
    await page.get_by_role("link", name="Porównaj z podobnymi jednostkami").click()
    table = page.get_by_role("table", name="Wartości wskaźników wybranych jednostek")
    await expect(table).to_contain_text(figure)
    for neighbour in peers:
        await expect(table.get_by_role("columnheader", name=neighbour["name"])).to_be_visible()

    await page.get_by_label("Dodaj jednostkę do porównania").fill("Bielsko-Biała")
    await page.get_by_role("button", name="Dodaj").click()
    bielsko = latest(server, "2461011", "kontekst.ludnosc")
    await expect(table).to_contain_text(pl(bielsko["value"], 0))

    await page.goto(f"{server}/j/{ZYWIEC}")
    await page.get_by_role("link", name="Raport do druku (A4)").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Żywiec")
    await expect(page.locator(".report-table")).to_contain_text(figure)
    pdf = await page.pdf(format="A4", print_background=True)
    (artifacts / "report-zywiec.pdf").write_bytes(pdf)
    # The Monitor (31 indicators for Żywiec) fits one A4 sheet printed on both sides; a domain's
    # rows are never split between the pages (miarka.css, @media print).
    assert 1 <= len(re.findall(rb"/Type\s*/Page\b", pdf)) <= 2
    await page.context.close()


CSP_PAGES = ("/", f"/j/{ZYWIEC}", "/w/kontekst.ludnosc?poziom=powiat&j=2417", "/j/1002011/koszty")
RECORD_VIOLATIONS = """window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});"""


async def test_pages_break_no_rule_of_their_content_security_policy(
    browser: Browser, server: str
) -> None:
    """Each page is loaded under its real CSP (no bypass); the search suggestions run too."""
    page = await new_page(browser)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    await page.add_init_script(RECORD_VIOLATIONS)  # init scripts are not subject to the CSP
    for path in CSP_PAGES:
        response = await page.goto(server + path)
        assert response is not None
        assert response.status == 200, path
        policy = await response.header_value("content-security-policy")
        assert policy is not None
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        await page.wait_for_load_state("load")
        assert await page.evaluate("window.__csp") == [], path
    await page.goto(server + "/")
    await page.get_by_label("Nazwa jednostki").fill("zyw")  # miarka.js fetches from /api
    await expect(page.locator("#q-suggestions option").first).to_have_attribute(
        "value", re.compile("Żywiec|żywiecki")
    )
    assert await page.evaluate("window.__csp") == []
    csp_messages = [
        text for text in console if "Content Security Policy" in text or "Content-Security" in text
    ]
    assert csp_messages == []
    # The listener is live: an inline style attribute set now is refused and reported.
    await page.evaluate("document.body.setAttribute('style', 'color: red')")
    await page.wait_for_function("window.__csp.length > 0")
    for _ in range(50):  # the console message may trail the event
        if any("Content Security Policy" in text for text in console):
            break
        await asyncio.sleep(0.1)
    assert any("Content Security Policy" in text for text in console), console
    await page.context.close()


async def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(browser, server):
    page = await new_page(browser)
    await page.goto(f"{server}/j/{ZYWIEC}")
    await page.keyboard.press("Tab")
    focused = page.locator(":focus")
    await expect(focused).to_have_text("Przejdź do treści")
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "tresc"
    await page.context.close()


async def test_pages_work_without_javascript(browser: Browser, server: str):
    context = await browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = await context.new_page()
    await page.goto(server + "/")
    await page.get_by_label("Nazwa jednostki").fill("zywiec")
    await page.get_by_role("button", name="Szukaj").click()
    await page.get_by_role("link", name="Żywiec", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Żywiec")
    await page.goto(f"{server}/w/kontekst.ludnosc?poziom=gmina&woj=24")
    await page.get_by_role("link", name="Wartość").click()  # sort by value, server-side
    await expect(page.locator("th[aria-sort='ascending']")).to_have_text("Wartość")
    await context.close()


@pytest.mark.parametrize("name", list(PAGES))
async def test_page_has_no_serious_accessibility_violations(
    browser: Browser, server: str, artifacts: Path, name: str
):
    path = PAGES[name]
    timings = {}
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        # axe is injected as an inline script and compiles templates with `new Function`, both
        # refused by the pages' CSP: the desktop pass bypasses it (the phone pass keeps it;
        # test_pages_break_no_rule_of_their_content_security_policy checks it on its own).
        page = await new_page(browser, viewport, bypass_csp=label == "desktop")
        response = await page.goto(server + path)
        assert response is not None
        assert response.status == (404 if name == "not-found" else 200)
        timings[label] = await page.evaluate(
            """() => { const n = performance.getEntriesByType('navigation')[0];
              return {transfer_bytes: n.transferSize, body_gzip_bytes: n.encodedBodySize,
                      body_bytes: n.decodedBodySize, response_ms: Math.round(n.responseEnd),
                      dom_ready_ms: Math.round(n.domContentLoadedEventEnd),
                      load_ms: Math.round(n.loadEventEnd)}; }"""
        )
        # A whole table of 2,477 gminas as one image took 6 s and shows nothing the first
        # screens do not: a page longer than a few screens is captured as its first screen.
        height = await page.evaluate("document.documentElement.scrollHeight")
        await page.screenshot(
            path=artifacts / f"{name}-{label}.png",
            full_page=height <= SCREENSHOT_SCREENS * viewport["height"],
        )
        if label == "desktop":
            await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            # Rows of one table come from one template: axe checks the first AXE_ROWS of each
            # (the table of all 2,477 gminas kept axe busy for 80 s in CI).
            await page.evaluate(
                "n => document.querySelectorAll(`tbody tr:nth-child(n+${n + 1})`)"
                ".forEach(row => row.remove())",
                AXE_ROWS,
            )
            await page.add_script_tag(path=str(AXE))
            result = await page.evaluate("async () => await axe.run(document)")
            save_json(artifacts / f"axe-{name}.json", result["violations"])
            blocking = [
                f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
                for v in result["violations"]
                if v["impact"] in BLOCKING
            ]
            assert blocking == [], f"{path}: " + "; ".join(blocking)
        await page.context.close()
    save_json(artifacts / f"timing-{name}.json", {"path": path, **timings})
