"""The school layer of the web client on the shipped data: a school's page and a gmina's list.

Expected figures come from the API's JSON for the same school (`/api/v1/schools/{rspo}`), the
list from `/api/v1/schools?teryt=`; numbers on a page are written the Polish way.
"""

import re
import uuid

import pytest
from sqlalchemy import event

from schemas.schools import ExamPoint, SchoolSummary
from service.web import routes
from service.web.school_page import math_trend, place_in_words, sorted_schools
from service.web.school_words import GOVERNING, MEASURES, WORDS
from tests.test_web_pages import page, pl

ZELISZOW = 20957  # Szkoła Podstawowa im. Jana Brzechwy w Żeliszowie, gmina wiejska Bolesławiec
BOLESLAWIEC_GM = "0201022"
ROW = re.compile(
    r'<tr><th scope="row"><a href="/szkola/(\d+)">[^<]*</a></th><td>[^<]*</td><td>(\w+)</td>'
    r'<td class="n">([^<]*)</td><td class="n">([^<]*)</td>'
)


def _figures(detail: dict, measure: str) -> list[dict]:
    return sorted(
        (f for f in detail["figures"] if f["measure"] == measure), key=lambda f: f["year"]
    )


async def _rows(client, teryt: str, **params) -> list[tuple[int, str, str, str]]:
    response = await client.get(f"/j/{teryt}", params=params, headers={"Accept": "text/html"})
    assert response.status_code == 200
    return [(int(r), p, n, m) for r, p, n, m in ROW.findall(response.text.replace("\u00a0", " "))]


async def test_the_school_page_shows_the_apis_figures_against_gmina_and_poland(client):
    detail = (await client.get(f"/api/v1/schools/{ZELISZOW}")).json()
    text = (await page(client, f"/szkola/{ZELISZOW}")).text
    assert detail["name"] in text
    assert f"Numer RSPO {ZELISZOW}" in text
    assert "Szkoła publiczna tak" in text
    assert "Organ prowadzący gmina: Bolesławiec" in text
    (pupils,) = _figures(detail, "register.pupils")
    row = " ".join(
        pl(pupils[k], 0)
        for k in ("value", "gmina_median", "national_q1", "national_median", "national_q3")
    )
    assert f"2018 {row}" in text
    math = _figures(detail, "e8.matematyka.mean")
    assert len(math) >= 4
    for figure in math:
        numbers = " ".join(
            pl(figure[k], 1)
            for k in ("value", "gmina_median", "national_q1", "national_median", "national_q3")
        )
        assert f"{figure['year']} {numbers}" in text, figure["year"]
    # 2025: 35.6 against a lower quartile of 48-ish: said in words, beside the strip
    assert "2025: w dolnej ćwiartce szkół tego rodzaju w kraju" in text
    assert f"RSPO {detail['reporting_rspo']}" in text  # its counts come from its zespół


async def test_a_lyceums_page_shows_its_matura_pass_rate_as_the_api_gives_it(client):
    detail = (await client.get("/api/v1/schools/4648")).json()  # XVI LO, Kraków
    (rate,) = _figures(detail, "matura.f2023.pass_rate")
    text = (await page(client, "/szkola/4648")).text
    numbers = " ".join(
        pl(rate[k], 1)
        for k in ("value", "gmina_median", "national_q1", "national_median", "national_q3")
    )
    assert "Zdawalność matury, formuła 2023 (%)" in text
    assert f"2023 {numbers}" in text


async def test_the_school_page_links_to_its_gmina_and_its_json(client):
    response = await client.get(f"/szkola/{ZELISZOW}", headers={"Accept": "text/html"})
    assert f'href="/j/{BOLESLAWIEC_GM}"' in response.text
    assert f'href="/j/{BOLESLAWIEC_GM}#szkoly"' in response.text
    assert f'href="/api/v1/schools/{ZELISZOW}"' in response.text
    assert 'href="/szkola/131030"' in response.text  # the zespół that reports its counts
    assert response.text.count('role="img"') >= 5


