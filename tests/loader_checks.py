"""Checks the file loaders' tests share: a refused load changes nothing."""

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.errors import LoadRefused

Checksum = Callable[[AsyncEngine], Awaitable[tuple[str, ...]]]
"""A fingerprint of the tables a load may write."""
Where = tuple[str, str | None, int | None, str | None]
"""A problem's code, sheet, row and field."""


async def refused_and_unchanged(
    engine: AsyncEngine, checksum: Checksum, load: Callable[[], Awaitable[object]]
) -> LoadRefused:
    """Run a load that must be refused; check the database is as before; return the refusal."""
    before = await checksum(engine)
    with pytest.raises(LoadRefused) as refused:
        await load()
    assert await checksum(engine) == before
    return refused.value
