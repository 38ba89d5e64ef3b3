"""The total cost of a service (KCU): DESIGN.md's worked check, the calculator's rules, and the
API on the shipped real data (Kutno's 7 primary schools, Rb-28S/Rb-27S 2022 Q4, SIO pupils on
30.09.2021 and 30.09.2022).

Every expected figure of the real data is computed here twice: by a few lines of standard
library code over the source files, and as the literal numbers that code gave when this test
was written (checked against each other, so a change of either shows).
"""

import csv
import xml.etree.ElementTree as ET
from decimal import Decimal

import msgspec
import pytest

from domains.costs.calculator import (
    CostInputs,
    CostParameters,
    Line,
    VolumeResult,
    calculate,
    capital_cost,
    fiscal_year_volume,
    kcu,
    spend_share_alpha,
    unit_cost,
)
from domains.costs.mapping import MappingError, default_cost_catalogue, load_cost_catalogue
from tests.conftest import SHIPPED_DATA

SERVICE = "edukacja.szkoly_podstawowe"
KUTNO = "1002011"
URL = f"/api/v1/units/{KUTNO}/costs/{SERVICE}"
SPENT = SHIPPED_DATA / "mf" / "Sprawozdania[2022][IVKwartał] Wydatki.xml"
RECEIVED = SHIPPED_DATA / "mf" / "Sprawozdania[2022][IVKwartał] Dochody.xml"
PUPILS = {
    2021: SHIPPED_DATA / "sio" / "SIO_30_09_2021_schools.csv",
    2022: SHIPPED_DATA / "sio" / "SIO_30_09_2022_schools.csv",
}
PRIMARY_ROZDZIALY = {"80101", "80107", "80113", "80146", "80148", "80150", "80153"}
FEES_AND_GRANTS = {"069", "083", "201", "203", "205", "270", "271"}
# The report names in the 2022 package and the RSPO numbers of those schools in SIO (by
# REGON; Nr 7 carries Nr 9's REGON in the 2022 package, so it is known by its name).
RSPO = {
    "Szkoła Podstawowa Nr 1": 34266,
    "Szkoła Podstawowa Nr 2": 263961,
    "Szkoła Podstawowa Nr 4": 31729,
    "Szkoła Podstawowa Nr 5": 31717,
    "Szkoła Podstawowa Nr 6": 31727,
    "Szkoła Podstawowa Nr 7": 263969,
    "Szkoła Podstawowa Nr 9": 34265,
}
# What the hand computation below gave: direct cost, dedicated income, capital spent,
# pupils 30.09.2021 and 30.09.2022, and the direct cost per pupil of the fiscal year.
NAME = "Szkoła Podstawowa Nr {}"
SCHOOLS_2022 = {
    NAME.format(1): ("11415554.86", "435983.50", "275300.00", "839.498", "765.8344", "14007.79"),
    NAME.format(2): ("4510267.87", "216299.10", "80100.00", "263.3955", "283", "16709.01"),
    NAME.format(4): ("3442027.75", "81868.00", "72000.00", "236.76", "212.1704", "15059.40"),
    NAME.format(5): ("3986467.34", "128972.00", "73500.00", "240.706", "257", "16196.11"),
    NAME.format(6): ("6144216.39", "217043.00", "154191.05", "456.736", "420.4063", "13818.84"),
    NAME.format(7): ("3954957.22", "132.00", "139999.99", "300", "321", "12882.60"),
    NAME.format(9): ("9322680.82", "547064.50", "272300.00", "731.983", "695.7776", "12949.70"),
}
UNIT_2022 = {"direct": "42776172.25", "income": "1627362.10", "capital": "1067391.04"}


# --- the hand computation -------------------------------------------------------------------


