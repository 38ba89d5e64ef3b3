"""Reads of the school layer: filtered keyset pages, and one school against its peers."""

from collections.abc import Sequence
from typing import Any, Final

import msgspec
from sqlalchemy import Select, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter, NotFound
from domains.schools.models import School as SchoolRow
from domains.units.kinds import is_teryt
from domains.units.models import TerritorialUnit
from schemas.schools import (
    School,
    SchoolDetail,
    SchoolFigure,
    SchoolSummary,
    SchoolTypeCount,
)

S: Final = SchoolRow.__table__.c
U: Final = TerritorialUnit.__table__.c
_FIELDS: Final = [f for f in School.__struct_fields__ if f != "location_name"]


class SchoolFilters(msgspec.Struct, frozen=True, kw_only=True):
    teryt: str | None = None
    """Located in this voivodeship (2 digits), powiat (4) or gmina (7)."""
    governing: str | None = None
    """Run by this local government (TERC)."""
    type_code: int | None = None
    public: bool | None = None


def _query(filters: SchoolFilters) -> Select[Any]:
    location = (
        select(U.name)
        .where(U.teryt == S.location_teryt, U.valid_to.is_(None))
        .scalar_subquery()
        .label("location_name")
    )
    query = select(*(S[f] for f in _FIELDS), location)
    if filters.teryt is not None:
        if not is_teryt(filters.teryt):
            raise InvalidParameter("teryt", "a TERC code of 2, 4 or 7 digits")
        if len(filters.teryt) == 7:  # noqa: PLR2004
            query = query.where(S.location_teryt == filters.teryt)
        else:
            query = query.where(S.location_teryt.startswith(filters.teryt, autoescape=True))
    if filters.governing is not None:
        if not is_teryt(filters.governing):
            raise InvalidParameter("governing", "a TERC code of 2, 4 or 7 digits")
        query = query.where(S.governing_teryt == filters.governing)
    if filters.type_code is not None:
        query = query.where(S.type_code == filters.type_code)
    if filters.public is not None:
        query = query.where(S.public.is_(filters.public))
    return query


async def list_schools(
    conn: AsyncConnection, filters: SchoolFilters, *, limit: int, cursor: str | None
) -> tuple[list[School], int, str | None]:
    """One page ordered by RSPO number, the total that match, and the next cursor."""
    query = _query(filters)
    total = (await conn.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    if cursor is not None:
        if not cursor.isdigit():
            raise InvalidParameter("cursor", "not a cursor this API issued")
        query = query.where(S.rspo > int(cursor))
    rows = (await conn.execute(query.order_by(S.rspo).limit(limit + 1))).mappings().all()
    next_cursor = str(rows[limit - 1]["rspo"]) if len(rows) > limit else None
    return [School(**dict(row)) for row in rows[:limit]], total, next_cursor


# The school's figures beside the same measure and year of the schools of its type: in its
# gmina and in Poland, read from `school_peer_stat` (filled at load time: computed here per
# request the percentiles cost the page 0.27 s; see domains/schools/peer_stats.py).
_FIGURES = text("""
SELECT f.measure, f.year, f.value, f.flag, f.source, f.source_file, f.source_row,
       f.load_run_id,
       g.median AS gmina_median, coalesce(g.count, 0) AS gmina_count,
       p.q1 AS national_q1, p.median AS national_median, p.q3 AS national_q3,
       coalesce(p.count, 0) AS national_count
FROM school_figure f
LEFT JOIN school_peer_stat p
       ON (p.type_name, p.measure, p.year, p.location_teryt)
        = (:type_name, f.measure, f.year, '')
LEFT JOIN school_peer_stat g
       ON (g.type_name, g.measure, g.year, g.location_teryt)
        = (:type_name, f.measure, f.year, :location)
WHERE f.rspo = :rspo AND (CAST(:measures AS text[]) IS NULL OR f.measure = ANY(:measures))
ORDER BY f.measure, f.year
""")


async def get_school(
    conn: AsyncConnection, rspo: int, measures: Sequence[str] | None = None
) -> SchoolDetail:
    """The school with its figures; only those of `measures` when given (the peers of every
    figure are a pass over its measure and year: the web page asks for the ones it shows)."""
    row = (await conn.execute(_query(SchoolFilters()).where(S.rspo == rspo))).mappings().first()
    if row is None:
        raise NotFound(f"no school with RSPO number {rspo}")
    school = School(**dict(row))
    figures = (
        await conn.execute(
            _FIGURES,
            {
                "rspo": rspo,
                "type_name": school.type_name,
                "location": school.location_teryt,
                "measures": None if measures is None else list(measures),
            },
        )
    ).mappings()
    return SchoolDetail(
        **msgspec.structs.asdict(school), figures=[SchoolFigure(**dict(f)) for f in figures]
    )


async def school_types_in(conn: AsyncConnection, teryt: str) -> list[SchoolTypeCount]:
    """The types of the schools and institutions located in the gmina, most frequent first."""
    rows = await conn.execute(
        select(S.type_name, func.count().label("count"))
        .where(S.location_teryt == teryt)
        .group_by(S.type_name)
        .order_by(func.count().desc(), S.type_name)
    )
    return [SchoolTypeCount(type_name=name, count=count) for name, count in rows.all()]


# The exam differs every year, so a school's trend is read against Poland's mean of the same
# year: the indicator engine's edukacja.e8_matematyka over the voivodeships (Σ mean·takers /
# Σ takers of every school), 80 rows by primary key instead of a pass over 56,000 figures.
_SUMMARIES = text("""
WITH here AS (
    SELECT rspo, name, type_name, public, governing_kind FROM school
    WHERE location_teryt = :teryt
      AND (CAST(:type_name AS text) IS NULL OR type_name = CAST(:type_name AS text))
),
national AS MATERIALIZED (
    SELECT year, sum(numerator) / nullif(sum(denominator), 0) AS mean
    FROM indicator_value
    WHERE indicator_code = 'edukacja.e8_matematyka' AND level = 'voivodeship'
    GROUP BY year
)
SELECT h.*, p.value AS pupils, p.year AS pupils_year,
       coalesce((
           SELECT json_agg(json_build_object('year', f.year, 'mean', f.value,
                                             'national_mean', n.mean) ORDER BY f.year)
           FROM school_figure f LEFT JOIN national n ON n.year = f.year
           WHERE f.rspo = h.rspo AND f.measure = 'e8.matematyka.mean' AND f.value IS NOT NULL
       ), '[]') AS math
FROM here h
LEFT JOIN LATERAL (
    SELECT f.value, f.year FROM school_figure f
    WHERE f.rspo = h.rspo AND f.measure = 'register.pupils' ORDER BY f.year DESC LIMIT 1
) p ON true
ORDER BY h.rspo
""")


async def schools_of_type_in(
    conn: AsyncConnection, teryt: str, type_name: str | None
) -> list[SchoolSummary]:
    """The schools of one type (None: of every type) located in the gmina, with their pupils
    and the mathematics exam by year."""
    rows = await conn.execute(_SUMMARIES, {"teryt": teryt, "type_name": type_name})
    return [
        msgspec.convert(
            {
                **row,
                "math": msgspec.json.decode(row["math"])
                if isinstance(row["math"], str)
                else row["math"],
            },
            SchoolSummary,
        )
        for row in rows.mappings()
    ]


async def school_exists(conn: AsyncConnection, rspo: int) -> bool:
    """Whether the register holds this RSPO number (a reporting unit may be missing from it)."""
    found = await conn.scalar(select(S.rspo).where(S.rspo == rspo))
    return found is not None
