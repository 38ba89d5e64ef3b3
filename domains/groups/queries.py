"""User-defined groups: save a list of TERC codes, read it back, aggregate an indicator over it.

Aggregates are ratios of sums (Σ numerator / Σ denominator x multiplier) over the members
that have both parts, never a mean of the members' ratios; an indicator without denominator
is summed only when all its source variables are additive (counts, areas), else it has none.
"""

import secrets
from typing import Any, Final

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter, NotFound
from domains.indicators.as_of import AsOf
from domains.indicators.catalogue import Catalogue
from domains.indicators.queries import cross_section, find_indicator
from schemas.groups import GroupAggregate, GroupIn, GroupIndicator, GroupOut
from schemas.indicators import CrossSection, Lang, ValueRow

GROUP_ID_BYTES: Final = 6
MAX_LIST: Final = 200


class UnknownGroup(NotFound):
    slug = "unknown-group"
    title = "Unknown group"


def _out(row: Row[Any]) -> GroupOut:
    data = row._mapping
    return GroupOut(
        id=data["id"],
        name=data["name"],
        description=data["description"],
        members=list(data["members"]),
        created_at=data["created_at"],
        url=f"/api/v1/groups/{data['id']}",
    )


async def create_group(conn: AsyncConnection, group: GroupIn) -> GroupOut:
    members = list(dict.fromkeys(group.members))
    known = set(
        await conn.scalars(
            text("SELECT teryt FROM territorial_unit WHERE valid_to IS NULL AND teryt = ANY(:m)"),
            {"m": members},
        )
    )
    for position, teryt in enumerate(members):
        if teryt not in known:
            raise InvalidParameter(
                f"members[{position}]", f"no unit in force with TERC code {teryt}", source="body"
            )
    row = (
        await conn.execute(
            text(
                "INSERT INTO unit_group (id, name, description, members) "
                "VALUES (:id, :name, :description, :members) "
                "RETURNING id, name, description, members, created_at"
            ),
            {
                "id": secrets.token_urlsafe(GROUP_ID_BYTES),
                "name": group.name,
                "description": group.description,
                "members": members,
            },
        )
    ).one()
    return _out(row)


async def get_group(conn: AsyncConnection, group_id: str) -> GroupOut:
    row = (
        await conn.execute(
            text(
                "SELECT id, name, description, members, created_at FROM unit_group WHERE id = :id"
            ),
            {"id": group_id},
        )
    ).first()
    if row is None:
        raise UnknownGroup(f"no group with id {group_id!r}")
    return _out(row)


async def list_groups(conn: AsyncConnection) -> list[GroupOut]:
    rows = await conn.execute(
        text(
            "SELECT id, name, description, members, created_at FROM unit_group "
            "ORDER BY created_at DESC LIMIT :n"
        ),
        {"n": MAX_LIST},
    )
    return [_out(row) for row in rows]


async def group_indicator(
    conn: AsyncConnection,
    catalogue: Catalogue,
    group_id: str,
    code: str,
    lang: Lang,
    *,
    year: int | None,
    as_of: AsOf | None = None,
) -> GroupIndicator:
    group = await get_group(conn, group_id)
    section, aggregate = await members_aggregate(
        conn, catalogue, group.members, code, lang, year=year, as_of=as_of
    )
    return GroupIndicator(
        group=group,
        indicator=section.indicator,
        year=section.year,
        aggregate=aggregate,
        items=section.items,
    )


async def members_aggregate(
    conn: AsyncConnection,
    catalogue: Catalogue,
    members: list[str],
    code: str,
    lang: Lang,
    *,
    year: int | None,
    level: str | None = None,
    as_of: AsOf | None = None,
) -> tuple[CrossSection, GroupAggregate]:
    """The members' cross-section of one year and its ratio of sums (partnerships use it too).

    Without `level`, the first of the indicator's levels that any member has."""
    indicator = find_indicator(catalogue, code)
    if level is None:
        levels = {
            level
            for (level,) in await conn.execute(
                text("SELECT DISTINCT level FROM territorial_unit WHERE teryt = ANY(:m)"),
                {"m": members},
            )
        }
        level = next((lv for lv in indicator.levels if lv in levels), None)
    if level is None:
        raise InvalidParameter("code", f"{code} applies to none of the group's levels")
    section = await cross_section(
        conn, catalogue, code, lang, year=year, level=level, members=members, as_of=as_of
    )
    formula = indicator.formula
    both = [i for i in section.items if i.numerator is not None and i.value is not None]
    numerator = sum(i.numerator for i in both if i.numerator is not None)
    if formula.denominator:
        denominator = sum(i.denominator for i in both if i.denominator is not None)
        value = numerator / denominator * formula.multiplier if both and denominator else None
        method = "ratio of sums: Σ numerator / Σ denominator * multiplier"
        if formula.difference_to is not None and value is not None:
            value -= _baseline(both, formula.multiplier)
            method = f"ratio of sums minus {formula.difference_to}'s: (Σ numerator / Σ "
            method += f"denominator - {formula.difference_to}) * multiplier"
    else:
        additive = await conn.scalar(
            text("SELECT bool_and(additive) FROM variable WHERE (source || ':' || code) = ANY(:k)"),
            {"k": [f"{t.source}:{t.code}" for t in formula.numerator]},
        )
        denominator = None
        value = numerator * formula.multiplier if both and additive else None
        method = "sum" if additive else "not additive: no aggregate"
    return section, GroupAggregate(
        value=value,
        numerator=numerator if both else None,
        denominator=denominator if both else None,
        members_with_values=len(both),
        members=len(members),
        method=method,
    )


def _baseline(items: list[ValueRow], multiplier: float) -> float:
    """Poland's ratio (times the multiplier) behind a difference indicator's values: each
    member's value is its own ratio minus it, so any member gives it back exactly."""
    item = items[0]
    if item.numerator is None or not item.denominator or item.value is None:
        raise ValueError("a difference value without its numerator and denominator")
    return item.numerator / item.denominator * multiplier - item.value
