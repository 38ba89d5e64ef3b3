"""Many units with where they lie, in one statement: what a list of units on a page shows.

A page that lists units (search results, a comparison, similar units, a ranking) needs each
one's kind (a land powiat is "powiat żywiecki", a city powiat "Kraków") and its parents (to tell
equal names apart); asking `get_unit` once per unit would be a query loop.
"""

from collections.abc import Collection
from itertools import pairwise
from typing import Final

import msgspec
from sqlalchemy import String, and_, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import FromClause

from domains.units.models import TerritorialUnit
from schemas.units import UnitRef

_UNIT: Final = TerritorialUnit.__table__
_DEPTH: Final = 3
"""A part of a gmina lies in a gmina, a powiat and a voivodeship."""


class PlacedUnit(msgspec.Struct, frozen=True, kw_only=True):
    unit: UnitRef
    parents: list[UnitRef]
    """From the direct parent up to the voivodeship, as `UnitDetail.parents`."""


async def placed_units(conn: AsyncConnection, codes: Collection[str]) -> dict[str, PlacedUnit]:
    """The units with these TERC codes, with their parents; codes of no unit are left out.

    As `get_unit`: the unit in force with the code, or else its most recent closed version
    (which has no parents: they are followed through units in force only).
    """
    if not codes:
        return {}
    levels = [_UNIT.alias("u"), *(_UNIT.alias(f"p{depth}") for depth in range(_DEPTH))]
    columns = [
        column
        for table in levels
        for column in (table.c.teryt, table.c.level, table.c.kind, table.c.name)
    ]
    joined: FromClause = levels[0]
    for child, parent in pairwise(levels):
        joined = joined.outerjoin(
            parent,
            and_(
                parent.c.teryt == child.c.parent_teryt,
                parent.c.valid_to.is_(None),
                child.c.valid_to.is_(None),
            ),
        )
    unit = levels[0]
    query = (
        select(*columns)
        .select_from(joined)
        .where(unit.c.teryt == any_(bindparam("codes", list(codes), type_=ARRAY(String))))
        .order_by(unit.c.teryt, unit.c.valid_to.desc().nulls_first())
    )
    found: dict[str, PlacedUnit] = {}
    for row in await conn.execute(query):
        if row[0] in found:  # an older version of a unit already found: the first is the one
            continue
        refs = [
            UnitRef(teryt=row[i], level=row[i + 1], kind=row[i + 2], name=row[i + 3])
            for i in range(0, len(row), 4)
            if row[i] is not None
        ]
        found[refs[0].teryt] = PlacedUnit(unit=refs[0], parents=refs[1:])
    return found
