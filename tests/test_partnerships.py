"""Partnerships: the ZMP rubric as data, members over time, aggregates, self-assessments.

Every partnership here is an EXAMPLE (named so); its members are real TERC codes chosen for
the test, not a membership anyone published. The database is a copy of the loaded shipped
data; aggregates are checked against sums of the stored observations by hand.
"""

import csv
import io
import re
import uuid
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


def _between(text_: str, start: str, end: str) -> str:
    begin = text_.index(start) + len(start)
    return text_[begin : text_.index(end, begin)]


def _numbered(chunk: str, heading: str) -> dict[int, str]:
    parts = re.split(heading, chunk)
    return {int(parts[k]): _words(parts[k + 1]) for k in range(1, len(parts), 2)}


def test_the_rubric_is_the_source_word_for_word_not_only_pieces_of_it():
    """Each name, heading + statement and stage point equals a whole passage of the source
    (whitespace aside), so a cut-short statement or a merged point fails, not only a new word."""
    source = SOURCE.read_text(encoding="utf-8")
    rubric = default_rubric()
    names = _numbered(
        _between(source, "\N{EN DASH} zarządzanie rozwojem strategicznym", "Model: Standardy"),
        r"(?m)^(\d{1,2}) +",
    ) | _numbered(
        _between(source, "\N{EN DASH} zarządzanie relacjami w partnerstwie", "\n1. Skład"),
        r"(?m)^(\d{1,2}) +",
    )
    body = source[source.index("\n1. Skład") : source.index("Narzędzie do samooceny")]
    sections = _numbered(body, r"(?m)^(\d{1,2})[.:] ")
    assert sorted(names) == sorted(sections) == list(range(1, 11))
    for standard in rubric.standard:
        assert _words(standard.name) == names[standard.number]
        assert _words(f"{standard.title} {standard.statement}") == sections[standard.number]
    table = _words(_between(source, "Stadium 5", "Kryterium samooceny nr 5"))
    points = [p.strip() for p in re.split(r"(?:^| )-", table) if p.strip()]
    five = rubric.find(5)
    assert five is not None
    assert [_words(p) for d in five.stage for p in d.points] == points
    assert len(points) == 11
    assert {g.name for g in rubric.group} == {
        "zarządzanie rozwojem strategicznym",
        "zarządzanie relacjami w partnerstwie",
    }


def test_a_descriptor_for_a_standard_other_than_5_stops_start_up(tmp_path):
    data = msgspec.toml.decode(RUBRIC_FILE.read_bytes())
    three = next(s for s in data["standard"] if s["number"] == 3)
    three["stage"] = [{"stage": n, "points": [f"wymyślone {n}"]} for n in range(1, 6)]
    (tmp_path / "c.toml").write_bytes(msgspec.toml.encode(data))
    with pytest.raises(RubricError, match="standard 3: the source gives no stage descriptors"):
        load_rubric(tmp_path / "c.toml")


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
        # Bemowo, a dzielnica of Warsaw: part of a gmina, not one
        ({"members": [{"teryt": "1465028", "joined_on": "2020-01-01"}]}, "members[0].teryt"),
        (
            {
                "members": [
                    {"teryt": KRAKOW, "joined_on": "2015-01-01"},
                    {"teryt": KRAKOW, "joined_on": "2020-01-01"},
                ]
            },
            "members[1].joined_on",
        ),
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
    members = await api.get(f"{example['url']}?format=csv&locale=en")
    assert members.status_code == 200
    assert (
        "miarka-partnership-przyklad-of-krakowski-members"
        in (members.headers["content-disposition"])
    )
    member_rows = {r["teryt"]: r for r in csv.DictReader(io.StringIO(members.text))}
    assert set(member_rows) == {KRAKOW, SKAWINA, CZERNICHOW, WIELKA_WIES, POWIAT_KRAKOWSKI}
    assert member_rows[WIELKA_WIES]["left_on"] == "2022-03-31"
    assert member_rows[WIELKA_WIES]["in_force"] == "false"
    assert member_rows[CZERNICHOW]["joined_on"] == "2021-06-01"
    members_xlsx = await api.get(f"{example['url']}?format=xlsx")
    assert members_xlsx.content[:2] == b"PK"
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
    # the others say plainly that the source has none, and give the bare scale
    assert five["stages_note"] == ""
    assert {s["stages_note"] for s in page["rubric"] if s["number"] != 5} == {
        "Źródło (ZMP) nie opisuje poszczególnych stadiów tego standardu; pokazujemy tylko "
        "skalę 1\N{EN DASH}5."
    }
    assert all(s["scale"] == [1, 2, 3, 4, 5] for s in page["rubric"])
    english = (await api.get(f"{url}?lang=en")).json()
    assert english["rubric"][0]["stages_note"].startswith("The source (ZMP) gives no stage")
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


