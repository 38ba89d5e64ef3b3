"""`miarka load mf-pit`: MF statements of each JST's share in PIT, 2019 and 2020.

Figures below were read by hand from the published workbooks (data/mf/udzialy_pit_2019_2020/,
the sheet's Excel row named), column "Dochody wykonane (wpłaty minus zwroty)"; populations
from data/bdl/LUDN_2137_CTAB_20210625164329.csv, column "ogółem" (a powiat or voivodeship: the
sum of its gminas' rows, RODZ 1-3, added up with the csv module). The broken files are derived
(tests/data/bad/mf_pit/derive.py from tests/data/mf_pit/derive.py) and checked in
tests/loaders/test_broken_workbooks.py.
"""

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.costs.sources import reports_of
from loaders.bdl.export_load import load_bdl_export
from loaders.manifest import shipped_files, verified_path
from loaders.mf_pit import load_mf_pit
from loaders.mf_pit.parse import parse_mf_pit
from loaders.run import RunSummary
from service.settings import REPO_ROOT
from tests.conftest import TEST_DATA
from tests.loader_checks import refused_and_unchanged
from tests.loaders.teryt_db import checksum, database_copy, teryt_engine, teryt_template

__all__ = ["teryt_engine", "teryt_template"]

# Its module fixtures load real files into a database of their own: one worker builds them once.
pytestmark = pytest.mark.xdist_group("mf_pit")
DATA = REPO_ROOT / "data"
FILES = DATA / "mf" / "udzialy_pit_2019_2020"
LUDN_2137 = DATA / "bdl" / "LUDN_2137_CTAB_20210625164329.csv"
SLICE = TEST_DATA / "mf_pit" / "Miasta_NPP_2020_slice_derived.xlsx"
GMINY_2019, GMINY_2020 = "20200214_Gminy_za_2019.xlsx", "20210215_Gminy_2_za_2020.xlsx"
NPP_2019, NPP_2020 = "20200214_Miasta_NPP_za_2019.xlsx", "20210215_Miasta_NPP_2_za_2020.xlsx"
POWIATY_2020, WOJ_2020 = "20210211_Powiaty_za_2020.xlsx", "20210211_Wojewodztwa_za_2020.xlsx"
METROPOLIS = ("20200214_Gornoslasko_Zaglebiowska_Metropolia.xlsx", "20210211_Metropolia_2020.xlsx")
ROWS = {"Gminy": 2_411, "Miasta_NPP": 132, "Powiaty": 314, "Wojewodztwa": 16, "Metropolia": 1}
YEAR_OF = {"20200214": 2019, "20210211": 2020, "20210215": 2020}
"""The files' date prefix -> the budget year in their titles (MF publishes in February)."""

