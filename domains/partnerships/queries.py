"""Partnerships: create (or promote a saved group), read, aggregate an indicator, self-assess.

A unit counts as a member for year Y when it was one on 31 December of Y (joined on or before
that day and not left by then): the reference date of most BDL figures and the end of the
budget year. Aggregates reuse the saved groups' ratio of sums (domains/groups/queries.py).
"""

from datetime import UTC, date, datetime
from typing import Any, Final

import msgspec
from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import Conflict, InvalidParameter, NotFound
from domains.groups.queries import get_group, members_aggregate
from domains.indicators.catalogue import Catalogue
from domains.indicators.queries import find_indicator, years_by_indicator
from domains.partnerships.compare import similar_partnerships, spread
from domains.partnerships.kinds import KIND_NAMES, MEMBER_LEVELS
from domains.partnerships.rubric import Rubric
from schemas.groups import GroupAggregate
from schemas.indicators import CrossSection, Lang
from schemas.partnerships import (
    AssessmentIn,
    AssessmentOut,
    AssessmentPage,
    MemberIn,
    MemberOut,
    MemberPosition,
    PartnershipIn,
    PartnershipIndicator,
    PartnershipList,
    PartnershipOut,
    PartnershipPatch,
    PartnershipSummary,
    PartnershipYear,
    Position,
    StageOut,
    StandardOut,
)

MAX_LIST: Final = 500
EXAMPLE_WORDS: Final = ("przykład", "example")
EQUAL_WITHIN: Final = 1e-9


class UnknownPartnership(NotFound):
    slug = "unknown-partnership"
    title = "Unknown partnership"


class PartnershipExists(Conflict):
    slug = "partnership-exists"
    title = "Partnership exists"


def today() -> date:
    return datetime.now(tz=UTC).date()


def member_in_year(joined_on: date, left_on: date | None, year: int) -> bool:
    end = date(year, 12, 31)
    return joined_on <= end and (left_on is None or left_on > end)


def _url(partnership_id: str) -> str:
    return f"/api/v1/partnerships/{partnership_id}"


async def _units(conn: AsyncConnection, teryts: list[str]) -> dict[str, tuple[str, str]]:
    """Name and level of each code's unit, the one in force when there is one."""
    rows = await conn.execute(
        text(
            "SELECT DISTINCT ON (teryt) teryt, name, level FROM territorial_unit "
            "WHERE teryt = ANY(:m) ORDER BY teryt, valid_to DESC NULLS FIRST"
        ),
        {"m": teryts},
    )
    return {teryt: (name, level) for teryt, name, level in rows}


async def check_members(conn: AsyncConnection, members: list[MemberIn], field: str) -> None:
    """Every member is a gmina or a powiat in force, its dates in order; else a 400 naming it."""
    known = set(
        await conn.scalars(
            text(
                "SELECT teryt FROM territorial_unit WHERE valid_to IS NULL "
                "AND level = ANY(:levels) AND teryt = ANY(:m)"
            ),
            {"m": [m.teryt for m in members], "levels": list(MEMBER_LEVELS)},
        )
    )
    for position, member in enumerate(members):
        where = f"{field}[{position}]"
        if member.teryt not in known:
            raise InvalidParameter(
                f"{where}.teryt", f"{member.teryt} is not a gmina or powiat in force", "body"
            )
        if member.left_on is not None and member.left_on < member.joined_on:
            raise InvalidParameter(f"{where}.left_on", "earlier than joined_on", "body")


def check_periods(members: list[MemberIn], recorded: list[Row[Any]], field: str) -> None:
    """A unit is a member once at a time: no two of its memberships overlap."""
    periods: dict[str, list[tuple[date, date | None]]] = {}
    for r in recorded:
        periods.setdefault(r.teryt, []).append((r.joined_on, r.left_on))
    for position, member in enumerate(members):
        for joined, left in periods.get(member.teryt, []):
            if joined == member.joined_on:
                continue  # the same membership: its leaving is being recorded
            starts_before_end = left is None or member.joined_on < left
            ends_after_start = member.left_on is None or member.left_on > joined
            if starts_before_end and ends_after_start:
                raise InvalidParameter(
                    f"{field}[{position}].joined_on",
                    f"{member.teryt} is a member from {joined} already",
                    "body",
                )
        periods.setdefault(member.teryt, []).append((member.joined_on, member.left_on))


async def _members_of(conn: AsyncConnection, data: PartnershipIn) -> list[MemberIn]:
    if data.from_group is None:
        if not data.members:
            raise InvalidParameter("members", "at least one member, or from_group", "body")
        return data.members
    if data.members:
        raise InvalidParameter("members", "give members or from_group, not both", "body")
    if data.joined_on is None:
        raise InvalidParameter("joined_on", "the date the group's members joined", "body")
    group = await get_group(conn, data.from_group)
    return [MemberIn(teryt=teryt, joined_on=data.joined_on) for teryt in group.members]