# --- Editing: the API and the command ------------------------------------------------------


async def _create(api, keys, partnership_id: str, members=None) -> dict:
    body = {
        **EXAMPLE,
        "id": partnership_id,
        "members": members or EXAMPLE["members"][:2],
    }
    created = await api.post(
        "/api/v1/partnerships", json=body, headers={"X-API-Key": keys["admin"]}
    )
    assert created.status_code == 201, created.text
    return created.json()


async def test_an_admin_edits_a_partnership_and_records_a_member_leaving(api, keys):
    made = await _create(api, keys, "przyklad-edycja")
    url, headers = made["url"], {"X-API-Key": keys["admin"]}
    change = {
        "name": "PRZYKŁAD: OF Krakowa po zmianie",
        "kind": "zit_iit",
        "description": "Opis po zmianie.",
        "source_url": "https://example.org/porozumienie-przyklad.pdf",
        "members": [
            {"teryt": SKAWINA, "joined_on": "2015-01-01", "left_on": "2024-06-30"},
            {"teryt": CZERNICHOW, "joined_on": "2024-01-01"},
        ],
    }
    assert (await api.patch(url, json=change)).status_code == 401
    edited = await api.patch(url, json=change, headers=headers)
    assert edited.status_code == 200, edited.text
    out = edited.json()
    assert (out["name"], out["kind"], out["description"]) == (
        change["name"],
        "zit_iit",
        "Opis po zmianie.",
    )
    assert out["kind_name"] == "Zintegrowane Inwestycje Terytorialne (ZIT/IIT)"
    assert out["membership_sourced"] is True
    assert out["leader_teryt"] == KRAKOW  # not given: unchanged
    members = {(m["teryt"], m["joined_on"]): m for m in out["members"]}
    assert members[(SKAWINA, "2015-01-01")]["left_on"] == "2024-06-30"
    assert members[(CZERNICHOW, "2024-01-01")]["left_on"] is None
    assert len(out["members"]) == 3
    assert (await api.get(url)).json() == out
    # the aggregate follows: Skawina counts in 2023 (a member on 31 December), not after
    body = (await api.get(f"{url}/indicators/{DENSITY}")).json()
    by_year = {s["year"]: s["members_in_force"] for s in body["series"]}
    assert by_year[2023] == sorted([KRAKOW, SKAWINA])
    # null clears the leader and the cited source
    cleared = await api.patch(url, json={"leader_teryt": None, "source_url": None}, headers=headers)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["leader_teryt"] is None
    assert cleared.json()["membership_sourced"] is False
    assert cleared.json()["name"] == change["name"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"members": [{"teryt": "1206114", "joined_on": "2020-01-01"}]}, "members[0].teryt"),
        ({"members": [{"teryt": "12", "joined_on": "2020-01-01"}]}, "members[0].teryt"),
        # Kraków is a member from 2015 and has not left: a second membership would overlap
        ({"members": [{"teryt": KRAKOW, "joined_on": "2020-01-01"}]}, "members[0].joined_on"),
        (
            {"members": [{"teryt": KRAKOW, "joined_on": "2015-01-01", "left_on": "2014-01-01"}]},
            "members[0].left_on",
        ),
        ({"leader_teryt": CZERNICHOW}, "leader_teryt"),
        ({"name": "OF bez słowa"}, "name"),
        ({"kind": "metro"}, "kind"),
        ({"id": "inne-id"}, "id"),
    ],
)
async def test_invalid_edits_are_problems_and_change_nothing(api, keys, change, field):
    made = await _create(api, keys, f"przyklad-zla-edycja-{uuid.uuid4().hex[:8]}")
    answer = await api.patch(made["url"], json=change, headers={"X-API-Key": keys["admin"]})
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert field in [e["field"] for e in problem.get("errors", [])] or field in problem["detail"]
    assert (await api.get(made["url"])).json() == made
    await api.patch(made["url"], json={"name": made["name"]}, headers={"X-API-Key": keys["admin"]})


async def test_editing_an_unknown_partnership_is_a_404(api, keys):
    answer = await api.patch(
        "/api/v1/partnerships/przyklad-nie-ma",
        json={"description": "x"},
        headers={"X-API-Key": keys["admin"]},
    )
    assert answer.status_code == 404
    assert answer.json()["type"] == "/problems/unknown-partnership"


