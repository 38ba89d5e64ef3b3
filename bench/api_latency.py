"""Benchmark: latency of the hot read endpoints under a bounded local load.

Starts `miarka serve` on a free 127.0.0.1 port (shipped data; DATABASE_URL if set, else the
embedded PostgreSQL in a temporary state dir), then sends a fixed number of requests with a
fixed concurrency to each endpoint, never longer than MAX_SECONDS each, and prints req/s,
p50 and p99. Loopback only. Usage: python bench/api_latency.py [requests] [concurrency]
"""

import asyncio
import os
import statistics
import sys
import tempfile
import time

import httpx
from scratch import free_port, start_server, wait_ready

MAX_SECONDS = 30.0
ENDPOINTS = {
    "cross-section (all gminas, one indicator, one year)": (
        "/api/v1/indicators/kontekst.udzial_65_plus/values?level=gmina&year=2020"
    ),
    "unit dashboard (Kraków, all domains)": "/api/v1/units/1261011/indicators",
    "unit series": "/api/v1/units/1261011/indicators/kontekst.ludnosc/series",
    "units list (all gminas)": "/api/v1/units?level=gmina",
    "health (framework floor)": "/health",
}


async def hammer(base: str, path: str, total: int, concurrency: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    deadline = time.monotonic() + MAX_SECONDS
    remaining = total
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for _ in range(10):  # warm-up
            (await client.get(path)).raise_for_status()

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0 and time.monotonic() < deadline:
                remaining -= 1
                started = time.perf_counter()
                response = await client.get(path)
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, elapsed


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    port = free_port()
    env = {**os.environ, "MIARKA_LOG_LEVEL": "WARNING"}
    if "DATABASE_URL" not in env:
        env["MIARKA_STATE_DIR"] = tempfile.mkdtemp(prefix="miarka-bench-")
    server = start_server(port, env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/ready", server, 180)
        print(f"{total} requests per endpoint, concurrency {concurrency}, one uvicorn worker")
        print(f"{'endpoint':55} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for label, path in ENDPOINTS.items():
            latencies, elapsed = asyncio.run(hammer(base, path, total, concurrency))
            latencies.sort()
            p50 = statistics.median(latencies) * 1000
            p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
            print(f"{label:55} {len(latencies) / elapsed:8.0f} {p50:8.1f} {p99:8.1f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
