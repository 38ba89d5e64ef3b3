"""Benchmark: every shipped file loaded into an empty database, and the first start of `serve`.

Prints figures, asserts nothing. Usage:
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/load_shipped.py \\
        [--rounds 3] [--cold-starts 3]
Per file: the wall time of its loader (read, check, publish, indicators), median of the rounds;
then `load_shipped` in one call, as `serve` runs it (the heavy reads done ahead in a worker).
Each round loads twice, interleaved: with the incremental engine (what loaders run) and with
a full recomputation after every load (the engine before; `--engine` picks one), and prints
the ratio. Cold start: `miarka serve` on a new embedded PostgreSQL (no DATABASE_URL) until
the shipped data are served, median of `--cold-starts` runs (bench/run.py's measurement). The
rounds and the cold starts are interleaved. It creates and drops the database miarka_bench_shipped.
"""

import argparse
import asyncio
import os
import statistics
import time
from collections import defaultdict

import asyncpg
from run import cold_start  # bench/ is on sys.path when run as `python bench/load_shipped.py`

import loaders.observation_load
from domains.indicators.engine import compute_all, compute_changed
from loaders.manifest import shipped_files, verified_path
from loaders.shipped import LOADERS, load_order, load_shipped
from service.db import make_engine, with_database
from service.migrate import upgrade
from service.settings import REPO_ROOT, Settings

BENCH_DB = "miarka_bench_shipped"
DATA = REPO_ROOT / "data"


ENGINES = {"incremental": compute_changed, "full": compute_all}


async def one_round(server: str, engine_name: str) -> dict[str, float]:
    # recompute_indicators looks the engine up in its module at call time
    loaders.observation_load.compute_changed = ENGINES[engine_name]  # type: ignore[assignment]
    url = await _empty_database(server)
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


async def whole_round(server: str) -> float:
    """`load_shipped` in one call, as `serve` runs it: the heavy files read ahead in a worker
    process while the files before them publish (loaders/read_ahead.py), then one ANALYZE."""
    loaders.observation_load.compute_changed = ENGINES["incremental"]  # type: ignore[assignment]
    url = await _empty_database(server)
    started = time.perf_counter()
    await upgrade(url)
    engine = make_engine(url, Settings(database_url=url), statement_timeout_ms=0)
    try:
        await load_shipped(engine, DATA)
    finally:
        await engine.dispose()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold-starts", type=int, default=3)
    parser.add_argument("--engine", choices=[*ENGINES, "both"], default="both")
    args = parser.parse_args()
    engines = list(ENGINES) if args.engine == "both" else [args.engine]
    server = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    loads: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in engines}
    starts: list[float] = []
    wholes: list[float] = []
    for index in range(max(args.rounds, args.cold_starts)):
        if index < args.rounds:
            for engine_name in engines:
                for name, seconds in asyncio.run(one_round(server, engine_name)).items():
                    loads[engine_name][name].append(seconds)
            wholes.append(asyncio.run(whole_round(server)))
        if index < args.cold_starts:
            starts.append(cold_start())
    print(f"Shipped data into an empty database, median of {args.rounds} rounds (seconds)")
    print(f"  {'file':<60} " + " ".join(f"{name:>11}" for name in engines)
          + ("       ratio" if len(engines) == 2 else ""))  # fmt: skip
    for name in loads[engines[0]]:
        medians = [statistics.median(loads[engine_name][name]) for engine_name in engines]
        ratio = f" {medians[1] / medians[0]:10.2f}x" if len(medians) == 2 and medians[0] else ""
        print(f"  {name:<60} " + " ".join(f"{m:11.1f}" for m in medians) + ratio)
    print(
        f"load_shipped in one call (migrate included; heavy files read ahead), median of "
        f"{len(wholes)}: {statistics.median(wholes):.1f} s "
        f"(runs: {', '.join(f'{w:.1f}' for w in wholes)})"
    )
    if starts:
        print(
            f"First start of `miarka serve` on an empty embedded PostgreSQL, median of "
            f"{len(starts)}: {statistics.median(starts):.1f} s "
            f"(runs: {', '.join(f'{s:.1f}' for s in starts)})"
        )
    asyncio.run(_drop(server))


async def _empty_database(server: str) -> str:
    """The bench database dropped and created again; its URL."""
    admin = await asyncpg.connect(server)
    await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {BENCH_DB}")
    await admin.close()
    return with_database(server, BENCH_DB)


async def _drop(server: str) -> None:
    admin = await asyncpg.connect(server)
    await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    await admin.close()


if __name__ == "__main__":
    main()
