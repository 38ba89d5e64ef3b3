"""A partnership's page in Debian's chromium: axe finds nothing serious on a phone or a desktop,
the members' map is drawn, and printed the page drops the site's chrome and keeps the content.

The partnership is an EXAMPLE (named so), recorded in the served database by the same domain
functions the API uses; its members are real TERC codes, not a published membership.
"""

from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser

from domains.partnerships.queries import create_assessment, create_partnership
from domains.partnerships.rubric import default_rubric
from schemas.partnerships import AssessmentIn, AssessmentItemIn, MemberIn, PartnershipIn
from tests.browser.conftest import AXE, save_json
from tests.browser.test_browser import BLOCKING, DESKTOP, PHONE, new_page
from tests.plugin import engine_for

PARTNERSHIP = "przyklad-przegladarka"


@pytest.fixture(scope="module")
async def example_partnership(browser_db_url: str) -> str:
    engine = engine_for(browser_db_url)
    try:
        async with engine.begin() as conn:
            await create_partnership(
                conn,
                PartnershipIn(
                    id=PARTNERSHIP,
                    name="PRZYKŁAD: obszar funkcjonalny Żywca (dane testowe)",
                    kind="of",
                    example=True,
                    leader_teryt="2417011",
                    members=[
                        MemberIn(teryt="2417011", joined_on=date(2015, 1, 1)),
                        MemberIn(teryt="2417022", joined_on=date(2015, 1, 1)),
                        MemberIn(teryt="2417072", joined_on=date(2018, 1, 1)),
                    ],
                ),
            )
            await create_assessment(
                conn,
                default_rubric(),
                PARTNERSHIP,
                AssessmentIn(
                    year=2024,
                    items=[
                        AssessmentItemIn(
                            standard=5,
                            stage=2,
                            justification="Przygotowujemy wspólny projekt.",
                            evidence=["https://example.org/projekt-przyklad"],
                        )
                    ],
                ),
                entered_by="browser-test",
            )
    finally:
        await engine.dispose()
    return f"/partnerstwa/{PARTNERSHIP}"


async def test_the_partnership_page_is_accessible_draws_its_map_and_prints(
    browser: Browser, server: str, artifacts: Path, example_partnership: str
):
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = await new_page(browser, viewport, bypass_csp=label == "desktop")
        response = await page.goto(server + example_partnership)
        assert response is not None
        assert response.status == 200
        box = await page.locator("#mapa svg").bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 50
        await page.screenshot(path=artifacts / f"partnership-{label}.png", full_page=True)
        if label == "desktop":
            await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            await page.add_script_tag(path=str(AXE))
            result = await page.evaluate("async () => await axe.run(document)")
            save_json(artifacts / "axe-partnership.json", result["violations"])
            blocking = [
                f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
                for v in result["violations"]
                if v["impact"] in BLOCKING
            ]
            assert blocking == []
            await page.emulate_media(media="print")
            assert not await page.locator("header.top").is_visible()
            assert not await page.locator(".print-hint").is_visible()
            assert await page.locator("#samoocena").is_visible()
            assert await page.locator("#standard-10").is_visible()
            await page.pdf(path=str(artifacts / "partnership.pdf"), format="A4")
        await page.context.close()