# (teryt, year) -> dochody wykonane, zł
FIGURES = {
    ("1261011", 2020): 1_396_932_042,  # Kraków, 75621 (Miasta_NPP 2020, MNPP row 42)
    ("1261", 2020): 375_224_378,  # Kraków, 75622 (row 43)
    ("1261011", 2019): 1_407_406_960,  # Miasta_NPP 2019, row 42
    ("1465011", 2020): 4_844_534_459,  # m. st. Warszawa, 75621 (row 56)
    ("1465", 2020): 1_301_271_209,  # 75622 (row 57)
    ("0201032", 2020): 3_573_540,  # Gromadka, gmina wiejska (Gminy 2020, row 10)
    ("0201032", 2019): 3_549_854,  # Gminy 2019, row 10
    ("1002011", 2019): 48_386_893,  # Kutno (Gminy 2019, row 610; PROVENANCE's fact)
    ("1002011", 2020): 47_489_610,  # Gminy 2020, row 610
    ("0201", 2020): 21_276_533,  # powiat bolesławiecki, 75622 (Powiaty 2020, row 8)
    ("02", 2020): 143_787_146,  # dolnośląskie, 75623 (Województwa 2020, row 8)
    ("0224033", 2020): 7_491_692,  # Kamieniec Ząbkowicki, 0224033 in 2020 (row 155)
}
GMINY_2019_SUM = 23_237_486_650  # PROVENANCE: the 2,411 rows of 75621, 2019
NPP_2019_SUM = 24_861_285_164  # both shares of the 66 cities, 2019
KAMIENIEC_2019 = 7_242_567  # Gminy 2019 row 155, coded 0224032 (gmina wiejska until 2019)
# LUDN 2137, 31 XII 2020: rows 1424 (Kraków), 4 (Gromadka), 926 (Kutno); 0201 and 02 summed
POPULATION = {
    "1261011": 779_966,
    "0201032": 5_317,
    "1002011": 43_332,
    "0201": 89_762,
    "02": 2_891_321,
}
# Every gmina of 2020 (the 2 created in 2025 have none), but in 2019 the one row no register
# explains (Gminy 2019 row 860): Chełmiec under 1210023, a code of no register (wiejska
# 1210022 in 2020 and today). Its powiat's 2019 sum is flagged partial_sum_of_gmina.
UNPLACED_2019 = {860: 28_244_094}
GMINAS_WITH_VALUE = {2019: 2_411 + 66 - len(UNPLACED_2019), 2020: 2_411 + 66}


@pytest.fixture(scope="module")
async def loaded(
    pg_server_url: str, teryt_template: str
) -> AsyncIterator[tuple[AsyncEngine, dict[str, RunSummary], dict[str, float]]]:
    """The register, the population export and the ten shipped statements, loaded once."""
    async with database_copy(pg_server_url, teryt_template, f"{teryt_template}_mf_pit") as engine:
        await load_bdl_export(
            engine, LUDN_2137, table="LUDN 2137", columns={"ogółem": "population.total"},
            measure_unit="osoba", year=2020,
        )  # fmt: skip
        summaries, seconds = {}, {}
        for entry in shipped_files(DATA, "mf_pit"):
            started = time.perf_counter()
            summary = await load_mf_pit(engine, verified_path(DATA, entry), year=entry.year)
            seconds[Path(entry.path).name] = time.perf_counter() - started
            summaries[Path(entry.path).name] = summary
        yield engine, summaries, seconds


async def _rows(engine: AsyncEngine, sql: str, **params: object) -> list:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def _pit(engine: AsyncEngine) -> dict[tuple[str, int], tuple[float, str | None]]:
    rows = await _rows(
        engine,
        "SELECT o.teryt, o.year, o.value, o.flag FROM observation o "
        "JOIN variable v ON v.id = o.variable_id "
        "WHERE v.source = 'mf_rb27s' AND v.code = 'paragraf:001'",
    )
    return {(r.teryt, r.year): (r.value, r.flag) for r in rows}


def test_every_shipped_workbook_reads_with_its_rows_and_year():
    paths = sorted(FILES.glob("*.xlsx"))
    assert len(paths) == 10
    for path in paths:
        statement = parse_mf_pit(path)
        series = "Metropolia" if "Metropol" in path.name else path.name.split("_")[1]
        series = "Miasta_NPP" if series == "Miasta" else series
        assert len(statement.rows) == ROWS[series], path.name
        assert statement.year == YEAR_OF[path.name[:8]], path.name
    gminy = parse_mf_pit(FILES / GMINY_2019)
    assert sum(row.amounts["dw"] for row in gminy.rows) == GMINY_2019_SUM
    assert {row.rozdzial for row in gminy.rows} == {"75621"}
    npp = parse_mf_pit(FILES / NPP_2019)
    assert sum(row.amounts["dw"] for row in npp.rows) == NPP_2019_SUM
    krakow = [row for row in npp.rows if row.code == "1261"]
    assert [(r.kind, r.rozdzial, r.row, r.amounts) for r in krakow] == [
        ("city_gmina", "75621", 42, {"na": 1_407_627_971, "dw": 1_407_406_960, "no": 221_011,
                                     "nz": 221_011}),
        ("powiat", "75622", 43, {"na": 378_891_429, "dw": 378_831_833, "no": 59_596,
                                 "nz": 59_596}),
    ]  # fmt: skip