CLI_PARTNERSHIP = f"""
id = "przyklad-cli"
name = "PRZYKŁAD: partnerstwo z wiersza poleceń"
kind = "zwiazek_miedzygminny"
example = true
leader_teryt = "{SKAWINA}"
description = "Skład wymyślony do testu."

[[members]]
teryt = "{SKAWINA}"
joined_on = 2018-01-01

[[members]]
teryt = "{POWIAT_KRAKOWSKI}"
joined_on = 2018-01-01
"""


async def test_the_command_records_edits_lists_and_keys_a_partnership(small_db_url, tmp_path, api):
    from tests.test_cli import miarka  # noqa: PLC0415 - a helper of another test module

    created_file = tmp_path / "p.toml"
    created_file.write_text(CLI_PARTNERSHIP, encoding="utf-8")
    created = miarka("partnerships", "create", str(created_file), database_url=small_db_url)
    assert created.returncode == 0, created.stderr
    assert "przyklad-cli" in created.stderr
    assert "no public source cited" in created.stderr
    assert f"{POWIAT_KRAKOWSKI} krakowski (powiat) from 2018-01-01" in created.stderr

    edit_file = tmp_path / "e.json"
    edit = {
        "members": [
            {"teryt": POWIAT_KRAKOWSKI, "joined_on": "2018-01-01", "left_on": "2021-06-30"}
        ],
        "source_url": "https://example.org/statut-przyklad.pdf",
    }
    edit_file.write_bytes(msgspec.json.encode(edit))
    edited = miarka(
        "partnerships", "edit", "przyklad-cli", str(edit_file), database_url=small_db_url
    )
    assert edited.returncode == 0, edited.stderr
    assert "to 2021-06-30" in edited.stderr
    assert "https://example.org/statut-przyklad.pdf" in edited.stderr

    bad_file = tmp_path / "bad.toml"
    bad_file.write_text(
        CLI_PARTNERSHIP.replace("przyklad-cli", "przyklad-cli-zly").replace(SKAWINA, "1206114"),
        encoding="utf-8",
    )
    refused = miarka("partnerships", "create", str(bad_file), database_url=small_db_url)
    assert refused.returncode == 2
    assert "members[0].teryt: 1206114 is not a gmina or powiat in force" in refused.stderr
    typo = tmp_path / "typo.toml"
    typo.write_text(CLI_PARTNERSHIP.replace("kind =", "rodzaj ="), encoding="utf-8")
    assert miarka("partnerships", "create", str(typo), database_url=small_db_url).returncode == 2

    listed = miarka("partnerships", "list", database_url=small_db_url)
    assert listed.returncode == 0, listed.stderr
    assert "przyklad-cli" in listed.stdout

    key = miarka("partnerships", "key", "przyklad-cli", "cli-steward", database_url=small_db_url)
    assert key.returncode == 0, key.stderr
    token = key.stdout.strip().splitlines()[-1]
    unknown = miarka("partnerships", "key", "przyklad-nie-ma", "x", database_url=small_db_url)
    assert unknown.returncode == 2
    assert "unknown-partnership" in unknown.stderr
    url = "/api/v1/partnerships/przyklad-cli"
    entered = await api.post(
        f"{url}/assessments",
        json={"year": 2024, "items": [{"standard": 9, "stage": 2}]},
        headers={"X-API-Key": token},
    )
    assert entered.status_code == 201, entered.text
    assert entered.json()["items"][0]["entered_by"] == "cli-steward"
    # a steward's key enters the assessment only: it does not edit the partnership
    edit_with_token = await api.patch(
        url, json={"description": "nie"}, headers={"X-API-Key": token}
    )
    assert edit_with_token.status_code == 401
    revoked = miarka("partnerships", "revoke-key", "cli-steward", database_url=small_db_url)
    assert revoked.returncode == 0, revoked.stderr
    after = await api.post(
        f"{url}/assessments",
        json={"year": 2024, "items": [{"standard": 9, "stage": 3}]},
        headers={"X-API-Key": token},
    )
    assert after.status_code == 401
    again = miarka("partnerships", "revoke-key", "cli-steward", database_url=small_db_url)
    assert again.returncode == 1
    read = (await api.get(url)).json()
    assert read["source_url"] == "https://example.org/statut-przyklad.pdf"
    assert [(m["teryt"], m["left_on"]) for m in read["members"]] == [
        (POWIAT_KRAKOWSKI, "2021-06-30"),
        (SKAWINA, None),
    ]