def by_school(path, column, keep):
    """{school name: sum of `column` over the Pozycja rows `keep` accepts}, stdlib only."""
    totals = {}
    for unit in ET.parse(path).getroot().iter("Jednostka"):  # noqa: S314 - our own data file
        if unit.find("Sprawozdania") is None:
            continue  # the report's own copy of the unit
        totals[unit.findtext("Nazwa")] = sum(
            (
                Decimal(p.findtext(column))
                for p in unit.iter("Pozycja")
                if keep(p) and p.findtext(column)
            ),
            Decimal(0),
        )
    return totals


def current_cost(p):
    return p.findtext("Rozdzial") in PRIMARY_ROZDZIALY and not p.findtext("Paragraf").startswith(
        "6"
    )


def capital_spent(p):
    return p.findtext("Rozdzial") in PRIMARY_ROZDZIALY and p.findtext("Paragraf").startswith("6")


def fees_and_grants(p):
    return p.findtext("Rozdzial") in PRIMARY_ROZDZIALY and p.findtext("Paragraf") in FEES_AND_GRANTS


def pupils(year):
    """{RSPO: pupils} of a SIO file; the 17-digit float prints are SIO's 4-decimal values."""
    with PUPILS[year].open(encoding="utf-8", newline="") as handle:
        return {
            int(r["Numer RSPO"]): Decimal(r["Liczba uczniów"])
            .quantize(Decimal("0.0001"))
            .normalize()
            for r in csv.DictReader(handle)
        }


def fiscal(previous, current):
    return Decimal(8) / Decimal(12) * previous + Decimal(4) / Decimal(12) * current


def test_the_literal_figures_are_what_the_hand_computation_gives():
    direct = by_school(SPENT, "WW", current_cost)
    capital = by_school(SPENT, "WW", capital_spent)
    income = by_school(RECEIVED, "DW", fees_and_grants)
    before, after = pupils(2021), pupils(2022)
    for name, (c, e, k, n_prev, n_curr, uc) in SCHOOLS_2022.items():
        rspo = RSPO[name]
        assert direct[name] == Decimal(c)
        assert income[name] == Decimal(e)
        assert capital[name] == Decimal(k)
        assert (before[rspo], after[rspo]) == (Decimal(n_prev), Decimal(n_curr))
        cost_per_pupil = direct[name] / fiscal(before[rspo], after[rspo])
        assert cost_per_pupil.quantize(Decimal("0.01")) == Decimal(uc)
    assert sum(direct.values()) == Decimal(UNIT_2022["direct"])
    assert sum(income.values()) == Decimal(UNIT_2022["income"])
    assert sum(capital.values()) == Decimal(UNIT_2022["capital"])


# --- DESIGN.md section 5, worked check --------------------------------------------------------

MILLION = Decimal(1_000_000)


def test_the_worked_check_of_design_md():
    c, e, a, sigma_c, k = (Decimal(x) * MILLION for x in ("22.7", "0.9", "8.0", "64.0", "3.0"))
    o = spend_share_alpha(c, sigma_c) * a
    assert o == Decimal("2837500")  # 22.7 / 64.0 x 8.0 m
    total = kcu(c, o, k, e, net=True)
    assert total == Decimal("27637500")
    assert round(total / MILLION, 2) == Decimal("27.64")  # "KCU = 27.64 m PLN"
    q = fiscal_year_volume(Decimal(2000), Decimal(1950))
    assert round(q, 1) == Decimal("1983.3")  # "Q = 1,983.3" (exactly 5,950 / 3)
    uc = unit_cost(total, q)
    # Exactly, UC = 27,637,500 / 1,983.33... = 13,934.87. DESIGN.md's "≈ 13,936" is the
    # quotient of its rounded figures, 27.64 m / 1,983.3 = 13,936.4: the check holds to its
    # rounding (0.011 %), and Miarka reports the exact value.
    assert uc.quantize(Decimal("0.01")) == Decimal("13934.87")
    assert round(Decimal("27640000") / Decimal("1983.3")) == 13936
    assert abs(uc - 13936) / 13936 < Decimal("0.00011")
    assert kcu(c, o, k, e, net=False) == Decimal("28537500")  # gross: without - E