async def test_named_units_get_the_figures_of_their_rows(loaded):
    engine, summaries, _ = loaded
    values = await _pit(engine)
    assert {key: values[key][0] for key in FIGURES} == FIGURES
    assert values["0224033", 2019] == (KAMIENIEC_2019, "code_changed")  # 0224032 in the file
    assert values["0224033", 2020] == (7_491_692, None)
    assert ("0224032", 2019) not in values
    stored = await _rows(
        engine,
        "SELECT r.teryt, r.unit_key, r.wk, r.pk, r.gk, r.gt, r.source_report_id, r.source_file, "
        "l.dzial, l.rozdzial, l.paragraf, l.p4, l.na, l.dw, l.no, l.nz, l.np FROM budget_report r "
        "JOIN budget_report_line l ON l.report_id = r.id WHERE r.source = 'mf_pit' "
        "AND r.year = 2019 AND r.teryt IN ('1261011', '1261') ORDER BY r.teryt",
    )
    assert [tuple(row) for row in stored] == [
        ("1261", "mf_pit|miasta_npp|75622", "12", "61", "-", "-", "Arkusz1!A43", NPP_2019,
         "756", "75622", "001", "0", 378_891_429, 378_831_833, 59_596, 59_596, None),
        ("1261011", "mf_pit|miasta_npp|75621", "12", "61", "-", "-", "Arkusz1!A42", NPP_2019,
         "756", "75621", "001", "0", 1_407_627_971, 1_407_406_960, 221_011, 221_011, None),
    ]  # fmt: skip
    assert summaries[GMINY_2019].status == "published"


async def test_per_resident_values_divide_by_the_population_and_say_its_year(loaded):
    engine, _, _ = loaded
    rows = await _rows(
        engine,
        "SELECT teryt, year, value, flags FROM indicator_value "
        "WHERE indicator_code = 'podatki_oplaty.pit_na_mieszkanca' AND teryt = ANY(:units)",
        units=[*POPULATION, "1261"],
    )
    values = {(r.teryt, r.year): (r.value, r.flags) for r in rows}
    for teryt, people in POPULATION.items():
        assert values[teryt, 2020][0] == pytest.approx(FIGURES[teryt, 2020] / people)
        # A value carries its denominator's flags: a powiat's population is the sum of its
        # gminas', a voivodeship's the sum of its powiats'.
        summed = {7: [], 4: ["sum_of_gmina"], 2: ["sum_of_powiat"]}[len(teryt)]
        assert values[teryt, 2020][1] == summed
    assert values["1261011", 2020][0] == pytest.approx(1_791.02, abs=0.01)  # gmina share only
    assert values["1261", 2020][0] == pytest.approx(375_224_378 / 779_966)  # powiat share
    assert values["1002011", 2019] == (
        pytest.approx(48_386_893 / 43_332),
        ["denominator_year_2020"],
    )


