"""Which levels of each indicator have values, and their latest year (for the data catalogue)."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_LATEST = """
SELECT indicator_code, level, max(year) AS year
FROM indicator_value
WHERE value IS NOT NULL
GROUP BY indicator_code, level
"""


async def latest_years(conn: AsyncConnection) -> dict[str, dict[str, int]]:
    """indicator code -> level -> the latest year with at least one value."""
    out: dict[str, dict[str, int]] = {}
    for code, level, year in await conn.execute(text(_LATEST)):
        out.setdefault(str(code), {})[str(level)] = int(year)
    return out
