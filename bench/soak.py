"""Bounded soak: a realistic request mix at a paced rate; memory must stay flat, errors zero.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    REDIS_URL=redis://127.0.0.1:6379/13 python bench/soak.py --minutes 10 --rate 200

Not part of the test suite: it takes minutes and the figures go into the note. It prepares its
own database (`miarka_bench_soak`: migrated, shipped data), clears Miarka's keys in the given
Redis database so the run starts cold, starts Miarka under granian (1 worker, 127.0.0.1, a
free port) and sends a fixed mix of reads at `--rate` requests/s for `--minutes`: cached
cross-sections, dashboards and series of units picked Zipf-like (a few popular, a long tail),
name searches, CSV exports, If-None-Match revalidations (304), web pages, and bad requests
whose 4xx is asserted. Every request's status is checked against the one expected.

Bounded: requests are paced on a fixed schedule of rate x seconds slots, never more than
1.1 x that many are sent, and everything stops at --minutes + 1 minute whatever happens.
Loopback only: DATABASE_URL and REDIS_URL must point at 127.0.0.1/localhost.

Every 10 s it samples the server's RSS (granian's main process and its worker, a child),
its CPU (both processes), and the window's requests by status class, unexpected statuses,
transport errors and p50/p99 latency (timed from the send; how far sends fell behind the schedule is
reported as the lag). Memory counts as flat when the least-squares line through the
total RSS samples after warm-up (the first minute; a third of the run when that is shorter)
rises by less than 5 % of its starting value over that span. Exit code 1 on any error
(unexpected status, transport error, worker restart, error in the server log, hard stop) or
when memory is not flat. The server is stopped and the database dropped at the end.
"""

import argparse
import asyncio
import bisect
import contextlib
import itertools
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil
from redis import Redis
from scratch import drop_database, free_port, fresh_database, wait_ready

from service.logs import configure_logging
from service.settings import Settings

SOAK_DB = "miarka_bench_soak"
LOOPBACK = ("127.0.0.1", "localhost")
SAMPLE_SECONDS = 10.0
WARMUP_SECONDS = 60.0
FLAT_LIMIT = 0.05
"""Memory is flat when the fitted RSS rises by less than this fraction after warm-up."""
HARD_STOP_EXTRA = 60.0
MAX_FACTOR = 1.1
REQUEST_TIMEOUT = 30.0
ZIPF_EXPONENT = 0.9
ETAG_MEMORY = 1_000
EXAMPLES = 10
SEED = 20_240_601
MB = 1024 * 1024
POLISH_ASCII = str.maketrans("ąćęłńóśźż", "acelnoszz")
MIX = {
    "cross-section": 22,
    "dashboard": 18,
    "series": 14,
    "search": 8,
    "revalidate 304": 12,
    "csv cross-section": 2,
    "csv dashboard": 3,
    "csv series": 2,
    "web unit": 6,
    "web start": 3,
    "web search": 2,
    "web indicator": 2,
    "bad request": 6,
}
"""Relative weights of the request kinds: mostly cacheable API reads, some pages and CSV."""
KINDS = list(MIX)
CUMULATIVE_WEIGHTS = list(itertools.accumulate(MIX.values()))
BAD = (
    ("/api/v1/units/0299011", 404),
    ("/api/v1/units?level=commune", 400),
    ("/api/v1/indicators/kontekst.udzial_65_plus/values?level=commune&year=2020", 400),
    ("/api/v1/indicators/nie.ma.takiego/values?level=gmina", 404),
    ("/api/v1/units/1261011/indicators/nie.ma.takiego/series", 404),
    ("/api/v1/units?q=", 400),
    ("/j/0299011", 404),
)


@dataclass
class Window:
    """Counts of one sampling window; swapped out whole so a sample never mixes windows."""

    requests: int = 0
    classes: Counter[str] = field(default_factory=Counter)
    unexpected: int = 0
    transport: int = 0
    latencies: list[float] = field(default_factory=list)


@dataclass
class Sample:
    seconds: float
    window_seconds: float
    window: Window
    rss_main: int
    rss_worker: int
    cpu_percent: float
    workers: frozenset[int]

    @property
    def rss_total(self) -> int:
        return self.rss_main + self.rss_worker