async def test_at_least_2400_gminas_have_a_plausible_value_and_nothing_is_negative(loaded):
    engine, _, _ = loaded
    rows = await _rows(
        engine,
        "SELECT indicator_code, year, level, count(value) AS n, min(value) AS low, "
        "max(value) AS high FROM indicator_value WHERE indicator_code LIKE 'podatki_oplaty.pit%' "
        "GROUP BY 1, 2, 3",
    )
    found = {(r.indicator_code.rsplit(".", 1)[1], r.year, r.level): r for r in rows}
    bounds = {"gmina": (100, 10_000), "powiat": (50, 2_000), "voivodeship": (10, 500)}
    for year in (2019, 2020):
        assert found["pit_na_mieszkanca", year, "gmina"].n == GMINAS_WITH_VALUE[year]
        assert found["pit_na_mieszkanca", year, "powiat"].n == 380  # 314 + 66 cities
        assert found["pit_na_mieszkanca", year, "voivodeship"].n == 16
        for level, (low, high) in bounds.items():
            row = found["pit_na_mieszkanca", year, level]
            assert low < row.low <= row.high < high, (year, level)
            assert found["pit_dochody", year, level].low > 0
    gmina_2019 = await _rows(
        engine,
        "SELECT sum(o.value) FROM observation o JOIN variable v ON v.id = o.variable_id "
        "JOIN territorial_unit u ON u.teryt = o.teryt AND u.level = 'gmina' "
        "WHERE v.code = 'paragraf:001' AND o.year = 2019",
    )
    powiat_2019 = sum(row.amounts["dw"] for row in parse_mf_pit(FILES / NPP_2019).rows
                      if row.rozdzial == "75622")  # fmt: skip
    unplaced = sum(UNPLACED_2019.values())
    assert gmina_2019[0][0] == GMINY_2019_SUM - unplaced + NPP_2019_SUM - powiat_2019


async def test_every_run_reports_how_units_were_placed_and_what_it_left_out(loaded):
    _, summaries, _ = loaded
    report = {name: next(p for p in s.problems if p.code == "placement_report").message
              for name, s in summaries.items()}  # fmt: skip
    assert "direct 2,330" in report[GMINY_2019]
    # 81 carried before the TERYT history was used: 80 now, Chełmiec unplaced (UNPLACED_2019);
    # 4 of the 80 are gminas granted town rights on 2020-01-01, in no register under RODZ 2
    assert "code_changed 80, unplaced 1;" in report[GMINY_2019]
    unplaced = [p for p in summaries[GMINY_2019].problems if p.code == "unknown_unit" and p.row]
    assert {p.row for p in unplaced} == set(UNPLACED_2019)
    assert "direct 2,345" in report[GMINY_2020]
    assert "code_changed 66" in report[GMINY_2020]
    assert "gmina share on the city's gmina 66; powiats 66" in report[NPP_2020]
    assert "voivodeships 16" in report[WOJ_2020]
    others = [message for name, message in report.items() if name != GMINY_2019]
    assert all("unplaced 0" in message for message in others)
    absent = next(p for p in summaries[GMINY_2020].problems if p.code == "unknown_unit")
    assert "2 unit(s)" in absent.message
    assert "1207132, 2002162" in absent.message  # Szczawa and Grabówka, created in 2025
    assert not [p for p in summaries[POWIATY_2020].problems if p.code == "unknown_unit"]


async def test_the_metropolis_is_reported_and_never_given_a_unit(loaded):
    engine, summaries, _ = loaded
    for name in METROPOLIS:
        summary = summaries[name]
        assert (summary.status, summary.data_release_id) == ("unchanged", None)
        union = next(p for p in summary.problems if p.code == "unknown_unit")
        assert "Górnośląsko-Zagłębiowska" in union.message
        assert "metropolitan union" in union.message
    assert "375789983 zł" in next(
        p.message for p in summaries[METROPOLIS[0]].problems if p.code == "unknown_unit"
    )
    stored = await _rows(
        engine,
        "SELECT count(*) FROM budget_report_line l JOIN budget_report r ON r.id = l.report_id "
        "WHERE l.rozdzial = '75634'",
    )
    assert stored[0][0] == 0


async def test_every_file_loads_in_a_few_seconds(loaded):
    _, summaries, seconds = loaded
    assert len(summaries) == 10
    assert max(seconds.values()) < 30


async def test_loading_the_same_files_again_changes_nothing(loaded):
    engine, first, _ = loaded
    before = await checksum(engine)
    for entry in shipped_files(DATA, "mf_pit"):
        again = await load_mf_pit(engine, verified_path(DATA, entry), year=entry.year)
        assert (again.status, again.data_release_id) == ("unchanged", None)
        name = Path(entry.path).name
        not_stored = {GMINY_2019: len(UNPLACED_2019)}.get(name, 1 if "Metropolia" in name else 0)
        assert again.counts.rows_unchanged == first[name].counts.rows_read - not_stored
    assert await checksum(engine) == before


