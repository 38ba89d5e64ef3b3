"""`miarka load schools`: the national register of schools (SIO, 30 September 2018, inferred).

The register is part of the shipped data, so the read-only tests use the session's loaded
database. Figures below were computed from the published file (data/sio/wykaz_szkol_2018/
schoolsData.xlsx) with pandas, independently of the loader: grouped by the location code
woj+pow+gm+`Typ gminy`, or by the governing body's code, with the reporting-unit rule for
teachers applied by hand. Ages (the denominators) are GUS table 12, 30 June 2020.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.schools import load_schools
from loaders.schools.parse import parse_register
from service.db import with_database
from service.settings import REPO_ROOT
from tests.plugin import copy_database, drop_databases, engine_for

SHIPPED = REPO_ROOT / "data" / "sio" / "wykaz_szkol_2018" / "schoolsData.xlsx"
YEAR = 2018
ROWS = 55_180

# Kraków 1261011 (location woj 12, pow 61, gm 01, M), and as the body running schools.
KRAKOW_LOC = {
    "loc.preschool_children": 32_350,
    "loc.preschool_children_non_public": 8_321,
    "loc.sp_pupils": 59_469,
    "loc.sp_pupils_non_public": 5_436,
    "loc.sp_schools": 200,
}
KRAKOW_RUN = {
    "run.sp_pupils": 48_924,
    "run.sp_schools": 127,
    "run.sp_class_pupils": 48_749,
    "run.sp_classes": 2_464,
    "run.pupils": 95_702,
    "run.teacher_fte": 10_838.14,
}
KRAKOW_AGE_3_6 = 32_732  # GUS table 12, sheet Małopolskie, row 74
# Bolesławiec, gmina wiejska 0201022: 8 primary schools, none non-public.
BOLESLAWIEC_GM = {
    "loc.preschool_children": 429,
    "loc.sp_pupils": 926,
    "loc.sp_pupils_non_public": 0,
    "run.sp_classes": 66,
    "run.pupils": 1_253,
    "run.teacher_fte": 142.21,
}
# Powiat bolesławiecki 0201 as a body: its own institutions, not its gminas'.
POWIAT_0201_RUN = {"run.pupils": 2_900, "run.teacher_fte": 306.29}
WARSZAWA_LOC_PRESCHOOL, WARSZAWA_RUN_TEACHER_FTE = 81_090, 28_237.73
SERVICE_INDICATORS = (
    "edukacja.wychowanie_przedszkolne_3_6",
    "edukacja.uczniowie_na_oddzial_sp",
    "edukacja.uczniowie_na_etat_nauczyciela",
    "edukacja.udzial_uczniow_sp_niepublicznych",
    "edukacja.sredni_rozmiar_sp",
    "edukacja.udzial_dzieci_w_niepublicznym_wychowaniu_przedszkolnym",
    "edukacja.szkoly_podstawowe_na_1000_dzieci_7_14",
)


@pytest.fixture(scope="module")
async def engine(loaded_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(loaded_db_url)
    yield engine
    await engine.dispose()


async def _observations(engine: AsyncEngine, teryt: str) -> dict[str, tuple[float, str | None]]:
    query = text(
        "SELECT v.code, o.value, o.flag FROM observation o JOIN variable v ON v.id = o.variable_id "
        "WHERE v.source = 'sio_register' AND o.year = :year AND o.teryt = :teryt"
    )
    async with engine.connect() as conn:
        rows = await conn.execute(query, {"year": YEAR, "teryt": teryt})
    return {r.code: (r.value, r.flag) for r in rows}


async def _indicator(engine: AsyncEngine, code: str, teryt: str):
    query = text(
        "SELECT value, numerator, denominator, flags FROM indicator_value "
        "WHERE indicator_code = :code AND teryt = :teryt AND year = :year"
    )
    async with engine.connect() as conn:
        return (await conn.execute(query, {"code": code, "teryt": teryt, "year": YEAR})).one()


def test_the_register_parses_every_row_and_reads_no_contact_column():
    register = parse_register(SHIPPED)
    assert len(register.rows) == ROWS
    fields = set(type(register.rows[0]).__struct_fields__)
    assert not fields & {"phone", "fax", "email", "www", "governing_name"}
    first = register.rows[0]  # row 3: Miejskie Przedszkole Publiczne nr 1, Bolesławiec
    assert (first.row, first.rspo, first.location_code, first.type_code) == (3, 34719, "0201011", 1)
    assert first.counts["Uczniowie, wychow., słuchacze"] == 125
    assert first.counts["Oddziały"] == 5


async def test_sums_by_location_and_by_governing_body_are_the_files(engine):
    krakow = await _observations(engine, "1261011")
    for code, value in {**KRAKOW_LOC, **KRAKOW_RUN}.items():
        assert krakow[code][0] == pytest.approx(value), code
    gmina = await _observations(engine, "0201022")
    for code, value in BOLESLAWIEC_GM.items():
        assert gmina[code][0] == pytest.approx(value), code
    powiat = await _observations(engine, "0201")
    for code, value in POWIAT_0201_RUN.items():
        assert powiat[code] == (pytest.approx(value), None), code
    warszawa = await _observations(engine, "1465011")
    assert warszawa["loc.preschool_children"][0] == WARSZAWA_LOC_PRESCHOOL
    assert warszawa["run.teacher_fte"][0] == pytest.approx(WARSZAWA_RUN_TEACHER_FTE)


async def test_a_city_with_powiat_rights_runs_the_same_schools_as_powiat(engine):
    city, powiat = await _observations(engine, "1261011"), await _observations(engine, "1261")
    for code in KRAKOW_RUN:
        assert powiat[code] == city[code]


async def test_location_sums_roll_up_and_what_a_body_runs_does_not(engine):
    powiat = await _observations(engine, "0201")
    async with engine.connect() as conn:
        gminas = await conn.scalar(
            text(
                "SELECT sum(o.value) FROM observation o JOIN variable v ON v.id = o.variable_id "
                "JOIN territorial_unit u ON u.teryt = o.teryt AND u.valid_to IS NULL "
                "WHERE v.source = 'sio_register' AND v.code = 'loc.sp_pupils' "
                "AND u.parent_teryt = '0201' AND u.level = 'gmina'"
            )
        )
    assert powiat["loc.sp_pupils"] == (gminas, "sum_of_gmina")
    assert powiat["run.sp_pupils"] == (124, None)  # its own special primary schools


async def test_indicators_of_named_units_are_computed_from_the_file(engine):
    per_class = await _indicator(engine, "edukacja.uczniowie_na_oddzial_sp", "1261011")
    assert per_class.value == pytest.approx(48_749 / 2_464)
    preschool = await _indicator(engine, "edukacja.wychowanie_przedszkolne_3_6", "1261011")
    assert preschool.value == pytest.approx(100 * 32_350 / KRAKOW_AGE_3_6)
    assert "denominator_year_2020" in preschool.flags
    teachers = await _indicator(engine, "edukacja.uczniowie_na_etat_nauczyciela", "0201022")
    assert teachers.value == pytest.approx(1_253 / 142.21)
    powiat = await _indicator(engine, "edukacja.uczniowie_na_etat_nauczyciela", "0201")
    assert powiat.value == pytest.approx(2_900 / 306.29)
    share = await _indicator(engine, "edukacja.udzial_uczniow_sp_niepublicznych", "1261011")
    assert share.value == pytest.approx(100 * 5_436 / 59_469)
    size = await _indicator(engine, "edukacja.sredni_rozmiar_sp", "1261011")
    assert size.value == pytest.approx(48_924 / 127)


async def test_every_service_indicator_covers_the_country_with_plausible_values(engine):
    query = text(
        "SELECT indicator_code, level, count(value) AS n, min(value) AS lo, max(value) AS hi "
        "FROM indicator_value WHERE indicator_code = ANY(:codes) AND year = :year "
        "GROUP BY 1, 2"
    )
    async with engine.connect() as conn:
        rows = {
            (r.indicator_code, r.level): r
            for r in await conn.execute(query, {"codes": list(SERVICE_INDICATORS), "year": YEAR})
        }
    for code in SERVICE_INDICATORS:
        assert rows[code, "gmina"].n >= 2_400, code
    # Powiat łomżyński runs only a counselling centre (no pupils): no value, not 0.
    assert rows["edukacja.uczniowie_na_etat_nauczyciela", "powiat"].n == 379
    assert rows["edukacja.wychowanie_przedszkolne_3_6", "voivodeship"].n == 16
    lo_hi = {
        "edukacja.wychowanie_przedszkolne_3_6": (10, 160),
        "edukacja.uczniowie_na_oddzial_sp": (5, 30),
        "edukacja.uczniowie_na_etat_nauczyciela": (1, 20),
        "edukacja.udzial_uczniow_sp_niepublicznych": (0, 100),
        "edukacja.sredni_rozmiar_sp": (20, 2_000),
        "edukacja.udzial_dzieci_w_niepublicznym_wychowaniu_przedszkolnym": (0, 100),
        "edukacja.szkoly_podstawowe_na_1000_dzieci_7_14": (0.5, 25),
    }
    for (code, _level), row in rows.items():
        low, high = lo_hi[code]
        assert low <= row.lo <= row.hi <= high, (code, row.lo, row.hi)


async def test_every_run_reports_placement_and_the_registers_quirks(engine):
    async with engine.connect() as conn:
        warnings = await conn.scalar(
            text(
                "SELECT warnings FROM load_run WHERE source = 'sio_register' "
                "AND status = 'published' ORDER BY id DESC LIMIT 1"
            )
        )
    messages = {w["field"]: w["message"] for w in warnings if w["code"] == "placement_report"}
    # 112 of the code_changed schools are in the 14 gminas wiejskie granted town rights on
    # 2019-01-01 or 2020-01-01, whose 2018 code is in no shipped register: the 2020 register
    # holds each already as the urban-rural gmina of the same name and powiat. The 4 unplaced
    # are the schools of 3203042 Ostrowice, a gmina dissolved on 2019-01-01.
    assert "direct 54,423" in messages["gm"]
    assert "code_changed 753, unplaced 4" in messages["gm"]
    assert "direct 26,474" in messages["gmina org. prow."]
    assert "code_changed 494, unplaced 4" in messages["gmina org. prow."]
    messages = {w["code"]: w["message"] for w in warnings}
    assert "149 RSPO numbers" in messages["duplicate_key"]
    assert "36 reporting units" in messages["inconsistent"]
    unplaced = [w for w in warnings if w["code"] == "unknown_unit"]
    assert {(w["row"], w["field"]) for w in unplaced} >= {(26832, "gm"), (48015, "gm")}


async def test_no_personal_data_is_stored(engine):
    async with engine.connect() as conn:
        leaks = await conn.scalar(
            text(
                "SELECT count(*) FROM school WHERE name || ' ' || coalesce(address, '') "
                "~ '[[:alnum:]._-]+@[[:alnum:]-]+\\.[[:alpha:]]' OR address ~ '\\d{9}'"
            )
        )
        person_addresses = await conn.scalar(
            text(
                "SELECT count(*) FROM school WHERE governing_kind IN ('natural_person', 'other') "
                "AND address IS NOT NULL"
            )
        )
    assert (leaks, person_addresses) == (0, 0)


async def test_loading_the_same_file_again_changes_nothing(pg_server_url, loaded_template):
    name = f"{loaded_template}_schools_again"
    url = with_database(pg_server_url, name)
    await copy_database(pg_server_url, loaded_template, name)
    engine = engine_for(url)
    try:
        summary = await load_schools(engine, Path(SHIPPED))
        assert summary.status == "unchanged"
        assert summary.counts.rows_inserted == summary.counts.rows_updated == 0
    finally:
        await engine.dispose()
        await drop_databases(pg_server_url, name)


async def test_the_school_api_lists_a_gminas_schools_and_compares_one(client):
    listed = await client.get("/api/v1/schools", params={"teryt": "0201022", "type": 3})
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 8
    assert all(item["location_teryt"] == "0201022" for item in body["items"])
    school = await client.get("/api/v1/schools/34719")
    assert school.status_code == 200
    detail = school.json()
    assert detail["governing_kind"] == "gmina"
    assert detail["governing_teryt"] == "0201011"
    pupils = next(f for f in detail["figures"] if f["measure"] == "register.pupils")
    assert (pupils["value"], pupils["year"], pupils["source_row"]) == (125, 2018, 3)
    assert pupils["national_count"] > 10_000  # every pre-school in Poland
    missing = await client.get("/api/v1/schools/9999999")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