@dataclass
class Soak:
    """State shared by the workers: the schedule, the counts, the ETags seen so far."""

    rate: float
    start: float
    end: float
    slots: int
    cap: int
    rng: random.Random
    window: Window = field(default_factory=Window)
    sent: int = 0
    max_lag: float = 0.0
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    transport: list[str] = field(default_factory=list)
    etags: list[tuple[str, str]] = field(default_factory=list)
    counter: Iterator[int] = field(default_factory=itertools.count)
    mark: tuple[float, float] = (0.0, 0.0)
    """(monotonic time, server CPU seconds) of the last sample: each window's CPU is its own."""


@dataclass(frozen=True)
class Catalogue:
    """What the requests are drawn from, read from the running API before the soak."""

    cross_sections: list[tuple[str, str, int]]
    codes: list[str]
    units: list[str]
    names: list[str]
    cumulative: list[float]

    def unit(self, rng: random.Random) -> str:
        """A few units are popular and most are rarely asked for, as on a real site."""
        index = bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])
        return self.units[min(index, len(self.units) - 1)]


def require_loopback(url: str) -> None:
    """The soak drops a database and deletes cache keys: never against another machine."""
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise SystemExit(f"soak runs against 127.0.0.1 only, not {host!r}")


async def prepare(server: str) -> str:
    """A fresh database of its own, so bench/run.py and the tests are never disturbed."""
    configure_logging(Settings(log_level="WARNING"))
    return await fresh_database(server, SOAK_DB)


async def drop(server: str) -> None:
    await drop_database(server, SOAK_DB)


def clear_cache(redis_url: str) -> int:
    """Delete Miarka's keys (and only those) so every run starts from a cold cache."""
    redis = Redis.from_url(redis_url)
    deleted = 0
    for _ in range(1_000):  # bounded: at most 1,000 batches of keys
        keys = list(itertools.islice(redis.scan_iter(match="miarka:*", count=1_000), 1_000))
        if not keys:
            break
        deleted += int(redis.delete(*keys))
    redis.close()
    return deleted


