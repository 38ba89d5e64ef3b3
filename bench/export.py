"""Benchmark: bulk CSV export throughput and server memory, against `psql \\copy`.

Fills a scratch database with SYNTHETIC indicator values (generate_series over the real
register's units, the `kontekst` indicator codes and made-up years; random values - named
synthetic, never presented as data), starts `miarka serve` on 127.0.0.1, downloads
`/api/v1/exports/domains/kontekst.csv` for 1M and 10M rows while sampling the server's RSS,
and runs `psql \\copy (same SELECT) to stdout` on the same rows. Prints MB/s, rows/s, the ratio
to psql and the peak RSS. Needs DATABASE_URL of a server it may create `miarka_bench_export` on
(a TCP URL, for psql). Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres
python bench/export.py [1000000 10000000]
Each size is measured in 3 interleaved rounds (bench/rounds.py); the ratio is each round's own.
"""

import asyncio
import os
import subprocess
import sys
import threading
import time

import asyncpg
import httpx
import psutil
from rounds import Spread, Table, in_round_order
from scratch import drop_database, free_port, fresh_database, start_server, wait_ready

from service.db import with_database
from service.routes.exports import export_sql
from service.settings import REPO_ROOT

BENCH_DB = "miarka_bench_export"
MAX_SECONDS = 600

SYNTHETIC = """
INSERT INTO indicator_value (indicator_code, year, teryt, level, value, numerator, denominator,
                             flags, rank, rank_of, peer_group, peer_median, national_median)
SELECT i.code, y.year, u.teryt, u.level, random() * 1000, random() * 1e6, random() * 1e4,
       CASE WHEN random() < 0.1 THEN '{synthetic}'::text[] ELSE '{}' END,
       (random() * 2000)::int, 2477, 'synthetic', 500.5, 499.9
FROM unnest($1::text[]) AS i(code)
CROSS JOIN generate_series(1900, 1900 + $2 - 1) AS y(year)
CROSS JOIN (SELECT teryt, level FROM territorial_unit
            WHERE level IN ('gmina', 'powiat', 'voivodeship')) AS u
"""


async def prepare(server: str, rows: int, codes: list[str]) -> int:
    url = await fresh_database(server, BENCH_DB, register_only=True)
    conn = await asyncpg.connect(url)
    units = await conn.fetchval(
        "SELECT count(*) FROM territorial_unit WHERE level IN ('gmina','powiat','voivodeship')"
    )
    years = max(1, round(rows / (units * len(codes))))
    await conn.execute(SYNTHETIC, codes, years)
    await conn.execute("VACUUM ANALYZE indicator_value")
    total = int(await conn.fetchval("SELECT count(*) FROM indicator_value"))
    await conn.close()
    return total


def sample_rss(pid: int, stop: threading.Event, peak: list[int]) -> None:
    process = psutil.Process(pid)
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], process.memory_info().rss)
        except psutil.Error:
            return
        time.sleep(0.05)


def download(base: str, path: str, encoding: str = "identity") -> tuple[int, float]:
    """Bytes on the wire and seconds; `identity` compares the same bytes as psql."""
    size = 0
    started = time.perf_counter()
    headers = {"Accept-Encoding": encoding}
    with httpx.stream("GET", base + path, timeout=MAX_SECONDS, headers=headers) as response:
        response.raise_for_status()
        for chunk in response.iter_raw(1 << 20):
            size += len(chunk)
            if time.perf_counter() - started > MAX_SECONDS:
                raise TimeoutError(path)
    return size, time.perf_counter() - started


def psql_copy(url: str, codes: list[str]) -> tuple[int, float]:
    array = "ARRAY[" + ",".join(f"'{c}'" for c in codes) + "]"
    query = " ".join(export_sql("pl").replace("$1::text[]", array).split())
    command = f"\\copy ({query}) to stdout with (format csv, header true, delimiter ';')"
    started = time.perf_counter()
    result = subprocess.run(
        ["psql", url, "-X", "-q", "-c", command],
        capture_output=True,
        timeout=MAX_SECONDS,
        check=True,
    )
    return len(result.stdout), time.perf_counter() - started


def measure(server: str, sizes: list[int], rounds: int = 3, table: Table | None = None) -> None:
    """Print one line per size: Miarka's bulk CSV against psql, interleaved for `rounds`
    rounds (the ratio is each round's own), and the server's peak RSS over them all."""
    from domains.indicators.catalogue import default_catalogue  # noqa: PLC0415

    table = table or Table()
    codes = [i.code for i in default_catalogue().indicators if i.domain == "kontekst"]
    url = with_database(server, BENCH_DB)
    print(f"{'rows':>11} {'MB':>8} {'miarka s':>9} {'MB/s':>7} {'rows/s':>10} {'psql s':>7} "
          f"{'peak RSS MB':>12} {'idle RSS MB':>12}  ratio to psql")  # fmt: skip
    for target in sizes:
        rows = asyncio.run(prepare(server, target, codes))
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "MIARKA_LOG_LEVEL": "WARNING"}
        process = start_server(port, env)
        base = f"http://127.0.0.1:{port}"
        path = "/api/v1/exports/domains/kontekst.csv?locale=pl"
        try:
            wait_ready(base + "/ready", process, 120)
            idle = psutil.Process(process.pid).memory_info().rss
            peak = [idle]
            stop = threading.Event()
            sampler = threading.Thread(target=sample_rss, args=(process.pid, stop, peak))
            sampler.start()
            for n in range(rounds):
                for side in in_round_order(("miarka", "psql"), n):
                    size, seconds = (
                        download(base, path) if side == "miarka" else psql_copy(url, codes)
                    )
                    table.add(f"export {rows} {side}", seconds)
            gzip_size, gzip_seconds = download(base, path, "gzip")
            stop.set()
            sampler.join()
        finally:
            process.terminate()
            process.wait(timeout=30)
        mb = size / 1e6
        seconds = table.spread(f"export {rows} miarka").median
        ratio = table.ratio(f"export {rows} psql", f"export {rows} miarka")
        print(
            f"{rows:>11,} {mb:>8.1f} {seconds:>9.2f} {mb / seconds:>7.1f} {rows / seconds:>10,.0f}"
            f" {table.spread(f'export {rows} psql').median:>7.2f} {peak[0] / 1e6:>12.1f}"
            f" {idle / 1e6:>12.1f}  {ratio.text()}"
        )
        print(
            f"{'':>11} gzip on the wire: {gzip_size / 1e6:.1f} MB in {gzip_seconds:.2f} s"
            f" ({rows / gzip_seconds:,.0f} rows/s)"
        )
        table.goal(f"bulk CSV export vs `psql \\copy`, {rows:,} rows", ratio, at_least=0.8)
        label = f"server peak RSS exporting {rows:,} rows (idle {idle / 1e6:.0f} MB)"
        table.goal(label, Spread((peak[0] / 1e6,)), goal="flat", fmt="{:.1f}", suffix=" MB")
    asyncio.run(drop_database(server, BENCH_DB))


def main() -> None:
    server = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    sys.path.insert(0, str(REPO_ROOT))
    measure(server, [int(a) for a in sys.argv[1:]] or [1_000_000, 10_000_000])


if __name__ == "__main__":
    main()
