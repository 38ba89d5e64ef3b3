"""Benchmark: what keeping every value's history costs (issue 17), on SYNTHETIC revisions.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    python bench/revisions.py [--rounds 7] [--calls 20] [--revisions 5] [--years 10]

A scratch database with the real TERC register gets SYNTHETIC values of one real indicator
(dwellings completed, BDL 747060) for every gmina and `--years` years through the real
publish path (`recorded_run`, `publish_observations`, the engine's recompute), then the same
load again unchanged, then `--revisions` SYNTHETIC revisions of the last two years (each
revises 10 % of the gmina values, blanks 1 % at source, drops 1 % from the file and puts
back what the previous one dropped). Never presented as data.

Reads are timed in the query layer (no HTTP, no response cache: the SQL the history could
slow down): the current cross-section of every gmina and a gmina's dashboard before the
revisions and after them, the same two as of the first release, and a change-feed page.
Each figure is the median over `--rounds` rounds (after the revisions once more after a
VACUUM, to tell the history's cost from the dead rows of the recomputes); a round runs every
read `--calls` times, the reads interleaved, so a slow moment of the machine falls on all of
them alike.
"""

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from scratch import drop_database, fresh_database

from domains.indicators.as_of import AsOf, resolve_as_of
from domains.indicators.catalogue import default_catalogue
from domains.indicators.change_feed import Filters, list_changes
from domains.indicators.engine import compute_changed
from domains.indicators.queries import cross_section, dashboard
from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import publish_observations
from loaders.run import RunSummary, recorded_run
from service.db import make_engine
from service.settings import Settings

BENCH_DB = "miarka_bench_revisions"
CODE = "inwestycje_budownictwo.mieszkania_oddane"
DWELLINGS = VariableDef(
    source="gus_bdl", code="747060", name="SYNTHETIC dwellings completed", measure_unit="-"
)
LAST_YEAR = 2024
FEED_PAGE = 1_000
TABLES = ("observation", "observation_history", "indicator_value", "indicator_value_history")

Values = dict[tuple[str, int], float | None]
"""(teryt, year) -> value of one SYNTHETIC load."""
Read = Callable[[], Awaitable[object]]


async def publish(engine: Any, values: Values) -> RunSummary:  # noqa: ANN401 - AsyncEngine
    records = [
        ObservationRecord(row=n, teryt=teryt, variable=DWELLINGS.code, year=year, value=value)
        for n, ((teryt, year), value) in enumerate(sorted(values.items()))
    ]
    catalogue = default_catalogue()
    async with recorded_run(engine, "gus_bdl", file_name="SYNTHETIC revision (bench)") as run:
        return await run.publish(
            lambda conn, run_id: publish_observations(
                conn, run_id=run_id, variables=[DWELLINGS], records=records
            ),
            rows_read=len(records),
            after_publish=lambda conn, run_id: compute_changed(conn, catalogue, run_id),
        )


def revise(values: Values, years: set[int], rng: random.Random, dropped: Values) -> Values:
    """The next SYNTHETIC revision of `years`: 10 % revised, 1 % blanked, 1 % dropped from
    the file (deleted), and the previous revision's dropped values back."""
    revised: Values = {}
    for key, value in values.items():
        if key[1] not in years:
            continue
        draw = rng.random()
        if draw < 0.01:  # the shares the docstring gives
            dropped[key] = value
            continue
        if draw < 0.02:
            revised[key] = None
        elif draw < 0.12 or value is None:
            revised[key] = round(rng.uniform(0, 20), 1)
        else:
            revised[key] = value
    return revised


async def sizes(conn: Any) -> dict[str, tuple[int, int]]:  # noqa: ANN401 - AsyncConnection
    """Table -> (rows, bytes with indexes and TOAST)."""
    found = {}
    for table in TABLES:
        rows = await conn.exec_driver_sql(
            f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}"
        )
        count, size = rows.one()
        found[table] = (int(count), int(size))
    return found


async def timed(reads: dict[str, Read], rounds: int, calls: int) -> dict[str, float]:
    """Median ms per call of each read over `rounds` interleaved rounds."""
    samples: dict[str, list[float]] = {name: [] for name in reads}
    for read in reads.values():  # warm-up: plans prepared, pages cached
        await read()
    for _ in range(rounds):
        for name, read in reads.items():
            started = time.perf_counter()
            for _ in range(calls):
                await read()
            samples[name].append((time.perf_counter() - started) / calls * 1000)
    return {name: statistics.median(times) for name, times in samples.items()}


