"""The start page: search a unit by name, browse voivodeship -> powiat -> gmina, list indicators.

Search is `list_units` with `q` (case- and diacritics-insensitive, ranked: exact, prefix, word
prefix, inside); parts of gminas (towns and rural areas of urban-rural gminas, Warsaw
districts) are left out because indicators are published for whole gminas. Where each result
lies comes from `placed_units`, one statement for all of them.
"""

from dataclasses import replace
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter
from domains.indicators.catalogue import Catalogue
from domains.indicators.queries import list_indicators
from domains.units.placed import placed_units
from domains.units.queries import UnitFilters, get_unit, list_units
from schemas.units import Unit
from service.web.context import DomainIndicators, IndicatorLink, StartPage, Ui, UnitLink
from service.web.i18n import pick
from service.web.names import display_name
from service.web.shared import ref_link, unit_link
from service.web.unit_page import BROWSE

SEARCH_FETCH: Final = 60
SEARCH_SHOWN: Final = 40
MAX_QUERY: Final = 100
BROWSE_LIMIT: Final = 1_000


async def _units(conn: AsyncConnection, filters: UnitFilters) -> list[Unit]:
    units, _, _ = await list_units(conn, filters, limit=BROWSE_LIMIT, cursor=None)
    return units


async def _search(conn: AsyncConnection, q: str, ui: Ui) -> tuple[list[UnitLink], bool]:
    try:
        found, total, _ = await list_units(
            conn, UnitFilters(q=q[:MAX_QUERY]), limit=SEARCH_FETCH, cursor=None
        )
    except InvalidParameter:  # nothing searchable in q (only punctuation): no results
        return [], False
    wanted = [u for u in found if u.level != "gmina_part"]
    places = await placed_units(conn, [u.teryt for u in wanted[:SEARCH_SHOWN]])
    links = [
        ref_link(places[u.teryt].unit, ui, places[u.teryt].parents)
        for u in wanted[:SEARCH_SHOWN]
        if u.teryt in places
    ]
    return links, len(wanted) > SEARCH_SHOWN or total > SEARCH_FETCH


async def build_start_page(
    conn: AsyncConnection,
    catalogue: Catalogue,
    ui: Ui,
    *,
    q: str | None,
    voivodeship: str | None,
    powiat: str | None,
) -> StartPage:
    t, lang = ui.t, ui.lang
    results, more = (None, False)
    if q is not None and q.strip():
        results, more = await _search(conn, q.strip(), ui)

    crumbs: list[UnitLink] = []
    browse_up = None
    if powiat is not None:
        parent = await get_unit(conn, powiat)
        units = await _units(conn, UnitFilters(parent=powiat, level="gmina"))
        crumbs = [ref_link(p, ui) for p in reversed(parent.parents)] + [
            unit_link(parent.teryt, parent.name, parent.kind, ui)
        ]
        title = f"{t['browse_gminas']}: {display_name(parent.name, parent.kind, lang)}"
        browse_up = ui.url("web-start", woj=powiat[:2], fragment=BROWSE)
    elif voivodeship is not None:
        parent = await get_unit(conn, voivodeship)
        units = await _units(conn, UnitFilters(parent=voivodeship, level="powiat"))
        crumbs = [unit_link(parent.teryt, parent.name, parent.kind, ui)]
        title = f"{t['browse_powiats']}: {display_name(parent.name, parent.kind, lang)}"
        browse_up = ui.url("web-start", fragment=BROWSE)
    else:
        units = await _units(conn, UnitFilters(level="voivodeship"))
        title = t["browse_title"]
    browse = [_browse_link(u, ui) for u in units]

    indicators = await list_indicators(conn, catalogue, lang, status="ok")
    domains = []
    for domain in catalogue.domains:
        members = [i for i in indicators if i.domain == domain.code]
        if members:
            domains.append(
                DomainIndicators(
                    name=pick(domain, "name", lang),
                    indicators=[
                        IndicatorLink(name=i.name, href=ui.url("web-indicator", code=i.code))
                        for i in members
                    ],
                )
            )
    return StartPage(
        title=t["start_title"],
        q=q or "",
        results=results,
        more_results=more,
        browse_title=title,
        browse=browse,
        browse_up=browse_up,
        crumbs=crumbs,
        domains=domains,
    )


def _browse_link(unit: Unit, ui: Ui) -> UnitLink:
    """Voivodeships and land powiats also open the list of units within them."""
    link = unit_link(unit.teryt, unit.name, unit.kind, ui)
    if unit.level == "voivodeship":
        children = ui.url("web-start", woj=unit.teryt, fragment=BROWSE)
    elif unit.kind == "powiat_ziemski":
        children = ui.url("web-start", pow=unit.teryt, fragment=BROWSE)
    else:
        return link
    return replace(link, children_href=children)
