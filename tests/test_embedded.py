"""The embedded PostgreSQL used when no DATABASE_URL is given starts, keeps its data, serves."""

import asyncpg

from service.embedded import start_embedded


async def test_embedded_server_starts_creates_the_database_and_keeps_data(tmp_path):
    url = start_embedded(tmp_path, database="miarka_embedded_check")
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        assert (await conn.fetchval("SHOW server_version_num")).startswith("18")
        assert await conn.fetchval("SELECT current_database()") == "miarka_embedded_check"
        await conn.execute("CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)")
    finally:
        await conn.close()
    # a second start in the same state dir attaches to the same cluster and data
    again = start_embedded(tmp_path, database="miarka_embedded_check")
    conn = await asyncpg.connect(again.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        assert await conn.fetchval("SELECT x FROM kept") == 42
    finally:
        await conn.close()
    assert (tmp_path / "pgdata" / "PG_VERSION").read_text().strip() == "18"