def reads_of(conn: Any, teryt: str, first: AsOf | None) -> dict[str, Read]:  # noqa: ANN401
    catalogue = default_catalogue()

    def section() -> Awaitable[object]:
        return cross_section(conn, catalogue, CODE, "pl", year=LAST_YEAR, level="gmina")

    def board() -> Awaitable[object]:
        return dashboard(conn, catalogue, teryt, "pl")

    reads: dict[str, Read] = {"cross-section, current": section, "dashboard, current": board}
    if first is not None:
        reads["cross-section, as of release 2"] = lambda: cross_section(
            conn, catalogue, CODE, "pl", year=LAST_YEAR, level="gmina", as_of=first
        )
        reads["dashboard, as of release 2"] = lambda: dashboard(
            conn, catalogue, teryt, "pl", as_of=first
        )
        reads[f"change feed, first page of {FEED_PAGE:,}"] = lambda: list_changes(
            conn, since=2, filters=Filters(level="gmina"), limit=FEED_PAGE
        )
    return reads


async def bench(server: str, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    url = await fresh_database(server, BENCH_DB, register_only=True)
    engine = make_engine(url, Settings(database_url=url), statement_timeout_ms=0)
    rng = random.Random(17)
    try:
        async with engine.connect() as conn:
            gminas = list(
                (
                    await conn.exec_driver_sql(
                        "SELECT teryt FROM territorial_unit WHERE valid_to IS NULL "
                        "AND level = 'gmina' ORDER BY teryt"
                    )
                ).scalars()
            )
        first_year = LAST_YEAR - args.years + 1
        values: Values = {
            (teryt, year): round(rng.uniform(0, 20), 1)
            for teryt in gminas
            for year in range(first_year, LAST_YEAR + 1)
        }
        print(f"register loaded in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        summary = await publish(engine, values)
        print(
            f"SYNTHETIC load: {len(values):,} gmina values ({len(gminas):,} gminas x "
            f"{args.years} years), release {summary.data_release_id}, "
            f"{time.perf_counter() - started:.1f} s"
        )
        again = await publish(engine, values)
        async with engine.connect() as conn:
            unchanged = await sizes(conn)
            before = await timed(reads_of(conn, gminas[0], None), args.rounds, args.calls)
        print(
            f"the same load again: {again.status}; history rows after it: "
            f"{unchanged['observation_history'][0]} observations, "
            f"{unchanged['indicator_value_history'][0]} indicator values"
        )
        revised_years = {LAST_YEAR - 1, LAST_YEAR}
        dropped: Values = {}
        current = dict(values)
        load_seconds = []
        for _ in range(args.revisions):
            back, dropped = dropped, {}
            revision = {**revise(current, revised_years, rng, dropped), **back}
            started = time.perf_counter()
            await publish(engine, revision)
            load_seconds.append(time.perf_counter() - started)
            current = {k: v for k, v in current.items() if k[1] not in revised_years}
            current.update(revision)
        print(
            f"{args.revisions} SYNTHETIC revisions of {len(revised_years)} years: median "
            f"{statistics.median(load_seconds):.1f} s per load"
        )
        async with engine.connect() as conn:
            after_sizes = await sizes(conn)
            first = await resolve_as_of(conn, "2")
            after = await timed(reads_of(conn, gminas[0], first), args.rounds, args.calls)
        # Each recompute rewrites the indicator's rows (new ranks): what remains of a slower
        # current read after VACUUM is the history's, the rest is dead rows autovacuum clears.
        async with engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(TABLES)}")
            vacuumed = await timed(reads_of(conn, gminas[0], first), args.rounds, args.calls)
        print(f"\nreads, ms per call (median of {args.rounds} rounds x {args.calls} calls)")
        print(f"{'read':40} {'before':>10} {'after':>10} {'vacuumed':>10}")
        for name, ms in after.items():
            then = f"{before[name]:10.2f}" if name in before else f"{'':>10}"
            print(f"{name:40} {then} {ms:10.2f} {vacuumed[name]:10.2f}")
        print(f"\ntables after the revisions (before them: {unchanged_line(unchanged)})")
        print(f"{'table':26} {'rows':>10} {'MB':>8}")
        for table, (rows, size) in after_sizes.items():
            print(f"{table:26} {rows:10,} {size / 1e6:8.2f}")
    finally:
        await engine.dispose()
        await drop_database(server, BENCH_DB)


def unchanged_line(found: dict[str, tuple[int, int]]) -> str:
    return ", ".join(
        f"{table} {rows:,} rows {size / 1e6:.2f} MB" for table, (rows, size) in found.items()
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--revisions", type=int, default=5)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    asyncio.run(bench(server, args))


if __name__ == "__main__":
    main()
