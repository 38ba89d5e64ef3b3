"""With DATABASE_REPLICA_URL set, API reads go to the replica; writes go to the primary."""

from urllib.parse import urlsplit

from litestar.testing import AsyncTestClient
from sqlalchemy import text

from loaders.teryt import load_teryt
from service.app import create_app
from service.db import with_database
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
