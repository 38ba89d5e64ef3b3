"""With DATABASE_REPLICA_URL set, API reads go to the replica; writes go to the primary; a new
release counts once the replica has it."""

import asyncio
from collections.abc import Callable
from urllib.parse import urlsplit

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from loaders.teryt import load_teryt
from service.app import create_app
from service.db import with_database
from service.release import ReleaseTracker
from service.settings import Settings
from tests.conftest import SHIPPED_DATA, TEST_DATA, engine_for


async def test_reads_use_the_replica_and_group_writes_use_the_primary(
    fresh_db_url, pg_server_url, template_db, redis_url
):
    primary = engine_for(fresh_db_url)
    await load_teryt(primary, SHIPPED_DATA / "teryt" / "TERC_Urzedowy_2025-11-18.csv")
    # A second database stands in for a streaming replica that is behind: the 2024 register.
    from tests.conftest import _admin  # noqa: PLC0415

    replica_name = urlsplit(fresh_db_url).path.lstrip("/") + "_replica"
    await _admin(pg_server_url, f'CREATE DATABASE "{replica_name}" TEMPLATE "{template_db}"')
    replica_url = with_database(fresh_db_url, replica_name)
    replica = engine_for(replica_url)
    await load_teryt(
        replica, TEST_DATA / "teryt" / "terc_2024-01-01_converted_from_lokacje_json.csv"
    )
    settings = Settings(
        database_url=fresh_db_url, database_replica_url=replica_url, redis_url=redis_url
    )
    try:
        async with AsyncTestClient(app=create_app(settings)) as client:
            units = (
                await client.get("/api/v1/units", params={"level": "gmina", "limit": 1})
            ).json()
            assert units["total"] == 2477  # the replica's 2024 register, not the primary's 2,479
            created = await client.post(
                "/api/v1/groups", json={"name": "on the primary", "members": ["1261011"]}
            )
            assert created.status_code == 201
        async with primary.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM unit_group")) == 1
        async with replica.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM unit_group")) == 0
    finally:
        await primary.dispose()
        await replica.dispose()
        await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{replica_name}" WITH (FORCE)')


@pytest.fixture
async def replica_db_url(fresh_db_url, pg_server_url, template_db):
    """A second database standing in for a streaming replica of `fresh_db_url`."""
    from tests.conftest import _admin  # noqa: PLC0415

    name = urlsplit(fresh_db_url).path.lstrip("/") + "_replica"
    await _admin(pg_server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_database(fresh_db_url, name)
    await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _add_release(url: str, *, notify: bool) -> int:
    """A data_release row as a publish writes it; the NOTIFY only on the primary."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        async with conn.transaction():
            run_id = await conn.fetchval(
                "INSERT INTO load_run (source, status) VALUES ('test', 'published') RETURNING id"
            )
            release = await conn.fetchval(
                "INSERT INTO data_release (source, load_run_id) VALUES ('test', $1) RETURNING id",
                run_id,
            )
            if notify:
                await conn.execute(
                    "SELECT pg_notify('miarka_release', id || '|' || published_at) "
                    "FROM data_release WHERE id = $1",
                    release,
                )
        return int(release)
    finally:
        await conn.close()


async def _until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def test_a_release_counts_once_the_replica_has_it(fresh_db_url, replica_db_url, redis_url):
    primary, replica = engine_for(fresh_db_url), engine_for(replica_db_url)
    register = SHIPPED_DATA / "teryt" / "TERC_Urzedowy_2025-11-18.csv"
    await load_teryt(primary, register)  # release 1 on both
    await load_teryt(replica, register)
    settings = Settings(
        database_url=fresh_db_url, database_replica_url=replica_db_url, redis_url=redis_url
    )
    primary_only = ReleaseTracker(fresh_db_url)  # follows the NOTIFY, as without a replica
    # Re-reads the primary every 0.1 s: that must not adopt the release either.
    rereading = ReleaseTracker(fresh_db_url, refresh_seconds=0.1, replica_dsn=replica_db_url)
    await primary_only.start()
    await rereading.start()
    try:
        async with AsyncTestClient(app=create_app(settings)) as client:
            served: ReleaseTracker = client.app.state.release  # runs in the client's loop
            assert served.current == rereading.current == 1
            assert await _add_release(fresh_db_url, notify=True) == 2
            assert await _until(lambda: primary_only.current == 2)  # the NOTIFY was sent
            await asyncio.sleep(0.6)  # several polls of the replica, several re-reads
            assert served.current == rereading.current == 1
            answer = await client.get("/api/v1/units", params={"level": "voivodeship"})
            assert answer.headers["etag"].startswith('"r1-')  # keyed on the replica's rows

            assert await _add_release(replica_db_url, notify=False) == 2  # replication arrives
            assert await _until(lambda: served.current == rereading.current == 2)
            answer = await client.get("/api/v1/units", params={"level": "voivodeship"})
            assert answer.headers["etag"].startswith('"r2-')
    finally:
        await primary_only.stop()
        await rereading.stop()
        await primary.dispose()
        await replica.dispose()
