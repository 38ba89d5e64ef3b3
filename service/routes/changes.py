"""The change feed and `as_of`: what changed since a release, as JSON, files and Atom.

`GET /api/v1/changes` pages through every indicator value added, changed or deleted after
`since`; the Atom feeds give the newest changes of one unit or one indicator to people who
subscribe in a feed reader. `AsOfParam` is the `as_of` query parameter of the value reads.
"""

from typing import Annotated, Any, Final

from feedgen.feed import FeedGenerator
from litestar import Request, Response, Router, get
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter
from domains.indicators.as_of import AsOf, resolve_as_of
from domains.indicators.catalogue import Catalogue
from domains.indicators.change_feed import MAX_LIMIT, Filters, list_changes, since_release
from domains.indicators.queries import find_indicator
from domains.units.kinds import is_teryt
from domains.units.queries import unit_in_force
from schemas.changes import ChangeRow, ChangesPage
from service.deps import CatalogueDep, Db, ExportDep
from service.errors import problem_responses
from service.routes.params import IndicatorCode, TerytPath, documented, page_links
from service.tabular import _structs, register_adapter

FEED_SIZE: Final = 100
ATOM: Final = "application/atom+xml"

AsOfParam = Annotated[
    str | None,
    documented(
        "The answer as it was at this data release (a number) or on this date "
        "(YYYY-MM-DD, the last release published by the end of that day in Poland); "
        "default: now. Answers for a past release never change (long max-age).",
        "3",
        "2026-11-30",
        max_length=32,
    ),
]


async def as_of_for(db: AsyncConnection, raw: str | None) -> AsOf | None:
    """The release `as_of` names; None for the current state."""
    return None if raw is None else await resolve_as_of(db, raw)


IndicatorFilter = Annotated[
    str | None, documented("Only this indicator", "kontekst.ludnosc", max_length=100)
]
DomainOnly = Annotated[
    str | None, documented("Only the indicators of this domain", "kontekst", max_length=64)
]
UnitFilter = Annotated[
    str | None, documented("Only this unit (TERC code)", "1261011", max_length=7)
]
Cursor = Annotated[
    str | None,
    documented("From the previous page's `next_cursor`", "WzMsImEiLDIwMjQsIjEiXQ", max_length=400),
]


def _filters(
    catalogue: Catalogue,
    *,
    indicator: str | None,
    domain: str | None,
    unit: str | None,
    level: str | None,
) -> Filters:
    codes: list[str] | None = None
    if indicator is not None:
        find_indicator(catalogue, indicator)
        codes = [indicator]
    if domain is not None:
        if catalogue.domain(domain) is None:
            raise InvalidParameter("domain", f"unknown domain {domain!r}")
        in_domain = [i.code for i in catalogue.indicators if i.domain == domain]
        codes = [c for c in codes if c in in_domain] if codes is not None else in_domain
    if unit is not None and not is_teryt(unit):
        raise InvalidParameter("unit", "a TERC code of 2, 4 or 7 digits")
    return Filters(codes=codes, teryt=unit, level=level)


async def _latest(db: AsyncConnection) -> int:
    return int(await db.scalar(text("SELECT coalesce(max(id), 0) FROM data_release")) or 0)


@get(
    "/changes",
    operation_id="listChanges",
    summary="Indicator values added, changed or deleted since a data release",
    description="Every change made by the releases after `since` (a release number, or a date: "
    "the release in force then), each with the release and load run that made it, the old and "
    "the new value and flags. Ordered by release, indicator, year and unit; follow "
    "`links.next` (keyset cursor) until it is null.",
    responses=problem_responses(400, 404, 503),
)
async def list_changes_page(
    *,
    request: Request[Any, Any, Any],
    export: ExportDep,
    db: Db,
    catalogue: CatalogueDep,
    since: Annotated[
        str,
        documented(
            "A release number (0: from the start) or an ISO date", "0", "2026-11-30", max_length=32
        ),
    ] = "0",
    indicator: IndicatorFilter = None,
    domain: DomainOnly = None,
    unit: UnitFilter = None,
    level: Annotated[
        str | None, documented("Only this level", "gmina", pattern="^(gmina|powiat|voivodeship)$")
    ] = None,
    run: Annotated[int | None, documented("Only the changes of this load run", 2, ge=1)] = None,
    limit: Annotated[int, documented("Page size (max 5,000)", 1000, ge=1, le=MAX_LIMIT)] = 1000,
    cursor: Cursor = None,
) -> ChangesPage:
    filters = _filters(catalogue, indicator=indicator, domain=domain, unit=unit, level=level)
    after = await since_release(db, since)
    items, next_cursor = await list_changes(
        db, since=after, filters=filters, limit=limit, cursor=cursor, run=run
    )
    return ChangesPage(
        since=after,
        latest_release=await _latest(db),
        items=items,
        limit=limit,
        next_cursor=next_cursor,
        links=page_links(request, next_cursor),
    )


