"""Benchmark: TERYT register load time, cold (empty database) and repeated (no change).

Prints figures, asserts nothing. Usage:
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/load_teryt.py
Without DATABASE_URL it uses the embedded PostgreSQL in a temporary directory. It creates and
drops a database named miarka_bench_teryt on that server.
"""

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import asyncpg

from loaders.teryt import load_teryt
from service.db import make_engine, with_database
from service.migrate import upgrade
from service.settings import REPO_ROOT, Settings

REGISTER = REPO_ROOT / "data" / "teryt" / "TERC_Urzedowy_2025-11-18.csv"
ROUNDS = 5
BENCH_DB = "miarka_bench_teryt"


async def main() -> None:
    server = os.environ.get("DATABASE_URL")
    if server is None:
        from service.embedded import start_embedded  # noqa: PLC0415 - only without a server

        server = start_embedded(Path(tempfile.mkdtemp()), database="postgres")
    server = server.replace("postgresql+asyncpg://", "postgresql://")
    url = with_database(server, BENCH_DB)
    cold, repeated = [], []
    for _ in range(ROUNDS):
        admin = await asyncpg.connect(server)
        await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {BENCH_DB}")
        await admin.close()
        await upgrade(url)
        engine = make_engine(url, Settings(database_url=url), statement_timeout_ms=0)
        started = time.perf_counter()
        first = await load_teryt(engine, REGISTER)
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        again = await load_teryt(engine, REGISTER)
        repeated.append(time.perf_counter() - started)
        assert (first.status, again.status) == ("published", "unchanged")
        await engine.dispose()
    admin = await asyncpg.connect(server)
    await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    await admin.close()
    rows = first.counts.rows_read
    print(f"TERYT register {REGISTER.name}: {rows:,} units, {ROUNDS} rounds")
    for label, times in (("cold (empty db)", cold), ("repeated (no change)", repeated)):
        median = statistics.median(times)
        print(
            f"  {label:22} median {median * 1000:7.1f} ms  min {min(times) * 1000:7.1f} ms"
            f"  max {max(times) * 1000:7.1f} ms  {rows / median:10,.0f} rows/s"
        )
    print(f"  ratio repeated/cold: {statistics.median(repeated) / statistics.median(cold):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
