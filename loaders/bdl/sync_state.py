"""What `miarka sync bdl` keeps in PostgreSQL between requests, so a killed sync resumes.

Every answer is written in its own short transaction as soon as it comes (ETag and body), with
the sync that got it: a resumed sync reads what it already has instead of asking again, and the
next sync sends the ETag back in `If-None-Match`. A variable's outcome is written after its
publish, with the digest of the answers published, so an unchanged variable is not loaded.
"""

from datetime import UTC, datetime

import msgspec
from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.runs.models import BdlSync, BdlSyncRequest, BdlSyncVariable

__all__ = [
    "KeptAnswer",
    "VariableState",
    "finish_sync",
    "forget_answers",
    "keep_answer",
    "kept_answer",
    "open_sync",
    "record_variable",
    "touch_answer",
    "variable_state",
]


class KeptAnswer(msgspec.Struct, frozen=True, kw_only=True):
    etag: str | None
    body: bytes
    sync_id: int


class VariableState(msgspec.Struct, frozen=True, kw_only=True):
    variable_id: str
    sync_id: int
    status: str
    published_sha256: str | None
    load_run_id: int | None
    message: str | None


async def open_sync(engine: AsyncEngine, scope: str) -> tuple[int, bool]:
    """(sync id, resumed): the unfinished sync of the same scope, else a new one."""
    async with engine.begin() as conn:
        unfinished = await conn.scalar(
            select(BdlSync.id)
            .where(BdlSync.scope == scope, BdlSync.finished_at.is_(None))
            .order_by(BdlSync.id.desc())
            .limit(1)
        )
        if unfinished is not None:
            return int(unfinished), True
        created = await conn.scalar(insert(BdlSync).values(scope=scope).returning(BdlSync.id))
        return int(created or 0), False


async def finish_sync(engine: AsyncEngine, sync_id: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(BdlSync).where(BdlSync.id == sync_id).values(finished_at=datetime.now(UTC))
        )


async def kept_answer(engine: AsyncEngine, key: str) -> KeptAnswer | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(BdlSyncRequest.etag, BdlSyncRequest.body, BdlSyncRequest.sync_id).where(
                    BdlSyncRequest.key == key
                )
            )
        ).one_or_none()
    return None if row is None else KeptAnswer(etag=row[0], body=row[1], sync_id=row[2])


async def keep_answer(
    engine: AsyncEngine, *, key: str, variable_id: str, etag: str | None, body: bytes, sync_id: int
) -> None:
    values = {"etag": etag, "body": body, "sync_id": sync_id, "fetched_at": datetime.now(UTC)}
    statement = pg_insert(BdlSyncRequest).values(key=key, variable_id=variable_id, **values)
    async with engine.begin() as conn:
        await conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_=values))


async def touch_answer(engine: AsyncEngine, key: str, sync_id: int) -> None:
    """A 304: the kept body holds for this sync too."""
    async with engine.begin() as conn:
        await conn.execute(
            update(BdlSyncRequest)
            .where(BdlSyncRequest.key == key)
            .values(sync_id=sync_id, fetched_at=datetime.now(UTC))
        )


async def forget_answers(engine: AsyncEngine, variable_id: str, sync_id: int) -> None:
    """Drop what this sync got for a variable: its pages did not add up (BDL changed it midway),
    so a resume must ask for them all again rather than replay the same contradiction."""
    async with engine.begin() as conn:
        await conn.execute(
            delete(BdlSyncRequest).where(
                BdlSyncRequest.variable_id == variable_id, BdlSyncRequest.sync_id == sync_id
            )
        )


async def variable_state(engine: AsyncEngine, variable_id: str) -> VariableState | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(*BdlSyncVariable.__table__.columns).where(
                    BdlSyncVariable.variable_id == variable_id
                )
            )
        ).one_or_none()
    return None if row is None else msgspec.convert(dict(row._mapping), VariableState)


async def record_variable(engine: AsyncEngine, state: VariableState) -> None:
    values = msgspec.structs.asdict(state)
    statement = pg_insert(BdlSyncVariable).values(**values)
    values.pop("variable_id")
    async with engine.begin() as conn:
        await conn.execute(
            statement.on_conflict_do_update(index_elements=["variable_id"], set_=values)
        )