# --- Spread, similar partnerships, what Miarka measures beside standards 5 and 7 ----------------


async def _hand_sum(url: str, source: str, code: str, teryts: list[str], year: int) -> float:
    engine = engine_for(url)
    try:
        async with engine.connect() as conn:
            total = await conn.scalar(
                text(
                    "SELECT sum(o.value) FROM observation o JOIN variable v ON v.id = o.variable_id"
                    " WHERE v.source = :s AND v.code = :c AND o.year = :y AND o.teryt = ANY(:t)"
                ),
                {"s": source, "c": code, "y": year, "t": teryts},
            )
    finally:
        await engine.dispose()
    return float(total)


async def test_the_spread_between_members_is_their_lowest_highest_and_median(api, example):
    body = (await api.get(f"{example['url']}/indicators/{DENSITY}?year=2023")).json()
    values = {p["teryt"]: p["value"] for p in body["positions"]}
    assert set(values) == {KRAKOW, SKAWINA, CZERNICHOW}
    ordered = sorted(values.values())
    spread = body["spread"]
    assert spread["members_with_values"] == 3
    assert spread["maximum_teryt"] == KRAKOW
    assert spread["maximum"] == pytest.approx(values[KRAKOW])
    assert spread["minimum"] == pytest.approx(ordered[0])
    assert spread["median"] == pytest.approx(ordered[1])
    assert spread["max_to_min"] == pytest.approx(ordered[2] / ordered[0])
    assert values[spread["minimum_teryt"]] == pytest.approx(ordered[0])
    # one member of a level: no spread
    powiats = (await api.get(f"{example['url']}/indicators/{DENSITY}?level=powiat")).json()
    assert powiats["spread"] is None


async def test_a_partnership_is_compared_with_those_of_its_kind_nearest_in_population(
    api, keys, small_db_url
):
    headers = {"X-API-Key": keys["admin"]}

    async def lgd(partnership_id: str, teryts: list[str], kind: str = "lgd") -> None:
        body = {
            "id": partnership_id,
            "name": f"Przykład: {partnership_id}",
            "kind": kind,
            "example": True,
            "members": [{"teryt": t, "joined_on": "2015-01-01"} for t in teryts],
        }
        made = await api.post("/api/v1/partnerships", json=body, headers=headers)
        assert made.status_code == 201, made.text

    await lgd("przyklad-lgd-a", [SKAWINA, CZERNICHOW])
    await lgd("przyklad-lgd-male", [WIELKA_WIES])
    await lgd("przyklad-lgd-duze", [KRAKOW])
    await lgd("przyklad-lgd-powiat", [POWIAT_KRAKOWSKI])  # no gmina: not comparable
    await lgd("przyklad-inny-rodzaj", [KRAKOW, SKAWINA], kind="other")
    body = (await api.get(f"/api/v1/partnerships/przyklad-lgd-a/indicators/{DENSITY}")).json()
    assert body["year"] == 2023
    similar = body["similar"]
    # Skawina + Czernichów (about 60,000 people) are nearer to Wielka Wieś than to Kraków
    assert [s["id"] for s in similar] == ["przyklad-lgd-male", "przyklad-lgd-duze"]
    for other, gminas in zip(similar, ([WIELKA_WIES], [KRAKOW]), strict=True):
        population, area = await _hand_ratio(small_db_url, gminas, 2023)
        assert other["value"] == pytest.approx(population / area)
        assert other["population"] == pytest.approx(population)
        assert other["members"] == 1
        assert other["example"] is True
        assert other["membership_sourced"] is False
    assert similar[0]["population"] < similar[1]["population"]
    alone = (
        await api.get(f"/api/v1/partnerships/przyklad-inny-rodzaj/indicators/{DENSITY}")
    ).json()
    assert alone["similar"] == []  # no other partnership of its kind: nothing to compare


CLASS_SIZE = "edukacja.uczniowie_na_oddzial_sp"