register_adapter(ChangesPage, lambda body, _s: _structs("miarka-changes", body.items, ChangeRow))


def _number(value: float | None) -> str:
    return "brak" if value is None else f"{value:,.4g}".replace(",", " ")


def _atom(
    request: Request[Any, Any, Any],
    catalogue: Catalogue,
    *,
    title: str,
    items: list[ChangeRow],
    name_of: dict[str, str],
) -> Response[bytes]:
    indicator_name = {i.code: i.name_pl for i in catalogue.indicators}
    feed = FeedGenerator()
    url = str(request.url)
    feed.id(url)
    feed.title(title)
    feed.link(href=url, rel="self")
    feed.language("pl")
    feed.author({"name": "Miarka"})
    # A fixed `updated` (the newest change), so the same feed is the same bytes (strong ETag).
    feed.updated(max((c.published_at for c in items), default=None) or "2025-01-01T00:00:00Z")
    words = {"added": "nowa wartość", "changed": "zmiana", "deleted": "usunięta wartość"}
    for change in items:
        entry = feed.add_entry(order="append")
        entry.id(
            f"tag:miarka,2026:change/{change.release}/{change.indicator}/{change.year}/"
            f"{change.teryt}"
        )
        what = indicator_name.get(change.indicator, change.indicator)
        entry.title(
            f"{name_of.get(change.teryt, change.teryt)}: {what} {change.year}: "
            f"{_number(change.old_value)} → {_number(change.new_value)}"
        )
        entry.updated(change.published_at)
        entry.content(
            f"{words[change.kind]} w wydaniu danych {change.release} "
            f"(przebieg ładowania {change.load_run_id})",
            type="text",
        )
    return Response(content=feed.atom_str(pretty=True), media_type=ATOM)


async def _names(db: AsyncConnection, items: list[ChangeRow]) -> dict[str, str]:
    rows = await db.execute(
        text("SELECT teryt, name FROM territorial_unit WHERE teryt = ANY(:t) AND valid_to IS NULL"),
        {"t": sorted({c.teryt for c in items})},
    )
    return {str(teryt): str(name) for teryt, name in rows.all()}


@get(
    "/units/{teryt:str}/changes.atom",
    operation_id="getUnitChangesFeed",
    summary="Atom feed of the unit's changed indicator values",
    description=f"The {FEED_SIZE} newest changes of the unit's values, newest release first.",
    media_type=ATOM,
    responses=problem_responses(400, 404, 503),
)
async def read_unit_feed(
    request: Request[Any, Any, Any], db: Db, catalogue: CatalogueDep, teryt: TerytPath
) -> Response[bytes]:
    filters = _filters(catalogue, indicator=None, domain=None, unit=teryt, level=None)
    name, _ = await unit_in_force(db, teryt)
    items, _ = await list_changes(db, since=0, filters=filters, limit=FEED_SIZE, newest_first=True)
    return _atom(
        request,
        catalogue,
        title=f"Miarka: zmiany danych, {name}",
        items=items,
        name_of={teryt: name},
    )


@get(
    "/indicators/{code:str}/changes.atom",
    operation_id="getIndicatorChangesFeed",
    summary="Atom feed of the indicator's changed values",
    description=f"The {FEED_SIZE} newest changes of the indicator's values, newest release first.",
    media_type=ATOM,
    responses=problem_responses(400, 404, 503),
)
async def read_indicator_feed(
    request: Request[Any, Any, Any], db: Db, catalogue: CatalogueDep, code: IndicatorCode
) -> Response[bytes]:
    indicator = find_indicator(catalogue, code)
    items, _ = await list_changes(
        db, since=0, filters=Filters(codes=[code]), limit=FEED_SIZE, newest_first=True
    )
    return _atom(
        request,
        catalogue,
        title=f"Miarka: zmiany danych, {indicator.name_pl}",
        items=items,
        name_of=await _names(db, items),
    )


router = Router(
    path="/api/v1",
    route_handlers=[list_changes_page, read_unit_feed, read_indicator_feed],
    tags=["changes"],
)
