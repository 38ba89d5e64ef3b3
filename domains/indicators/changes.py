"""Which variables a publishing transaction changed: the engine recomputes only what they feed.

Loaders mark the variables whose stored observations they inserted, updated or removed; the
mark lives in a temporary table that ends with the transaction, so a rolled-back load leaves
nothing behind and two loads never see each other's marks.
"""

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_CREATE = """
CREATE TEMP TABLE IF NOT EXISTS changed_variable (variable_id int PRIMARY KEY) ON COMMIT DROP
"""
_MARK = """
INSERT INTO changed_variable (variable_id)
SELECT DISTINCT unnest(CAST(:ids AS int[]))
ON CONFLICT DO NOTHING
"""
_MARK_SOURCE = """
INSERT INTO changed_variable (variable_id)
SELECT id FROM variable WHERE source = ANY(:sources)
ON CONFLICT DO NOTHING
"""
_EXISTS = "SELECT to_regclass('pg_temp.changed_variable') IS NOT NULL"


async def mark_changed(conn: AsyncConnection, variable_ids: Iterable[int]) -> None:
    ids = sorted(set(variable_ids))
    if ids:
        await conn.execute(text(_CREATE))
        await conn.execute(text(_MARK), {"ids": ids})


async def mark_sources_changed(conn: AsyncConnection, sources: Iterable[str]) -> None:
    """Every variable of the sources: for removals whose variables were not listed one by one."""
    await conn.execute(text(_CREATE))
    await conn.execute(text(_MARK_SOURCE), {"sources": sorted(set(sources))})


async def changed_variables(conn: AsyncConnection) -> frozenset[int]:
    """The variables marked so far in this transaction (none when nothing was marked)."""
    if not await conn.scalar(text(_EXISTS)):
        return frozenset()
    rows = await conn.execute(text("SELECT variable_id FROM changed_variable"))
    return frozenset(int(row[0]) for row in rows)