def worked_inputs(**changes):
    """The worked check as budget lines: the calculator must derive the same figures."""
    catalogue = default_cost_catalogue()
    _, mapping = catalogue.mapping_for(catalogue.find_service(SERVICE), 2022)
    inputs = CostInputs(
        year=2022,
        mapping=mapping,
        classification=catalogue.classification,
        expenditure=[
            Line(rozdzial="80101", paragraf="401", amount=Decimal("22700000")),
            Line(rozdzial="60016", paragraf="426", amount=Decimal("41300000")),
            Line(rozdzial="75023", paragraf="401", amount=Decimal("8000000")),
            Line(rozdzial="75702", paragraf="811", amount=Decimal("500000")),  # debt: never C
            Line(rozdzial="80101", paragraf="254", amount=Decimal("600000")),  # transfer out
        ],
        income=[
            Line(rozdzial="80101", paragraf="083", amount=Decimal("900000")),
            Line(rozdzial="80101", paragraf="292", amount=Decimal("9000000")),  # never E
            Line(rozdzial="80101", paragraf="231", amount=Decimal("100000")),  # transfer in
        ],
        whole_budget=True,
        capital_history={
            y: [Line(rozdzial="80101", paragraf="605", amount=Decimal("3000000"))]
            for y in range(2013, 2023)
        },
        volume=VolumeResult(
            value=fiscal_year_volume(Decimal(2000), Decimal(1950)),
            kind="pupils",
            points={"2021-09-30": Decimal(2000), "2022-09-30": Decimal(1950)},
            formula="",
        ),
    )
    return msgspec.structs.replace(inputs, **changes)


def test_the_worked_check_from_budget_lines():
    # sum C = 22.7 m + 41.3 m: the transfer out (0.6 m) is current spending of the unit too.
    inputs = worked_inputs()
    result = calculate(inputs, CostParameters())
    assert result.direct.amount == Decimal("22700000")
    assert result.overhead.spend_share_base == Decimal("64600000")
    lines = worked_inputs(expenditure=[ln for ln in inputs.expenditure if ln.paragraf != "254"])
    result = calculate(lines, CostParameters())
    assert result.overhead.spend_share_base == Decimal("64000000")
    assert result.overhead.amount == Decimal("2837500")
    assert result.capital.amount == Decimal("3000000")
    assert result.income.amount == Decimal("900000")
    assert result.total == Decimal("27637500")
    assert result.unit_cost.quantize(Decimal("0.01")) == Decimal("13934.87")
    assert result.missing == []


def test_the_resident_perspective_adds_transfers_out_and_subtracts_transfers_in():
    result = calculate(worked_inputs(), CostParameters(perspective="resident"))
    assert result.direct.amount == Decimal("22700000") + Decimal("600000") - Decimal("100000")
    roles = {(c.paragraf, c.role, c.counted) for c in result.direct.lines}
    assert ("254", "transfer_out", Decimal("600000")) in roles
    assert ("231", "transfer_in", Decimal("-100000")) in roles


def test_parameters_switch_components_off_and_the_gross_variant_keeps_income():
    result = calculate(worked_inputs(), CostParameters(overhead="none", capital="none", net=False))
    assert result.overhead.status == result.capital.status == "not_requested"
    assert result.income.status == "not_requested"
    assert result.total == Decimal("22700000")


