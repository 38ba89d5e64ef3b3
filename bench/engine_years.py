"""Benchmark: a load that changes one variable for one year costs the same whatever the size
of the database (issue 15 §3), on SYNTHETIC data.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    python bench/engine_years.py [--rounds 5] [--years 15] [--small 4] [--large 40]

Two scratch databases with the real TERC register get SYNTHETIC values for every gmina: one
with `--small` variables, one with `--large`, each over `--years` years, each variable the
numerator of one SYNTHETIC indicator (so the large one holds ten times the observations and
indicator values). In each, one variable's last-but-two year is revised (every gmina's value
changes) through the real publish path (`publish_observations`, then `compute_changed`) and
rolled back, interleaved with the baseline: a COPY of the same rows into a temporary table.
Each figure is the median over `--rounds` rounds with its min-max; the ratio is the revision's
time over the COPY's. Once per database, the same revision with a full recompute instead
(`compute_all`) shows what the engine no longer does. Never presented as data.
"""

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable

import msgspec
from scratch import drop_database, fresh_database
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.indicators.catalogue import Catalogue, Formula, Term, default_catalogue
from domains.indicators.engine import EngineSummary, compute_all, compute_changed
from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import publish_observations
from service.db import make_engine
from service.settings import Settings

LAST_YEAR = 2024
Timed = Callable[[AsyncConnection], Awaitable[object]]


def variables(count: int) -> list[VariableDef]:
    return [
        VariableDef(source="bench", code=f"v{n:03}", name=f"SYNTHETIC {n}", measure_unit="-")
        for n in range(count)
    ]


def catalogue(count: int) -> Catalogue:
    """One SYNTHETIC indicator per variable: its plain sum."""
    base = default_catalogue()
    template = base.indicators[0]
    indicators = [
        msgspec.structs.replace(
            template,
            code=f"bench.{variable.code}",
            formula=Formula(numerator=[Term(source="bench", code=variable.code)]),
        )
        for variable in variables(count)
    ]
    return Catalogue(domains=base.domains, indicators=indicators)


async def gminas(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT teryt FROM territorial_unit WHERE valid_to IS NULL AND level = 'gmina'")
        )
        return sorted(str(row[0]) for row in rows)


def records(
    variable: VariableDef, years: range, units: list[str], shift: float
) -> list[ObservationRecord]:
    return [
        ObservationRecord(
            row=None, teryt=teryt, variable=variable.code, year=year, value=n + year + shift
        )
        for year in years
        for n, teryt in enumerate(units)
    ]


async def fill(engine: AsyncEngine, count: int, years: range, units: list[str]) -> int:
    """Every variable for every gmina and year, one publish each, then one full compute."""
    for variable in variables(count):
        async with engine.begin() as conn:
            rows = records(variable, years, units, 0.0)
            await publish_observations(conn, run_id=1, variables=[variable], records=rows)
    async with engine.begin() as conn:
        await compute_all(conn, catalogue(count), run_id=1)
        await conn.execute(text("ANALYZE"))
        return int(await conn.scalar(text("SELECT count(*) FROM observation")) or 0)


async def timed(engine: AsyncEngine, work: Timed) -> float:
    """Seconds `work` takes inside a transaction that is then rolled back."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        started = time.perf_counter()
        await work(conn)
        seconds = time.perf_counter() - started
        await transaction.rollback()
    return seconds


def revision(count: int, year: int, units: list[str], *, full: bool) -> Timed:
    [variable] = variables(1)
    rows = records(variable, range(year, year + 1), units, 0.5)
    engine_ = compute_all if full else compute_changed

    async def work(conn: AsyncConnection) -> EngineSummary:
        await publish_observations(conn, run_id=2, variables=[variable], records=rows)
        return await engine_(conn, catalogue(count), run_id=2)

    return work


def copy_baseline(year: int, units: list[str]) -> Timed:
    [variable] = variables(1)
    rows = [(1, year, r.teryt, r.value) for r in records(variable, range(year, year + 1), units, 0)]

    async def work(conn: AsyncConnection) -> None:
        await conn.execute(
            text("CREATE TEMP TABLE copy_baseline (variable_id int, year smallint, "
                 "teryt varchar(7), value float8) ON COMMIT DROP")
        )  # fmt: skip
        driver = (await conn.get_raw_connection()).driver_connection
        await driver.copy_records_to_table("copy_baseline", records=rows)  # type: ignore[union-attr]

    return work


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


async def measure(server: str, count: int, args: argparse.Namespace) -> dict[str, object]:
    name = f"miarka_bench_engine_years_{count}"
    url = await fresh_database(server, name, register_only=True)
    engine = make_engine(url, Settings(database_url=url), statement_timeout_ms=0)
    try:
        units = await gminas(engine)
        years = range(LAST_YEAR - args.years + 1, LAST_YEAR + 1)
        started = time.perf_counter()
        observations = await fill(engine, count, years, units)
        filled = time.perf_counter() - started
        year = LAST_YEAR - 2
        change, baseline = revision(count, year, units, full=False), copy_baseline(year, units)
        revised: list[float] = []
        copied: list[float] = []
        for round_ in range(args.rounds):  # interleaved, the order alternating
            pair = [(change, revised), (baseline, copied)]
            for work, into in pair if round_ % 2 == 0 else reversed(pair):
                into.append(await timed(engine, work))
        full = await timed(engine, revision(count, year, units, full=True))
        ratios = [r / c for r, c in zip(revised, copied, strict=True)]
        return {
            "variables": count,
            "observations": observations,
            "fill_s": round(filled, 1),
            "revision_s": spread(revised),
            "copy_s": spread(copied),
            "ratio": spread(ratios),
            "full_recompute_s": round(full, 2),
        }
    finally:
        await engine.dispose()
        await drop_database(server, name)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--small", type=int, default=4)
    parser.add_argument("--large", type=int, default=40)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    results = [await measure(server, count, args) for count in (args.small, args.large)]
    for result in results:
        print(result)
    small, large = results
    growth = float(str(large["revision_s"]).split()[0]) / float(str(small["revision_s"]).split()[0])
    print(
        f"database {int(large['observations']) / int(small['observations']):.1f}x larger: "  # type: ignore[call-overload]
        f"one-variable one-year revision {growth:.2f}x the time"
    )


if __name__ == "__main__":
    asyncio.run(main())
