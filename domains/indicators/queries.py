"""Reads of the catalogue and of indicator values: one data layer for JSON, CSV and HTML.

Hot paths (cross-section, dashboard, series) are single SQL statements over
`indicator_value`, whose primary key (indicator, year, teryt) makes a cross-section one index
range and whose second index (teryt, indicator, year) makes a unit's dashboard one range.
"""

from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter, NotFound, UnknownUnit
from domains.hot_reads import fetch
from domains.indicators import as_of as past
from domains.indicators.catalogue import Catalogue, Indicator, Term
from domains.units.kinds import is_teryt
from domains.units.queries import unit_in_force
from schemas.indicators import (
    CrossSection,
    Dashboard,
    DashboardDomain,
    DashboardItem,
    DomainDetail,
    DomainOut,
    FormulaOut,
    IndicatorDetail,
    IndicatorSummary,
    Lang,
    LevelCount,
    Neighbour,
    Peers,
    Provenance,
    Series,
    SeriesPoint,
    ServiceOut,
    TermOut,
    ValueRow,
)


class UnknownIndicator(NotFound):
    slug = "unknown-indicator"
    title = "Unknown indicator"


class UnknownDomain(NotFound):
    slug = "unknown-domain"
    title = "Unknown domain"


VALUE_COLUMNS: Final = """
    v.indicator_code AS indicator, v.teryt, u.name, v.level, v.year, v.value, v.flags,
    v.numerator, v.denominator, v.rank, v.rank_of, v.peer_group, v.peer_median, v.peer_q1,
    v.peer_q3, v.national_median, v.yoy_change
"""
_YEARS = "SELECT code, years FROM indicator"


def _pick(lang: Lang, pl: str, en: str) -> str:
    return pl if lang == "pl" else en


async def years_by_indicator(conn: AsyncConnection) -> dict[str, list[int]]:
    return {code: list(years) for code, years in await conn.execute(text(_YEARS))}


def summary(indicator: Indicator, years: list[int], lang: Lang) -> IndicatorSummary:
    return IndicatorSummary(
        code=indicator.code,
        name=_pick(lang, indicator.name_pl, indicator.name_en),
        domain=indicator.domain,
        service=indicator.service,
        typology=indicator.typology,
        unit=_pick(lang, indicator.unit_pl, indicator.unit_en),
        polarity=indicator.polarity,
        levels=list(indicator.levels),
        status="ok" if years else "no_data",
        years=years,
    )


def find_indicator(catalogue: Catalogue, code: str) -> Indicator:
    indicator = catalogue.indicator(code)
    if indicator is None:
        raise UnknownIndicator(f"no indicator with code {code!r}; see /api/v1/indicators")
    return indicator


async def list_domains(conn: AsyncConnection, catalogue: Catalogue, lang: Lang) -> list[DomainOut]:
    years = await years_by_indicator(conn)
    out = []
    for domain in catalogue.domains:
        members = [i for i in catalogue.indicators if i.domain == domain.code]
        out.append(
            DomainOut(
                code=domain.code,
                name=_pick(lang, domain.name_pl, domain.name_en),
                description=_pick(lang, domain.description_pl, domain.description_en),
                services=[
                    ServiceOut(code=s.code, name=_pick(lang, s.name_pl, s.name_en))
                    for s in domain.services
                ],
                indicator_count=len(members),
                indicators_with_data=sum(1 for i in members if years.get(i.code)),
            )
        )
    return out


async def get_domain(
    conn: AsyncConnection, catalogue: Catalogue, code: str, lang: Lang
) -> DomainDetail:
    if catalogue.domain(code) is None:
        raise UnknownDomain(f"no domain with code {code!r}; see /api/v1/domains")
    base = next(d for d in await list_domains(conn, catalogue, lang) if d.code == code)
    years = await years_by_indicator(conn)
    indicators = [
        summary(i, years.get(i.code, []), lang) for i in catalogue.indicators if i.domain == code
    ]
    return DomainDetail(**_fields(base), indicators=indicators)


def _fields(struct: Any) -> dict[str, Any]:  # noqa: ANN401 - any Struct
    return {name: getattr(struct, name) for name in struct.__struct_fields__}


