"""Revisions you can see (issue 17): history of every value, as-of answers, the change feed.

SYNTHETIC revisions of a real indicator (dwellings completed, BDL 747060) for real gminas of
the shipped TERC register: four loads publish, reload unchanged, revise, blank and delete
values, then put some back. Every as-of answer and every change-feed page is checked against
the history written out by hand below.
"""

import csv
import io
import itertools
import re
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any

import msgspec
import pyarrow.parquet as pq
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.errors import InvalidParameter
from domains.indicators.as_of import POLAND, frozen_as_of, parse_as_of
from domains.indicators.catalogue import default_catalogue
from domains.indicators.engine import compute_changed
from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import publish_observations
from loaders.run import RunSummary, recorded_run
from service.app import create_app
from service.db import with_database
from service.settings import Settings
from service.web.charts import class_breaks, class_of
from service.web.charts import palette_for as map_palette
from tests.loaders.teryt_db import database_copy, teryt_template
from tests.plugin import engine_for

__all__ = ["teryt_template"]

CODE = "inwestycje_budownictwo.mieszkania_oddane"
DWELLINGS = VariableDef(
    source="gus_bdl",
    code="747060",
    name="SYNTHETIC dwellings completed",
    measure_unit="mieszkania",
)
_names = itertools.count()

RELEASE_DAYS_AGO = {1: 20, 2: 10, 3: 5}
"""Release 4 is published today."""
Loads = dict[str, dict[int, float | None]]
"""teryt -> year -> value of one SYNTHETIC load (a year it names is replaced whole)."""


async def _load(engine: AsyncEngine, values: Loads) -> RunSummary:
    records = [
        ObservationRecord(row=n, teryt=teryt, variable=DWELLINGS.code, year=year, value=value)
        for n, (teryt, year, value) in enumerate(
            (t, y, v) for t, years in values.items() for y, v in years.items()
        )
    ]

    async def publish(conn: AsyncConnection, run_id: int) -> Any:
        return await publish_observations(
            conn, run_id=run_id, variables=[DWELLINGS], records=records
        )

    async def recompute(conn: AsyncConnection, run_id: int) -> None:
        await compute_changed(conn, default_catalogue(), run_id)

    async with recorded_run(engine, "gus_bdl", file_name="SYNTHETIC revision") as run:
        return await run.publish(publish, rows_read=len(records), after_publish=recompute)


STATISTICS = (
    "rank", "rank_of", "peer_group", "peer_median", "peer_q1", "peer_q3", "national_median",
    "yoy_change",
)  # fmt: skip
Published = dict[tuple[int, str], dict[str, Any]]
"""(year, teryt) -> the value and statistics the engine published, at every level."""


async def _published(engine: AsyncEngine) -> Published:
    async with engine.connect() as conn:
        rows = (await conn.execute(
            text(f"SELECT year, teryt, value, {', '.join(STATISTICS)} FROM indicator_value "  # noqa: S608
                 "WHERE indicator_code = :c"),
            {"c": CODE},
        )).mappings().all()  # fmt: skip
    return {(row["year"], row["teryt"]): dict(row) for row in rows}


class Scenario(msgspec.Struct, frozen=True):
    url: str
    g: list[str]
    """g1, g2, g3 of one powiat, g4 of another."""
    runs: dict[int, int]
    """release -> the load run that published it."""
    history_after_unchanged: tuple[int, int]
    published: dict[int, Published]
    """release -> every value of the indicator with its statistics, read right after that
    release was published: what an answer as of it must give."""


