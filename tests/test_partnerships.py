"""Partnerships: the ZMP rubric as data, members over time, aggregates, self-assessments.

Every partnership here is an EXAMPLE (named so); its members are real TERC codes chosen for
the test, not a membership anyone published. The database is a copy of the loaded shipped
data; aggregates are checked against sums of the stored observations by hand.
"""

import csv
import io
import re
from datetime import date

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from domains.admin.keys import create_key
from domains.partnerships.keys import create_partnership_key
from domains.partnerships.queries import member_in_year
from domains.partnerships.rubric import RUBRIC_FILE, RubricError, default_rubric, load_rubric
from service.app import create_app
from service.settings import Settings
from tests.plugin import (
    DB_PREFIX,
    RUN,
    TEST_DATA,
    admin,
    copy_database,
    engine_for,
)

SOURCE = TEST_DATA / "partnerships" / "partnerstwa_standardy_wspolpracy.txt"
KRAKOW, SKAWINA, CZERNICHOW, WIELKA_WIES, POWIAT_KRAKOWSKI = (
    "1261011",
    "1206113",
    "1206012",
    "1206152",
    "1206",
)
DENSITY = "kontekst.gestosc_zaludnienia"
EXAMPLE = {
    "id": "przyklad-of-krakowski",
    "name": "PRZYKŁAD: obszar funkcjonalny wokół Krakowa (dane testowe)",
    "kind": "of",
    "leader_teryt": KRAKOW,
    "description": "Przykład do testów; skład wymyślony, nie opublikowany.",
    "example": True,
    "members": [
        {"teryt": KRAKOW, "joined_on": "2015-01-01"},
        {"teryt": SKAWINA, "joined_on": "2015-01-01"},
        {"teryt": CZERNICHOW, "joined_on": "2021-06-01"},  # not yet a member in 2020
        {"teryt": WIELKA_WIES, "joined_on": "2015-01-01", "left_on": "2022-03-31"},
        {"teryt": POWIAT_KRAKOWSKI, "joined_on": "2015-01-01"},
    ],
}