async def list_indicators(
    conn: AsyncConnection,
    catalogue: Catalogue,
    lang: Lang,
    *,
    domain: str | None = None,
    typology: str | None = None,
    level: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> list[IndicatorSummary]:
    if domain is not None and catalogue.domain(domain) is None:
        raise InvalidParameter("domain", f"unknown domain {domain!r}")
    years = await years_by_indicator(conn)
    needle = q.casefold() if q else None
    out = []
    for indicator in catalogue.indicators:
        item = summary(indicator, years.get(indicator.code, []), lang)
        if domain and indicator.domain != domain:
            continue
        if typology and indicator.typology != typology:
            continue
        if level and level not in indicator.levels:
            continue
        if status and item.status != status:
            continue
        if needle and not any(
            needle in text_.casefold()
            for text_ in (indicator.code, indicator.name_pl, indicator.name_en)
        ):
            continue
        out.append(item)
    return out


async def _terms(conn: AsyncConnection, terms: list[Term]) -> list[TermOut]:
    out = []
    for term in terms:
        row = (
            await conn.execute(
                text("SELECT name, measure_unit FROM variable WHERE source = :s AND code = :c"),
                {"s": term.source, "c": term.code},
            )
        ).first()
        out.append(
            TermOut(
                source=term.source,
                code=term.code,
                year=term.year,
                name=row[0] if row else None,
                measure_unit=row[1] if row else None,
            )
        )
    return out


def _expression(indicator: Indicator) -> str:
    formula = indicator.formula
    numerator = " + ".join(f"{t.source}:{t.code}" for t in formula.numerator)
    text_ = f"({numerator})"
    if formula.denominator:
        denominator = " + ".join(f"{t.source}:{t.code}" for t in formula.denominator)
        text_ += f" / ({denominator})"
    if formula.difference_to is not None:
        text_ = f"({text_} - the same for {formula.difference_to}, same year)"
    if formula.multiplier != 1:
        text_ = f"{formula.multiplier:g} * {text_}"
    return text_


async def get_indicator(
    conn: AsyncConnection, catalogue: Catalogue, code: str, lang: Lang
) -> IndicatorDetail:
    indicator = find_indicator(catalogue, code)
    years = (await years_by_indicator(conn)).get(code, [])
    stored = await conn.scalar(text("SELECT coverage FROM indicator WHERE code = :c"), {"c": code})
    coverage = [LevelCount(**item) for item in stored or []]
    return IndicatorDetail(
        **_fields(summary(indicator, years, lang)),
        version=indicator.version,
        name_pl=indicator.name_pl,
        name_en=indicator.name_en,
        description=_pick(lang, indicator.description_pl, indicator.description_en),
        caveats=_pick(lang, indicator.caveats_pl, indicator.caveats_en),
        source=indicator.source,
        citation=indicator.citation,
        decimals=indicator.decimals,
        formula=FormulaOut(
            numerator=await _terms(conn, indicator.formula.numerator),
            denominator=await _terms(conn, indicator.formula.denominator),
            multiplier=indicator.formula.multiplier,
            difference_to=indicator.formula.difference_to,
            expression=_expression(indicator),
        ),
        coverage=coverage,
    )


_CROSS_SECTION = f"""
SELECT {VALUE_COLUMNS}
FROM {{source}} v
JOIN territorial_unit u ON u.teryt = v.teryt AND u.valid_to IS NULL
WHERE v.indicator_code = $1 AND v.year = $2 AND v.level = $3 {{filters}}
ORDER BY v.rank NULLS LAST, v.teryt
"""  # noqa: S608 - VALUE_COLUMNS is a constant
_BY_PARENT: Final = "AND (u.parent_teryt = $4 OR left(v.teryt, length($4)) = $4)"
_BY_MEMBERS: Final = "AND v.teryt = ANY(${n}::text[])"
_CROSS_SECTION_THEN: Final = "v.indicator_code = $1 AND v.year IN ($2, $2 - 1) AND v.level = $3"
"""The cross-section's partition as of a release, with the year before for `yoy_change`."""


def _cross_section_sql(*, parent: bool, members: bool, as_of: bool = False) -> str:
    """One statement per filter combination, never `($4 IS NULL OR ...)`.

    asyncpg prepares statements and PostgreSQL switches them to a generic plan after five
    runs; with optional filters that plan walked the unit index once per unit (22 ms,
    21,694 buffers) instead of one primary-key range (5 ms, 188 buffers). As of a release,
    the runs of that release are the parameter after the filters'.
    """
    filters = [_BY_PARENT] if parent else []
    if members:
        filters.append(_BY_MEMBERS.format(n=5 if parent else 4))
    runs = f"${4 + len(filters)}"
    source = f"({past.ranked(_CROSS_SECTION_THEN, runs)})" if as_of else "indicator_value"
    return _CROSS_SECTION.format(source=source, filters=" ".join(filters))


async def cross_section(
    conn: AsyncConnection,
    catalogue: Catalogue,
    code: str,
    lang: Lang,
    *,
    year: int | None,
    level: str | None,
    parent: str | None = None,
    members: list[str] | None = None,
    provenance: bool = False,
    as_of: past.AsOf | None = None,
) -> CrossSection:
    indicator = find_indicator(catalogue, code)
    level = level or ("gmina" if "gmina" in indicator.levels else indicator.levels[0])
    if level not in indicator.levels:
        raise InvalidParameter("level", f"{code} applies to {', '.join(indicator.levels)}")
    if parent is not None and not is_teryt(parent):
        raise InvalidParameter("parent", "a TERC code of 2, 4 or 7 digits")
    years = (await years_by_indicator(conn)).get(code, [])
    if year is None and as_of is not None:  # the latest year of that release, not of today
        rows = await past.fetch_then(conn, past.LATEST_YEAR, code, level, as_of.runs)
        year = rows[0][0] if rows[0][0] is not None else (years[-1] if years else None)
    if year is None:
        if not years:
            raise NotFound(f"indicator {code} has no data yet (status no_data)")
        year = years[-1]
    filters = [f for f in (parent, members) if f is not None]
    sql = _cross_section_sql(
        parent=parent is not None, members=members is not None, as_of=as_of is not None
    )
    if as_of is None:
        rows = await fetch(conn, sql, code, year, level, *filters)
    else:
        rows = await past.fetch_then(conn, sql, code, year, level, *filters, as_of.runs)
    items = [ValueRow(*row) for row in rows]  # VALUE_COLUMNS is in ValueRow's field order
    median = next((i.national_median for i in items if i.national_median is not None), None)
    return CrossSection(
        indicator=summary(indicator, years, lang),
        year=year,
        level=level,
        count=len(items),
        national_median=median,
        items=items,
        provenance=await _provenance(conn, indicator, year) if provenance else None,
    )


async def _provenance(conn: AsyncConnection, indicator: Indicator, year: int) -> Provenance:
    runs = await conn.scalars(
        text(
            "SELECT DISTINCT o.load_run_id FROM observation o JOIN variable v "
            "ON v.id = o.variable_id WHERE (v.source || ':' || v.code) = ANY(:keys) "
            "AND o.year = :year ORDER BY 1"
        ),
        {
            "keys": [f"{t.source}:{t.code}" for t in indicator.formula.numerator]
            + [f"{t.source}:{t.code}" for t in indicator.formula.denominator],
            "year": year,
        },
    )
    release = await conn.scalar(text("SELECT coalesce(max(id), 0) FROM data_release"))
    return Provenance(
        variables=await _terms(conn, indicator.formula.numerator + indicator.formula.denominator),
        load_run_ids=list(runs),
        data_release=int(release or 0),
    )


_DASHBOARD = f"""
SELECT i.code, i.years, u.name, u.level, t.peer_group, {VALUE_COLUMNS}
FROM territorial_unit u
LEFT JOIN unit_typology t ON t.teryt = u.teryt
CROSS JOIN indicator i
LEFT JOIN LATERAL (
    (SELECT * FROM indicator_value x
     WHERE x.teryt = u.teryt AND x.indicator_code = i.code AND x.value IS NOT NULL
       AND ($2::int IS NULL OR x.year = $2)
     ORDER BY x.year DESC LIMIT 1)
    UNION ALL  -- only when no year has a value: the latest row, with the flags saying why
    (SELECT * FROM indicator_value x
     WHERE x.teryt = u.teryt AND x.indicator_code = i.code AND ($2::int IS NULL OR x.year = $2)
     ORDER BY x.year DESC LIMIT 1)
    LIMIT 1
) v ON true
WHERE u.teryt = $1 AND u.valid_to IS NULL
"""  # noqa: S608 - VALUE_COLUMNS is a constant
"""One round trip: the unit, its peer group, every indicator's years and its latest value.

The latest year with a value is read backwards off the unit index and stops at the first row
(0.9 ms, 442 buffers at national scale) instead of sorting all 20 years of each indicator
(6 ms, 1,731 buffers); the second branch runs only when the first finds nothing."""
_DASHBOARD_VALUES_AT: Final = 5


async def dashboard(
    conn: AsyncConnection,
    catalogue: Catalogue,
    teryt: str,
    lang: Lang,
    *,
    domain: str | None = None,
    year: int | None = None,
    as_of: past.AsOf | None = None,
) -> Dashboard:
    if not is_teryt(teryt):
        raise InvalidParameter("teryt", "a TERC code of 2, 4 or 7 digits", source="path")
    if domain is not None and catalogue.domain(domain) is None:
        raise InvalidParameter("domain", f"unknown domain {domain!r}")
    if as_of is None:
        rows = await fetch(conn, _DASHBOARD, teryt, year)
    else:
        rows = await past.fetch_then(conn, past.DASHBOARD_AS_OF, teryt, year, as_of.runs)
    if not rows:
        raise UnknownUnit(f"no territorial unit in force with TERC code {teryt}")
    name, level, peer_group = rows[0][2], rows[0][3], rows[0][4]
    years = {row[0]: list(row[1]) for row in rows}
    values = {
        row[0]: ValueRow(*row[_DASHBOARD_VALUES_AT:])
        for row in rows
        if row[_DASHBOARD_VALUES_AT] is not None
    }
    domains = []
    for d in catalogue.domains:
        if domain is not None and d.code != domain:
            continue
        items = [
            DashboardItem(
                indicator=summary(i, years.get(i.code, []), lang), value=values.get(i.code)
            )
            for i in catalogue.indicators
            if i.domain == d.code and level in i.levels
        ]
        domains.append(
            DashboardDomain(code=d.code, name=_pick(lang, d.name_pl, d.name_en), items=items)
        )
    return Dashboard(teryt=teryt, name=name, level=level, peer_group=peer_group, domains=domains)


_SERIES = """
SELECT year, value, flags, rank, rank_of, peer_median, national_median
FROM indicator_value WHERE teryt = $1 AND indicator_code = $2 ORDER BY year
"""


async def series(
    conn: AsyncConnection,
    catalogue: Catalogue,
    teryt: str,
    code: str,
    lang: Lang,
    *,
    as_of: past.AsOf | None = None,
) -> Series:
    """As of a past release: values, flags and the statistics of each year as they were."""
    name, _ = await unit_in_force(conn, teryt)
    indicator = find_indicator(catalogue, code)
    rows = await (
        fetch(conn, _SERIES, teryt, code)
        if as_of is None
        else past.fetch_then(conn, past.SERIES_AS_OF, teryt, code, as_of.runs)
    )
    points = [SeriesPoint(*row) for row in rows]
    years = (await years_by_indicator(conn)).get(code, [])
    peer_group = await conn.scalar(
        text("SELECT peer_group FROM unit_typology WHERE teryt = :t"), {"t": teryt}
    )
    return Series(
        teryt=teryt,
        name=name,
        indicator=summary(indicator, years, lang),
        peer_group=peer_group,
        points=points,
    )


async def peers(conn: AsyncConnection, teryt: str) -> Peers:
    name, _ = await unit_in_force(conn, teryt)
    typology = (
        await conn.execute(
            text(
                "SELECT t.peer_group, (SELECT count(*) FROM unit_typology x "
                "WHERE x.peer_group = t.peer_group) FROM unit_typology t WHERE t.teryt = :t"
            ),
            {"t": teryt},
        )
    ).first()
    rows = (
        await conn.execute(
            text(
                "SELECT n.rank, n.neighbour_teryt, u.name, n.distance, n.features "
                "FROM unit_neighbour n JOIN territorial_unit u "
                "ON u.teryt = n.neighbour_teryt AND u.valid_to IS NULL "
                "WHERE n.teryt = :t ORDER BY n.rank"
            ),
            {"t": teryt},
        )
    ).all()
    own = (
        await conn.execute(
            text("SELECT features FROM unit_neighbour WHERE neighbour_teryt = :t LIMIT 1"),
            {"t": teryt},
        )
    ).scalar()
    from domains.indicators.peers import FEATURES  # noqa: PLC0415 - avoids numpy at import

    return Peers(
        teryt=teryt,
        name=name,
        peer_group=typology[0] if typology else None,
        peer_group_size=int(typology[1]) if typology else 0,
        features=own or {},
        feature_names=list(FEATURES),
        neighbours=[
            Neighbour(rank=r[0], teryt=r[1], name=r[2], distance=r[3], features=r[4]) for r in rows
        ],
    )


_QUERY_WHERE: Final = """v.indicator_code = ANY($1::text[])
  AND (cardinality($2::text[]) = 0 OR v.teryt = ANY($2::text[]))
  AND (cardinality($3::text[]) = 0 OR v.level = ANY($3))
  AND (cardinality($4::int[]) = 0 OR v.year = ANY($4))"""
_QUERY: Final = f"""
SELECT {VALUE_COLUMNS}
FROM {{source}} v
JOIN territorial_unit u ON u.teryt = v.teryt AND u.valid_to IS NULL
WHERE {_QUERY_WHERE}
ORDER BY v.indicator_code, v.year, v.teryt
LIMIT $5
"""  # noqa: S608 - VALUE_COLUMNS is a constant
_QUERY_NOW: Final = _QUERY.format(source="indicator_value")
_QUERY_PARTITIONS: Final = """v.indicator_code = ANY($1::text[])
  AND (cardinality($3::text[]) = 0 OR v.level = ANY($3))
  AND (cardinality($2::text[]) = 0
       OR v.level IN (SELECT level FROM territorial_unit WHERE teryt = ANY($2)))
  AND (cardinality($4::int[]) = 0 OR v.year = ANY($4) OR v.year + 1 = ANY($4))"""
"""Whole (indicator, year, level) partitions of the selection, since a rank is a position among
every unit of its level, and the year before each year for `yoy_change`."""
_QUERY_UNITS: Final = "(cardinality($2::text[]) = 0 OR v.teryt = ANY($2))"
_QUERY_AS_OF: Final = _QUERY.format(
    source=f"({past.ranked(_QUERY_PARTITIONS, '$6', keep=_QUERY_UNITS)})"
)
"""Values and their statistics as of a release (its runs in $6)."""


async def query_values(
    conn: AsyncConnection,
    catalogue: Catalogue,
    *,
    codes: list[str],
    units: list[str],
    levels: list[str],
    years: list[int],
    limit: int,
    as_of: past.AsOf | None = None,
) -> list[ValueRow]:
    for code in codes:
        if catalogue.indicator(code) is None:
            raise InvalidParameter("indicators", f"unknown indicator {code!r}", source="body")
    for teryt in units:
        if not is_teryt(teryt):
            raise InvalidParameter("units", f"not a TERC code: {teryt!r}", source="body")
    selection = (codes, units, levels, years, limit + 1)
    if as_of is None:
        rows = await fetch(conn, _QUERY_NOW, *selection)
    else:
        rows = await past.fetch_then(conn, _QUERY_AS_OF, *selection, as_of.runs)
    items = [ValueRow(*row) for row in rows]
    if len(items) > limit:
        raise InvalidParameter(
            "indicators",
            f"the selection holds more than {limit:,} values; split it",
            source="body",
        )
    return items
