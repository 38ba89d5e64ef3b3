"""The unit dashboard (and its one-page print view): indicators by domain, trend, peers, meaning.

Reads only through the query layer: `get_unit` (units), `dashboard`, `query_values` (for the
trend of every indicator in one statement), `peers` (indicators) and `placed_units` (the kinds
of the similar units, in one statement). As of a date the reader chose (a council session), the
dashboard and trends are those of that date's data release and every number that differs now
says so in words (`_changed`), beside today's value.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from domains.indicators.as_of import POLAND, AsOf
from domains.indicators.catalogue import Catalogue, Indicator
from domains.indicators.queries import dashboard, peers, query_values
from domains.units.placed import placed_units
from domains.units.queries import get_unit
from schemas.indicators import Lang, ValueRow
from service.web import fmt
from service.web.charts import position_strip, sparkline
from service.web.context import (
    AsOfView,
    DomainBlock,
    Fact,
    IndicatorCard,
    MissingIndicator,
    StatusMark,
    TrendRow,
    Ui,
    UnitPage,
)
from service.web.i18n import pick
from service.web.labels import peer_group_label, status_marks
from service.web.names import display_name, kind_words
from service.web.shared import flags_in_words, meaning_of, ref_link

FACTS: Final = ("kontekst.ludnosc", "kontekst.powierzchnia", "kontekst.gestosc_zaludnienia")
MAX_SERIES_VALUES: Final = 20_000
SIMILAR_SHOWN: Final = 5
BROWSE: Final = "przegladaj"
"""The id of the start page's browse list."""


class Since:
    """The date a page is as of, and today's rows of each indicator to say what changed."""

    def __init__(self, day: str, now: Mapping[str, list[ValueRow]]) -> None:
        self.day = day
        self.now = {code: {row.year: row for row in rows} for code, rows in now.items()}


def _changed(
    then: ValueRow | None,
    now: ValueRow | None,
    *,
    show: Callable[[float | None], str],
    t: Mapping[str, str],
    day: str,
) -> str:
    """How a number shown as of `day` differs today, in words (a mark that is not colour
    alone, WCAG 1.4.1); empty when it is the same. A value added or removed since is a change."""
    if (then is None and now is None) or (
        then is not None and now is not None and then.value == now.value
    ):
        return ""
    today = t["now_removed"] if now is None else f"{t['now_value']} {show(now.value)}"
    return f"{t['changed_since']} {day}: {today}"


def _marks(row: ValueRow | None, lang: Lang) -> list[StatusMark]:
    return [] if row is None else [StatusMark(*m) for m in status_marks(row.flags, lang)]


def _card(
    indicator: Indicator,
    value: ValueRow,
    *,
    history: list[ValueRow],
    years: list[int],
    ui: Ui,
    teryt: str,
    since: Since | None = None,
) -> IndicatorCard:
    lang, t = ui.lang, ui.t
    decimals = indicator.decimals
    name = pick(indicator, "name", lang)
    unit = pick(indicator, "unit", lang)
    by_year = {row.year: row for row in history}

    def show(number: float | None) -> str:
        return fmt.number(number, decimals, lang)

    def change(year: int) -> str:
        if since is None:
            return ""
        now = since.now.get(indicator.code, {}).get(year)
        return _changed(by_year.get(year), now, show=show, t=t, day=since.day)

    points = [(year, by_year[year].value if year in by_year else None) for year in years]
    trend_desc = "; ".join(f"{year}: {show(v)}" for year, v in points)
    chart_id = indicator.code.replace(".", "-")
    position_desc = (
        f"{show(value.value)} {unit}; {t['peer_median']} {show(value.peer_median)}; "
        f"{t['peer_middle_half']} {show(value.peer_q1)} {t['and']} {show(value.peer_q3)}."
    )
    rank = (
        f"{fmt.integer(value.rank, lang)} {t['rank_of']} {fmt.integer(value.rank_of, lang)}"
        if value.rank is not None
        else fmt.MISSING[lang]
    )
    return IndicatorCard(
        code=indicator.code,
        name=name,
        unit=unit,
        value=show(value.value),
        has_value=value.value is not None,
        year=value.year,
        href=ui.url(
            "web-indicator",
            code=indicator.code,
            poziom=value.level,
            woj=teryt[:2] if value.level == "gmina" else None,  # a short table, own region
            j=teryt,
            fragment=f"t-{teryt}",
        ),
        meaning=meaning_of(indicator, lang, value),
        trend=sparkline(f"tr-{chart_id}", points, f"{t['trend']}: {name}", trend_desc),
        trend_rows=[
            TrendRow(
                year=year,
                value=show(v),
                notes="; ".join(flags_in_words(indicator, by_year[year].flags, lang))
                if year in by_year
                else "",
                changed=change(year),
                marks=_marks(by_year.get(year), lang),
            )
            for year, v in points
        ],
        position=position_strip(
            f"pos-{chart_id}",
            value=value.value,
            q1=value.peer_q1,
            median=value.peer_median,
            q3=value.peer_q3,
            title=f"{t['position']}: {name}",
            desc=position_desc,
        ),
        peer_median=show(value.peer_median),
        peer_q1=show(value.peer_q1),
        peer_q3=show(value.peer_q3),
        rank=rank,
        national_median=show(value.national_median),
        yoy=fmt.signed_percent(value.yoy_change, lang) if value.yoy_change is not None else None,
        changed=change(value.year),
        marks=_marks(value, lang),
    )


