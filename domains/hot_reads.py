"""Hot read paths go straight to asyncpg: thousands of rows without SQLAlchemy row objects.

Profiling the cross-section showed a third of its time building Core `Row` mappings. The
request still holds one pooled SQLAlchemy connection (one transaction, one statement time
limit); only the rows are fetched through its asyncpg driver connection. A connection that
dies under a raw fetch is invalidated, so the pool never hands it out again.
"""

from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection

_CONNECTION_LOST = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)


async def fetch(conn: AsyncConnection, sql: str, *args: object) -> list[Any]:
    """Rows of `sql` ($1, $2, ... parameters) as asyncpg Records (tuples with names)."""
    raw = await conn.get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection
    try:
        rows: list[Any] = await driver.fetch(sql, *args)
    except _CONNECTION_LOST:
        await conn.invalidate()
        raise
    return rows
