"""Reads of the unit register: filtered keyset pages and one unit with its context."""

import base64
import binascii
from typing import Any, Final

import msgspec
from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, text, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter, UnknownUnit
from domains.units.kinds import is_teryt
from domains.units.models import TerritorialUnit
from domains.units.search import fold
from schemas.units import CityRoles, Unit, UnitDetail, UnitKind, UnitLevel, UnitRef

T: Final = TerritorialUnit.__table__.c
UNIT_COLUMNS: Final = (
    T.teryt,
    T.level,
    T.kind,
    T.kind_label,
    T.rodz,
    T.name,
    T.parent_teryt,
    T.twin_teryt,
    T.bdl_id,
    T.valid_from,
    T.valid_to,
)


class UnitFilters(msgspec.Struct, frozen=True, kw_only=True):
    level: UnitLevel | None = None
    kind: UnitKind | None = None
    parent: str | None = None
    q: str | None = None
    include_closed: bool = False


class _Cursor(msgspec.Struct, array_like=True, frozen=True):
    rank: int
    teryt: str
    id: int


def encode_cursor(rank: int, teryt: str, row_id: int) -> str:
    raw = msgspec.json.encode(_Cursor(rank, teryt, row_id))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> _Cursor:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=_Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidParameter("cursor", "not a cursor this API issued") from exc


def _like_escape(text_: str) -> str:
    return text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(filters: UnitFilters) -> tuple[list[ColumnElement[bool]], ColumnElement[int]]:
    """WHERE clauses and the search rank (0 exact, 1 prefix, 2 word prefix, 3 inside)."""
    where: list[ColumnElement[bool]] = []
    if not filters.include_closed:
        where.append(T.valid_to.is_(None))
    if filters.level is not None:
        where.append(T.level == filters.level)
    if filters.kind is not None:
        where.append(T.kind == filters.kind)
    if filters.parent is not None:
        if not is_teryt(filters.parent):
            raise InvalidParameter("parent", "a TERC code of 2, 4 or 7 digits")
        where.append(T.parent_teryt == filters.parent)
    rank: ColumnElement[int] = literal(0)
    if filters.q is not None:
        needle = fold(filters.q)
        if not needle:
            raise InvalidParameter("q", "give at least one letter to search for")
        escaped = _like_escape(needle)
        where.append(T.name_folded.like(f"%{escaped}%", escape="\\"))
        rank = case(
            (T.name_folded == needle, 0),
            (T.name_folded.like(f"{escaped}%", escape="\\"), 1),
            (
                or_(
                    T.name_folded.like(f"% {escaped}%", escape="\\"),
                    T.name_folded.like(f"%-{escaped}%", escape="\\"),
                ),
                2,
            ),
            else_=3,
        )
    return where, rank


async def list_units(
    conn: AsyncConnection, filters: UnitFilters, *, limit: int, cursor: str | None
) -> tuple[list[Unit], int, str | None]:
    """One page of units ordered by (search rank, TERC code) and the total that match."""
    where, rank = _filtered(filters)
    total = (
        await conn.execute(select(func.count()).select_from(T.teryt.table).where(*where))
    ).scalar_one()
    ranked = rank.label("rank")
    query: Select[Any] = select(*UNIT_COLUMNS, ranked, T.id).where(*where)
    if cursor is not None:
        after = decode_cursor(cursor)
        query = query.where(
            tuple_(rank, T.teryt, T.id)
            > tuple_(literal(after.rank), literal(after.teryt), literal(after.id))
        )
    query = query.order_by(rank, T.teryt, T.id).limit(limit + 1)
    rows = (await conn.execute(query)).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(last.rank, last.teryt, last.id)
    units = [_unit(row._mapping) for row in rows]
    return units, total, next_cursor


def _unit(row: RowMapping) -> Unit:
    return Unit(**{column.name: row[column.name] for column in UNIT_COLUMNS})


def _ref(row: RowMapping) -> UnitRef:
    return UnitRef(teryt=row["teryt"], level=row["level"], kind=row["kind"], name=row["name"])


_ANCESTORS = text("""
WITH RECURSIVE up(teryt, depth) AS (
    SELECT parent_teryt, 1 FROM territorial_unit
    WHERE teryt = :teryt AND valid_to IS NULL AND parent_teryt IS NOT NULL
  UNION ALL
    SELECT u.parent_teryt, up.depth + 1 FROM up
    JOIN territorial_unit u ON u.teryt = up.teryt AND u.valid_to IS NULL
    WHERE u.parent_teryt IS NOT NULL AND up.depth < 4
)
SELECT u.teryt, u.level, u.kind, u.name FROM up
JOIN territorial_unit u ON u.teryt = up.teryt AND u.valid_to IS NULL
ORDER BY up.depth
""")


async def get_unit(conn: AsyncConnection, teryt: str) -> UnitDetail:
    """The unit in force with this code, or else its most recent closed version."""
    if not is_teryt(teryt):
        raise InvalidParameter("teryt", "a TERC code of 2, 4 or 7 digits", source="path")
    row = (
        await conn.execute(
            select(*UNIT_COLUMNS)
            .where(T.teryt == teryt)
            .order_by(T.valid_to.desc().nulls_first())
            .limit(1)
        )
    ).first()
    if row is None:
        raise UnknownUnit(f"no territorial unit with TERC code {teryt}")
    unit = _unit(row._mapping)
    parents = [_ref(r) for r in (await conn.execute(_ANCESTORS, {"teryt": teryt})).mappings()]
    children = (
        await conn.execute(
            select(func.count())
            .select_from(T.teryt.table)
            .where(and_(T.parent_teryt == teryt, T.valid_to.is_(None)))
        )
    ).scalar_one()
    roles = await _city_roles(conn, unit)
    return UnitDetail(
        **msgspec.structs.asdict(unit),
        parents=parents,
        children_count=children,
        city_with_powiat_rights=roles,
    )


async def _city_roles(conn: AsyncConnection, unit: Unit) -> CityRoles | None:
    if unit.twin_teryt is None:
        return None
    twin = (
        await conn.execute(
            select(T.teryt, T.level, T.kind, T.name).where(
                T.teryt == unit.twin_teryt, T.valid_to.is_(None)
            )
        )
    ).first()
    if twin is None:
        return None
    this = UnitRef(teryt=unit.teryt, level=unit.level, kind=unit.kind, name=unit.name)
    other = _ref(twin._mapping)
    powiat, gmina = (this, other) if unit.level == "powiat" else (other, this)
    return CityRoles(powiat=powiat, gmina=gmina)


async def count_units(conn: AsyncConnection) -> int:
    return (
        await conn.execute(
            select(func.count()).select_from(T.teryt.table).where(T.valid_to.is_(None))
        )
    ).scalar_one()


async def unit_in_force(conn: AsyncConnection, teryt: str) -> tuple[str, str]:
    """The name and level of the unit in force with code `teryt`; a 400 or 404 otherwise."""
    if not is_teryt(teryt):
        raise InvalidParameter("teryt", "a TERC code of 2, 4 or 7 digits", source="path")
    row = (
        await conn.execute(
            text("SELECT name, level FROM territorial_unit WHERE teryt = :t AND valid_to IS NULL"),
            {"t": teryt},
        )
    ).first()
    if row is None:
        raise UnknownUnit(f"no territorial unit in force with TERC code {teryt}")
    return row.name, row.level
