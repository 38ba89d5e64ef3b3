"""The unit dashboard (and its one-page print view): indicators by domain, trend, peers, meaning.

Reads only through the query layer: `get_unit` (units), `dashboard`, `query_values` (for the
trend of every indicator in one statement) and `peers` (indicators).
"""

from collections import defaultdict
from dataclasses import replace
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from domains.indicators.catalogue import Catalogue, Indicator
from domains.indicators.queries import dashboard, peers, query_values
from domains.units.queries import get_unit
from schemas.indicators import Lang, ValueRow
from service.web import fmt
from service.web.charts import position_strip, sparkline
from service.web.context import (
    DomainBlock,
    Fact,
    IndicatorCard,
    Meaning,
    MissingIndicator,
    TrendRow,
    Ui,
    UnitLink,
    UnitPage,
)
from service.web.labels import DENOMINATOR_NAMES, POLARITY, flag_text, peer_group_label
from service.web.names import display_name, kind_of, kind_words

FACTS: Final = ("kontekst.ludnosc", "kontekst.powierzchnia", "kontekst.gestosc_zaludnienia")
MAX_SERIES_VALUES: Final = 20_000
SIMILAR_SHOWN: Final = 5


def pick(lang: Lang, pl: str, en: str) -> str:
    return pl if lang == "pl" else en


def flags_in_words(indicator: Indicator, flags: list[str], lang: Lang) -> list[str]:
    denominator = indicator.formula.denominator
    what = DENOMINATOR_NAMES[lang].get(denominator[0].code) if denominator else None
    return [flag_text(flag, lang, what) for flag in flags]


def meaning_of(indicator: Indicator, lang: Lang, value: ValueRow | None = None) -> Meaning:
    return Meaning(
        definition=pick(lang, indicator.description_pl, indicator.description_en),
        polarity=POLARITY[lang][indicator.polarity],
        source=indicator.source,
        caveats=pick(lang, indicator.caveats_pl, indicator.caveats_en),
        year=value.year if value else None,
        flags=flags_in_words(indicator, value.flags, lang) if value else [],
    )


def unit_link(teryt: str, name: str, kind: str, ui: Ui, context: str = "") -> UnitLink:
    return UnitLink(
        teryt=teryt,
        name=display_name(name, kind, ui.lang),
        kind=kind_words(kind, ui.lang),
        href=ui.href(f"/j/{teryt}"),
        context=context,
    )


def _card(
    indicator: Indicator,
    value: ValueRow,
    *,
    history: list[ValueRow],
    years: list[int],
    ui: Ui,
    teryt: str,
) -> IndicatorCard:
    lang, t = ui.lang, ui.t
    decimals = indicator.decimals
    name = pick(lang, indicator.name_pl, indicator.name_en)
    unit = pick(lang, indicator.unit_pl, indicator.unit_en)
    by_year = {row.year: row for row in history}

    def show(number: float | None) -> str:
        return fmt.number(number, decimals, lang)

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
        href=ui.href(
            f"/w/{indicator.code}",
            poziom=value.level,
            woj=teryt[:2] if value.level == "gmina" else None,  # a short table, own region
            j=teryt,
        )
        + f"#t-{teryt}",
        meaning=meaning_of(indicator, lang, value),
        trend=sparkline(f"tr-{chart_id}", points, f"{t['trend']}: {name}", trend_desc),
        trend_rows=[
            TrendRow(
                year=year,
                value=show(v),
                notes="; ".join(flags_in_words(indicator, by_year[year].flags, lang))
                if year in by_year
                else "",
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
    )


async def build_unit_page(
    conn: AsyncConnection, catalogue: Catalogue, teryt: str, ui: Ui
) -> UnitPage:
    lang, t = ui.lang, ui.t
    detail = await get_unit(conn, teryt)
    board = await dashboard(conn, catalogue, teryt, lang)
    with_data = [
        item.indicator.code
        for domain in board.domains
        for item in domain.items
        if item.indicator.status == "ok"
    ]
    history: dict[str, list[ValueRow]] = defaultdict(list)
    if with_data:
        for row in await query_values(
            conn,
            catalogue,
            codes=with_data,
            units=[teryt],
            levels=[],
            years=[],
            limit=MAX_SERIES_VALUES,
        ):
            history[row.indicator].append(row)
    similar = await peers(conn, teryt)

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
                        href=ui.href(f"/w/{indicator.code}"),
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
                )
            )
        if cards or missing:
            domains.append(
                DomainBlock(
                    code=domain.code,
                    name=domain.name,
                    description=pick(lang, definition.description_pl, definition.description_en)
                    if definition
                    else "",
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
        unit = pick(lang, indicator.unit_pl, indicator.unit_en)
        facts.append(
            Fact(
                label=pick(lang, indicator.name_pl, indicator.name_en),
                value=f"{fmt.number(fact.value, indicator.decimals, lang)} {unit}"
                if fact and fact.value is not None
                else fmt.MISSING[lang],
                year=fact.year if fact else None,
            )
        )

    roles = detail.city_with_powiat_rights
    twin, twin_role = None, ""
    if roles is not None:
        other = roles.gmina if detail.level == "powiat" else roles.powiat
        twin = unit_link(other.teryt, other.name, other.kind, ui)
        twin_role = t["as_gmina"] if detail.level == "powiat" else t["as_powiat"]
    parents = [unit_link(p.teryt, p.name, p.kind, ui) for p in reversed(detail.parents)]
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
            unit_link(n.teryt, n.name, kind_of(detail.level, n.name, n.teryt), ui)
            for n in similar.neighbours[:SIMILAR_SHOWN]
        ],
        compare_href=ui.href(
            "/porownaj", j=[teryt, *(n.teryt for n in similar.neighbours[:SIMILAR_SHOWN])]
        ),
        report_href=ui.href(f"/j/{teryt}/raport"),
        domains=domains,
        notes=notes,
    )


def _children_href(level: str, teryt: str, children: int, ui: Ui) -> str | None:
    if not children:
        return None
    if level == "voivodeship":
        return ui.href("/", woj=teryt) + "#przegladaj"
    if level == "powiat":
        return ui.href("/", pow=teryt) + "#przegladaj"
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
