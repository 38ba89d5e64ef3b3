"""A partnership against itself and against others: the spread between its members, and the
other recorded partnerships of its kind nearest to it in population.

"Similar" is deliberately plain: the same kind (an OF is compared with OFs, an LGD with LGDs),
members of the same level, the nearest total population first. Each other partnership's value
is its own ratio of sums over the members it had on 31 December of the same year.
"""

import math
import statistics
from collections.abc import Sequence
from datetime import date
from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import MiarkaError
from domains.groups.queries import members_aggregate
from domains.indicators.catalogue import Catalogue
from schemas.partnerships import SimilarPartnership, Spread

POPULATION: Final = "kontekst.ludnosc"
MAX_SIMILAR: Final = 5
MAX_CANDIDATES: Final = 50
"""Partnerships of the kind looked at (by name): each costs one aggregate and one population."""


def spread(values: Sequence[tuple[str, float | None]]) -> Spread | None:
    """Minimum, maximum, median and their ratio over the members with a value; none below two."""
    known = sorted((v, t) for t, v in values if v is not None and math.isfinite(v))
    if len(known) < 2:  # noqa: PLR2004 - a spread needs two values
        return None
    (low, low_teryt), (high, high_teryt) = known[0], known[-1]
    return Spread(
        members_with_values=len(known),
        minimum=low,
        minimum_teryt=low_teryt,
        maximum=high,
        maximum_teryt=high_teryt,
        median=statistics.median(v for v, _ in known),
        max_to_min=high / low if low > 0 else None,
    )


async def population(
    conn: AsyncConnection, catalogue: Catalogue, members: list[str], year: int, level: str
) -> float | None:
    """Σ population of the members of `level` in `year`; none when it is not loaded."""
    try:
        _, aggregate = await members_aggregate(
            conn, catalogue, members, POPULATION, "pl", year=year, level=level
        )
    except MiarkaError:  # no population of that year or level
        return None
    return aggregate.value


_OTHERS: Final = text(
    "SELECT p.id, p.name, p.example, p.source_url IS NOT NULL AS sourced, "
    "array_agg(m.teryt ORDER BY m.teryt) AS members FROM partnership p "
    "JOIN partnership_member m ON m.partnership_id = p.id "
    "WHERE p.kind = :kind AND p.id <> :id AND m.joined_on <= :end "
    "AND (m.left_on IS NULL OR m.left_on > :end) "
    "GROUP BY p.id ORDER BY p.name, p.id LIMIT :n"
)


async def similar_partnerships(
    conn: AsyncConnection,
    catalogue: Catalogue,
    *,
    partnership_id: str,
    kind: str,
    own_members: list[str],
    code: str,
    year: int,
    level: str,
) -> list[SimilarPartnership]:
    rows = await conn.execute(
        _OTHERS,
        {"kind": kind, "id": partnership_id, "end": date(year, 12, 31), "n": MAX_CANDIDATES},
    )
    own = await population(conn, catalogue, own_members, year, level)
    found = []
    for row in rows:
        try:
            section, aggregate = await members_aggregate(
                conn, catalogue, list(row.members), code, "pl", year=year, level=level
            )
        except MiarkaError:  # none of its members is of this level, or no values that year
            continue
        if aggregate.value is None:
            continue
        people = await population(conn, catalogue, list(row.members), year, level)
        found.append(
            SimilarPartnership(
                id=row.id,
                name=row.name,
                example=row.example,
                membership_sourced=row.sourced,
                members=len(section.items),
                population=people,
                value=aggregate.value,
                url=f"/api/v1/partnerships/{row.id}",
            )
        )

    def distance(other: SimilarPartnership) -> float:
        if own is None or other.population is None or own <= 0 or other.population <= 0:
            return math.inf
        return abs(math.log(other.population / own))

    return sorted(found, key=lambda o: (distance(o), o.name, o.id))[:MAX_SIMILAR]