async def create_partnership(conn: AsyncConnection, data: PartnershipIn) -> PartnershipOut:
    if data.example and not any(word in data.name.casefold() for word in EXAMPLE_WORDS):
        raise InvalidParameter("name", "an example's name says so (przykład / example)", "body")
    members = await _members_of(conn, data)
    field = "members" if data.from_group is None else "from_group"
    await check_members(conn, members, field)
    check_periods(members, [], field)
    if data.leader_teryt is not None and data.leader_teryt not in {m.teryt for m in members}:
        raise InvalidParameter("leader_teryt", "the leader must be one of the members", "body")
    created = await conn.scalar(
        text(
            "INSERT INTO partnership (id, name, kind, leader_teryt, description, source_url, "
            "example, from_group) VALUES (:id, :name, :kind, :leader, :description, :source, "
            ":example, :group) ON CONFLICT (id) DO NOTHING RETURNING id"
        ),
        {
            "id": data.id,
            "name": data.name,
            "kind": data.kind,
            "leader": data.leader_teryt,
            "description": data.description,
            "source": data.source_url,
            "example": data.example,
            "group": data.from_group,
        },
    )
    if created is None:
        raise PartnershipExists(f"a partnership with id {data.id!r} exists already")
    for member in members:
        await add_member(conn, data.id, member)
    return await get_partnership(conn, data.id)


async def update_partnership(
    conn: AsyncConnection, partnership_id: str, data: PartnershipPatch, lang: Lang = "pl"
) -> PartnershipOut:
    """Change the fields given; record new memberships and members' leaving (see the Struct)."""
    example = (await _row(conn, partnership_id)).example  # 404 first
    named = isinstance(data.name, str) and any(w in data.name.casefold() for w in EXAMPLE_WORDS)
    if example and isinstance(data.name, str) and not named:
        raise InvalidParameter("name", "an example's name says so (przykład / example)", "body")
    recorded = await _memberships(conn, partnership_id)
    known = {(r.teryt, r.joined_on) for r in recorded}
    new = [m for m in data.members if (m.teryt, m.joined_on) not in known]
    for position, member in enumerate(data.members):
        if member.left_on is not None and member.left_on < member.joined_on:
            raise InvalidParameter(f"members[{position}].left_on", "earlier than joined_on", "body")
    if new:
        await check_members(conn, new, "members")
    check_periods(data.members, recorded, "members")
    teryts = {r.teryt for r in recorded} | {m.teryt for m in data.members}
    leader = data.leader_teryt
    if isinstance(leader, str) and leader not in teryts:
        raise InvalidParameter("leader_teryt", "the leader must be one of the members", "body")
    changes = {
        name: value
        for name in ("name", "kind", "leader_teryt", "description", "source_url")
        if (value := getattr(data, name)) is not msgspec.UNSET
    }
    if changes:
        columns = ", ".join(f"{name} = :{name}" for name in changes)
        await conn.execute(
            text(f"UPDATE partnership SET {columns} WHERE id = :id"),  # noqa: S608 - fixed names
            {**changes, "id": partnership_id},
        )
    for member in data.members:
        await add_member(conn, partnership_id, member)
    return await get_partnership(conn, partnership_id, lang)


async def add_member(conn: AsyncConnection, partnership_id: str, member: MemberIn) -> None:
    """Record a membership (or a member's leaving: the same row with `left_on`)."""
    await conn.execute(
        text(
            "INSERT INTO partnership_member (partnership_id, teryt, joined_on, left_on) "
            "VALUES (:p, :t, :j, :l) ON CONFLICT (partnership_id, teryt, joined_on) "
            "DO UPDATE SET left_on = excluded.left_on"
        ),
        {"p": partnership_id, "t": member.teryt, "j": member.joined_on, "l": member.left_on},
    )


_PARTNERSHIP: Final = (
    "SELECT p.id, p.name, p.kind, p.leader_teryt, p.description, p.source_url, p.example, "
    "p.from_group, p.created_at, count(m.teryt) FILTER (WHERE m.left_on IS NULL OR "
    "m.left_on > :today) AS members_in_force FROM partnership p "
    "LEFT JOIN partnership_member m ON m.partnership_id = p.id "
)


