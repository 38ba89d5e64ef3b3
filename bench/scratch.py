"""Scratch databases for benchmarks: made fresh with the shipped real data, dropped after."""

import asyncpg

from loaders.shipped import load_shipped
from service.db import make_engine, with_database
from service.migrate import upgrade
from service.settings import REPO_ROOT, Settings


async def fresh_database(server: str, name: str) -> str:
    """Drop and create `name` on `server`, migrate it, load the shipped data; its URL."""
    admin = await asyncpg.connect(server)
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    url = with_database(server, name)
    await upgrade(url)
    engine = make_engine(url, Settings(database_url=url), statement_timeout_ms=0)
    await load_shipped(engine, REPO_ROOT / "data")
    await engine.dispose()
    return url


async def drop_database(server: str, name: str) -> None:
    admin = await asyncpg.connect(server)
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.close()
