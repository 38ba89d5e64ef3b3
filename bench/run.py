"""One run, one machine, side by side: Miarka against its baselines. Prints figures and ratios.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/14 python bench/run.py [--seconds 10] [--rows 1000000]
        [--variables 2000 --years 20] [--export-rows 1000000,10000000] [--reuse]

- Data: the shipped real data, then SYNTHETIC data of national scale (bench/synthetic.py:
  2,875 units x `--variables` x `--years` observations, every catalogue indicator for every
  unit and year); `--reuse` measures an already filled bench database again.
- HTTP (wrk on 127.0.0.1 only, every run bounded by --seconds): a hello-world Litestar endpoint
  under uvicorn and granian (the framework ceiling, and the server choice); the same cached
  bytes read straight from Redis; Miarka's cached GET (Redis hit); a 304 revalidation;
  Miarka's uncached cross-section and dashboard against the same SQL through a bare asyncpg
  pool.
- Bulk load: Miarka's publish path against asyncpg `copy_records_to_table` of the same
  SYNTHETIC rows into the same table in the same state (rolled back).
- CSV export: Miarka's bulk export against `psql \\copy` of the same rows, with the server's
  peak RSS (bench/export.py).
- One indicator for every gmina: one Miarka request against the BDL API's minimum under its
  anonymous quota (computed, not fetched).
- Cold start: empty embedded PostgreSQL to the shipped data served.
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


def row(label: str, figures: tuple[float, float, float], base: float | None = None) -> None:
    rps, p50, p99 = figures
    ratio = f"{rps / base:6.2f}x" if base else ""
    print(f"  {label:58} {rps:10,.0f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  {ratio}")


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


async def bulk_load(url: str, rows: int) -> None:
    conn = await asyncpg.connect(url)
    units = [r[0] for r in await conn.fetch(
        "SELECT teryt FROM territorial_unit WHERE valid_to IS NULL ORDER BY teryt")]  # fmt: skip
    records = synthetic_records(units, rows, seed=int(time.time()))  # new variables each run
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
    # The baseline: raw COPY of the same rows into the same table in the same state (the
    # national-scale observation table with its indexes), rolled back afterwards.
    raw = [(ids[r.variable], r.year, r.teryt, r.value, None, False, 0) for r in records]
    transaction = conn.transaction()
    await transaction.start()
    started = time.perf_counter()
    await conn.copy_records_to_table(
        "observation",
        records=raw,
        columns=["variable_id", "year", "teryt", "value", "flag", "derived", "load_run_id"],
    )
    copy_seconds = time.perf_counter() - started
    await transaction.rollback()
    await conn.execute("CHECKPOINT")
    await conn.close()
    engine = make_engine(url, Settings(database_url=url), statement_timeout_ms=0)
    definitions = [
        VariableDef(source="synthetic_bulk", code=v, name=v, measure_unit="-") for v in variables
    ]
    started = time.perf_counter()
    async with engine.begin() as sa_conn:
        await publish_observations(sa_conn, run_id=0, variables=definitions, records=records)
    publish_seconds = time.perf_counter() - started
    await engine.dispose()
    label = "asyncpg copy_records_to_table (same table, rolled back)"
    print(f"  {label:58} {rows / copy_seconds:10,.0f} rows/s")
    label = "Miarka publish (checks, COPY, sums of gminas and powiats)"
    ratio = copy_seconds / publish_seconds
    print(f"  {label:58} {rows / publish_seconds:10,.0f} rows/s  {ratio:6.2f}x")


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


def http_figures(base_env: dict[str, str], s: int, redis_url: str) -> float:
    """Print the HTTP table; returns Miarka's best time for one uncached cross-section."""
    python = sys.executable
    uvicorn = [python, "-m", "uvicorn", "--port", "{port}", "--no-access-log", "--log-level",
               "warning"]  # fmt: skip
    granian = [str(Path(python).parent / "granian"), "--interface", "asgi", "--port", "{port}",
               "--workers", "1", "--log-level", "warning", "--no-access-log"]  # fmt: skip
    miarka = [*granian, "--factory", "service.app:app_from_env"]
    with serve([*uvicorn, "bench.baselines:app"], base_env, "/hello") as base:
        hello_uvicorn = wrk(base + "/hello", s)
    limited_env = {**base_env, "MIARKA_RATE_LIMIT_PER_MINUTE": "1000000000"}
    uncached_env = {**base_env, "MIARKA_RESPONSE_CACHE": "false"}
    # Every server runs at once, idle but for the one under load: each Miarka figure is
    # measured right after its baseline, so drift of the machine touches both alike.
    with ExitStack() as servers:
        raw = servers.enter_context(serve([*granian, "bench.baselines:app"], base_env, "/hello"))
        cache = servers.enter_context(serve(miarka, base_env, "/ready"))
        limited = servers.enter_context(serve(miarka, limited_env, "/ready"))  # as deployed
        direct = servers.enter_context(serve(miarka, uncached_env, "/ready"))
        with urllib.request.urlopen(cache + CROSS, timeout=30) as response:  # as wrk asks
            etag, body = str(response.headers["etag"]), response.read()
        Redis.from_url(redis_url).set("bench:body", body)  # Miarka's own cached bytes
        urllib.request.urlopen(limited + CROSS, timeout=30).close()
        hello = wrk(raw + "/hello", s)
        revalidated = wrk(cache + CROSS, s, {"If-None-Match": etag})
        redis_only = wrk(raw + "/redis", s)
        cached = wrk(cache + CROSS, s)
        cached_limited = wrk(limited + CROSS, s)
        raw_cross = wrk(raw + RAW_CROSS, s)
        uncached = wrk(direct + CROSS, s)
        raw_dashboard = wrk(raw + RAW_DASHBOARD, s)
        dashboard = wrk(direct + DASHBOARD, s)
        one = min(_timed(direct + CROSS) for _ in range(5))
    print("HTTP (ratios: Miarka / its baseline)")
    row("hello-world Litestar, uvicorn 1 worker", hello_uvicorn)
    row("hello-world Litestar, granian 1 worker (ceiling)", hello, hello_uvicorn[0])
    row("same bytes straight from Redis (raw-Redis baseline)", redis_only)
    row("cross-section through bare asyncpg (raw baseline)", raw_cross)
    row("dashboard query through bare asyncpg (raw baseline)", raw_dashboard)
    row(f"Miarka cached cross-section (Redis hit, {len(body) / 1e3:,.0f} kB)", cached,
        redis_only[0])  # fmt: skip
    print(f"  {'':58} p99 ratio to raw Redis {cached[2] / redis_only[2]:.2f}x")
    row("  the same with the per-client rate limit on (Redis)", cached_limited, redis_only[0])
    row("Miarka 304 revalidation (ratio to hello-world)", revalidated, hello[0])
    row("Miarka uncached cross-section (2,477 gminas)", uncached, raw_cross[0])
    row("Miarka uncached dashboard (Kraków, all domains)", dashboard, raw_dashboard[0])
    return one


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--variables", type=int, default=2_000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--export-rows", default="1000000,10000000")
    parser.add_argument("--reuse", action="store_true", help="measure the filled database again")
    parser.add_argument("--only-fill", action="store_true", help="fill, measure nothing")
    args = parser.parse_args()
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
    print(f"Miarka bench: 127.0.0.1 only, wrk -t2 -c32 -d{args.seconds}s, {os.cpu_count()} cores")
    quiesce(url)
    one = http_figures(base_env, args.seconds, redis_url)
    pages = -(-GMINAS // BDL_PAGE)
    bdl_seconds = pages / BDL_PER_SECOND
    print("One indicator for every gmina")
    print(
        f"  Miarka, one request: {one * 1000:.1f} ms; BDL API anonymous minimum: {pages} pages"
        f" at {BDL_PER_SECOND}/s = {bdl_seconds:.1f} s (computed) -> {bdl_seconds / one:,.0f}x"
    )
    print(f"Bulk load, {args.rows:,} SYNTHETIC rows")
    quiesce(url)
    asyncio.run(bulk_load(url, args.rows))
    print("CSV export (bulk, SYNTHETIC values), against psql \\copy of the same rows")
    export.measure(server, [int(n) for n in args.export_rows.split(",") if n])
    print("Cold start")
    print(f"  empty embedded PostgreSQL -> shipped data served: {cold_start():.1f} s")


def _timed(url: str) -> float:
    started = time.perf_counter()
    httpx.get(url, timeout=30).raise_for_status()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