def _words(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


# --- The rubric --------------------------------------------------------------------------


def test_rubric_has_ten_standards_in_two_groups_and_descriptors_only_for_standard_5():
    rubric = default_rubric()
    assert [s.number for s in rubric.standard] == list(range(1, 11))
    assert {g.code: g.numbers for g in rubric.group} == {
        "strategic": [1, 2, 3, 4, 5, 6, 7],
        "relations": [8, 9, 10],
    }
    with_stages = [s.number for s in rubric.standard if s.stage]
    assert with_stages == [5]
    five = rubric.find(5)
    assert five is not None
    assert [d.stage for d in five.stage] == [1, 2, 3, 4, 5]
    assert [len(d.points) for d in five.stage] == [1, 2, 2, 3, 3]
    assert "nie opisuje" in rubric.no_descriptors_pl


def test_every_statement_and_stage_descriptor_is_the_source_s_own_words():
    source = _words(SOURCE.read_text(encoding="utf-8")).replace("-Partnerzy", "- Partnerzy")
    rubric = default_rubric()
    for standard in rubric.standard:
        for piece in (standard.name, standard.title, standard.statement):
            assert _words(piece) in source, (standard.number, piece)
        for descriptor in standard.stage:
            for point in descriptor.points:
                assert f"- {_words(point)}" in source, (descriptor.stage, point)
    # each stage's list ends with the point ending in a full stop, as in the slide's columns
    five = rubric.find(5)
    assert five is not None
    for descriptor in five.stage:
        assert descriptor.points[-1].endswith(".")
        assert all(p.endswith(";") for p in descriptor.points[:-1])


def test_a_rubric_with_an_invented_descriptor_or_a_missing_standard_stops_start_up(tmp_path):
    good = RUBRIC_FILE.read_text(encoding="utf-8")
    partial = good.replace("[[standard.stage]]\nstage = 5", "[[standard.stage]]\nstage = 6")
    (tmp_path / "a.toml").write_text(partial, encoding="utf-8")
    with pytest.raises(RubricError, match="one per stage 1-5"):
        load_rubric(tmp_path / "a.toml")
    data = msgspec.toml.decode(good.encode())
    data["standard"] = [s for s in data["standard"] if s["number"] != 10]
    (tmp_path / "b.toml").write_bytes(msgspec.toml.encode(data))
    with pytest.raises(RubricError, match="numbered 1-10"):
        load_rubric(tmp_path / "b.toml")


def test_a_member_counts_for_a_year_when_it_was_one_on_31_december():
    assert member_in_year(date(2021, 6, 1), None, 2021)
    assert not member_in_year(date(2021, 6, 1), None, 2020)
    assert member_in_year(date(2015, 1, 1), date(2022, 3, 31), 2021)
    assert not member_in_year(date(2015, 1, 1), date(2022, 3, 31), 2022)
    assert not member_in_year(date(2015, 1, 1), date(2020, 12, 31), 2020)


# --- The API over the shipped data ---------------------------------------------------------------


@pytest.fixture(scope="module")
async def small_db_url(pg_server_url, loaded_template):
    """A copy of the loaded shipped data of its own (these tests write partnerships): seconds,
    where a load of even a few files took half a minute in each worker."""
    name = f"{DB_PREFIX}{RUN}_partnerships"
    url = await copy_database(pg_server_url, loaded_template, name)
    yield url
    await admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
async def keys(small_db_url):
    engine = engine_for(small_db_url)
    try:
        async with engine.begin() as conn:
            admin_key = await create_key(conn, "steward-admin")
        yield {"admin": admin_key}
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def api(small_db_url, redis_url):
    settings = Settings(database_url=small_db_url, redis_url=redis_url)
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
async def example(api, keys):
    created = await api.post(
        "/api/v1/partnerships", json=EXAMPLE, headers={"X-API-Key": keys["admin"]}
    )
    assert created.status_code == 201, created.text
    return created.json()


async def test_creating_needs_an_admin_key(api, keys):
    body = {**EXAMPLE, "id": "przyklad-bez-klucza"}
    anonymous = await api.post("/api/v1/partnerships", json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    wrong = await api.post("/api/v1/partnerships", json=body, headers={"X-API-Key": "mk_x"})
    assert wrong.status_code == 401
    assert (await api.get("/api/v1/partnerships/przyklad-bez-klucza")).status_code == 404


async def test_a_partnership_reads_back_with_its_members_over_time(api, example):
    assert example["url"] == "/api/v1/partnerships/przyklad-of-krakowski"
    assert example["example"] is True
    assert example["membership_sourced"] is False  # no source cited: not presented as fact
    assert example["kind_name"] == "obszar funkcjonalny (OF)"
    members = {m["teryt"]: m for m in example["members"]}
    assert members[KRAKOW]["name"] == "Kraków"
    assert members[KRAKOW]["level"] == "gmina"
    assert members[POWIAT_KRAKOWSKI]["level"] == "powiat"
    assert members[WIELKA_WIES]["left_on"] == "2022-03-31"
    assert members[WIELKA_WIES]["in_force"] is False
    read = (await api.get(example["url"])).json()
    assert read == example
    listing = (await api.get("/api/v1/partnerships")).json()
    summary = next(i for i in listing["items"] if i["id"] == example["id"])
    assert summary["members_in_force"] == 4
    assert (await api.get("/api/v1/partnerships?lang=en")).json()["items"][0]["kind_name"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"members": [{"teryt": "0299011", "joined_on": "2020-01-01"}]}, "members[0].teryt"),
        ({"members": [{"teryt": "1206114", "joined_on": "2020-01-01"}]}, "members[0].teryt"),
        ({"members": [{"teryt": "12", "joined_on": "2020-01-01"}]}, "members[0].teryt"),
        (
            {"members": [{"teryt": KRAKOW, "joined_on": "2020-01-01", "left_on": "2019-01-01"}]},
            "members[0].left_on",
        ),
        ({"name": "OF Krakowa"}, "name"),  # an example must say so in its name
        ({"leader_teryt": "1206"}, "leader_teryt"),
        ({"members": []}, "members"),
        ({"from_group": "nope", "members": []}, "joined_on"),
    ],
)
async def test_invalid_partnerships_are_problems_naming_the_field(api, keys, change, field):
    body = {
        **EXAMPLE,
        "id": "przyklad-zly",
        "members": [{"teryt": KRAKOW, "joined_on": "2020-01-01"}],
        **change,
    }
    answer = await api.post("/api/v1/partnerships", json=body, headers={"X-API-Key": keys["admin"]})
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in answer.json()["errors"]]