@pytest.fixture(scope="module")
async def scenario(pg_server_url: str, teryt_template: str) -> AsyncIterator[Scenario]:
    name = f"miarka_test_{uuid.uuid4().hex[:8]}_revisions_{next(_names)}"
    async with database_copy(pg_server_url, teryt_template, name) as engine:
        async with engine.connect() as conn:
            powiat = await conn.scalar(text(
                "SELECT parent_teryt FROM territorial_unit WHERE valid_to IS NULL "
                "AND level = 'gmina' GROUP BY parent_teryt HAVING count(*) >= 3 "
                "ORDER BY parent_teryt LIMIT 1"
            ))  # fmt: skip
            own = list((await conn.execute(text(
                "SELECT teryt FROM territorial_unit WHERE valid_to IS NULL AND level = 'gmina' "
                "AND parent_teryt = :p ORDER BY teryt LIMIT 3"
            ), {"p": powiat})).scalars())  # fmt: skip
            other = await conn.scalar(text(
                "SELECT min(teryt) FROM territorial_unit WHERE valid_to IS NULL "
                "AND level = 'gmina' AND parent_teryt <> :p"
            ), {"p": powiat})  # fmt: skip
        g1, g2, g3, g4 = [*own, other]
        first = {g1: {2023: 10.0, 2024: 11.0}, g2: {2023: 20.0, 2024: 21.0}, g3: {2024: 31.0}}
        runs = {}
        summary = await _load(engine, first)
        runs[summary.data_release_id] = summary.run_id
        published = {1: {}, summary.data_release_id: await _published(engine)}
        again = await _load(engine, first)
        assert (again.status, again.data_release_id) == ("unchanged", None)
        async with engine.connect() as conn:
            sizes = (await conn.execute(text(
                "SELECT (SELECT count(*) FROM observation_history), "
                "(SELECT count(*) FROM indicator_value_history)"
            ))).one()  # fmt: skip
        # revised, blanked at source, gone from the file, new
        for values in (
            {g1: {2024: 12.0}, g2: {2024: None}, g4: {2024: 41.0}},
            {g1: {2024: 13.0}, g2: {2024: 22.0}, g3: {2024: 33.0}, g4: {2024: 41.0}},
        ):
            summary = await _load(engine, values)
            runs[summary.data_release_id] = summary.run_id
            published[summary.data_release_id] = await _published(engine)
        assert sorted(runs) == [2, 3, 4]
        async with engine.begin() as conn:
            # Earlier releases on earlier days, so a date between two of them picks the first.
            for release, days in RELEASE_DAYS_AGO.items():
                await conn.execute(
                    text(
                        "UPDATE data_release SET published_at = now() - make_interval(days => :d)"
                        " WHERE id = :r"
                    ),
                    {"d": days, "r": release},
                )
        yield Scenario(
            url=with_database(pg_server_url, name),
            g=[g1, g2, g3, g4],
            runs=runs,
            history_after_unchanged=tuple(sizes),
            published=published,
        )


def _poland_today() -> date:
    """Today in Poland, where an as-of date is read (after 23:00 UTC it is tomorrow there)."""
    return datetime.now(POLAND).date()


def expected_gminas(s: Scenario) -> dict[int, dict[tuple[int, str], float | None]]:
    """The gmina values of the indicator at each release, written out by hand."""
    g1, g2, g3, g4 = s.g
    y23 = {(2023, g1): 10.0, (2023, g2): 20.0}
    return {
        1: {},
        2: {**y23, (2024, g1): 11.0, (2024, g2): 21.0, (2024, g3): 31.0},
        3: {**y23, (2024, g1): 12.0, (2024, g2): None, (2024, g4): 41.0},
        4: {**y23, (2024, g1): 13.0, (2024, g2): 22.0, (2024, g3): 33.0, (2024, g4): 41.0},
    }


@pytest.fixture(scope="module")
async def api(scenario: Scenario, redis_url: str) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    settings = Settings(database_url=scenario.url, redis_url=redis_url)
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


async def _db(scenario: Scenario) -> AsyncEngine:
    return engine_for(scenario.url)


# --- storage ---------------------------------------------------------------------------------


async def test_an_unchanged_reload_adds_no_history_and_no_release(scenario):
    assert scenario.history_after_unchanged == (0, 0)


async def test_history_holds_each_superseded_source_value_with_its_runs(scenario):
    g1, g2, g3, _ = scenario.g
    r2, r3, r4 = (scenario.runs[r] for r in (2, 3, 4))
    engine = await _db(scenario)
    async with engine.connect() as conn:
        rows = (await conn.execute(text(
            "SELECT teryt, year, value, published_run_id, superseded_run_id FROM "
            "observation_history WHERE NOT derived ORDER BY superseded_run_id, teryt, year"
        ))).all()  # fmt: skip
    await engine.dispose()
    assert [tuple(r) for r in rows] == [
        (g1, 2024, 11.0, r2, r3),
        (g2, 2024, 21.0, r2, r3),
        (g3, 2024, 31.0, r2, r3),
        (g1, 2024, 12.0, r3, r4),
        (g2, 2024, None, r3, r4),
    ]