def test_the_capital_average_uses_only_years_with_reports_and_says_so():
    catalogue = default_cost_catalogue()
    _, mapping = catalogue.mapping_for(catalogue.find_service(SERVICE), 2022)
    spent = [Line(rozdzial="80101", paragraf="606", amount=Decimal("500"))]
    history = {2018: None, 2019: spent, 2020: [], 2021: None, 2022: spent}
    result = capital_cost(
        history, 2022, method="avg5", mapping=mapping, classification=catalogue.classification
    )
    assert result.amount == Decimal("1000") / 3  # 500 + 0 + 500 over the 3 reported years
    assert result.years_missing == [2018, 2021]
    assert result.basis == "nominal"
    assert "no deflator" in result.note
    real = capital_cost(
        {2021: spent, 2022: spent},
        2022,
        method="avg5",
        mapping=mapping,
        classification=catalogue.classification,
        deflators={2021: Decimal(100), 2022: Decimal(110)},
    )
    assert real.basis == "real"
    assert real.amount == (Decimal(550) + Decimal(500)) / 2


def test_without_the_units_own_report_the_spend_share_is_unavailable_and_total_null():
    result = calculate(worked_inputs(whole_budget=False), CostParameters())
    assert result.overhead.status == "unavailable"
    assert result.missing == ["overhead"]
    assert result.total is None
    assert result.partial_total == Decimal("22700000") + Decimal("3000000") - Decimal("900000")


def test_the_mapping_is_valid_and_refuses_the_general_subsidy_as_income(tmp_path):
    catalogue = default_cost_catalogue()
    assert catalogue.vintage_for(2021).code == "2010"
    assert catalogue.vintage_for(2022).code == "2022"
    assert catalogue.vintage_for(2025).code == "2024"
    assert catalogue.breaks_between(2013, 2024) == [2022, 2024]
    source = (SHIPPED_DATA.parent / "domains" / "costs" / "services.toml").read_text("utf-8")
    broken = tmp_path / "services.toml"
    broken.write_text(source.replace('"069", "083", "201"', '"069", "292", "201"', 1), "utf-8")
    with pytest.raises(MappingError, match="general revenue"):
        load_cost_catalogue(broken)


# --- the API on the shipped real data ---------------------------------------------------------


async def test_the_services_are_listed_with_their_mapping(client):
    body = (await client.get("/api/v1/costs")).json()
    assert [s["code"] for s in body["items"]] == [SERVICE, "kultura_rekreacja.kultura"]
    primary = body["items"][0]
    assert {r["code"] for r in primary["rozdzialy"]} == PRIMARY_ROZDZIALY
    assert "Dz.U. 2010 nr 38 poz. 207" in body["classification"]
    assert [v["series_break"] for v in body["vintages"]] == [False, True, True]


async def test_each_schools_direct_cost_and_cost_per_pupil_for_2022(client):
    response = await client.get(URL, params={"year": 2022})
    assert response.status_code == 200
    schools = {s["unit_name"]: s for s in response.json()["schools"]}
    assert set(schools) == set(SCHOOLS_2022)
    for name, (c, e, k, n_prev, n_curr, uc) in SCHOOLS_2022.items():
        school = schools[name]
        assert school["rspo"] == RSPO[name]
        assert school["direct_cost"] == c
        assert school["dedicated_income"] == e
        assert school["capital_spent"] == k
        assert (school["pupils_previous"], school["pupils_current"]) == (n_prev, n_curr)
        assert school["direct_unit_cost"] == uc
        assert sum(
            Decimal(ln["counted"]) for ln in school["lines"] if ln["role"] == "current"
        ) == Decimal(c)
    assert schools["Szkoła Podstawowa Nr 7"]["match"] == "name"  # its REGON is Nr 9's in 2022
    assert schools["Szkoła Podstawowa Nr 6"]["match"] == "regon"


