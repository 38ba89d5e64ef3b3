"""Fingerprints of every table a CKE load may write, to show a refused load changed nothing."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.loaders.teryt_db import checksum

SCHOOL_TABLES = """
SELECT (SELECT count(*) || ':' || coalesce(sum(hashtextextended(s::text, 0)), 0) FROM school s),
       (SELECT count(*) || ':' || coalesce(sum(hashtextextended(f::text, 0)), 0)
        FROM school_figure f)
"""


async def all_checksums(engine: AsyncEngine) -> tuple[str, ...]:
    """The register loader's tables (observations, indicators, releases) and the schools'."""
    async with engine.connect() as conn:
        schools = tuple((await conn.execute(text(SCHOOL_TABLES))).one())
    return (*await checksum(engine), *schools)