def start_server(
    database_url: str, redis_url: str, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """Miarka as deployed (granian, 1 worker), its output kept to be checked for errors."""
    port = free_port()
    granian = str(Path(sys.executable).parent / "granian")
    command = [
        granian,
        "--interface",
        "asgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
        "--factory",
        "service.app:app_from_env",
    ]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MIARKA_LOG_LEVEL": "WARNING",
        "MIARKA_LOG_JSON": "true",
        "MIARKA_RATE_LIMIT_PER_MINUTE": "0",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Terminate granian and wait; its worker goes with it (killed if it lingers)."""
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    _, alive = psutil.wait_procs(children, timeout=10)
    for child in alive:
        child.kill()


def server_log_errors(log: Path) -> tuple[list[str], int]:
    """Error-level JSON log lines, tracebacks and anything granian reports as an error; and
    how many lines the server wrote at all (at WARNING, a quiet server writes none)."""
    found = []
    lines = log.read_text(errors="replace").splitlines()
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if isinstance(entry, dict):
            if str(entry.get("level", "")).lower() in ("error", "critical", "exception"):
                found.append(line)
        elif "traceback" in line.lower() or "error" in line.lower():
            found.append(line)
    return found, len(lines)


async def read_catalogue(client: httpx.AsyncClient, rng: random.Random) -> Catalogue:
    """Indicators with data and every gmina, from the API itself, so nothing is hard-coded."""
    indicators = (await client.get("/api/v1/indicators", params={"status": "ok"})).json()
    cross = [
        (item["code"], level, year)
        for item in indicators
        for level in item["levels"]
        for year in item["years"]
    ]
    page = (await client.get("/api/v1/units", params={"level": "gmina", "limit": 5000})).json()
    units = [(u["teryt"], u["name"]) for u in page["items"]]
    rng.shuffle(units)  # the popular units are a random few, not the first voivodeship
    weights = itertools.accumulate(1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(units)))
    return Catalogue(
        cross_sections=cross,
        codes=sorted({item["code"] for item in indicators}),
        units=[teryt for teryt, _ in units],
        names=[name for _, name in units],
        cumulative=list(weights),
    )


def search_term(catalogue: Catalogue, rng: random.Random) -> str:
    """A prefix of a real name, sometimes typed without Polish letters."""
    name = rng.choice(catalogue.names).lower()
    term = name[: rng.randint(3, 6)]
    return term.translate(POLISH_ASCII) if rng.random() < 0.5 else term


def pick(soak: Soak, catalogue: Catalogue) -> tuple[str, str, dict[str, str], int]:
    """(kind, path, headers, expected status) of the next request of the mix."""
    rng = soak.rng
    kind = rng.choices(KINDS, cum_weights=CUMULATIVE_WEIGHTS)[0]
    teryt = catalogue.unit(rng)
    code = rng.choice(catalogue.codes)
    cross_code, level, year = rng.choice(catalogue.cross_sections)
    cross = f"/api/v1/indicators/{cross_code}/values?level={level}&year={year}"
    if kind == "revalidate 304" and soak.etags:
        path, etag = rng.choice(soak.etags)
        return kind, path, {"If-None-Match": etag}, 304
    if kind == "bad request":
        path, status = rng.choice(BAD)
        return kind, path, {}, status
    paths = {
        "cross-section": cross,
        "dashboard": f"/api/v1/units/{teryt}/indicators",
        "series": f"/api/v1/units/{teryt}/indicators/{code}/series",
        "search": f"/api/v1/units?q={search_term(catalogue, rng)}",
        "csv cross-section": f"{cross}&format=csv",
        "csv dashboard": f"/api/v1/units/{teryt}/indicators?format=csv",
        "csv series": f"/api/v1/units/{teryt}/indicators/{code}/series?format=csv",
        "web unit": f"/j/{teryt}",
        "web start": "/",
        "web search": f"/?q={search_term(catalogue, rng)}",
        "web indicator": f"/w/{code}",
    }
    if kind not in paths:  # a revalidation before any ETag was seen
        kind = "cross-section"
    return kind, paths[kind], {}, 200


def remember_etag(soak: Soak, path: str, response: httpx.Response) -> None:
    """Keep a bounded, random subset of the tags seen, to revalidate later."""
    etag = response.headers.get("etag")
    if response.status_code != 200 or not etag:
        return
    if len(soak.etags) < ETAG_MEMORY:
        soak.etags.append((path, etag))
    else:
        soak.etags[soak.rng.randrange(ETAG_MEMORY)] = (path, etag)


async def one_request(soak: Soak, client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    kind, path, headers, expected = pick(soak, catalogue)
    soak.sent += 1
    started = time.perf_counter()
    try:
        response = await client.get(path, headers=headers)
    except httpx.TransportError as exc:
        soak.window.requests += 1
        soak.window.transport += 1
        if len(soak.transport) < EXAMPLES:
            soak.transport.append(f"{kind} {path}: {exc!r}")
        return
    elapsed = time.perf_counter() - started
    window = soak.window
    window.requests += 1
    window.classes[f"{response.status_code // 100}xx"] += 1
    window.latencies.append(elapsed)
    soak.by_kind.setdefault(kind, []).append(elapsed)
    if response.status_code != expected:
        window.unexpected += 1
        if len(soak.unexpected) < EXAMPLES:
            soak.unexpected.append(f"{kind} {path}: {response.status_code}, expected {expected}")
    elif kind != "revalidate 304":
        remember_etag(soak, path, response)


async def worker(soak: Soak, client: httpx.AsyncClient, catalogue: Catalogue) -> None:
    """Take the next slot of the fixed schedule, wait for its time, send; stop when done."""
    while soak.sent < soak.cap:
        slot = next(soak.counter)
        due = soak.start + slot / soak.rate
        if slot >= soak.slots or due >= soak.end:
            return
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            soak.max_lag = max(soak.max_lag, -delay)
        await one_request(soak, client, catalogue)


def measure(server: psutil.Process) -> tuple[int, int, float, frozenset[int]]:
    """(main RSS, worker RSS, CPU seconds so far, worker pids) of the server tree."""
    main = server.memory_info().rss
    cpu = sum(server.cpu_times()[:2])
    rss = 0
    pids = set()
    for child in server.children(recursive=True):
        try:
            rss += child.memory_info().rss
            cpu += sum(child.cpu_times()[:2])
            pids.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return main, rss, cpu, frozenset(pids)


async def sampler(soak: Soak, server: psutil.Process, samples: list[Sample]) -> None:
    """Every SAMPLE_SECONDS: memory, CPU and the window's counts; bounded by the run's end."""
    for tick in itertools.count(1):
        at = soak.start + tick * SAMPLE_SECONDS
        if at > soak.end + HARD_STOP_EXTRA:
            return
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        samples.append(take_sample(soak, server))


def take_sample(soak: Soak, server: psutil.Process) -> Sample:
    now = time.monotonic()
    window, soak.window = soak.window, Window()
    main, worker_rss, cpu, pids = measure(server)
    last_time, last_cpu = soak.mark
    soak.mark = (now, cpu)
    span = max(now - last_time, 1e-9)
    return Sample(
        seconds=now - soak.start,
        window_seconds=span,
        window=window,
        rss_main=main,
        rss_worker=worker_rss,
        cpu_percent=100 * (cpu - last_cpu) / span,
        workers=pids,
    )


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile in ms (0 for an empty window)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


async def drive(
    base: str, server: psutil.Process, minutes: float, rate: float, workers: int
) -> tuple[Soak, list[Sample], bool]:
    """Run the soak; returns the state, the samples and whether the hard stop had to act."""
    rng = random.Random(SEED)
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, limits=limits) as client:
        catalogue = await read_catalogue(client, rng)
        seconds = minutes * 60
        start = time.monotonic()
        soak = Soak(
            rate=rate,
            start=start,
            end=start + seconds,
            slots=int(rate * seconds),
            cap=int(rate * seconds * MAX_FACTOR),
            rng=rng,
        )
        soak.mark = (start, measure(server)[2])
        print(
            f"  {len(catalogue.cross_sections)} cross-sections, {len(catalogue.codes)}"
            f" indicators, {len(catalogue.units)} gminas; {soak.slots:,} requests planned"
        )
        samples: list[Sample] = []
        sampling = asyncio.create_task(sampler(soak, server, samples))
        hard_stopped = False
        try:
            async with asyncio.timeout(seconds + HARD_STOP_EXTRA):
                await asyncio.gather(*(worker(soak, client, catalogue) for _ in range(workers)))
        except TimeoutError:
            hard_stopped = True
        sampling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampling
        if soak.window.requests:  # the last, partial window
            samples.append(take_sample(soak, server))
    return soak, samples, hard_stopped


def report(
    soak: Soak, samples: list[Sample], hard_stopped: bool, log: tuple[list[str], int]
) -> bool:
    """Print the samples and the summary; True when the soak passed."""
    log_errors, log_lines = log
    print(
        f"\n{'t s':>6} {'req':>6} {'req/s':>7} {'2xx':>6} {'3xx':>5} {'4xx':>5} {'5xx':>4}"
        f" {'unexp':>5} {'trans':>5} {'p50 ms':>7} {'p99 ms':>7} {'cpu %':>6}"
        f" {'worker MB':>9} {'total MB':>8}"
    )
    for s in samples:
        w = s.window
        print(
            f"{s.seconds:6.0f} {w.requests:6} {w.requests / s.window_seconds:7.1f}"
            f" {w.classes['2xx']:6} {w.classes['3xx']:5} {w.classes['4xx']:5}"
            f" {w.classes['5xx']:4} {w.unexpected:5} {w.transport:5}"
            f" {percentile(w.latencies, 0.5):7.2f} {percentile(w.latencies, 0.99):7.2f}"
            f" {s.cpu_percent:6.1f} {s.rss_worker / MB:9.1f} {s.rss_total / MB:8.1f}"
        )
    total = sum(s.window.requests for s in samples)
    elapsed = samples[-1].seconds if samples else 0.0
    unexpected = sum(s.window.unexpected for s in samples)
    transport = sum(s.window.transport for s in samples)
    restarts = len({s.workers for s in samples if s.workers}) - 1 if samples else 0
    classes: Counter[str] = Counter()
    for s in samples:
        classes.update(s.window.classes)
    everything = [x for s in samples for x in s.window.latencies]
    print("\nBy kind")
    for kind, values in sorted(soak.by_kind.items(), key=lambda kv: -len(kv[1])):
        print(
            f"  {kind:18} {len(values):7,}  p50 {percentile(values, 0.5):7.2f} ms"
            f"  p99 {percentile(values, 0.99):7.2f} ms"
        )
    print("\nSummary")
    print(
        f"  requests {total:,} in {elapsed:.0f} s = {total / max(elapsed, 1e-9):.1f} req/s"
        f" (target {soak.rate:g}); max lag behind schedule {soak.max_lag * 1000:.0f} ms"
    )
    print(
        f"  status classes {dict(sorted(classes.items()))};"
        f" p50 {percentile(everything, 0.5):.2f} ms, p99 {percentile(everything, 0.99):.2f} ms"
    )
    errors = unexpected + transport + max(restarts, 0) + len(log_errors) + int(hard_stopped)
    print(
        f"  errors {errors}: unexpected statuses {unexpected}, transport errors {transport},"
        f" worker restarts {max(restarts, 0)},"
        f" server log errors {len(log_errors)} (of {log_lines} lines),"
        f" hard stop {'yes' if hard_stopped else 'no'}"
    )
    for line in [*soak.unexpected, *soak.transport, *log_errors[:EXAMPLES]]:
        print(f"    {line[:300]}")
    flat = memory_verdict(samples, elapsed)
    return errors == 0 and flat


def memory_verdict(samples: list[Sample], elapsed: float) -> bool:
    """RSS figures and the flatness rule; True when memory is flat."""
    if not samples:
        print("  no samples: memory NOT judged")
        return False
    warmup = min(WARMUP_SECONDS, elapsed / 3)
    rss = [(s.seconds, s.rss_total / MB) for s in samples]
    first = [mb for t, mb in rss if t <= WARMUP_SECONDS + 1] or [rss[0][1]]
    last = [mb for t, mb in rss if t >= elapsed - WARMUP_SECONDS - 1] or [rss[-1][1]]
    after = [(t, mb) for t, mb in rss if t > warmup]
    print(
        f"  RSS (granian main + worker): first minute avg {statistics.fmean(first):.1f} MB,"
        f" last minute avg {statistics.fmean(last):.1f} MB, max {max(mb for _, mb in rss):.1f}"
        f" MB; worker max {max(s.rss_worker for s in samples) / MB:.1f} MB"
    )
    if len(after) < 3:
        print(f"  fewer than 3 samples after a {warmup:.0f} s warm-up: memory NOT judged")
        return False
    xs = [t for t, _ in after]
    slope, intercept = statistics.linear_regression(xs, [mb for _, mb in after])
    start_mb = intercept + slope * xs[0]
    growth: float = slope * (xs[-1] - xs[0]) / start_mb
    print(
        f"  RSS slope after {warmup:.0f} s warm-up (least squares, {len(after)} samples):"
        f" {slope * 600:+.2f} MB per 10 min; fitted growth over {xs[-1] - xs[0]:.0f} s"
        f" {growth * 100:+.2f} %"
    )
    flat = growth < FLAT_LIMIT
    rule = f"rule: fitted RSS growth after warm-up < {FLAT_LIMIT * 100:.0f} % of its start"
    print(f"  {'memory flat' if flat else 'memory NOT flat'} ({rule})")
    return flat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0, help="target requests per second")
    parser.add_argument("--workers", type=int, default=16, help="concurrent client workers")
    args = parser.parse_args()
    if args.minutes <= 0 or args.rate <= 0 or args.workers <= 0:
        parser.error("--minutes, --rate and --workers must be positive")
    server_url = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
    require_loopback(server_url)
    require_loopback(redis_url)
    print(
        f"Miarka soak: {args.minutes:g} min at {args.rate:g} req/s, {args.workers} workers,"
        f" granian 1 worker, 127.0.0.1, {os.cpu_count()} cores"
    )
    started = time.monotonic()
    url = asyncio.run(prepare(server_url))
    print(
        f"  database {SOAK_DB} ready in {time.monotonic() - started:.0f} s;"
        f" {clear_cache(redis_url)} cached keys cleared"
    )
    with tempfile.TemporaryDirectory(prefix="miarka-soak-") as tmp:
        log = Path(tmp) / "server.log"
        process, base = start_server(url, redis_url, log)
        try:
            print(f"  server ready in {wait_ready(base + '/ready', process):.1f} s at {base}")
            server = psutil.Process(process.pid)
            soak, samples, hard_stopped = asyncio.run(
                drive(base, server, args.minutes, args.rate, args.workers)
            )
        finally:
            stop_server(process)
            clear_cache(redis_url)
            asyncio.run(drop(server_url))
        passed = report(soak, samples, hard_stopped, server_log_errors(log))
    print(f"  server stopped, database {SOAK_DB} dropped; {'PASS' if passed else 'FAIL'}")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
