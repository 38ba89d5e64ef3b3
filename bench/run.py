"""One run, one machine, side by side: Miarka against its baselines. Prints figures and ratios.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/14 python bench/run.py [--seconds 10] [--rounds 3]
        [--rows 1000000] [--variables 2000 --years 20] [--export-rows 1000000,10000000]
        [--reuse] [--only http,bulk,export,cold]

Every figure is measured in `--rounds` interleaved rounds (bench/rounds.py): each ratio is
Miarka's figure over its baseline's measured next to it in the same round, reported as the
median over the rounds, the spread (min-max) and every round's value; at the end the table
of bench/RESULTS.md with each goal and whether the median meets it.

- Data: the shipped real data, then SYNTHETIC data of national scale (bench/synthetic.py:
  2,875 units x `--variables` x `--years` observations, every catalogue indicator for every
  unit and year); `--reuse` measures an already filled bench database again.
- HTTP (wrk on 127.0.0.1 only, every run bounded by --seconds): a hello-world Litestar endpoint
  under uvicorn and granian (the framework ceiling, and the server choice); the same cached
  bytes read straight from Redis; Miarka's cached GET (Redis hit); a 304 revalidation;
  Miarka's uncached cross-section and dashboard against the same SQL through a bare asyncpg
  pool.
- Bulk load: Miarka's publish path against asyncpg `copy_records_to_table` of as many
  SYNTHETIC rows of the same shape into the same table in the same state (both rolled back).
- CSV export: Miarka's bulk export against `psql \\copy` of the same rows, with the server's
  peak RSS (bench/export.py).
- One indicator for every gmina: one Miarka request against the BDL API's minimum under its
  anonymous quota (computed, not fetched).
- Cold start: empty embedded PostgreSQL to the shipped data served (every file of
  data/manifest.toml loaded, its indicators computed), once per round.
"""

import argparse
import asyncio
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import asyncpg
import export  # bench/ is on sys.path when run as `python bench/run.py`
import httpx
from redis import Redis
from rounds import Spread, Table, in_round_order
from scratch import free_port, fresh_database, start_server, wait_ready
from synthetic import fill_national

from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import publish_observations
from service.db import make_engine, with_database
from service.settings import Settings

BENCH_DB = "miarka_bench_run"
CROSS = "/api/v1/indicators/kontekst.udzial_65_plus/values?level=gmina&year=2020"
DASHBOARD = "/api/v1/units/1261011/indicators"
RAW_CROSS = "/raw/cross-section?code=kontekst.udzial_65_plus&year=2020&level=gmina"
RAW_DASHBOARD = "/raw/dashboard?teryt=1261011"
GMINAS = 2_479
BDL_PAGE = 100
BDL_PER_SECOND = 5
BULK_COLUMNS = ["variable_id", "year", "teryt", "value", "flag", "derived", "load_run_id"]
PARTS = ("http", "bulk", "export", "cold")


