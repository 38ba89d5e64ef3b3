"""Indicators on the shipped real data: figures recomputed by hand from the source files."""

import csv
from functools import cache

import openpyxl
import pytest

from tests.conftest import SHIPPED_DATA

LUDN_2137 = SHIPPED_DATA / "bdl" / "LUDN_2137_CTAB_20210625164329.csv"
LUDN_2425 = SHIPPED_DATA / "bdl" / "LUDN_2425_CTAB_20241028202819_2023.csv"
AREA = SHIPPED_DATA / "gugik" / "Wykaz_powierzchni_wg_stanu_na_01012025_ha_km2.xlsx"
SMUP_DOMAINS = [
    "edukacja",
    "polityka_spoleczna",
    "kultura_rekreacja",
    "drogownictwo_transport",
    "ochrona_srodowiska",
    "nieruchomosci",
    "inwestycje_budownictwo",
    "geodezja_kartografia",
    "podatki_oplaty",
]


@cache
def ages_2020() -> dict[str, dict[str, float]]:
    with LUDN_2137.open(encoding="utf-8", newline="") as handle:
        return {
            row["Kod"]: {k: float(v) for k, v in row.items() if k not in ("Kod", "Nazwa", "")}
            for row in csv.DictReader(handle, delimiter=";")
        }


@cache
def population_2023() -> dict[str, float]:
    with LUDN_2425.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter=";")
        next(rows)
        return {r[0]: float(r[2].replace(",", ".")) * 1000 for r in rows}


@cache
def area_km2() -> dict[str, float]:
    sheet = openpyxl.load_workbook(AREA, read_only=True).active
    return {
        str(row[0]).replace(" ", ""): float(row[3])
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[0] and row[3] is not None
    }


async def value_of(client, code, teryt, year, level="gmina"):
    body = (
        await client.get(
            f"/api/v1/indicators/{code}/values",
            params={"year": year, "level": level, "parent": teryt[:4]},
        )
    ).json()
    return next(item for item in body["items"] if item["teryt"] == teryt)


async def test_ten_domains_in_smup_order_then_context(client):
    body = (await client.get("/api/v1/domains")).json()
    assert [d["code"] for d in body] == [*SMUP_DOMAINS, "kontekst"]
    assert body[0]["name"] == "Edukacja"
    english = (await client.get("/api/v1/domains", params={"lang": "en"})).json()
    assert english[0]["name"] == "Education"


async def test_catalogue_covers_every_domain_and_lists_indicators_without_data(client):
    indicators = (await client.get("/api/v1/indicators")).json()
    assert len(indicators) >= 40
    assert {i["domain"] for i in indicators} == {*SMUP_DOMAINS, "kontekst"}
    with_data = {i["code"] for i in indicators if i["status"] == "ok"}
    assert {
        "kontekst.ludnosc",
        "kontekst.powierzchnia",
        "kontekst.gestosc_zaludnienia",
        "kontekst.udzial_0_14",
        "kontekst.udzial_65_plus",
        "kontekst.wspolczynnik_obciazenia",
        "kontekst.indeks_starosci",
    } <= with_data
    no_data = [i for i in indicators if i["status"] == "no_data"]
    assert no_data
    assert all(i["years"] == [] for i in no_data)


async def test_population_equals_the_source_file_for_gminas_and_is_summed_upwards(client):
    krakow = await value_of(client, "kontekst.ludnosc", "1261011", 2020)
    assert krakow["value"] == ages_2020()["1261011"]["ogółem"] == 779_966
    # LUDN 2137 lists gminas only: a powiat's 2020 population is the sum of its gminas.
    powiat = await value_of(client, "kontekst.ludnosc", "0201", 2020, level="powiat")
    gminas = [k for k in ages_2020() if k.startswith("0201") and k[6] in "123"]
    assert powiat["value"] == sum(ages_2020()[k]["ogółem"] for k in gminas)
    assert "sum_of_gmina" in powiat["flags"]
    in_2023 = await value_of(client, "kontekst.ludnosc", "0201", 2023, level="powiat")
    assert in_2023["value"] == pytest.approx(population_2023()["0201000"])
    assert in_2023["flags"] == []


async def test_age_shares_and_dependency_ratios_are_computed_as_defined(client):
    row = ages_2020()["0201022"]  # Bolesławiec, gmina wiejska
    working = sum(row[f"{a}-{a + 4}"] for a in range(15, 65, 5))
    old = row["65-69"] + row["70 i więcej"]
    share = await value_of(client, "kontekst.udzial_65_plus", "0201022", 2020)
    assert share["value"] == pytest.approx(old / row["ogółem"] * 100)
    assert (share["numerator"], share["denominator"]) == (old, row["ogółem"])
    ratio = await value_of(client, "kontekst.wspolczynnik_obciazenia", "0201022", 2020)
    assert ratio["value"] == pytest.approx((row["0-14"] + old) / working * 100)
    ageing = await value_of(client, "kontekst.indeks_starosci", "0201022", 2020)
    assert ageing["value"] == pytest.approx(old / row["0-14"] * 100)