def _described(data: Any, lang: Lang) -> dict[str, Any]:  # noqa: ANN401 - a row mapping
    """The fields a summary and a whole partnership both give, from a `_PARTNERSHIP` row."""
    return {
        "id": data["id"],
        "name": data["name"],
        "kind": data["kind"],
        "kind_name": KIND_NAMES[data["kind"]][lang == "en"],
        "leader_teryt": data["leader_teryt"],
        "example": data["example"],
        "membership_sourced": data["source_url"] is not None,
        "url": _url(data["id"]),
    }


def _summary(data: Any, lang: Lang) -> PartnershipSummary:  # noqa: ANN401 - a row mapping
    return PartnershipSummary(**_described(data, lang), members_in_force=data["members_in_force"])


async def _row(conn: AsyncConnection, partnership_id: str) -> Row[Any]:
    row = (
        await conn.execute(
            text(_PARTNERSHIP + "WHERE p.id = :id GROUP BY p.id"),
            {"id": partnership_id, "today": today()},
        )
    ).first()
    if row is None:
        raise UnknownPartnership(f"no partnership with id {partnership_id!r}")
    return row


async def get_summary(conn: AsyncConnection, partnership_id: str, lang: Lang) -> PartnershipSummary:
    return _summary((await _row(conn, partnership_id))._mapping, lang)


async def list_partnerships(conn: AsyncConnection, lang: Lang) -> PartnershipList:
    rows = await conn.execute(
        text(_PARTNERSHIP + "GROUP BY p.id ORDER BY p.name, p.id LIMIT :n"),
        {"today": today(), "n": MAX_LIST},
    )
    items = [_summary(row._mapping, lang) for row in rows]
    return PartnershipList(count=len(items), items=items)


async def _memberships(conn: AsyncConnection, partnership_id: str) -> list[Row[Any]]:
    rows = await conn.execute(
        text(
            "SELECT teryt, joined_on, left_on FROM partnership_member WHERE partnership_id = :p "
            "ORDER BY teryt, joined_on"
        ),
        {"p": partnership_id},
    )
    return list(rows)


async def get_partnership(
    conn: AsyncConnection, partnership_id: str, lang: Lang = "pl"
) -> PartnershipOut:
    data = (await _row(conn, partnership_id))._mapping
    rows = await _memberships(conn, partnership_id)
    units = await _units(conn, [r.teryt for r in rows])
    now = today()
    return PartnershipOut(
        **_described(data, lang),
        description=data["description"],
        source_url=data["source_url"],
        from_group=data["from_group"],
        created_at=data["created_at"],
        members=[
            MemberOut(
                teryt=r.teryt,
                name=units.get(r.teryt, ("", ""))[0],
                level=units.get(r.teryt, ("", ""))[1],
                joined_on=r.joined_on,
                left_on=r.left_on,
                in_force=r.left_on is None or r.left_on > now,
            )
            for r in rows
        ],
    )


def _position(value: float | None, aggregate: float | None) -> Position:
    if value is None or aggregate is None:
        return "missing"
    if abs(value - aggregate) <= EQUAL_WITHIN * max(1.0, abs(aggregate)):
        return "equal"
    return "above" if value > aggregate else "below"


def _positions(
    section: CrossSection, members: list[str], aggregate: GroupAggregate
) -> list[MemberPosition]:
    by_teryt = {item.teryt: item for item in section.items}
    return [
        MemberPosition(
            teryt=item.teryt,
            name=item.name,
            value=item.value,
            position=_position(item.value, aggregate.value),
        )
        for item in (by_teryt[t] for t in members if t in by_teryt)
    ]


async def partnership_indicator(
    conn: AsyncConnection,
    catalogue: Catalogue,
    partnership_id: str,
    code: str,
    lang: Lang,
    *,
    year: int | None,
    level: str | None = None,
    latest_only: bool = False,
    with_similar: bool = True,
) -> PartnershipIndicator:
    """Every year's ratio of sums over the members of that year; positions in `year`."""
    partnership = await get_summary(conn, partnership_id, lang)
    find_indicator(catalogue, code)  # 404 for an unknown code before anything else
    rows = await _memberships(conn, partnership_id)
    years = (await years_by_indicator(conn)).get(code, [])
    if latest_only and years:
        years = [year if year is not None else years[-1]]
    series: list[PartnershipYear] = []
    sections: dict[int, tuple[CrossSection, list[str], GroupAggregate]] = {}
    for each in years:
        members = sorted({r.teryt for r in rows if member_in_year(r.joined_on, r.left_on, each)})
        if not members:
            continue
        section, aggregate = await members_aggregate(
            conn, catalogue, members, code, lang, year=each, level=level
        )
        level = section.level  # the first year's choice holds for the whole series
        series.append(PartnershipYear(year=each, members_in_force=members, aggregate=aggregate))
        sections[each] = (section, members, aggregate)
    if year is not None and year not in sections:
        raise NotFound(f"{code} has no values for this partnership's members in {year}")
    if not sections:
        raise NotFound(f"{code} has no values for this partnership's members")
    chosen = year or next(
        (s.year for s in reversed(series) if s.aggregate.value is not None), series[-1].year
    )
    section, members, aggregate = sections[chosen]
    positions = _positions(section, members, aggregate)
    others = (
        await similar_partnerships(
            conn,
            catalogue,
            partnership_id=partnership_id,
            kind=partnership.kind,
            own_members=members,
            code=code,
            year=chosen,
            level=section.level,
        )
        if with_similar
        else []
    )
    return PartnershipIndicator(
        partnership=partnership,
        indicator=section.indicator,
        level=section.level,
        year=chosen,
        aggregate=aggregate,
        positions=positions,
        items=section.items,
        series=series,
        spread=spread([(p.teryt, p.value) for p in positions]),
        similar=others,
    )