async def test_unknown_kind_and_duplicate_id_are_4xx(api, keys, example):
    headers = {"X-API-Key": keys["admin"]}
    bad_kind = await api.post(
        "/api/v1/partnerships",
        json={**EXAMPLE, "id": "przyklad-x", "kind": "metro"},
        headers=headers,
    )
    assert bad_kind.status_code == 400
    again = await api.post("/api/v1/partnerships", json=EXAMPLE, headers=headers)
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/partnership-exists"


async def _hand_ratio(small_db_url: str, teryts: list[str], year: int) -> tuple[float, float]:
    """Σ population / Σ area straight from the stored observations."""
    engine = engine_for(small_db_url)
    try:
        async with engine.connect() as conn:
            population = await conn.scalar(
                text(
                    "SELECT sum(o.value) FROM observation o JOIN variable v ON v.id = o.variable_id"
                    " WHERE v.source = 'gus_bdl_export' AND v.code = 'population.total' "
                    "AND o.year = :y AND o.teryt = ANY(:t)"
                ),
                {"y": year, "t": teryts},
            )
            area = await conn.scalar(
                text(
                    "SELECT sum(o.value) FROM observation o JOIN variable v ON v.id = o.variable_id"
                    " WHERE v.source = 'gugik_prg' AND v.code = 'area_km2' AND o.teryt = ANY(:t)"
                ),
                {"t": teryts},
            )
    finally:
        await engine.dispose()
    return float(population), float(area)


async def test_the_aggregate_is_a_ratio_of_sums_over_each_year_s_members(
    api, example, small_db_url
):
    body = (await api.get(f"{example['url']}/indicators/{DENSITY}")).json()
    assert body["level"] == "gmina"  # the powiat is left out of a gmina-level aggregate
    by_year = {s["year"]: s for s in body["series"]}
    assert {2020, 2023} <= set(by_year)
    # 2020: Czernichów had not joined; Wielka Wieś was still a member
    assert by_year[2020]["members_in_force"] == sorted([KRAKOW, SKAWINA, WIELKA_WIES, "1206"])
    # 2023: Czernichów joined in 2021, Wielka Wieś left in 2022
    assert by_year[2023]["members_in_force"] == sorted([KRAKOW, SKAWINA, CZERNICHOW, "1206"])
    for year, gminas in (
        (2020, [KRAKOW, SKAWINA, WIELKA_WIES]),
        (2023, [KRAKOW, SKAWINA, CZERNICHOW]),
    ):
        population, area = await _hand_ratio(small_db_url, gminas, year)
        aggregate = by_year[year]["aggregate"]
        assert aggregate["numerator"] == pytest.approx(population)
        assert aggregate["denominator"] == pytest.approx(area)
        assert aggregate["value"] == pytest.approx(population / area)
        assert aggregate["members_with_values"] == 3
        assert aggregate["method"].startswith("ratio of sums")
    # positions in the latest year: Kraków (a city) above the area's density, the rest below
    assert body["year"] == 2023
    positions = {p["teryt"]: p["position"] for p in body["positions"]}
    assert positions == {KRAKOW: "above", SKAWINA: "below", CZERNICHOW: "below"}
    older = (await api.get(f"{example['url']}/indicators/{DENSITY}?year=2020")).json()
    assert {p["teryt"] for p in older["positions"]} == {KRAKOW, SKAWINA, WIELKA_WIES}
    powiats = (await api.get(f"{example['url']}/indicators/{DENSITY}?level=powiat")).json()
    assert [p["teryt"] for p in powiats["positions"]] == ["1206"]
    assert powiats["aggregate"]["members_with_values"] == 1