async def test_a_sum_that_comes_out_the_same_keeps_the_run_that_published_it(scenario):
    g4 = scenario.g[3]
    engine = await _db(scenario)
    async with engine.connect() as conn:
        observation_run = await conn.scalar(text(
            "SELECT o.load_run_id FROM observation o JOIN territorial_unit u "
            "ON u.teryt = :g AND o.teryt = u.parent_teryt WHERE o.year = 2024 AND o.derived"
        ), {"g": g4})  # fmt: skip
        value_run = await conn.scalar(text(
            "SELECT v.load_run_id FROM indicator_value v JOIN territorial_unit u "
            "ON u.teryt = :g AND v.teryt = u.parent_teryt WHERE v.year = 2024 "
            "AND v.indicator_code = :c"
        ), {"g": g4, "c": CODE})  # fmt: skip
    await engine.dispose()
    # g4's powiat summed 41 in release 3 and again in release 4: still release 3's value.
    assert observation_run == value_run == scenario.runs[3]


async def test_every_run_lists_its_change_counts(scenario, api):
    engine = await _db(scenario)
    async with engine.connect() as conn:
        counts = {
            run: (added, changed, deleted)
            for run, added, changed, deleted in await conn.execute(text(
                "SELECT id, values_added, values_changed, values_deleted FROM load_run"
            ))
        }  # fmt: skip
    await engine.dispose()
    for release, run in scenario.runs.items():
        page = (await api.get(f"/api/v1/changes?run={run}&limit=5000")).json()
        kinds = [item["kind"] for item in page["items"]]
        assert all(item["release"] == release for item in page["items"])
        assert counts[run] == (
            kinds.count("added"),
            kinds.count("changed"),
            kinds.count("deleted"),
        )
    assert counts[scenario.runs[2]][1:] == (0, 0)


# --- as of -----------------------------------------------------------------------------------


def _gmina_values(body: dict[str, Any], year: int) -> dict[tuple[int, str], float | None]:
    return {(year, item["teryt"]): item["value"] for item in body["items"]}


async def test_the_cross_section_as_of_each_release_is_the_history(scenario, api):
    for release, values in expected_gminas(scenario).items():
        for year in (2023, 2024):
            response = await api.get(
                f"/api/v1/indicators/{CODE}/values?year={year}&as_of={release}"
            )
            assert response.status_code == 200, response.text
            assert _gmina_values(response.json(), year) == {
                k: v for k, v in values.items() if k[0] == year
            }, (release, year)


async def test_as_of_the_latest_release_is_the_current_answer_with_its_statistics(api):
    current = await api.get(f"/api/v1/indicators/{CODE}/values?year=2024")
    as_of = await api.get(f"/api/v1/indicators/{CODE}/values?year=2024&as_of=4")
    assert as_of.json() == current.json()
    powiats = f"/api/v1/indicators/{CODE}/values?year=2024&level=powiat"
    assert (await api.get(powiats + "&as_of=4")).json() == (await api.get(powiats)).json()


async def test_as_of_release_3_ranks_and_medians_are_those_of_release_3(scenario, api):
    g1, g2, _, g4 = scenario.g
    body = (await api.get(f"/api/v1/indicators/{CODE}/values?year=2024&as_of=3")).json()
    by_unit = {item["teryt"]: item for item in body["items"]}
    assert [item["teryt"] for item in body["items"]] == [g4, g1, g2]  # higher is better
    assert [by_unit[t]["rank"] for t in (g4, g1, g2)] == [1, 2, None]
    assert by_unit[g1]["national_median"] == pytest.approx((12.0 + 41.0) / 2)
    assert by_unit[g1]["yoy_change"] == pytest.approx((12.0 - 10.0) / 10.0 * 100)
    assert "missing_at_source" in by_unit[g2]["flags"]


async def test_the_dashboard_and_series_as_of_each_release_are_the_history(scenario, api):
    g1, g2, g3, _ = scenario.g
    for release, values in expected_gminas(scenario).items():
        for teryt in (g1, g2, g3):
            mine = {k[0]: v for k, v in values.items() if k[1] == teryt}
            series = await api.get(
                f"/api/v1/units/{teryt}/indicators/{CODE}/series?as_of={release}"
            )
            assert series.status_code == 200, series.text
            assert {p["year"]: p["value"] for p in series.json()["points"]} == mine
            board = (await api.get(f"/api/v1/units/{teryt}/indicators?as_of={release}")).json()
            item = next(
                i for d in board["domains"] for i in d["items"] if i["indicator"]["code"] == CODE
            )
            valued = [y for y, v in mine.items() if v is not None]
            shown = item["value"]
            if not mine:
                assert shown is None
            else:
                year = max(valued) if valued else max(mine)
                assert (shown["year"], shown["value"]) == (year, mine[year]), (release, teryt)