async def test_the_unit_total_with_its_trail(client):
    body = (await client.get(URL, params={"year": 2022, "overhead": "none"})).json()
    c, e, k = (Decimal(UNIT_2022[x]) for x in ("direct", "income", "capital"))
    parts = body["components"]
    assert parts["direct_cost"]["amount"] == str(c)
    assert sum(Decimal(ln["counted"]) for ln in parts["direct_cost"]["lines"]) == c
    assert parts["dedicated_income"]["amount"] == str(e)
    assert {ln["paragraf"] for ln in parts["dedicated_income"]["lines"]} == {"069", "083"}
    assert parts["capital"]["amount"] == str(k)
    assert parts["capital"]["years_missing"] == [2018, 2019, 2020, 2021]
    assert parts["capital"]["basis"] == "nominal"
    assert parts["overhead"]["status"] == "not_requested"
    q = fiscal(
        sum(pupils(2021)[r] for r in RSPO.values()), sum(pupils(2022)[r] for r in RSPO.values())
    )
    assert body["volume"]["value"] == str(q.quantize(Decimal("0.0001")))
    assert body["total"] == str(c + k - e) == "42216201.19"
    assert body["unit_cost"] == str(((c + k - e) / q).quantize(Decimal("0.01")))
    assert body["reports"]["basis"] == "budgetary_units"
    assert body["vintage"]["code"] == "2022"
    assert {r["source"] for r in body["releases"]} == {"mf_rb", "sio"}


async def test_a_missing_overhead_makes_the_total_null_never_partial_as_if_whole(client):
    body = (await client.get(URL)).json()  # default year: the latest with a Q4 report
    assert body["year"] == 2022
    assert body["total"] is None
    assert body["unit_cost"] is None
    assert body["missing"] == ["overhead"]
    assert body["partial_total"] == "42216201.19"
    assert "JST" in body["components"]["overhead"]["note"]


async def test_the_gross_variant_leaves_income_out(client):
    body = (await client.get(URL, params={"overhead": "none", "net": "false"})).json()
    assert Decimal(body["total"]) == Decimal(UNIT_2022["direct"]) + Decimal(UNIT_2022["capital"])


@pytest.mark.parametrize(
    ("path", "params", "status", "slug", "field"),
    [
        (f"/api/v1/units/{KUTNO}/costs/nope", {}, 404, "unknown-service", None),
        (URL, {"year": 2023}, 404, "no-cost-data", None),  # only Q2 for 2023: not a year
        (URL, {"year": 2021}, 404, "no-cost-data", None),
        (URL, {"overhead": "pupils_share"}, 400, "invalid-parameter", "overhead"),
        (URL, {"capital": "avg7"}, 400, "invalid-parameter", "capital"),
        (URL, {"perspective": "citizen"}, 400, "invalid-parameter", "perspective"),
        (URL, {"year": 1800}, 400, "invalid-parameter", "year"),
        (f"/api/v1/units/10x2011/costs/{SERVICE}", {}, 400, "invalid-parameter", "teryt"),
        (f"/api/v1/units/0299011/costs/{SERVICE}", {}, 404, "unknown-unit", None),
        (f"/api/v1/units/1002/costs/{SERVICE}", {}, 404, "no-cost-data", None),
        (f"/api/v1/costs/{SERVICE}", {"level": "powiat"}, 404, "no-cost-data", None),
        ("/api/v1/costs/nope", {}, 404, "unknown-service", None),
    ],
)
async def test_bad_input_is_a_4xx_problem(client, path, params, status, slug, field):  # noqa: PLR0917
    response = await client.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"/problems/{slug}"
    if field is not None:
        assert field in [e["field"] for e in body["errors"]]


async def test_the_cross_section_ranks_unit_costs_with_peer_statistics(client):
    body = (
        await client.get(f"/api/v1/costs/{SERVICE}", params={"year": 2022, "overhead": "none"})
    ).json()
    assert [row["teryt"] for row in body["items"]] == [KUTNO]
    row = body["items"][0]
    assert row["rank"] == 1
    assert row["basis"] == "budgetary_units"
    single = await client.get(URL, params={"year": 2022, "overhead": "none"})
    assert row["unit_cost"] == single.json()["unit_cost"]
    national = body["national"]
    assert national["count"] == 1
    assert national["median"] == national["minimum"] == row["unit_cost"]
    assert body["peer_groups"][0]["group"] == row["peer_group"]