async def test_a_unit_s_own_rb27s_wins_and_is_never_doubled(teryt_engine):
    """SYNTHETIC: an own Rb-27S report of Legnica for 2020 (not published data; figures made
    up for the test) with a PIT line that differs from MF's, and one property-tax line."""
    async with teryt_engine.begin() as conn:
        run = await conn.scalar(
            text("INSERT INTO load_run (source, file_name) VALUES ('mf_rb', 'synthetic') "
                 "RETURNING id")
        )  # fmt: skip
        report = await conn.scalar(
            text(
                "INSERT INTO budget_report (kind, teryt, unit_type, unit_key, regon, unit_name, "
                "wk, pk, gk, gt, year, period_type, period, content_sha256, source, source_file, "
                "load_run_id) VALUES ('rb27s', '0262011', 'JST', '1|legnica', '1', 'Legnica', "
                "'02', '62', '01', '1', 2020, 'Kwartal', 4, 'x', 'xml', 'synthetic', :run) "
                "RETURNING id"
            ),
            {"run": run},
        )
        await conn.execute(
            text(
                "INSERT INTO budget_report_line (report_id, position, dzial, rozdzial, paragraf, "
                "p4, dw) VALUES (:id, 1, '756', '75621', '001', '0', 110000000), "
                "(:id, 2, '756', '75615', '031', '0', 50000000)"
            ),
            {"id": report},
        )
    summary = await load_mf_pit(teryt_engine, SLICE)
    assert summary.status == "published"
    differ = [p.message for p in summary.problems if p.code == "inconsistent"]
    assert any("0262011, rozdział 75621: the statement gives 110774212" in m for m in differ)
    values = await _pit(teryt_engine)
    assert values["0262011", 2020] == (110_000_000, None)  # the report's, once
    assert values["0262", 2020] == (29_754_622, None)  # the statement's (no own report)
    totals = await _rows(
        teryt_engine,
        "SELECT o.teryt, v.code, o.value FROM observation o JOIN variable v ON v.id = "
        "o.variable_id WHERE v.code IN ('suma:wszystkie', 'dzial:756') ORDER BY 1, 2",
    )
    # a statement never makes a dział or the whole budget: only Legnica's report does
    assert [tuple(row) for row in totals] == [
        ("0262011", "dzial:756", 160_000_000),
        ("0262011", "suma:wszystkie", 160_000_000),
    ]
    async with teryt_engine.connect() as conn:
        seen = await reports_of(conn, "0262011", [2020])
        powiat = await reports_of(conn, "0262", [2020])
    assert [r.unit_key for r in seen] == ["1|legnica"]  # the cost calculator's choice
    assert powiat == []


async def test_a_derived_slice_of_the_same_layout_loads(teryt_engine):
    summary = await load_mf_pit(teryt_engine, SLICE, year=2020)
    assert summary.status == "published"
    values = await _pit(teryt_engine)
    assert values["0264011", 2020] == (1_150_684_015, None)  # Wrocław, row 12
    assert values["0264", 2020] == (309_080_671, None)  # row 13
    assert len(values) == 12


async def test_a_year_other_than_the_title_s_is_refused(teryt_engine):
    refusal = await refused_and_unchanged(
        teryt_engine, checksum, lambda: load_mf_pit(teryt_engine, SLICE, year=2019)
    )
    assert refusal.codes == {"inconsistent"}


def test_the_manifest_lists_the_ten_files_as_published():
    entries = shipped_files(DATA, "mf_pit")
    assert sorted(Path(e.path).name for e in entries) == sorted(p.name for p in FILES.glob("*"))
    assert all(verified_path(DATA, entry).is_file() for entry in entries)
    assert {entry.year for entry in entries} == {2019, 2020}