def rubric_out(rubric: Rubric, lang: Lang = "pl") -> list[StandardOut]:
    return [
        StandardOut(
            number=s.number,
            group=rubric.group_of(s.number).code,
            name=s.name,
            name_en=s.name_en,
            statement=s.statement,
            stages=[StageOut(stage=d.stage, points=d.points) for d in s.stage],
            miarka_indicators=s.miarka_indicators,
            stages_note=""
            if s.stage
            else (rubric.no_descriptors_en if lang == "en" else rubric.no_descriptors_pl),
            scale=list(range(rubric.scale[0], rubric.scale[-1] + 1)),
        )
        for s in rubric.standard
    ]


async def list_assessments(
    conn: AsyncConnection,
    rubric: Rubric,
    partnership_id: str,
    lang: Lang,
    *,
    year: int | None = None,
    current_only: bool = False,
) -> AssessmentPage:
    """Every answer ever entered, newest year first; `current` marks each standard's latest."""
    partnership = await get_summary(conn, partnership_id, lang)
    rows = await conn.execute(
        text(
            "SELECT id, year, standard, stage, justification, evidence, entered_by, entered_at, "
            "row_number() OVER (PARTITION BY year, standard ORDER BY entered_at DESC, id DESC) "
            "= 1 AS current FROM partnership_assessment WHERE partnership_id = :p "
            "AND (CAST(:year AS integer) IS NULL OR year = :year) "
            "ORDER BY year DESC, standard, entered_at DESC, id DESC"
        ),
        {"p": partnership_id, "year": year},
    )
    items = []
    for r in rows:
        if current_only and not r.current:
            continue
        standard = rubric.find(r.standard)
        items.append(
            AssessmentOut(
                id=r.id,
                year=r.year,
                standard=r.standard,
                standard_name=(standard.name_en if lang == "en" else standard.name)
                if standard
                else "",
                stage=r.stage,
                justification=r.justification,
                evidence=list(r.evidence),
                entered_by=r.entered_by,
                entered_at=r.entered_at,
                current=r.current,
            )
        )
    return AssessmentPage(
        partnership=partnership,
        count=len(items),
        items=items,
        rubric_source=f"{rubric.source} ({rubric.source_url})",
        rubric=rubric_out(rubric, lang),
    )


def check_assessment(rubric: Rubric, data: AssessmentIn) -> None:
    low, high = rubric.scale[0], rubric.scale[-1]
    for position, item in enumerate(data.items):
        if rubric.find(item.standard) is None:
            raise InvalidParameter(
                f"items[{position}].standard", f"no standard {item.standard}: 1-10", "body"
            )
        if not low <= item.stage <= high:
            raise InvalidParameter(
                f"items[{position}].stage", f"stage {item.stage} is outside {low}-{high}", "body"
            )


async def create_assessment(
    conn: AsyncConnection,
    rubric: Rubric,
    partnership_id: str,
    data: AssessmentIn,
    *,
    entered_by: str,
    lang: Lang = "pl",
) -> AssessmentPage:
    """Add the year's answers; earlier answers stay as the history, never overwritten."""
    check_assessment(rubric, data)
    await get_summary(conn, partnership_id, lang)
    for item in data.items:
        await conn.execute(
            text(
                "INSERT INTO partnership_assessment (partnership_id, year, standard, stage, "
                "justification, evidence, entered_by, entered_at) VALUES (:p, :year, :standard, "
                ":stage, :justification, :evidence, :by, clock_timestamp())"
            ),
            {
                "p": partnership_id,
                "year": data.year,
                "standard": item.standard,
                "stage": item.stage,
                "justification": item.justification,
                "evidence": item.evidence,
                "by": entered_by,
            },
        )
    return await list_assessments(conn, rubric, partnership_id, lang, year=data.year)