@pytest.fixture(scope="module")
async def group_url(scenario: Scenario, api: AsyncTestClient) -> str:  # type: ignore[type-arg]
    g1, g2, g3, _ = scenario.g
    created = await api.post(
        "/api/v1/groups", json={"name": "SYNTHETIC g1-g3", "members": [g1, g2, g3]}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["url"])


async def test_the_group_aggregate_as_of_each_release_sums_the_members_then(
    scenario, api, group_url
):
    members = set(scenario.g[:3])
    for release, values in expected_gminas(scenario).items():
        for year in (2023, 2024):
            response = await api.get(
                f"{group_url}/indicators/{CODE}?year={year}&as_of={release}&level=gmina"
            )
            assert response.status_code == 200, response.text
            body = response.json()
            then = {k: v for k, v in values.items() if k[0] == year and k[1] in members}
            assert _gmina_values(body, year) == then, (release, year)
            valued = [v for v in then.values() if v is not None]
            aggregate = body["aggregate"]
            assert aggregate["members_with_values"] == len(valued)
            assert aggregate["value"] == (sum(valued) if valued else None), (release, year)
    current = await api.get(f"{group_url}/indicators/{CODE}?year=2024")
    assert (await api.get(f"{group_url}/indicators/{CODE}?year=2024&as_of=4")).json() == (
        current.json()
    )


def _query_values(items: list[dict[str, Any]]) -> dict[tuple[int, str], float | None]:
    return {(int(i["year"]), i["teryt"]): i["value"] for i in items}


async def test_the_query_as_of_each_release_is_the_history(scenario, api):
    body = {"indicators": [CODE], "levels": ["gmina"], "years": [2023, 2024]}
    for release, values in expected_gminas(scenario).items():
        response = await api.post(f"/api/v1/query?as_of={release}", json=body)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert _query_values(items) == values, release
    now = (await api.post("/api/v1/query", json=body)).json()["items"]
    assert _query_values(now) == expected_gminas(scenario)[4]


# --- as of: the ranks and statistics of that release ----------------------------------------


def _number(cell: object) -> object:
    """A CSV cell as the JSON would give it: empty is null, digits are numbers."""
    if not isinstance(cell, str):
        return cell
    if cell == "":
        return None
    try:
        return int(cell)
    except ValueError:
        try:
            return float(cell)
        except ValueError:
            return cell


def _same_statistics(scenario: Scenario, release: int, rows: list[dict[str, Any]], where: str):
    """Every row's value and statistics are those the engine published at `release`."""
    then = scenario.published[release]
    for row in rows:
        key = (int(row["year"]), row["teryt"])
        assert key in then, (where, release, key)
        for column in ("value", *STATISTICS):
            if column not in row:
                continue
            got, expected = _number(row[column]), then[key][column]
            if isinstance(expected, float):
                assert got == pytest.approx(expected), (where, release, key, column)
            else:
                assert got == expected, (where, release, key, column)


def test_the_revisions_change_the_ranks_of_units_that_were_not_revised(scenario):
    """The scenario's ranks by hand (higher is better), so the as-of tests test something:
    g3's 2024 value is 31 in release 2 and 33 in release 4, yet its rank goes from 1 to 2."""
    g1, g2, g3, g4 = scenario.g
    ranks = {
        release: {t: then[(2024, t)]["rank"] for t in (g1, g2, g3, g4) if (2024, t) in then}
        for release, then in scenario.published.items()
    }
    assert ranks == {
        1: {},
        2: {g3: 1, g2: 2, g1: 3},
        3: {g4: 1, g1: 2, g2: None},
        4: {g4: 1, g3: 2, g2: 3, g1: 4},
    }
    assert scenario.published[3][(2024, g1)]["national_median"] == pytest.approx(26.5)
    assert scenario.published[4][(2024, g1)]["yoy_change"] == pytest.approx(30.0)


@pytest.mark.parametrize("release", [1, 2, 3, 4])
async def test_the_cross_section_and_query_as_of_a_release_carry_its_statistics(
    scenario, api, release
):
    g1 = scenario.g[0]
    for level in ("gmina", "powiat"):
        for year in (2023, 2024):
            response = await api.get(
                f"/api/v1/indicators/{CODE}/values?year={year}&level={level}&as_of={release}"
            )
            assert response.status_code == 200, response.text
            _same_statistics(scenario, release, response.json()["items"], f"cross {level}")
    selections = [
        {"indicators": [CODE], "years": [2023, 2024]},
        {"indicators": [CODE]},
        {"indicators": [CODE], "units": [g1], "years": [2024]},  # ranked among all, not one
        {"indicators": [CODE], "levels": ["powiat"], "years": [2024]},
    ]
    for body in selections:
        response = await api.post(f"/api/v1/query?as_of={release}", json=body)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        _same_statistics(scenario, release, items, f"query {body}")
        if release > 1:
            assert any(i["rank"] is not None for i in items), body
    wide = await api.post(f"/api/v1/query?as_of={release}&format=csv&locale=en", json=selections[0])
    assert wide.status_code == 200, wide.text
    _same_statistics(scenario, release, list(csv.DictReader(io.StringIO(wide.text))), "query csv")