@contextmanager
def serve(command: list[str], env: dict[str, str], ready_path: str) -> Iterator[str]:
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base + ready_path, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def wrk(
    url: str, seconds: int, headers: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) from wrk with 2 threads and 32 connections."""
    if shutil.which("wrk") is None:
        sys.exit("bench/run.py: wrk is not installed; `make bench-deps` installs it")
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True,
                            timeout=seconds + 30, check=True).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{output}")
    return rps, _latency(output, "50%"), _latency(output, "99%")


def _latency(output: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def row(label: str, table: Table, key: str) -> None:
    rps, p50, p99 = (table.spread(f"{key} {part}") for part in ("rps", "p50", "p99"))
    low, high = min(rps.values), max(rps.values)
    print(
        f"  {label:58} {rps.median:8,.0f} req/s ({low:,.0f}-{high:,.0f})"
        f"  p50 {p50.median:7.2f} ms  p99 {p99.median:7.2f} ms"
    )


async def prepare(server: str) -> str:
    return await fresh_database(server, BENCH_DB)


def synthetic_records(units: list[str], rows: int, seed: int = 7) -> list[ObservationRecord]:
    """SYNTHETIC observations for benchmarks only: real unit codes, made-up variables/values."""
    generator = random.Random(seed)
    per_variable = len(units) * 20
    return [
        ObservationRecord(
            row=i,
            teryt=units[i % len(units)],
            variable=f"synthetic.bulk.{seed}.v{i // per_variable:04d}",
            year=2000 + (i // len(units)) % 20,
            value=generator.random() * 1000,
        )
        for i in range(rows)
    ]


async def _raw_copy(conn: asyncpg.Connection, records: list[ObservationRecord]) -> float:
    """Seconds of asyncpg COPY of `records` into `observation`, rolled back afterwards."""
    variables = sorted({r.variable for r in records})
    ids = {
        r["code"]: r["id"]
        for r in await conn.fetch(
            "INSERT INTO variable (source, code, name, measure_unit) "
            "SELECT 'synthetic_bulk', c, c, '-' FROM unnest($1::text[]) AS c "
            "ON CONFLICT (source, code) DO UPDATE SET name = excluded.name RETURNING id, code",
            variables,
        )
    }
    raw = [(ids[r.variable], r.year, r.teryt, r.value, None, False, 0) for r in records]
    await conn.execute("CHECKPOINT")
    transaction = conn.transaction()
    await transaction.start()
    started = time.perf_counter()
    await conn.copy_records_to_table("observation", records=raw, columns=BULK_COLUMNS)
    seconds = time.perf_counter() - started
    await transaction.rollback()
    await conn.execute("DELETE FROM variable WHERE id = ANY($1::int[])", list(ids.values()))
    return seconds


async def _publish(url: str, records: list[ObservationRecord]) -> float:
    """Seconds of Miarka's publish of `records`, in a transaction rolled back afterwards."""
    admin = await asyncpg.connect(url)
    await admin.execute("CHECKPOINT")
    await admin.close()
    variables = [
        VariableDef(source="synthetic_bulk", code=v, name=v, measure_unit="-")
        for v in sorted({r.variable for r in records})
    ]
    engine = make_engine(url, Settings(database_url=url), statement_timeout_ms=0)
    try:
        async with engine.connect() as conn:
            transaction = await conn.begin()
            started = time.perf_counter()
            await publish_observations(conn, run_id=0, variables=variables, records=records)
            seconds = time.perf_counter() - started
            await transaction.rollback()
    finally:
        await engine.dispose()
    return seconds


async def bulk_load(url: str, rows: int, rounds: int, table: Table) -> None:
    """Miarka's publish against raw COPY of as many rows of the same shape, round by round.

    Both into the national-scale `observation` with its indexes, each right after a
    checkpoint, both rolled back (the table is in the same state for each), each with
    variables of its own: when the publish loaded the very keys the COPY had just rolled back,
    every unique check of its COPY met a dead index entry of the same key and read its heap
    tuple, a cost the baseline never paid.
    """
    conn = await asyncpg.connect(url)
    units = [r[0] for r in await conn.fetch(
        "SELECT teryt FROM territorial_unit WHERE valid_to IS NULL ORDER BY teryt")]  # fmt: skip
    seed = int(time.time())
    for n in range(rounds):
        for side in in_round_order(("copy", "publish"), n):
            seed += 1  # new variables for every measurement
            records = synthetic_records(units, rows, seed=seed)
            if side == "copy":
                seconds = await _raw_copy(conn, records)
            else:
                seconds = await _publish(url, records)
            table.add(f"bulk {side}", rows / seconds)
    await conn.close()
    for side, label in (
        ("copy", "asyncpg copy_records_to_table (same table, rolled back)"),
        ("publish", "Miarka publish (checks, COPY, sums of gminas and powiats)"),
    ):
        spread = table.spread(f"bulk {side}")
        print(f"  {label:58} {spread.text('{:,.0f}', ' rows/s')}")
    ratio = table.ratio("bulk publish", "bulk copy")
    print(f"  {'ratio Miarka / COPY':58} {ratio.text()}")
    table.goal("bulk load vs raw COPY into the same table", ratio, at_least=0.5)


