"""Read queries for the tests, each on a connection of its own: `await one(engine, "SELECT ...")`.

Only for reading what a load or request left behind; writes belong in the test's transaction.
"""

from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncEngine


async def rows(engine: AsyncEngine, sql: str, **params: object) -> list[Row[Any]]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def one(engine: AsyncEngine, sql: str, **params: object) -> Row[Any]:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql), params)).one()


async def scalars(engine: AsyncEngine, sql: str, **params: object) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).scalars())


async def scalar(engine: AsyncEngine, sql: str, **params: object) -> Any:
    async with engine.connect() as conn:
        return await conn.scalar(text(sql), params)