async def test_standards_5_and_7_show_the_partnership_s_measured_services(
    api, example, small_db_url
):
    page = (await api.get(f"{example['url']}/assessments")).json()
    measured = {m["standard"]: m for m in page["measured"]}
    assert sorted(measured) == [5, 7]
    five = {i["code"]: i for i in measured[5]["indicators"]}
    assert list(five) == next(s for s in page["rubric"] if s["number"] == 5)["miarka_indicators"]
    classes = five[CLASS_SIZE]
    assert classes["year"] == 2018
    # members on 31 December 2018: Kraków, Skawina, Wielka Wieś (Czernichów joined in 2021)
    gminas = [KRAKOW, SKAWINA, WIELKA_WIES]
    pupils = await _hand_sum(small_db_url, "sio_register", "run.sp_class_pupils", gminas, 2018)
    sections = await _hand_sum(small_db_url, "sio_register", "run.sp_classes", gminas, 2018)
    assert classes["value"] == pytest.approx(pupils / sections)
    assert classes["members_with_values"] == 3
    each = (await api.get(f"{example['url']}/indicators/{CLASS_SIZE}?year=2018")).json()
    values = sorted(p["value"] for p in each["positions"])
    assert classes["spread"]["minimum"] == pytest.approx(values[0])
    assert classes["spread"]["maximum"] == pytest.approx(values[-1])
    assert classes["url"] == f"{example['url']}/indicators/{CLASS_SIZE}"
    cost = measured[5]["cost"]
    assert cost["service"] == "edukacja.szkoly_podstawowe"
    assert cost["unit"] == "zł na ucznia"
    # no member has a Rb-28S report in the shipped data: the cost is empty, never 0
    assert cost["value"] is None
    assert all(m["unit_cost"] is None for m in cost["members"])
    assert measured[7]["cost"] is None
    assert "kontekst.gestosc_zaludnienia" in {i["code"] for i in measured[7]["indicators"]}


async def test_the_cost_per_pupil_beside_standard_5_is_a_ratio_of_the_members_sums(api, keys):
    kutno, bedlno = "1002011", "1002022"
    body = {
        "id": "przyklad-kutno",
        "name": "PRZYKŁAD: Kutno i Bedlno",
        "kind": "of",
        "example": True,
        "members": [
            {"teryt": kutno, "joined_on": "2015-01-01"},
            {"teryt": bedlno, "joined_on": "2015-01-01"},
        ],
    }
    made = await api.post("/api/v1/partnerships", json=body, headers={"X-API-Key": keys["admin"]})
    assert made.status_code == 201, made.text
    page = (await api.get("/api/v1/partnerships/przyklad-kutno/assessments")).json()
    cost = next(m for m in page["measured"] if m["standard"] == 5)["cost"]
    year = cost["year"]
    own = (
        await api.get(f"/api/v1/units/{kutno}/costs/edukacja.szkoly_podstawowe?year={year}")
    ).json()
    assert year == own["year"] == 2022
    members = {m["teryt"]: m for m in cost["members"]}
    # the shipped reports are Kutno's budgetary units': no overhead, so no total cost, but
    # the direct cost per pupil (14,112.35 zł in 2022) is known
    assert own["unit_cost"] is None
    assert members[kutno]["unit_cost"] is None
    assert cost["value"] is None
    assert members[kutno]["direct_unit_cost"] == pytest.approx(float(own["direct_unit_cost"]))
    assert members[kutno]["direct_unit_cost"] == pytest.approx(14112.35)
    assert members[kutno]["pupils"] == pytest.approx(float(own["volume"]["value"]))
    assert members[bedlno]["direct_unit_cost"] is None  # no report of Bedlno shipped
    # one member with a figure: the partnership's Σ cost / Σ pupils is Kutno's own
    assert cost["direct_value"] == pytest.approx(14112.35)
    assert cost["spread"] is None
    assert cost["direct_spread"] is None


# --- The web page ----------------------------------------------------------------------------