async def test_the_indicator_series_exports_as_csv(api, example):
    answer = await api.get(f"{example['url']}/indicators/{DENSITY}?format=csv&locale=en")
    assert answer.status_code == 200
    assert "miarka-partnership-przyklad-of-krakowski" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    json_body = (await api.get(f"{example['url']}/indicators/{DENSITY}")).json()
    assert [int(r["year"]) for r in rows] == [s["year"] for s in json_body["series"]]
    last = rows[-1]
    assert float(last["aggregate.value"]) == pytest.approx(
        json_body["series"][-1]["aggregate"]["value"]
    )
    assert last["members_in_force"] == "|".join(json_body["series"][-1]["members_in_force"])
    listing = await api.get("/api/v1/partnerships?format=csv&locale=pl")
    assert listing.text.startswith("\ufeffid;name;kind")
    assert "przyklad-of-krakowski" in listing.text
    xlsx = await api.get("/api/v1/partnerships?format=xlsx")
    assert xlsx.content[:2] == b"PK"


async def test_unknown_partnership_and_indicator_are_404(api, example):
    assert (await api.get("/api/v1/partnerships/przyklad-nie-ma")).status_code == 404
    unknown = await api.get(f"{example['url']}/indicators/nie.ma")
    assert unknown.status_code == 404
    no_year = await api.get(f"{example['url']}/indicators/{DENSITY}?year=1995")
    assert no_year.status_code == 404


async def test_a_group_is_promoted_to_a_partnership(api, keys):
    group = (
        await api.post("/api/v1/groups", json={"name": "grupa", "members": [KRAKOW, SKAWINA]})
    ).json()
    body = {
        "id": "przyklad-z-grupy",
        "name": "Przykład: partnerstwo z grupy",
        "kind": "porozumienie_terytorialne",
        "example": True,
        "from_group": group["id"],
        "joined_on": "2019-01-01",
        "source_url": "https://example.org/uchwala-przyklad.pdf",
    }
    created = await api.post(
        "/api/v1/partnerships", json=body, headers={"X-API-Key": keys["admin"]}
    )
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["from_group"] == group["id"]
    assert out["membership_sourced"] is True
    assert [(m["teryt"], m["joined_on"]) for m in out["members"]] == [
        (SKAWINA, "2019-01-01"),
        (KRAKOW, "2019-01-01"),
    ]
    missing = await api.post(
        "/api/v1/partnerships",
        json={**body, "id": "przyklad-z-grupy-2", "from_group": "nopenope"},
        headers={"X-API-Key": keys["admin"]},
    )
    assert missing.status_code == 404


# --- The self-assessment ---------------------------------------------------------------------