async def _history(
    conn: AsyncConnection,
    catalogue: Catalogue,
    teryt: str,
    codes: list[str],
    as_of: AsOf | None,
) -> dict[str, list[ValueRow]]:
    """Every year of the unit's indicators `codes` (as of a release), by indicator."""
    history: dict[str, list[ValueRow]] = defaultdict(list)
    if codes:
        for row in await query_values(
            conn,
            catalogue,
            codes=codes,
            units=[teryt],
            levels=[],
            years=[],
            limit=MAX_SERIES_VALUES,
            as_of=as_of,
        ):
            history[row.indicator].append(row)
    return history


async def build_unit_page(
    conn: AsyncConnection,
    catalogue: Catalogue,
    teryt: str,
    ui: Ui,
    *,
    as_of: AsOf | None = None,
    as_of_day: str = "",
) -> UnitPage:
    """The unit's page; with `as_of` (the release in force on `as_of_day`), as it was then."""
    lang, t = ui.lang, ui.t
    detail = await get_unit(conn, teryt)
    board = await dashboard(conn, catalogue, teryt, lang, as_of=as_of)
    with_data = [
        item.indicator.code
        for domain in board.domains
        for item in domain.items
        if item.indicator.status == "ok"
    ]
    history = await _history(conn, catalogue, teryt, with_data, as_of)
    since = (
        None
        if as_of is None
        else Since(as_of_day, await _history(conn, catalogue, teryt, with_data, None))
    )
    similar = await peers(conn, teryt)
    shown = similar.neighbours[:SIMILAR_SHOWN]
    similar_units = await placed_units(conn, [n.teryt for n in shown])

    domains: list[DomainBlock] = []
    values: dict[str, ValueRow] = {}
    for domain in board.domains:
        definition = catalogue.domain(domain.code)
        cards, missing = [], []
        for item in domain.items:
            indicator = catalogue.indicator(item.indicator.code)
            if indicator is None:
                continue
            if item.value is None:
                reason = t["missing_for_unit"] if item.indicator.years else t["missing_source"]
                missing.append(
                    MissingIndicator(
                        name=item.indicator.name,
                        href=ui.url("web-indicator", code=indicator.code),
                        reason=reason,
                    )
                )
                continue
            values[indicator.code] = item.value
            cards.append(
                _card(
                    indicator,
                    item.value,
                    history=history[indicator.code],
                    years=item.indicator.years,
                    ui=ui,
                    teryt=teryt,
                    since=since,
                )
            )
        if cards or missing:
            domains.append(
                DomainBlock(
                    code=domain.code,
                    name=domain.name,
                    description=pick(definition, "description", lang) if definition else "",
                    cards=cards,
                    missing=missing,
                )
            )

    domains, notes = _number_notes(domains)
    facts = []
    for code in FACTS:
        indicator = catalogue.indicator(code)
        if indicator is None:
            continue
        fact = values.get(code)
        unit = pick(indicator, "unit", lang)

        def show(number: float | None, decimals: int = indicator.decimals) -> str:
            return fmt.number(number, decimals, lang)

        changed = ""
        if since is not None and fact is not None:
            now = since.now.get(code, {}).get(fact.year)
            changed = _changed(fact, now, show=show, t=t, day=since.day)
        facts.append(
            Fact(
                label=pick(indicator, "name", lang),
                value=f"{show(fact.value)} {unit}"
                if fact and fact.value is not None
                else fmt.MISSING[lang],
                year=fact.year if fact else None,
                changed=changed,
                marks=_marks(fact, lang),
            )
        )

    roles = detail.city_with_powiat_rights
    twin, twin_role = None, ""
    if roles is not None:
        other = roles.gmina if detail.level == "powiat" else roles.powiat
        twin = ref_link(other, ui)
        twin_role = t["as_gmina"] if detail.level == "powiat" else t["as_powiat"]
    parents = [ref_link(p, ui) for p in reversed(detail.parents)]
    name = display_name(detail.name, detail.kind, lang)
    return UnitPage(
        teryt=teryt,
        name=name,
        kind=kind_words(detail.kind, lang),
        level=detail.level,
        title=name,
        parents=parents,
        twin=twin,
        twin_role=twin_role,
        children_href=_children_href(detail.level, teryt, detail.children_count, ui),
        facts=facts,
        peer_group=peer_group_label(similar.peer_group, lang),
        peer_group_size=similar.peer_group_size,
        similar=[
            ref_link(similar_units[n.teryt].unit, ui) for n in shown if n.teryt in similar_units
        ],
        compare_href=ui.url("web-compare", j=[teryt, *(n.teryt for n in shown)]),
        report_href=ui.url("web-report", teryt=teryt, stan_na=as_of_day or None),
        domains=domains,
        notes=notes,
        as_of=None if as_of is None else _as_of_view(as_of, as_of_day, domains, teryt, ui),
        as_of_action=ui.action("web-unit", teryt=teryt),
        status_legend=_legend(facts, domains, trends=True),
        report_legend=_legend(facts, domains, trends=False),
    )