async def test_the_partnership_page_shows_members_map_diagnosis_and_self_assessment(api, keys):
    from domains.indicators.catalogue import load_catalogue  # noqa: PLC0415
    from service.web import fmt  # noqa: PLC0415

    headers = {"X-API-Key": keys["admin"]}
    body = {
        **EXAMPLE,
        "id": "przyklad-strona",
        "source_url": "https://example.org/porozumienie-przyklad-strona.pdf",
    }
    assert (await api.post("/api/v1/partnerships", json=body, headers=headers)).status_code == 201
    url = "/api/v1/partnerships/przyklad-strona"
    for year, stage in ((2023, 2), (2024, 3)):
        entered = await api.post(
            f"{url}/assessments",
            json={
                "year": year,
                "items": [
                    {
                        "standard": 5,
                        "stage": stage,
                        "justification": f"Uzasadnienie {year}.",
                        "evidence": [f"https://example.org/dowod-{year}"],
                    }
                ],
            },
            headers=headers,
        )
        assert entered.status_code == 201, entered.text
    page = await api.get("/partnerstwa/przyklad-strona")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "PRZYKŁAD: to partnerstwo jest wymyślone" in html
    assert 'href="https://example.org/porozumienie-przyklad-strona.pdf"' in html
    # members, with the one that left and the powiat by its full name
    for name in ("Kraków", "Skawina", "Czernichów", "Wielka Wieś", "powiat krakowski"):
        assert f">{name}</a>" in html, name
    assert "2022-03-31" in html
    # the map: every member gmina in force (and powiat krakowski's gminas) outlined
    drawn = html[html.index('id="mapa"') : html.index('id="diagnoza"')]
    assert 'id="partnerstwo-map-t"' in drawn
    fills = {
        title: fill
        for fill, title in re.findall(
            r'<path d="[^"]+" fill="([^"]+)"><title>([^<]+)</title>', drawn
        )
    }
    members = {title for title, fill in fills.items() if fill == "#41b6c4"}
    around = {title for title, fill in fills.items() if fill == "#ffffcc"}
    # Kraków and every gmina of powiat krakowski (a member; Wielka Wieś is one of its gminas)
    assert {"Kraków", "Skawina", "Czernichów", "Wielka Wieś", "Liszki"} <= members
    assert "Wieliczka" in around  # powiat wielicki, next to Kraków: not a member
    assert not members & around
    # the diagnosis: the density row says the partnership's ratio of sums and the spread
    catalogue = load_catalogue()
    density = (await api.get(f"{url}/indicators/{DENSITY}")).json()
    decimals = catalogue.indicator(DENSITY).decimals
    row = html[html.index(f'id="w-{DENSITY}"') :]
    row = row[: row.index("</tr>")]
    assert fmt.number(density["aggregate"]["value"], decimals, "pl") in row
    assert fmt.number(density["spread"]["maximum"], decimals, "pl") in row
    assert "Kraków" in row
    assert fmt.number(density["spread"]["max_to_min"], 2, "pl") in row
    # the self-assessment: the latest year's answer, the ten standards, descriptors only for 5
    assert "Samoocena za rok <strong>2024</strong>" in html
    five = html[html.index('id="standard-5"') : html.index('id="standard-6"')]
    assert "<strong>3</strong>" in five
    assert "Uzasadnienie 2024." in five
    assert 'href="https://example.org/dowod-2024"' in five
    assert "Partnerzy zadeklarowali chęć współdziałania w celu integracji rozwoju" in five
    assert "Uczniowie na oddział w szkołach podstawowych gminy" in five
    assert "Koszt na ucznia szkół podstawowych członków" in five
    three = html[html.index('id="standard-3"') : html.index('id="standard-4"')]
    assert "Źródło (ZMP) nie opisuje poszczególnych stadiów" in three
    assert "bez oceny" in three
    assert all(f'id="standard-{n}"' in html for n in range(1, 11))
    # the history keeps 2023's answer
    history = html[html.index('id="historia"') :]
    assert "<td>2023</td>" in history
    assert "Strona jest przygotowana do druku" in html  # printable, with the report's styles
    assert 'class="report-page"' in html


async def test_the_partnership_page_in_english_without_a_source_and_unknown(api, example):
    english = await api.get("/partnerstwa/przyklad-of-krakowski?lang=en")
    assert english.status_code == 200
    assert "No public source for the membership is cited" in english.text
    assert "EXAMPLE: this partnership is made up" in english.text
    assert "The source (ZMP) gives no stage descriptors" in english.text
    from service.web import fmt  # noqa: PLC0415

    polish = (await api.get("/partnerstwa/przyklad-of-krakowski")).text
    five = polish[polish.index('id="standard-5"') : polish.index('id="standard-6"')]
    assessed = (await api.get(f"{example['url']}/assessments")).json()
    classes = next(
        i
        for i in next(m for m in assessed["measured"] if m["standard"] == 5)["indicators"]
        if i["code"] == CLASS_SIZE
    )
    assert fmt.number(classes["value"], 1, "pl") in five  # 1 decimal, as the catalogue says
    # the positions shown by default are the density's
    assert "Członkowie wobec partnerstwa: Gęstość zaludnienia" in polish
    focused = await api.get(f"/partnerstwa/przyklad-of-krakowski?wskaznik={DENSITY}")
    assert "Członkowie wobec partnerstwa" in focused.text
    assert "powyżej" in focused.text
    assert "poniżej" in focused.text
    missing = await api.get("/partnerstwa/przyklad-nie-ma")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
