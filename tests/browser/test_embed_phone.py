"""Every embed in a phone-wide frame (issue 16): readable text, no sideways scrolling, tap
targets of at least 24 px, and axe still clean, in Debian's chromium at 360 px.

The frame is the page itself at a 360 x 640 viewport: a gmina's site puts the `<iframe>` in a
column as wide as the phone, which is the page's viewport inside it.
"""

import pytest
from playwright.async_api import Browser

from tests.browser.conftest import AXE
from tests.browser.test_browser import BLOCKING

PHONE_FRAME = {"width": 360, "height": 640}
MIN_FONT_PX = 14.0
MIN_TARGET_PX = 24.0
RANKINGS = {
    # the longest names: gminas of Śląskie, ten of them
    "gminas": "/osadz/ranking/kontekst.ludnosc?poziom=gmina&woj=24&n=10",
    "powiats-dark-english": "/osadz/ranking/kontekst.udzial_65_plus?poziom=powiat&motyw=ciemny"
    "&lang=en&n=20",
}
OTHERS = {
    # Kraków: the widest axis values (seven digits with a space between thousands)
    "series": "/osadz/szereg/1261011/kontekst.ludnosc",
    "series-dark-english": "/osadz/szereg/2417/kontekst.bezrobotni_na_1000?motyw=ciemny&lang=en",
    "powiat-map": "/osadz/mapa/kontekst.ludnosc?poziom=powiat",
    "gmina-map-dark": "/osadz/mapa/kontekst.udzial_65_plus?woj=14&motyw=ciemny&j=1465011",
}

# Every element that draws text of its own, with the size it is drawn at: its computed size,
# or for text inside an SVG (which scales with the picture) the height of its box.
_FONT_SIZES = """() => [...document.querySelectorAll('body *')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .filter(e => e.getClientRects().length && !e.closest('title, desc'))
  .map(e => [e.tagName + ' ' + e.textContent.trim().slice(0, 30),
             e.closest('svg') ? e.getBoundingClientRect().height
                              : parseFloat(getComputedStyle(e).fontSize)])"""
_TARGETS = """() => [...document.querySelectorAll('a, summary, button, input')]
  .map(e => { const r = e.getBoundingClientRect();
              return [e.tagName + ' ' + e.textContent.trim().slice(0, 30), r.width, r.height]; })"""
_WIDEST = """() => [...document.querySelectorAll('body *')]
  .map(e => [e.tagName + '.' + e.className.baseVal + e.className, e.getBoundingClientRect().right])
  .filter(([, right]) => right > document.documentElement.clientWidth + 0.5)"""


@pytest.mark.parametrize("name", [*RANKINGS, *OTHERS])
async def test_every_embed_reads_on_a_phone(browser: Browser, server: str, name: str):
    context = await browser.new_context(viewport=PHONE_FRAME, locale="pl-PL", bypass_csp=True)
    page = await context.new_page()
    response = await page.goto(server + {**RANKINGS, **OTHERS}[name])
    assert response is not None
    assert response.status == 200
    for opened in (False, True):  # the chart, then the table under it as well
        if opened:
            await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        scroll, client = await page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, (name, opened, await page.evaluate(_WIDEST))
        small = [(text, size) for text, size in await page.evaluate(_FONT_SIZES)
                 if size < MIN_FONT_PX]  # fmt: skip
        assert small == [], (name, opened)
    if name in RANKINGS:
        names = page.locator("ol.bars .bar-name")
        assert await names.count() >= 10  # n=10 and n=20
        box = await names.first.bounding_box()
        assert box is not None
        assert box["height"] >= MIN_FONT_PX
    else:  # the picture fills the frame's width, its words are beside it in HTML
        chart = await page.locator("svg.chart").bounding_box()
        assert chart is not None
        assert chart["width"] >= PHONE_FRAME["width"] / 2, name
        assert await page.locator("svg.chart text").count() == 0, name
    tiny = [(text, w, h) for text, w, h in await page.evaluate(_TARGETS)
            if min(w, h) < MIN_TARGET_PX]  # fmt: skip
    assert tiny == [], name
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => await axe.run(document)")
    blocking = [f"{v['id']}: {v['help']}" for v in result["violations"] if v["impact"] in BLOCKING]
    assert blocking == [], name
    await context.close()