async def test_assessments_need_the_partnership_s_key_and_keep_their_history(
    api, keys, example, small_db_url
):
    engine = engine_for(small_db_url)
    try:
        async with engine.begin() as conn:
            own = await create_partnership_key(conn, example["id"], "of-krakow-steward")
            await api.post(  # a second partnership for the other key
                "/api/v1/partnerships",
                json={**EXAMPLE, "id": "przyklad-inne", "members": EXAMPLE["members"][:1]},
                headers={"X-API-Key": keys["admin"]},
            )
            other = await create_partnership_key(conn, "przyklad-inne", "inne-steward")
    finally:
        await engine.dispose()
    url = f"{example['url']}/assessments"
    first = {
        "year": 2024,
        "items": [
            {
                "standard": 5,
                "stage": 2,
                "justification": "Przygotowujemy wspólny projekt.",
                "evidence": ["https://example.org/projekt"],
            },
            {"standard": 7, "stage": 1},
        ],
    }
    assert (await api.post(url, json=first)).status_code == 401
    forbidden = await api.post(url, json=first, headers={"X-API-Key": other})
    assert forbidden.status_code == 403
    assert forbidden.json()["type"] == "/problems/forbidden"
    # a scoped key does not open the admin API or create partnerships
    assert (await api.get("/api/v1/admin/runs", headers={"X-API-Key": own})).status_code == 401
    created = await api.post(url, json=first, headers={"X-API-Key": own})
    assert created.status_code == 201, created.text
    assert {(i["standard"], i["stage"], i["entered_by"]) for i in created.json()["items"]} == {
        (5, 2, "of-krakow-steward"),
        (7, 1, "of-krakow-steward"),
    }
    again = {"year": 2024, "items": [{"standard": 5, "stage": 3}]}
    assert (
        await api.post(url, json=again, headers={"X-API-Key": keys["admin"]})
    ).status_code == 201
    later = {"year": 2025, "items": [{"standard": 5, "stage": 4}]}
    assert (await api.post(url, json=later, headers={"X-API-Key": own})).status_code == 201

    page = (await api.get(url)).json()
    history = [(i["year"], i["standard"], i["stage"], i["current"]) for i in page["items"]]
    assert history == [
        (2025, 5, 4, True),
        (2024, 5, 3, True),
        (2024, 5, 2, False),  # kept, not overwritten
        (2024, 7, 1, True),
    ]
    current = (await api.get(f"{url}?year=2024&current_only=true")).json()
    assert [(i["standard"], i["stage"]) for i in current["items"]] == [(5, 3), (7, 1)]
    five = next(s for s in page["rubric"] if s["number"] == 5)
    assert len(five["stages"]) == 5
    assert all(s["stages"] == [] for s in page["rubric"] if s["number"] != 5)
    assert page["items"][0]["standard_name"] == "Integracja usług publicznych i infrastruktury w OF"

    exported = await api.get(f"{url}?format=csv&locale=en")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["year"], r["standard"], r["stage"], r["current"]) for r in rows] == [
        ("2025", "5", "4", "true"),
        ("2024", "5", "3", "true"),
        ("2024", "5", "2", "false"),
        ("2024", "7", "1", "true"),
    ]
    assert rows[2]["evidence"] == "https://example.org/projekt"


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"standard": 5, "stage": 6}, "items[0].stage"),
        ({"standard": 5, "stage": 0}, "items[0].stage"),
        ({"standard": 11, "stage": 3}, "items[0].standard"),
        ({"standard": 0, "stage": 3}, "items[0].standard"),
    ],
)
async def test_a_stage_outside_1_5_or_an_unknown_standard_is_a_400(api, keys, example, item, field):
    answer = await api.post(
        f"{example['url']}/assessments",
        json={"year": 2024, "items": [item]},
        headers={"X-API-Key": keys["admin"]},
    )
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_bad_assessment_bodies_are_4xx_never_500(api, keys, example):
    url = f"{example['url']}/assessments"
    headers = {"X-API-Key": keys["admin"]}
    for body in (
        {"year": 2024, "items": []},
        {"year": 1800, "items": [{"standard": 1, "stage": 1}]},
        {"year": 2024, "items": [{"standard": 1, "stage": 1, "evidence": ["javascript:x"]}]},
        {"year": 2024, "items": [{"standard": "piąty", "stage": 1}]},
        {"year": 2024, "items": [{"standard": 1, "stage": 1, "extra": 1}]},
    ):
        answer = await api.post(url, json=body, headers=headers)
        assert answer.status_code == 400, (body, answer.text)
    missing = await api.post(
        "/api/v1/partnerships/przyklad-nie-ma/assessments",
        json={"year": 2024, "items": [{"standard": 1, "stage": 1}]},
        headers=headers,
    )
    assert missing.status_code == 404
