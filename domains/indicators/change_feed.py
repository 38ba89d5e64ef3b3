"""What changed since a data release: every indicator value added, changed or deleted.

One release is one load run. Within a run, the values it published are the current rows
whose `load_run_id` is the run, plus history rows it published that a later run superseded;
the values it replaced are the history rows it superseded. An entry pairs both sides of one
(indicator, year, unit): both = changed, only new = added, only old = deleted. Pages are in
(release, indicator, year, teryt) order, resumed from a cursor; a page reads one index range
per run it reaches.
"""

import base64
from datetime import datetime
from typing import Final

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter
from domains.hot_reads import fetch
from domains.indicators.as_of import parse_as_of, resolve_as_of
from schemas.changes import ChangeKind, ChangeRow

_SIDE = """
SELECT v.indicator_code, v.year, v.teryt, v.level, v.value, v.flags FROM {table} v
WHERE v.{run} = $1 AND (v.indicator_code, v.year, v.teryt) > ($2, $3, $4) {filters}
ORDER BY v.indicator_code, v.year, v.teryt LIMIT $5
"""
# Each side's first $5 keys hold the first $5 keys of their union, so the join is exact.
_RUN_PAGE = """
WITH new AS (({current}) UNION ALL ({published})), old AS ({superseded})
SELECT coalesce(n.indicator_code, o.indicator_code), coalesce(n.year, o.year),
       coalesce(n.teryt, o.teryt), coalesce(n.level, o.level),
       o.teryt IS NOT NULL, o.value, o.flags, n.teryt IS NOT NULL, n.value, n.flags
FROM new n FULL JOIN old o
  ON o.indicator_code = n.indicator_code AND o.year = n.year AND o.teryt = n.teryt
ORDER BY 1, 2, 3 LIMIT $5
"""
_RUNS = """
SELECT r.id, d.id, d.published_at FROM data_release d JOIN load_run r ON r.id = d.load_run_id
WHERE d.id > :since AND (CAST(:run AS bigint) IS NULL OR r.id = :run)
ORDER BY d.id {order}
"""
_START: Final = ("", 0, "")
MAX_LIMIT: Final = 5_000


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    codes: list[str] | None = None
    teryt: str | None = None
    level: str | None = None


def _run_page_sql(filters: Filters) -> tuple[str, list[object]]:
    """One statement per filter combination (see queries._cross_section_sql on generic plans)."""
    clauses: list[str] = []
    args: list[object] = []
    for clause, value in (
        ("v.indicator_code = ANY(${n}::text[])", filters.codes),
        ("v.teryt = ${n}", filters.teryt),
        ("v.level = ${n}", filters.level),
    ):
        if value is not None:
            args.append(value)
            clauses.append("AND " + clause.format(n=5 + len(args)))
    where = " ".join(clauses)

    def side(table: str, run: str) -> str:
        return _SIDE.format(table=table, run=run, filters=where)

    sql = _RUN_PAGE.format(
        current=side("indicator_value", "load_run_id"),
        published=side("indicator_value_history", "published_run_id"),
        superseded=side("indicator_value_history", "superseded_run_id"),
    )
    return sql, args


def encode_cursor(row: ChangeRow) -> str:
    raw = msgspec.json.encode([row.release, row.indicator, row.year, row.teryt])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, tuple[str, int, str]]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        release, code, year, teryt = msgspec.json.decode(
            raw, type=tuple[int, str, int, str], strict=True
        )
    except (ValueError, msgspec.DecodeError):
        raise InvalidParameter("cursor", "not a cursor this feed gave") from None
    return release, (code, year, teryt)


async def since_release(conn: AsyncConnection, raw: str) -> int:
    """`since` as a release number: 0 = from the start; a date = the release in force then."""
    parsed = parse_as_of(raw)
    if isinstance(parsed, int):
        return parsed
    first = await conn.scalar(text("SELECT min(published_at) FROM data_release"))
    if first is None:
        return 0
    try:
        return (await resolve_as_of(conn, raw)).release
    except InvalidParameter:
        return 0  # a date before the first release: everything is new since then


def _entry(run_id: int, release: int, published_at: datetime, row: tuple[object, ...]) -> ChangeRow:
    code, year, teryt, level, had_old, old_value, old_flags, has_new, new_value, new_flags = row
    kind: ChangeKind = "changed" if had_old and has_new else ("added" if has_new else "deleted")
    return ChangeRow(
        release=release,
        load_run_id=run_id,
        published_at=published_at,
        kind=kind,
        indicator=str(code),
        teryt=str(teryt),
        level=str(level),
        year=int(year),  # type: ignore[call-overload]
        old_value=old_value if had_old else None,  # type: ignore[arg-type]
        new_value=new_value if has_new else None,  # type: ignore[arg-type]
        old_flags=list(old_flags) if had_old else None,  # type: ignore[call-overload]
        new_flags=list(new_flags) if has_new else None,  # type: ignore[call-overload]
    )


async def list_changes(
    conn: AsyncConnection,
    *,
    since: int,
    filters: Filters,
    limit: int,
    cursor: str | None = None,
    run: int | None = None,
    newest_first: bool = False,
) -> tuple[list[ChangeRow], str | None]:
    """Up to `limit` changes made after release `since`, and the cursor of the next page.

    `newest_first` walks the releases backwards (the Atom feeds); within a release the order
    is always (indicator, year, teryt).
    """
    after_release, after_key = decode_cursor(cursor) if cursor else (None, _START)
    sql, args = _run_page_sql(filters)
    order = "DESC" if newest_first else "ASC"
    runs = (await conn.execute(text(_RUNS.format(order=order)), {"since": since, "run": run})).all()
    items: list[ChangeRow] = []
    for run_id, release, published_at in runs:
        if after_release is not None and (
            release > after_release if newest_first else release < after_release
        ):
            continue
        key = after_key if release == after_release else _START
        wanted = limit + 1 - len(items)
        rows = await fetch(conn, sql, run_id, *key, wanted, *args)
        items.extend(_entry(run_id, release, published_at, tuple(row)) for row in rows)
        if len(items) > limit:
            break
    if len(items) > limit:
        items = items[:limit]
        return items, encode_cursor(items[-1])
    return items, None