@pytest.mark.parametrize("release", [2, 3, 4])
async def test_the_series_and_dashboard_as_of_a_release_carry_its_statistics(
    scenario, api, release
):
    then = scenario.published[release]
    for teryt in scenario.g:
        series = await api.get(f"/api/v1/units/{teryt}/indicators/{CODE}/series?as_of={release}")
        assert series.status_code == 200, series.text
        points = [{**p, "teryt": teryt} for p in series.json()["points"]]
        assert len(points) == sum(1 for year, t in then if t == teryt)
        _same_statistics(scenario, release, points, "series")
        board = (await api.get(f"/api/v1/units/{teryt}/indicators?as_of={release}")).json()
        shown = [
            i["value"] for d in board["domains"] for i in d["items"]
            if i["indicator"]["code"] == CODE and i["value"] is not None
        ]  # fmt: skip
        _same_statistics(scenario, release, shown, "dashboard")
        if shown and shown[0]["value"] is not None:
            assert shown[0]["rank"] is not None


@pytest.mark.parametrize("release", [2, 3, 4])
async def test_the_bulk_exports_as_of_a_release_carry_its_statistics(scenario, api, release):
    for path in (
        f"/api/v1/exports/indicators/{CODE}.csv?locale=en",
        "/api/v1/exports/domains/inwestycje_budownictwo.csv?locale=en",
    ):
        response = await api.get(f"{path}&as_of={release}")
        assert response.status_code == 200, response.text
        rows = list(csv.DictReader(io.StringIO(response.text)))
        mine = [r for r in rows if r["indicator"] == CODE]
        assert len(mine) == len(scenario.published[release])
        _same_statistics(scenario, release, mine, path)
    parquet = await api.get(f"/api/v1/exports/indicators/{CODE}.parquet?as_of={release}")
    table = pq.read_table(io.BytesIO(parquet.content)).to_pylist()
    _same_statistics(scenario, release, table, "parquet")
    assert any(r["rank"] is not None for r in table)


async def test_the_query_as_of_a_bad_release_is_a_400_naming_it(api):
    response = await api.post("/api/v1/query?as_of=9", json={"indicators": [CODE]})
    assert response.status_code == 400, response.text
    assert "as_of" in response.text


def _csv_gminas(text_body: str) -> dict[tuple[int, str], float | None]:
    rows = list(csv.DictReader(io.StringIO(text_body)))
    return {
        (int(r["year"]), r["teryt"]): float(r["value"]) if r["value"] else None
        for r in rows
        if r["level"] == "gmina"
    }


async def test_the_bulk_exports_as_of_each_release_are_the_history(scenario, api):
    for release, values in expected_gminas(scenario).items():
        response = await api.get(f"/api/v1/exports/indicators/{CODE}.csv?locale=en&as_of={release}")
        assert response.status_code == 200, response.text
        assert f"-r{release}.csv" in response.headers["content-disposition"]
        assert _csv_gminas(response.text) == values, release
        domain = await api.get(
            f"/api/v1/exports/domains/inwestycje_budownictwo.csv?locale=en&as_of={release}"
        )
        assert _csv_gminas(domain.text) == values, release
    parquet = await api.get(f"/api/v1/exports/indicators/{CODE}.parquet?as_of=3")
    assert parquet.status_code == 200, parquet.text
    table = pq.read_table(io.BytesIO(parquet.content)).to_pylist()
    assert (
        _query_values([r for r in table if r["level"] == "gmina"]) == (expected_gminas(scenario)[3])
    )
    current = await api.get(f"/api/v1/exports/indicators/{CODE}.csv?locale=en")
    assert _csv_gminas(current.text) == expected_gminas(scenario)[4]
    assert "-r" not in current.headers["content-disposition"]