def cold_start() -> float:
    state = tempfile.mkdtemp(prefix="miarka-cold-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(MIARKA_STATE_DIR=state, MIARKA_LOG_LEVEL="WARNING")
    port = free_port()
    started = time.monotonic()
    process = start_server(port, env)
    try:
        url = f"http://127.0.0.1:{port}/api/v1/indicators/kontekst.ludnosc/values?level=gmina"
        wait_ready(url, process, 300)
        return time.monotonic() - started
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(state, ignore_errors=True)


def quiesce(url: str, seconds: float = 900) -> None:
    """Wait (bounded) until no autovacuum works on the bench database, then checkpoint."""

    async def wait() -> None:
        conn = await asyncpg.connect(url)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and await conn.fetchval(  # noqa: ASYNC110 - polls PG
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'autovacuum worker'"
        ):
            await asyncio.sleep(5)
        await conn.execute("CHECKPOINT")
        await conn.close()

    asyncio.run(wait())


def http_figures(base_env: dict[str, str], s: int, redis_url: str, rounds: int,
                 table: Table) -> None:  # fmt: skip
    """Measure and print the HTTP figures, round by round, each group of a Miarka figure and
    its baseline measured back to back (bench/rounds.py)."""
    python = sys.executable
    uvicorn = [python, "-m", "uvicorn", "--port", "{port}", "--no-access-log", "--log-level",
               "warning"]  # fmt: skip
    granian = [str(Path(python).parent / "granian"), "--interface", "asgi", "--port", "{port}",
               "--workers", "1", "--log-level", "warning", "--no-access-log"]  # fmt: skip
    miarka = [*granian, "--factory", "service.app:app_from_env"]
    limited_env = {**base_env, "MIARKA_RATE_LIMIT_PER_MINUTE": "1000000000"}
    uncached_env = {**base_env, "MIARKA_RESPONSE_CACHE": "false"}
    # Every server runs at once, idle but for the one under load.
    with ExitStack() as servers:
        uvi = servers.enter_context(serve([*uvicorn, "bench.baselines:app"], base_env, "/hello"))
        raw = servers.enter_context(serve([*granian, "bench.baselines:app"], base_env, "/hello"))
        cache = servers.enter_context(serve(miarka, base_env, "/ready"))
        limited = servers.enter_context(serve(miarka, limited_env, "/ready"))  # as deployed
        direct = servers.enter_context(serve(miarka, uncached_env, "/ready"))
        with urllib.request.urlopen(cache + CROSS, timeout=30) as response:  # as wrk asks
            etag, body = str(response.headers["etag"]), response.read()
        Redis.from_url(redis_url).set("bench:body", body)  # Miarka's own cached bytes
        urllib.request.urlopen(limited + CROSS, timeout=30).close()
        revalidate = {"If-None-Match": etag}
        groups: list[list[tuple[str, str, dict[str, str] | None]]] = [
            [("uvicorn", uvi + "/hello", None), ("hello", raw + "/hello", None),
             ("revalidated", cache + CROSS, revalidate)],
            [("redis", raw + "/redis", None), ("cached", cache + CROSS, None),
             ("cached limited", limited + CROSS, None)],
            [("raw cross", raw + RAW_CROSS, None), ("uncached", direct + CROSS, None)],
            [("raw dashboard", raw + RAW_DASHBOARD, None), ("dashboard", direct + DASHBOARD, None)],
        ]  # fmt: skip
        for group in groups:  # warm-up: pools filled, statements prepared, caches loaded
            for _, url, headers in group:
                wrk(url, 1, headers)
        for n in range(rounds):
            for group in in_round_order(groups, n):
                for key, url, headers in in_round_order(group, n):
                    for part, value in zip(("rps", "p50", "p99"), wrk(url, s, headers),
                                           strict=True):  # fmt: skip
                        table.add(f"{key} {part}", value)
            table.add("one", min(_timed(direct + CROSS) for _ in range(5)))
    print(f"HTTP, {rounds} rounds: median req/s (min-max), median p50 and p99")
    for key, label in (
        ("uvicorn", "hello-world Litestar, uvicorn 1 worker"),
        ("hello", "hello-world Litestar, granian 1 worker (ceiling)"),
        ("redis", "same bytes straight from Redis (raw-Redis baseline)"),
        ("raw cross", "cross-section through bare asyncpg (raw baseline)"),
        ("raw dashboard", "dashboard query through bare asyncpg (raw baseline)"),
        ("cached", f"Miarka cached cross-section (Redis hit, {len(body) / 1e3:,.0f} kB)"),
        ("cached limited", "  the same with the per-client rate limit on (Redis)"),
        ("revalidated", "Miarka 304 revalidation"),
        ("uncached", "Miarka uncached cross-section (2,477 gminas)"),
        ("dashboard", "Miarka uncached dashboard (Kraków, all domains)"),
    ):
        row(label, table, key)
    print("Ratios, Miarka / its baseline, each round's own: median (min-max; every round)")
    ratios: tuple[tuple[str, str, str, dict[str, float]], ...] = (
        ("granian / uvicorn, hello-world", "hello rps", "uvicorn rps", {}),
        ("cached GET (Redis hit) vs the same bytes from Redis, req/s", "cached rps",
         "redis rps", {"at_least": 0.8}),
        ("cached GET vs the same bytes from Redis, p99", "cached p99", "redis p99",
         {"at_most": 1.5}),
        ("cached GET with the rate limit on vs raw Redis, req/s", "cached limited rps",
         "redis rps", {}),
        ("304 revalidation vs hello-world", "revalidated rps", "hello rps", {"at_least": 0.5}),
        ("uncached cross-section (2,477 gminas) vs bare asyncpg", "uncached rps",
         "raw cross rps", {"at_least": 0.9}),
        ("uncached dashboard vs bare asyncpg, same SQL", "dashboard rps", "raw dashboard rps",
         {"at_least": 0.9}),
    )  # fmt: skip
    for label, numerator, denominator, goal in ratios:
        spread = table.ratio(numerator, denominator)
        print(f"  {label:58} {spread.text()}")
        if goal:
            table.goal(label, spread, **goal)


def print_one_indicator(table: Table) -> None:
    one = table.spread("one")
    pages = -(-GMINAS // BDL_PAGE)
    bdl_seconds = pages / BDL_PER_SECOND
    print("One indicator for every gmina")
    best = Spread(tuple(v * 1000 for v in one.values))
    print(
        f"  Miarka, one request (best of 5 per round): {best.text('{:.1f}', ' ms')};"
        f" BDL API anonymous minimum: {pages} pages at {BDL_PER_SECOND}/s ="
        f" {bdl_seconds:.1f} s (computed) -> {bdl_seconds / one.median:,.0f}x"
    )


def cold_starts(rounds: int, table: Table) -> None:
    seconds = Spread(tuple(cold_start() for _ in range(rounds)))
    print("Cold start")
    print(f"  empty embedded PostgreSQL -> shipped data served: {seconds.text('{:.1f}', ' s')}")
    label = "cold start: empty embedded PostgreSQL to shipped data served"
    table.goal(label, seconds, fmt="{:.1f}", suffix=" s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds, at least 3")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--variables", type=int, default=2_000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--export-rows", default="1000000,10000000")
    parser.add_argument("--reuse", action="store_true", help="measure the filled database again")
    parser.add_argument("--only-fill", action="store_true", help="fill, measure nothing")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"parts to measure, of {','.join(PARTS)}"
    )
    args = parser.parse_args()
    parts = set(args.only.split(","))
    if args.rounds < 3 or not parts <= set(PARTS):
        parser.error(f"--rounds is at least 3, --only names parts of {', '.join(PARTS)}")
    server = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    if args.reuse:
        url = with_database(server, BENCH_DB)
    else:
        url = asyncio.run(prepare(server))
        print(f"SYNTHETIC national scale: {args.variables:,} variables x {args.years} years")
        for name, value in asyncio.run(
            fill_national(url, variables=args.variables, years=args.years)
        ).items():
            print(f"  {name:58} {value:14,.1f}")
    if args.only_fill:
        return
    Redis.from_url(redis_url).flushdb()
    base_env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url,
                "BENCH_DATABASE_URL": url, "BENCH_REDIS_URL": redis_url,
                "MIARKA_LOG_LEVEL": "WARNING", "MIARKA_RATE_LIMIT_PER_MINUTE": "0"}  # fmt: skip
    print(f"Miarka bench: 127.0.0.1 only, wrk -t2 -c32 -d{args.seconds}s, {os.cpu_count()} cores,"
          f" {args.rounds} interleaved rounds")  # fmt: skip
    table = Table()
    if "http" in parts:
        quiesce(url)
        http_figures(base_env, args.seconds, redis_url, args.rounds, table)
        print_one_indicator(table)
    if "bulk" in parts:
        print(f"Bulk load, {args.rows:,} SYNTHETIC rows")
        quiesce(url)
        asyncio.run(bulk_load(url, args.rows, args.rounds, table))
    if "export" in parts:
        print("CSV export (bulk, SYNTHETIC values), against psql \\copy of the same rows")
        export.measure(server, [int(n) for n in args.export_rows.split(",") if n], args.rounds,
                       table)  # fmt: skip
    if "cold" in parts:
        cold_starts(args.rounds, table)
    print()
    print(table.markdown(args.rounds))


def _timed(url: str) -> float:
    started = time.perf_counter()
    httpx.get(url, timeout=30).raise_for_status()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
