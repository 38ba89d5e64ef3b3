"""`/api/v1/units` on the shipped register: filters, search, paging, one unit, errors."""

import pytest

PROBLEM = "application/problem+json"


async def test_level_gmina_answers_with_every_gmina_of_the_register(client):
    response = await client.get("/api/v1/units", params={"level": "gmina"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2479
    assert len(body["items"]) == 2479
    assert body["next_cursor"] is None
    assert {item["level"] for item in body["items"]} == {"gmina"}
    assert body["items"][0] == {
        "teryt": "0201011",
        "level": "gmina",
        "kind": "gmina_miejska",
        "kind_label": "gmina miejska",
        "rodz": 1,
        "name": "Bolesławiec",
        "parent_teryt": "0201",
        "twin_teryt": None,
        "bdl_id": None,
        "valid_from": "2025-01-01",
        "valid_to": None,
    }


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"level": "voivodeship"}, 16),
        ({"level": "powiat"}, 380),
        ({"level": "gmina_part"}, 1473),
        ({"kind": "miasto_na_prawach_powiatu"}, 66),
        ({"kind": "gmina_miejsko_wiejska"}, 718),
        ({"kind": "delegatura"}, 19),
        ({"parent": "1465011"}, 18),  # the dzielnice of Warsaw
        ({"parent": "12"}, 22),  # powiats of Małopolska
        ({"level": "gmina", "parent": "0201"}, 6),
        ({}, 4348),
    ],
)
async def test_filters_count_the_real_register(client, params, total):
    body = (await client.get("/api/v1/units", params={**params, "limit": 1})).json()
    assert body["total"] == total


@pytest.mark.parametrize(
    ("q", "teryt", "name"),
    [
        ("lodz", "1061011", "Łódź"),
        ("ŁÓDŹ", "1061011", "Łódź"),
        ("zywiec", "2417011", "Żywiec"),
        ("  Bielsko-biala ", "2461011", "Bielsko-Biała"),
        ("swinoujscie", "3263011", "Świnoujście"),
    ],
)
async def test_name_search_ignores_case_and_polish_diacritics(client, q, teryt, name):
    body = (await client.get("/api/v1/units", params={"q": q, "level": "gmina"})).json()
    assert body["items"][0]["teryt"] == teryt
    assert body["items"][0]["name"] == name


async def test_search_ranks_exact_names_before_names_that_contain_the_text(client):
    body = (await client.get("/api/v1/units", params={"q": "warszawa"})).json()
    names = [item["name"] for item in body["items"]]
    assert names[:2] == ["Warszawa", "Warszawa"]  # the powiat and the gmina
    assert "Nowy Dwór Mazowiecki" not in names
    assert all("warszaw" in name.lower() for name in names)


async def test_keyset_paging_walks_every_unit_once(client):
    seen, url, pages = [], "/api/v1/units?level=powiat&limit=100", 0
    while url is not None:
        body = (await client.get(url)).json()
        assert body["total"] == 380
        seen += [item["teryt"] for item in body["items"]]
        url, pages = body["links"]["next"], pages + 1
    assert pages == 4
    assert len(seen) == len(set(seen)) == 380
    assert seen == sorted(seen)


async def test_paging_with_search_keeps_the_ranking(client):
    first = (await client.get("/api/v1/units", params={"q": "nowa", "limit": 5})).json()
    rest = (
        await client.get(
            "/api/v1/units", params={"q": "nowa", "limit": 500, "cursor": first["next_cursor"]}
        )
    ).json()
    every = (await client.get("/api/v1/units", params={"q": "nowa"})).json()
    assert [i["teryt"] for i in first["items"] + rest["items"]] == [
        i["teryt"] for i in every["items"]
    ]


async def test_city_with_powiat_rights_answers_in_both_roles(client):
    as_powiat = (await client.get("/api/v1/units/1261")).json()
    as_gmina = (await client.get("/api/v1/units/1261011")).json()
    roles = {
        "powiat": {
            "teryt": "1261",
            "level": "powiat",
            "kind": "miasto_na_prawach_powiatu",
            "name": "Kraków",
        },
        "gmina": {"teryt": "1261011", "level": "gmina", "kind": "gmina_miejska", "name": "Kraków"},
    }
    assert as_powiat["city_with_powiat_rights"] == roles
    assert as_gmina["city_with_powiat_rights"] == roles
    assert as_powiat["level"] == "powiat"
    assert as_gmina["level"] == "gmina"
    assert as_gmina["children_count"] == 4  # the delegatury of Kraków


async def test_unit_lists_its_parents_up_to_the_voivodeship(client):
    bemowo = (await client.get("/api/v1/units/1465028")).json()
    assert [(p["teryt"], p["name"]) for p in bemowo["parents"]] == [
        ("1465011", "Warszawa"),
        ("1465", "Warszawa"),
        ("14", "MAZOWIECKIE"),
    ]
    assert bemowo["city_with_powiat_rights"] is None
    powiat = (await client.get("/api/v1/units/0201")).json()
    assert powiat["name"] == "bolesławiecki"
    assert powiat["children_count"] == 6
    assert powiat["parents"] == [
        {"teryt": "02", "level": "voivodeship", "kind": "wojewodztwo", "name": "DOLNOŚLĄSKIE"}
    ]


async def test_unknown_code_is_a_404_problem(client):
    response = await client.get("/api/v1/units/0299011")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {
        "type": "/problems/unknown-unit",
        "title": "Unknown territorial unit",
        "status": 404,
        "detail": "no territorial unit with TERC code 0299011",
        "instance": "/api/v1/units/0299011",
    }


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/units?level=commune", "level"),
        ("/api/v1/units?kind=city", "kind"),
        ("/api/v1/units?limit=0", "limit"),
        ("/api/v1/units?limit=5001", "limit"),
        ("/api/v1/units?limit=many", "limit"),
        ("/api/v1/units?parent=12x", "parent"),
        ("/api/v1/units?q=", "q"),
        ("/api/v1/units?q=%20%20", "q"),
        ("/api/v1/units?q=" + "a" * 101, "q"),
        ("/api/v1/units?cursor=not-a-cursor", "cursor"),
        ("/api/v1/units?include_closed=perhaps", "include_closed"),
        ("/api/v1/units/12345", "teryt"),
        ("/api/v1/units/abc", "teryt"),
    ],
)
async def test_bad_parameter_is_a_400_problem_naming_the_field(client, path, field):
    response = await client.get(path)
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "/problems/invalid-parameter"
    assert body["status"] == 400
    assert [error["field"] for error in body["errors"]] == [field]
    assert field in body["detail"]


async def test_unknown_route_and_method_are_problems_too(client):
    missing = await client.get("/api/v1/nothing-here")
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)
    wrong_method = await client.delete("/api/v1/units")
    assert (wrong_method.status_code, wrong_method.headers["content-type"]) == (405, PROBLEM)