def _legend(facts: list[Fact], domains: list[DomainBlock], *, trends: bool) -> list[StatusMark]:
    """Every status mark shown (facts, values and, with `trends`, trend years), once, first
    seen first: a legend lists only the marks its page uses."""
    shown = [mark for fact in facts for mark in fact.marks]
    for domain in domains:
        for card in domain.cards:
            shown += card.marks
            if trends:
                shown += [mark for row in card.trend_rows for mark in row.marks]
    return list(dict.fromkeys(shown))


def _as_of_view(as_of: AsOf, day: str, domains: list[DomainBlock], teryt: str, ui: Ui) -> AsOfView:
    changed = sum(
        1
        for domain in domains
        for card in domain.cards
        if card.changed or any(row.changed for row in card.trend_rows)
    )
    return AsOfView(
        date=day,
        release=as_of.release,
        published=as_of.published_at.astimezone(POLAND).date().isoformat(),
        changed=changed,
        current_href=ui.url("web-unit", teryt=teryt),
    )


def _children_href(level: str, teryt: str, children: int, ui: Ui) -> str | None:
    if not children:
        return None
    if level == "voivodeship":
        return ui.url("web-start", woj=teryt, fragment=BROWSE)
    if level == "powiat":
        return ui.url("web-start", pow=teryt, fragment=BROWSE)
    return None


def _number_notes(domains: list[DomainBlock]) -> tuple[list[DomainBlock], list[str]]:
    """Number the distinct notes, so a printed page can show each once as a footnote."""
    notes: list[str] = []
    numbered = []
    for domain in domains:
        cards = []
        for card in domain.cards:
            refs = []
            for note in card.meaning.flags:
                if note not in notes:
                    notes.append(note)
                refs.append(notes.index(note) + 1)
            cards.append(replace(card, note_refs=refs))
        numbered.append(replace(domain, cards=cards))
    return numbered, notes