async def test_as_of_a_date_is_the_release_in_force_at_the_end_of_that_day(api):
    today = _poland_today().isoformat()  # release 4 was published today
    latest = await api.get(f"/api/v1/indicators/{CODE}/values?year=2024&as_of=4")
    by_date = await api.get(f"/api/v1/indicators/{CODE}/values?year=2024&as_of={today}")
    assert by_date.json() == latest.json()


@pytest.mark.parametrize(
    ("as_of", "why"),
    [
        ("0", "before the first"),
        ("9", "does not exist"),
        ("2001-01-01", "before the first"),
        ("yesterday", "ISO date"),
        ("2024-13-01", "ISO date"),
    ],
)
async def test_a_bad_as_of_is_a_400_problem_naming_it(api, group_url, as_of, why):
    for path in (
        f"/api/v1/indicators/{CODE}/values",
        "/api/v1/units/1261011/indicators",
        f"/api/v1/units/1261011/indicators/{CODE}/series",
        f"{group_url}/indicators/{CODE}",
        f"/api/v1/exports/indicators/{CODE}.csv",
        "/api/v1/exports/domains/inwestycje_budownictwo.parquet",
    ):
        response = await api.get(path, params={"as_of": as_of})
        assert response.status_code == 400, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "as_of" in response.text
        assert why in response.text


async def test_a_past_answer_has_its_own_etag_and_a_long_max_age(api):
    past = await api.get(f"/api/v1/indicators/{CODE}/values?year=2024&as_of=2")
    current = await api.get(f"/api/v1/indicators/{CODE}/values?year=2024")
    assert past.headers["etag"].startswith('"r2-')
    assert "immutable" in past.headers["cache-control"]
    assert current.headers["etag"].startswith('"r4-')
    assert "immutable" not in current.headers["cache-control"]
    again = await api.get(
        f"/api/v1/indicators/{CODE}/values?year=2024&as_of=2",
        headers={"If-None-Match": past.headers["etag"]},
    )
    assert again.status_code == 304


def test_only_a_past_release_or_a_day_that_is_over_is_frozen():
    today = date(2026, 12, 4)
    assert frozen_as_of("3", 4, today) == "r3"
    assert frozen_as_of("4", 4, today) == "r4"
    assert frozen_as_of("5", 4, today) is None
    assert frozen_as_of("2026-12-03", 4, today) == "d2026-12-03"
    assert frozen_as_of(today.isoformat(), 4, today) is None
    assert frozen_as_of((today + timedelta(days=1)).isoformat(), 4, today) is None
    assert frozen_as_of("bad", 4, today) is None
    with pytest.raises(InvalidParameter):
        parse_as_of("3.5")


# --- the change feed -------------------------------------------------------------------------


def expected_changes(s: Scenario, since: int) -> list[tuple[Any, ...]]:
    """(release, kind, year, teryt, old, new) of the gmina values, in feed order."""
    g1, g2, g3, g4 = s.g
    feed = [
        (2, "added", 2023, g1, None, 10.0),
        (2, "added", 2023, g2, None, 20.0),
        (2, "added", 2024, g1, None, 11.0),
        (2, "added", 2024, g2, None, 21.0),
        (2, "added", 2024, g3, None, 31.0),
        (3, "changed", 2024, g1, 11.0, 12.0),
        (3, "changed", 2024, g2, 21.0, None),
        (3, "deleted", 2024, g3, 31.0, None),
        (3, "added", 2024, g4, None, 41.0),
        (4, "changed", 2024, g1, 12.0, 13.0),
        (4, "changed", 2024, g2, None, 22.0),
        (4, "added", 2024, g3, None, 33.0),
    ]
    return [change for change in feed if change[0] > since]


def _tuples(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (i["release"], i["kind"], i["year"], i["teryt"], i["old_value"], i["new_value"])
        for i in items
    ]