async def test_a_reporting_unit_the_register_does_not_hold_is_named_not_linked(client):
    detail = (await client.get("/api/v1/schools/114886")).json()
    assert detail["reporting_rspo"] == 104888
    assert (await client.get("/api/v1/schools/104888")).status_code == 404
    response = await client.get("/szkola/114886", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "RSPO 104888" in response.text
    assert 'href="/szkola/104888"' not in response.text


async def test_the_school_page_in_english(client):
    text = (await page(client, f"/szkola/{ZELISZOW}", lang="en")).text
    assert "Eighth-grade exam" in text
    assert "Public school yes" in text
    assert "Mathematics" in text


@pytest.mark.parametrize("lang", ["pl", "en"])
async def test_an_unknown_rspo_is_a_404_page_in_the_readers_language(client, lang):
    text = (await page(client, "/szkola/9999999", status=404, lang=lang)).text
    assert ("Nie znaleziono strony" if lang == "pl" else "Page not found") in text


async def test_a_gminas_page_lists_its_primary_schools_with_links(client):
    listed = (
        await client.get("/api/v1/schools", params={"teryt": BOLESLAWIEC_GM, "type": 3})
    ).json()
    rows = await _rows(client, BOLESLAWIEC_GM)
    assert {r[0] for r in rows} == {item["rspo"] for item in listed["items"]}
    text = (await page(client, f"/j/{BOLESLAWIEC_GM}")).text
    assert "Szkoły i placówki w gminie: 8" in text
    detail = (await client.get(f"/api/v1/schools/{ZELISZOW}")).json()
    pupils = _figures(detail, "register.pupils")[0]["value"]
    math = _figures(detail, "e8.matematyka.mean")[-1]["value"]
    assert (ZELISZOW, "tak", pl(pupils, 0), pl(math, 1)) in rows


async def test_the_school_list_sorts_by_query_parameter_links(client):
    by_pupils = await _rows(client, BOLESLAWIEC_GM, szkoly_sort="uczniowie", szkoly_kier="malej")
    pupils = [int(n.replace(" ", "")) for _, _, n, _ in by_pupils]
    assert pupils == sorted(pupils, reverse=True)
    by_math = await _rows(client, BOLESLAWIEC_GM, szkoly_sort="matematyka")
    means = [float(m.split()[0].replace(",", ".")) for *_, m in by_math]
    assert means == sorted(means)
    response = await client.get(
        f"/j/{BOLESLAWIEC_GM}",
        params={"szkoly_sort": "matematyka", "lang": "en"},
        headers={"Accept": "text/html"},
    )
    # the sorted column's header reverses it, keeping the type listed and the language
    assert re.search(
        r'aria-sort="ascending" class="n"><a href="/j/0201022\?szkoly=[^"&]+&amp;'
        r'szkoly_sort=matematyka&amp;szkoly_kier=malej&amp;lang=en#szkoly"',
        response.text,
    )


async def test_every_type_of_institution_can_be_listed(client):
    listed = (await client.get("/api/v1/schools", params={"teryt": BOLESLAWIEC_GM})).json()
    rows = await _rows(client, BOLESLAWIEC_GM, szkoly="wszystkie")
    assert len(rows) == listed["total"] == 23


async def test_the_school_list_costs_two_statements_whatever_the_gmina(client, monkeypatch):
    """Warsaw's 425 primary schools cost what Bolesławiec's 8 do: no statement per school."""
    engine = client.app.state.read_engine.sync_engine
    statements: list[str] = []
    counting = False

    def count(_conn, _cursor, statement, *_args):
        if counting:
            statements.append(statement)

    original = routes.build_school_list

    async def measured(*args, **kwargs):
        nonlocal counting
        counting = True
        try:
            return await original(*args, **kwargs)
        finally:
            counting = False

    monkeypatch.setattr(routes, "build_school_list", measured)
    event.listen(engine, "before_cursor_execute", count)
    try:
        for teryt in (BOLESLAWIEC_GM, "1465011"):
            statements.clear()
            response = await client.get(
                f"/j/{teryt}", params={"fresh": uuid.uuid4().hex}, headers={"Accept": "text/html"}
            )
            assert response.status_code == 200
            assert 'id="szkoly"' in response.text
            assert len(statements) == 2, (teryt, statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_a_powiats_page_has_no_school_list(client):
    response = await client.get("/j/0201", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert 'id="szkoly"' not in response.text


async def test_a_large_gminas_page_stays_small_with_its_schools(client):
    response = await client.get("/j/1465011", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert 'id="szkoly"' in response.text
    assert response.num_bytes_downloaded < 100_000


def _school(rspo: int, name: str, pupils: float | None, means: list[tuple[int, float]]):
    return SchoolSummary(
        rspo=rspo,
        name=name,
        type_name="Szkoła podstawowa",
        public=True,
        governing_kind="gmina",
        pupils=pupils,
        pupils_year=2018,
        math=[ExamPoint(year=y, mean=m, national_mean=50.0) for y, m in means],
    )


def test_schools_without_a_value_sort_last_in_both_directions():
    schools = [
        _school(1, "B", 100, [(2024, 40.0), (2025, 60.0)]),
        _school(2, "A", None, []),
        _school(3, "C", 300, [(2025, 55.0)]),
    ]
    assert [s.rspo for s in sorted_schools(schools, "uczniowie", "rosn")] == [1, 3, 2]
    assert [s.rspo for s in sorted_schools(schools, "uczniowie", "malej")] == [3, 1, 2]
    assert [s.rspo for s in sorted_schools(schools, "trend", "malej")] == [1, 2, 3]
    assert math_trend(schools[0].math) == pytest.approx(20.0)
    assert math_trend(schools[2].math) is None


def test_a_place_among_the_schools_of_poland_in_words():
    words = WORDS["pl"]
    assert place_in_words(1, 2, 3, 4, words) == words["below_q1"]
    assert place_in_words(3, 2, 3, 4, words) == words["at_median"]
    assert place_in_words(3.5, 2, 3, 4, words) == words["median_q3"]
    assert place_in_words(5, 2, 3, 4, words) == words["above_q3"]
    assert place_in_words(None, 2, 3, 4, words) == words["unknown"]


def test_the_school_words_exist_in_both_languages():
    for table in (WORDS, MEASURES, GOVERNING):
        assert set(table["pl"]) == set(table["en"])