async def counts(client):
    """What a scenario must never change: the published data (via the API's own answers)."""
    return (await client.get("/ready")).json()["data_release"]


async def test_a_scenario_is_a_labelled_simulation_and_stores_nothing(client):
    release = await counts(client)
    payload = {"year": 2022, "overhead": "none", "pupils_current": "3100", "alpha": "0.1"}
    response = await client.post(f"{URL}/scenarios", json=payload)
    assert response.status_code == 200
    body = response.json()
    assert body["label"] == "simulation"
    assert body["official"] is False
    assert body["scenario"]["simulation"] is True
    assert body["base"]["simulation"] is False
    base_total = Decimal(body["base"]["total"])
    assert body["base"]["total"] == "42216201.19"
    # The key of the scenario: O = 0.1 x A, and A = 0 in these reports (no office report).
    assert body["scenario"]["components"]["overhead"]["key"] == "override"
    assert Decimal(body["scenario"]["total"]) == base_total
    q = fiscal(Decimal("3069.0785"), Decimal("3100"))
    assert body["scenario"]["volume"]["value"] == str(q.quantize(Decimal("0.0001")))
    assert body["scenario"]["unit_cost"] == str((base_total / q).quantize(Decimal("0.01")))
    assert await counts(client) == release
    again = await client.get(URL, params={"year": 2022, "overhead": "none"})
    assert again.json()["volume"]["value"] == body["base"]["volume"]["value"]


async def test_a_scenario_can_change_an_amount(client):
    payload = {
        "year": 2022,
        "overhead": "none",
        "capital": "none",
        "amount_changes": [
            {"report": "rb28s", "rozdzial": "80101", "paragraf": "401", "delta": "-1000000.00"}
        ],
    }
    body = (await client.post(f"{URL}/scenarios", json=payload)).json()
    assert Decimal(body["total_difference"]) == Decimal("-1000000.00")
    assert any("80101 §401" in change for change in body["changes"])


SHORT_ROZDZIAL = {"report": "rb28s", "rozdzial": "801", "paragraf": "401", "delta": "1"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount_changes": [SHORT_ROZDZIAL]}, "amount_changes[0].rozdzial"),
        ({"population": "1000"}, "population"),
        ({"pupils_current": "-5"}, "pupils_current"),
        ({"alpha": "1.5"}, "alpha"),
        ({"alpha": "NaN"}, "alpha"),
        ({"pupils_current": "1e27"}, "pupils_current"),
        ({"capital_amount": "-1"}, "capital_amount"),
        (
            {"amount_changes": [{**SHORT_ROZDZIAL, "rozdzial": "80101", "delta": "0.001"}]},
            "amount_changes[0].delta",
        ),
        ({"overhead": "staff"}, "overhead"),
    ],
)
async def test_a_bad_scenario_is_a_400_naming_the_field(client, payload, field):
    response = await client.post(f"{URL}/scenarios", json=payload)
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_a_per_resident_service_uses_the_nearest_population(client):
    body = (
        await client.get(
            f"/api/v1/units/{KUTNO}/costs/kultura_rekreacja.kultura",
            params={"year": 2022, "overhead": "none", "lang": "en"},
        )
    ).json()
    assert body["unit"] == "PLN per resident"
    assert body["volume"]["points"] == [{"label": "population 2023", "value": "40720"}]
    assert "nearest year" in body["volume"]["note"]
    # The schools' reports have no culture lines: 0 from these reports, not "no data".
    assert body["components"]["direct_cost"]["amount"] == "0.00"
    assert body["schools"] == []


async def test_a_scenario_with_an_unknown_field_is_refused(client):
    response = await client.post(f"{URL}/scenarios", json={"pupils": 5})
    assert response.status_code == 400
