"""A database with the shipped TERC register loaded, copied fresh for every test that writes.

Loading TERC takes a second; the budget and SIO loaders need it (units must be known), so the
register is loaded once per test module into a template and each test gets a copy of it.
Import the fixtures into a test module: `from tests.loaders.teryt_db import teryt_engine,
teryt_template`.
"""

import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.teryt import load_teryt
from service.db import with_database
from service.settings import REPO_ROOT
from tests.conftest import _admin, engine_for

TERC = REPO_ROOT / "data" / "teryt" / "TERC_Urzedowy_2025-11-18.csv"
_RUN = uuid.uuid4().hex[:8]
_counter = itertools.count()

# Every table a budget or SIO load may write, as one comparable fingerprint.
CHECKSUM = """
SELECT
  (SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY id), '')) FROM budget_report r),
  (SELECT md5(coalesce(string_agg(l::text, '|' ORDER BY report_id, position), ''))
   FROM budget_report_line l),
  (SELECT md5(coalesce(string_agg(s::text, '|' ORDER BY rspo, as_of), '')) FROM sio_school s),
  (SELECT md5(coalesce(string_agg(o::text, '|' ORDER BY variable_id, year, teryt), ''))
   FROM observation o),
  (SELECT md5(coalesce(string_agg(v::text, '|' ORDER BY id), '')) FROM variable v),
  (SELECT md5(coalesce(string_agg(i::text, '|' ORDER BY i::text), '')) FROM indicator_value i),
  (SELECT md5(coalesce(string_agg(d::text, '|' ORDER BY id), '')) FROM data_release d)
"""


async def checksum(engine: AsyncEngine) -> tuple[str, ...]:
    async with engine.connect() as conn:
        return tuple((await conn.execute(text(CHECKSUM))).one())


@asynccontextmanager
async def database_copy(pg_server_url: str, template: str, name: str) -> AsyncIterator[AsyncEngine]:
    """A database `name` copied from `template`, and an engine on it; both gone on exit."""
    await _admin(pg_server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    engine = engine_for(with_database(pg_server_url, name))
    try:
        yield engine
    finally:
        await engine.dispose()
        await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
async def teryt_template(pg_server_url: str, template_db: str) -> AsyncIterator[str]:
    name = f"miarka_test_{_RUN}_terc_{next(_counter)}"
    await _admin(pg_server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    engine = engine_for(with_database(pg_server_url, name))
    try:
        await load_teryt(engine, TERC)
    finally:
        await engine.dispose()
    yield name
    await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def teryt_engine(pg_server_url: str, teryt_template: str) -> AsyncIterator[AsyncEngine]:
    """A writable database of its own with the TERC register loaded (run 1, release 1)."""
    name = f"miarka_test_{_RUN}_tercdb_{next(_counter)}"
    async with database_copy(pg_server_url, teryt_template, name) as engine:
        yield engine