@pytest.mark.parametrize("since", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("limit", [1, 2, 5, 100])
async def test_every_change_feed_page_follows_the_history(scenario, api, since, limit):
    url = f"/api/v1/changes?since={since}&level=gmina&indicator={CODE}&limit={limit}"
    seen: list[tuple[Any, ...]] = []
    pages = 0
    while url:
        response = await api.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        assert body["latest_release"] == 4
        seen += _tuples(body["items"])
        for item in body["items"]:
            assert item["load_run_id"] == scenario.runs[item["release"]]
        url = body["links"]["next"]
        pages += 1
        assert pages < 30
    assert seen == expected_changes(scenario, since)


async def test_the_change_feed_filters_by_unit_domain_and_date(scenario, api):
    g1 = scenario.g[0]
    unit = (await api.get(f"/api/v1/changes?since=1&unit={g1}")).json()
    assert _tuples(unit["items"]) == [c for c in expected_changes(scenario, 1) if c[3] == g1]
    domain = (await api.get("/api/v1/changes?since=1&domain=inwestycje_budownictwo")).json()
    assert {i["indicator"] for i in domain["items"]} == {CODE}
    assert (await api.get("/api/v1/changes?since=1&domain=kontekst")).json()["items"] == []
    today = _poland_today().isoformat()  # release 4 was published today
    assert (await api.get(f"/api/v1/changes?since={today}")).json()["items"] == []
    everything = (await api.get("/api/v1/changes?since=2001-01-01&level=gmina")).json()
    assert _tuples(everything["items"]) == expected_changes(scenario, 0)


async def test_the_change_feed_as_csv(scenario, api):
    response = await api.get(
        f"/api/v1/changes?since=3&level=gmina&format=csv&locale=en&indicator={CODE}"
    )
    assert response.status_code == 200, response.text
    lines = response.text.splitlines()
    assert lines[0].split(",")[:5] == [
        "release",
        "load_run_id",
        "published_at",
        "kind",
        "indicator",
    ]
    assert len(lines) == 1 + len(expected_changes(scenario, 3))


@pytest.mark.parametrize("query", ["cursor=notacursor", "since=x", "unit=12345", "domain=nope"])
async def test_a_bad_change_feed_query_is_a_400(api, query):
    response = await api.get(f"/api/v1/changes?{query}")
    assert response.status_code == 400, response.text


async def test_atom_feeds_of_a_unit_and_an_indicator_list_the_newest_first(scenario, api):
    g1 = scenario.g[0]
    unit = await api.get(f"/api/v1/units/{g1}/changes.atom")
    assert unit.status_code == 200, unit.text
    assert unit.headers["content-type"].startswith("application/atom+xml")
    entries = unit.text.split("<entry>")[1:]
    assert len(entries) == len([c for c in expected_changes(scenario, 0) if c[3] == g1])
    assert "/4/" + CODE in entries[0]
    assert "12 → 13" in entries[0]
    indicator = await api.get(f"/api/v1/indicators/{CODE}/changes.atom")
    assert indicator.status_code == 200
    assert indicator.text.count("<entry>") > len(expected_changes(scenario, 0))  # powiats too
    assert unit.content == (await api.get(f"/api/v1/units/{g1}/changes.atom")).content
    assert (await api.get("/api/v1/units/9999999/changes.atom")).status_code == 404
    assert (await api.get("/api/v1/indicators/nope/changes.atom")).status_code == 404


# --- the web client: a unit's page as of a council session ----------------------------------


def _days_ago(days: int) -> str:
    return (_poland_today() - timedelta(days=days)).isoformat()


async def _unit_page(api: AsyncTestClient, teryt: str, **params: str) -> Any:  # type: ignore[type-arg]
    """A gmina's page; the default indicator of its neighbourhood map (population density) has
    no values in this database, so the map falls back to one that has: this scenario's."""
    page = await api.get("/j/" + teryt, params=params)
    assert page.status_code != 404, page.text[:300]  # it was a 404 before the fix
    return page


def _card_html(page: str) -> str:
    card_id = CODE.replace(".", "-")
    start = page.index(f'aria-labelledby="c-{card_id}"')
    return page[start : page.index("</article>", start)]


def _trend_cells(card: str) -> dict[int, str]:
    """Year -> the trend table's value cell, tags removed."""
    rows = re.findall(r'<th scope="row">(\d{4})</th><td class="n">(.*?)</td>', card)
    return {int(year): " ".join(re.sub(r"<[^>]+>", " ", cell).split()) for year, cell in rows}


async def test_the_unit_page_as_of_a_session_shows_then_and_marks_what_changed_since(scenario, api):
    g1 = scenario.g[0]
    session = _days_ago(7)  # after release 2, before release 3
    response = await _unit_page(api, g1, stan_na=session)
    assert response.status_code == 200, response.text
    page = response.text
    assert f"Liczby według stanu na <strong>{session}</strong> (wydanie danych nr 2" in page
    assert "Wskaźniki, których liczby zmieniły się od tego dnia: <strong>1</strong>" in page
    assert f'<input type="date" id="stan_na" name="stan_na" value="{session}"' in page
    assert f'<form method="get" action="/j/{g1}"' in page
    assert f'href="/j/{g1}/raport?stan_na={session}"' in page
    card = _card_html(page)
    assert '<span class="num">11,0</span>' in card  # the number quoted at the session
    mark = f'<strong class="changed">Zmiana po {session}: obecnie 13,0</strong>'
    assert mark in card
    assert _trend_cells(card) == {2023: "10,0", 2024: f"11,0 Zmiana po {session}: obecnie 13,0"}
    report = (await api.get(f"/j/{g1}/raport", params={"stan_na": session})).text
    assert f'11,0<br><span class="changed small">Zmiana po {session}: obecnie 13,0' in report
    now = (await _unit_page(api, g1)).text
    assert '<span class="num">13,0</span>' in _card_html(now)
    assert 'class="changed' not in now
    assert "wydanie danych nr" not in now


async def test_the_unit_page_as_of_a_date_marks_a_value_blank_then_in_words_in_english(
    scenario, api
):
    g2 = scenario.g[1]
    session = _days_ago(3)  # release 3: g2's 2024 value was missing at source
    page = (await _unit_page(api, g2, stan_na=session, lang="en")).text
    card = _card_html(page)
    assert '<span class="num">20.0</span>' in card  # the latest year with a value then: 2023
    assert _trend_cells(card) == {
        2023: "20.0",
        2024: f"no data no data at the source Changed since {session}: now 22.0",
    }
    assert '<input type="hidden" name="lang" value="en">' in page
    report = (await api.get(f"/j/{g2}/raport", params={"stan_na": session})).text
    assert "od tego dnia: <strong>1</strong>" in report  # the 2024 row is not in the report
    assert f'href="/j/{g2}?stan_na={session}"' in report


@pytest.mark.parametrize(
    ("stan_na", "status"), [("", 200), ("30.11.2026", 400), ("2001-01-01", 400)]
)
async def test_the_unit_page_as_of_a_bad_or_too_early_date_is_an_html_400(
    scenario, api, stan_na, status
):
    response = await _unit_page(api, scenario.g[0], stan_na=stan_na)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")


def _okolica(page: str) -> str:
    return page.split('<section id="okolica"', 1)[1].split("</section>", 1)[0]


def _fill_of(section: str, name: str) -> tuple[str, str]:
    """(fill, title) of the map's shape whose title starts with the gmina's name."""
    found = re.findall(r'<path d="[^"]+" fill="([^"]+)"><title>([^<]+)</title></path>', section)
    return next((fill, title) for fill, title in found if title.startswith(f"{name}: "))


async def test_the_neighbourhood_map_as_of_a_session_colours_by_the_values_then(scenario, api):
    g1 = scenario.g[0]
    session = _days_ago(7)  # release 2: g1, g2, g3 had 11, 21, 31 in 2024
    then = _okolica((await _unit_page(api, g1, stan_na=session)).text)
    now = _okolica((await _unit_page(api, g1)).text)
    assert f"Wartości i kolory mapy według stanu na <strong>{session}</strong>" in then
    assert "według stanu na" not in now
    assert f'<input type="hidden" name="stan_na" value="{session}">' in then
    assert f"stan_na={session}" in then  # a neighbour's link keeps the day
    name = re.search(r'<tr class="hl"><th scope="row">([^<]+) <strong', then)
    assert name is not None
    for section, values in ((then, [11.0, 21.0, 31.0]), (now, [13.0, 22.0, 33.0, 41.0])):
        breaks = class_breaks(values)
        colours = map_palette(breaks, "higher_better")
        index = class_of(breaks, values[0])
        assert index is not None
        fill, title = _fill_of(section, name.group(1).strip())
        assert title.endswith(f": {values[0]:.1f}".replace(".", ",")), title
        assert fill == colours[index]
    assert ", 2024</h2>" in then


async def test_the_school_list_as_of_a_session_says_its_figures_are_today_s(scenario, api):
    g1 = scenario.g[0]
    session = _days_ago(7)
    then = (await _unit_page(api, g1, stan_na=session)).text
    schools = then.split('<section id="szkoly"', 1)[1].split("</section>", 1)[0]
    assert (
        "Dane szkół nie mają w Miarce historii zmian, więc ta lista nie pokazuje stanu na wybrany "
        "dzień: liczby uczniów i wyniki egzaminów poniżej są obecne, a nie według stanu na "
        f"<strong>{session}</strong>."
    ) in " ".join(schools.split())
    english = (await _unit_page(api, g1, stan_na=session, lang="en")).text
    assert "the pupils and exam results below are today&#39;s, not as of" in english
    assert "historii zmian" not in (await _unit_page(api, g1)).text