async def test_density_uses_the_2025_area_and_says_so(client):
    density = await value_of(client, "kontekst.gestosc_zaludnienia", "1261011", 2023)
    assert density["value"] == pytest.approx(population_2023()["1261011"] / area_km2()["1261011"])
    assert density["flags"] == ["denominator_year_2025"]


async def test_every_gmina_has_values_except_the_two_created_in_2025(client):
    body = (
        await client.get(
            "/api/v1/indicators/kontekst.ludnosc/values", params={"year": 2023, "level": "gmina"}
        )
    ).json()
    assert body["count"] == 2477
    units = (await client.get("/api/v1/units", params={"level": "gmina"})).json()["items"]
    missing = {u["teryt"] for u in units} - {i["teryt"] for i in body["items"]}
    assert missing == {"1207132", "2002162"}  # Szczawa and Grabówka, gminas since 2025-01-01
    for level, total in (("powiat", 380), ("voivodeship", 16)):
        section = (
            await client.get(
                "/api/v1/indicators/kontekst.udzial_0_14/values", params={"level": level}
            )
        ).json()
        assert section["count"] == total
        assert all(item["value"] is not None for item in section["items"])


async def test_missing_is_shown_as_missing_not_zero(client):
    dashboard = (await client.get("/api/v1/units/1207132/indicators")).json()  # Szczawa
    items = {i["indicator"]["code"]: i for d in dashboard["domains"] for i in d["items"]}
    assert items["kontekst.ludnosc"]["value"] is None
    assert items["kontekst.powierzchnia"]["value"]["value"] == area_km2()["1207132"]


async def test_a_gmina_whose_code_changed_keeps_its_older_figures(client):
    # Końskowola was gmina wiejska 0614052 until 2024 and is miejsko-wiejska 0614053 since.
    value = await value_of(client, "kontekst.ludnosc", "0614053", 2020)
    assert value["value"] == ages_2020()["0614052"]["ogółem"]
    assert "code_changed" in value["flags"]


async def test_cross_section_ranks_by_value_with_peer_and_national_statistics(client):
    body = (
        await client.get(
            "/api/v1/indicators/kontekst.udzial_65_plus/values", params={"level": "powiat"}
        )
    ).json()
    values = [item["value"] for item in body["items"]]
    assert values == sorted(values, reverse=True)
    assert [item["rank"] for item in body["items"]][:3] == [1, 2, 3]
    assert body["items"][0]["rank_of"] == 380
    sorted_values = sorted(values)
    assert body["national_median"] == pytest.approx((sorted_values[189] + sorted_values[190]) / 2)
    city = next(i for i in body["items"] if i["teryt"] == "1261")
    assert city["peer_group"] == "miasto_na_prawach_powiatu"
    assert city["peer_q1"] <= city["peer_median"] <= city["peer_q3"]


async def test_dashboard_groups_indicators_by_domain_with_latest_values(client):
    body = (await client.get("/api/v1/units/1261011/indicators")).json()
    assert body["name"] == "Kraków"
    assert body["peer_group"] == "gmina_miejska:>=100k"
    assert [d["code"] for d in body["domains"]] == [*SMUP_DOMAINS, "kontekst"]
    context = next(d for d in body["domains"] if d["code"] == "kontekst")
    population = next(i for i in context["items"] if i["indicator"]["code"] == "kontekst.ludnosc")
    assert population["value"]["year"] == 2023
    only = await client.get("/api/v1/units/1261011/indicators", params={"domain": "edukacja"})
    assert [d["code"] for d in only.json()["domains"]] == ["edukacja"]


async def test_series_lists_every_year_with_the_peer_median(client):
    body = (await client.get("/api/v1/units/1261011/indicators/kontekst.ludnosc/series")).json()
    assert [(p["year"], p["value"]) for p in body["points"]] == [
        (2020, 779_966),
        (2023, pytest.approx(population_2023()["1261011"])),
    ]
    assert all(p["peer_median"] is not None for p in body["points"])


async def test_peers_are_similar_units_of_the_same_level_with_features_named(client):
    body = (await client.get("/api/v1/units/1261011/peers")).json()
    assert body["feature_names"] == ["population", "density", "share_0_14", "share_65_plus"]
    assert len(body["neighbours"]) == 10
    assert body["neighbours"][0]["teryt"] == "0264011"  # Wrocław
    assert all(len(n["teryt"]) == 7 for n in body["neighbours"])
    distances = [n["distance"] for n in body["neighbours"]]
    assert distances == sorted(distances)


async def test_indicator_detail_gives_formula_sources_and_coverage(client):
    body = (await client.get("/api/v1/indicators/kontekst.gestosc_zaludnienia")).json()
    assert body["formula"]["denominator"][0]["code"] == "area_km2"
    assert body["formula"]["denominator"][0]["year"] == "nearest"
    assert body["formula"]["numerator"][0]["name"].startswith("LUDN")
    assert body["citation"]
    assert {(c["level"], c["year"]) for c in body["coverage"]} >= {("gmina", 2023)}


