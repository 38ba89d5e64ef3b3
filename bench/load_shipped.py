"""Benchmark: every shipped file loaded into an empty database, and the first start of `serve`.

Prints figures, asserts nothing. Usage:
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/load_shipped.py \\
        [--rounds 3] [--cold-starts 3]
Per file: the wall time of its loader (read, check, publish, indicators), median of the rounds.
Cold start: `miarka serve` on a new embedded PostgreSQL (no DATABASE_URL) until the shipped
data are served, median of `--cold-starts` runs (bench/run.py's measurement). The rounds and
the cold starts are interleaved. It creates and drops the database miarka_bench_shipped.
"""

import argparse
import asyncio
import os
import statistics
import time
from collections import defaultdict

import asyncpg
from run import cold_start  # bench/ is on sys.path when run as `python bench/load_shipped.py`

from loaders.manifest import shipped_files, verified_path
from loaders.shipped import LOADERS, load_order
from service.db import make_engine, with_database
from service.migrate import upgrade
from service.settings import REPO_ROOT, Settings

BENCH_DB = "miarka_bench_shipped"
DATA = REPO_ROOT / "data"


async def one_round(server: str) -> dict[str, float]:
    admin = await asyncpg.connect(server)
    await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {BENCH_DB}")
    await admin.close()
    url = with_database(server, BENCH_DB)
    times: dict[str, float] = {}
    started = time.perf_counter()
    await upgrade(url)
    times["(migrate)"] = time.perf_counter() - started
    engine = make_engine(url, Settings(database_url=url), statement_timeout_ms=0)
    try:
        for source in load_order():
            for entry in shipped_files(DATA, source):
                began = time.perf_counter()
                await LOADERS[source].load(engine, verified_path(DATA, entry), entry, None)
                times[entry.path] = time.perf_counter() - began
    finally:
        await engine.dispose()
    times["(all)"] = time.perf_counter() - started
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold-starts", type=int, default=3)
    args = parser.parse_args()
    server = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    loads: dict[str, list[float]] = defaultdict(list)
    starts: list[float] = []
    for index in range(max(args.rounds, args.cold_starts)):
        if index < args.rounds:
            for name, seconds in asyncio.run(one_round(server)).items():
                loads[name].append(seconds)
        if index < args.cold_starts:
            starts.append(cold_start())
    print(f"Shipped data into an empty database, median of {args.rounds} rounds (seconds)")
    for name, values in loads.items():
        print(f"  {name:<60} {statistics.median(values):8.1f}")
    if starts:
        print(
            f"First start of `miarka serve` on an empty embedded PostgreSQL, median of "
            f"{len(starts)}: {statistics.median(starts):.1f} s "
            f"(runs: {', '.join(f'{s:.1f}' for s in starts)})"
        )
    asyncio.run(_drop(server))


async def _drop(server: str) -> None:
    admin = await asyncpg.connect(server)
    await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    await admin.close()


if __name__ == "__main__":
    main()