async def test_provenance_names_the_variables_and_load_runs(client):
    body = (
        await client.get(
            "/api/v1/indicators/kontekst.ludnosc/values",
            params={"year": 2023, "level": "voivodeship", "provenance": "true"},
        )
    ).json()
    assert body["provenance"]["variables"][0]["code"] == "population.total"
    assert body["provenance"]["load_run_ids"]


async def test_group_aggregate_is_a_ratio_of_sums(client):
    members = ["1261011", "1206022", "1206032", "1206092"]
    created = await client.post("/api/v1/groups", json={"name": "KOM (część)", "members": members})
    assert created.status_code == 201
    group = created.json()
    body = (await client.get(f"{group['url']}/indicators/kontekst.gestosc_zaludnienia")).json()
    people = sum(population_2023()[m] for m in members)
    km2 = sum(area_km2()[m] for m in members)
    assert body["aggregate"]["value"] == pytest.approx(people / km2)
    mean_of_ratios = sum(i["value"] for i in body["items"]) / len(body["items"])
    assert body["aggregate"]["value"] != pytest.approx(mean_of_ratios)
    assert (await client.get(group["url"])).json()["members"] == members


async def test_long_selection_by_post(client):
    body = (
        await client.post(
            "/api/v1/query",
            json={
                "indicators": ["kontekst.ludnosc", "kontekst.udzial_0_14"],
                "levels": ["voivodeship"],
            },
        )
    ).json()
    assert body["count"] == 16 * 2 + 16  # population in 2020 and 2023, shares in 2020


@pytest.mark.parametrize(
    ("method", "path", "payload", "status", "field"),
    [
        ("get", "/api/v1/indicators/kontekst.ludnosc/values?level=gmina_part", None, 400, "level"),
        ("get", "/api/v1/indicators/kontekst.ludnosc/values?year=1800", None, 400, "year"),
        ("get", "/api/v1/indicators/kontekst.ludnosc/values?parent=12x", None, 400, "parent"),
        ("get", "/api/v1/indicators?domain=sport", None, 400, "domain"),
        ("get", "/api/v1/indicators?typology=big", None, 400, "typology"),
        ("get", "/api/v1/units/1261011/indicators?domain=sport", None, 400, "domain"),
        ("get", "/api/v1/units/12a/indicators", None, 400, "teryt"),
        ("get", "/api/v1/domains?lang=de", None, 400, "lang"),
        ("post", "/api/v1/query", {"indicators": ["nope"]}, 400, "indicators"),
        ("post", "/api/v1/query", {"indicators": ["kontekst.ludnosc"], "extra": 1}, 400, None),
        ("post", "/api/v1/groups", {"name": "x", "members": ["0299011"]}, 400, "members[0]"),
        ("post", "/api/v1/groups", {"name": "x", "members": ["12a"]}, 400, None),
    ],
)
async def test_bad_input_is_a_4xx_problem(client, method, path, payload, status, field):  # noqa: PLR0917
    response = await getattr(client, method)(path, **({"json": payload} if payload else {}))
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    if field is not None:
        assert field in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/indicators/nope",
        "/api/v1/domains/nope",
        "/api/v1/units/0299011/indicators",
        "/api/v1/groups/nope",
        "/api/v1/indicators/podatki_oplaty.podatek_rolny/values",
    ],
)
async def test_unknown_things_are_404_problems(client, path):
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


# The plain statement of what a dashboard shows: per indicator, the latest year with a value,
# else the latest year (a missing value, with its flags).
_REFERENCE_DASHBOARD = """
SELECT DISTINCT ON (v.indicator_code) v.indicator_code, v.year, v.value, v.flags
FROM indicator_value v WHERE v.teryt = $1
ORDER BY v.indicator_code, (v.value IS NULL), v.year DESC
"""


async def test_the_dashboard_query_picks_what_the_plain_statement_picks(loaded_db_url):
    import asyncpg  # noqa: PLC0415

    from domains.indicators.queries import _DASHBOARD  # noqa: PLC0415

    conn = await asyncpg.connect(loaded_db_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        units = [r[0] for r in await conn.fetch(
            "SELECT teryt FROM territorial_unit WHERE valid_to IS NULL AND level <> 'gmina_part'"
            " ORDER BY teryt")]  # fmt: skip
        with_missing = 0
        for teryt in units:
            reference = {r[0]: tuple(r[1:]) for r in await conn.fetch(_REFERENCE_DASHBOARD, teryt)}
            rows = await conn.fetch(_DASHBOARD, teryt, None)
            got = {
                r["indicator"]: (r["year"], r["value"], r["flags"])
                for r in rows
                if r["indicator"] is not None
            }
            assert got == reference, teryt
            with_missing += any(value is None for _, value, _ in got.values())
    finally:
        await conn.close()
    assert with_missing > 0  # the case of the second branch occurs in the shipped data
