"""The page of a partnership of local governments: its members on a map, every indicator with
a value over them by domain with the spread between members (the "diagnosis of resources and
needs" of ZMP standards 2 and 3), and its self-assessment against the ten standards beside what
Miarka measures for standards 5 and 7. Laid out to print as it is (the report's sheet styles).

It reads the same domain functions as `/api/v1/partnerships` (domains/partnerships), so the
page and the API never disagree. A membership with no cited public source is said to be
unconfirmed; an example partnership says it is one at the top. Its words are here, not in
i18n.py: they are used by this page only.
"""

from dataclasses import dataclass, field
from typing import Annotated, Final

from litestar import MediaType, get
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.costs.mapping import CostCatalogue, default_cost_catalogue
from domains.errors import MiarkaError
from domains.indicators.catalogue import Catalogue
from domains.indicators.queries import years_by_indicator
from domains.partnerships.measured import with_measured
from domains.partnerships.queries import (
    get_partnership,
    list_assessments,
    partnership_indicator,
)
from domains.partnerships.rubric import Rubric, default_rubric
from domains.units.placed import placed_units
from schemas.indicators import Lang
from schemas.partnerships import (
    MeasuredCost,
    PartnershipIndicator,
    PartnershipOut,
    Spread,
)
from service.deps import CatalogueDep, CostCatalogueDep, Db
from service.web import fmt
from service.web.charts import MAP_PALETTE, MapLayer, MapShape, neighbourhood_map, swatch_class
from service.web.context import Ui
from service.web.geo import frame_transform, load_maps
from service.web.i18n import pick
from service.web.names import display_name

DEFAULT_FOCUS: Final = "kontekst.gestosc_zaludnienia"
MEMBER_CLASS: Final = 3
AROUND_CLASS: Final = 0
"""Palette classes of the map: members dark, the gminas around them the lightest."""

WORDS: Final[dict[Lang, dict[str, str]]] = {
    "pl": {
        "kicker": "Partnerstwo samorządów",
        "example": "PRZYKŁAD: to partnerstwo jest wymyślone (do pokazu lub testów), nie "
        "opisuje rzeczywistej współpracy.",
        "sourced": "Skład według źródła",
        "unsourced": "Skład nie jest potwierdzony żadnym cytowanym publicznym źródłem: nie "
        "przedstawiamy go jako faktu.",
        "leader": "Lider",
        "members": "Członkowie",
        "member": "Jednostka",
        "level": "Rodzaj",
        "joined": "Od",
        "left": "Do",
        "now": "obecnie",
        "map": "Członkowie na mapie",
        "map_desc": "Gminy należące do partnerstwa (także gminy powiatów członkowskich) na tle "
        "gmin sąsiednich; ta sama lista jest w tabeli członków.",
        "legend_member": "gmina partnerstwa",
        "legend_around": "gmina sąsiednia",
        "no_map": "Żaden członek nie ma kształtu na mapie.",
        "diagnosis": "Diagnoza zasobów i potrzeb: wskaźniki według dziedzin",
        "diagnosis_lead": "Wartość partnerstwa to iloraz sum po członkach z danego roku (nie "
        "średnia ich wskaźników). Rozpiętość: najniższa i najwyższa wartość członka oraz ich "
        "stosunek (standardy 2 i 3 ZMP).",
        "indicator": "Wskaźnik",
        "year": "Rok",
        "value": "Partnerstwo",
        "lowest": "Najniżej",
        "highest": "Najwyżej",
        "ratio": "Najwyżej / najniżej",
        "with_values": "Członkowie z wartością",
        "no_spread": "—",
        "positions": "Członkowie wobec partnerstwa",
        "above": "powyżej",
        "below": "poniżej",
        "equal": "równo",
        "missing": "brak danych",
        "similar": "Podobne partnerstwa (ten sam rodzaj, najbliższa liczba ludności)",
        "population": "Ludność",
        "assessment": "Samoocena według standardów współpracy ZMP",
        "assessment_none": "Partnerstwo nie wprowadziło jeszcze samooceny.",
        "assessment_year": "Samoocena za rok",
        "standard": "Standard",
        "stage": "Stadium (1\N{EN DASH}5)",
        "justification": "Uzasadnienie",
        "evidence": "Dowody",
        "not_assessed": "bez oceny",
        "descriptors": "Stadia opisane w źródle",
        "history": "Wcześniejsze odpowiedzi (historia)",
        "entered": "wprowadzono",
        "measured": "Co mierzy Miarka (wybór Miarki, nie ZMP)",
        "cost": "Koszt na ucznia szkół podstawowych członków",
        "cost_total": "całkowity",
        "cost_direct": "bezpośredni",
        "print": "Strona jest przygotowana do druku (Ctrl+P).",
        "api": "Dane tej strony w API",
        "scale": "Skala: stadia 1\N{EN DASH}5.",
    },
    "en": {
        "kicker": "Partnership of local governments",
        "example": "EXAMPLE: this partnership is made up (for a demonstration or tests); it "
        "describes no real cooperation.",
        "sourced": "Members according to",
        "unsourced": "No public source for the membership is cited: it is not presented as fact.",
        "leader": "Leader",
        "members": "Members",
        "member": "Unit",
        "level": "Type",
        "joined": "From",
        "left": "To",
        "now": "now",
        "map": "Members on the map",
        "map_desc": "The partnership's gminas (the gminas of member powiats too) among the "
        "gminas around them; the members' table lists the same units.",
        "legend_member": "partnership's gmina",
        "legend_around": "neighbouring gmina",
        "no_map": "No member has a shape on the map.",
        "diagnosis": "Diagnosis of resources and needs: indicators by domain",
        "diagnosis_lead": "The partnership's value is the ratio of sums over the members of "
        "that year (not a mean of their indicators). Spread: the lowest and highest member's "
        "value and their ratio (ZMP standards 2 and 3).",
        "indicator": "Indicator",
        "year": "Year",
        "value": "Partnership",
        "lowest": "Lowest",
        "highest": "Highest",
        "ratio": "Highest / lowest",
        "with_values": "Members with a value",
        "no_spread": "—",
        "positions": "Members against the partnership",
        "above": "above",
        "below": "below",
        "equal": "equal",
        "missing": "no data",
        "similar": "Similar partnerships (same kind, nearest population)",
        "population": "Population",
        "assessment": "Self-assessment against the ZMP cooperation standards",
        "assessment_none": "The partnership has entered no self-assessment yet.",
        "assessment_year": "Self-assessment for",
        "standard": "Standard",
        "stage": "Stage (1\N{EN DASH}5)",
        "justification": "Justification",
        "evidence": "Evidence",
        "not_assessed": "not assessed",
        "descriptors": "Stages as the source describes them",
        "history": "Earlier answers (history)",
        "entered": "entered",
        "measured": "What Miarka measures (Miarka's choice, not ZMP's)",
        "cost": "Cost per pupil of the members' primary schools",
        "cost_total": "total",
        "cost_direct": "direct",
        "print": "The page is laid out for print (Ctrl+P).",
        "api": "This page's data in the API",
        "scale": "Scale: stages 1\N{EN DASH}5.",
    },
}


@dataclass(frozen=True, slots=True)
class MemberRow:
    teryt: str
    name: str
    level: str
    href: str
    joined: str
    left: str
    in_force: bool


@dataclass(frozen=True, slots=True)
class SpreadView:
    lowest: str
    lowest_name: str
    highest: str
    highest_name: str
    ratio: str


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    code: str
    name: str
    unit: str
    year: str
    value: str
    with_values: str
    spread: SpreadView | None
    href: str


@dataclass(frozen=True, slots=True)
class DomainRows:
    name: str
    rows: list[IndicatorRow]


@dataclass(frozen=True, slots=True)
class PositionRow:
    name: str
    value: str
    position: str


@dataclass(frozen=True, slots=True)
class SimilarRow:
    name: str
    value: str
    population: str
    example: bool


@dataclass(frozen=True, slots=True)
class StandardRow:
    number: int
    name: str
    statement: str
    stage: str
    justification: str
    evidence: list[str]
    descriptors: list[tuple[int, list[str]]]
    no_descriptors: str
    measured: list[IndicatorRow] = field(default_factory=list)
    cost: list[tuple[str, str, str]] = field(default_factory=list)
    """(member, total per pupil, direct per pupil), the partnership's row first."""


@dataclass(frozen=True, slots=True)
class HistoryRow:
    year: int
    standard: int
    stage: int
    entered: str
    current: bool


@dataclass(frozen=True, slots=True)
class PartnershipPage:
    title: str
    w: dict[str, str]
    id: str
    kind: str
    example: bool
    description: str
    source_url: str | None
    leader: str
    api_href: str
    members: list[MemberRow]
    map_svg: str
    legend: list[tuple[str, str]]
    domains: list[DomainRows]
    focus: IndicatorRow | None
    positions: list[PositionRow]
    similar: list[SimilarRow]
    assessment_year: int | None
    standards: list[StandardRow]
    history: list[HistoryRow]
    rubric_source: str
    scale_note: str


def member_gminas(partnership: PartnershipOut, gminas: set[str]) -> list[str]:
    """The gminas in force the partnership covers: its gmina members and its powiats' gminas."""
    found: set[str] = set()
    for m in partnership.members:
        if not m.in_force:
            continue
        if m.level == "gmina":
            found.add(m.teryt)
        elif m.level == "powiat":
            found.update(g for g in gminas if g.startswith(m.teryt))
    return sorted(found & gminas)


def drawn_gminas(partnership: PartnershipOut) -> tuple[list[str], list[str]]:
    """The members' gminas with a shape, and the gminas around them."""
    maps = load_maps()
    members = member_gminas(partnership, set(maps.neighbourhoods))
    around = sorted({n for g in members for n in maps.neighbourhoods[g].neighbours} - set(members))
    return members, around


def members_map(
    members: list[str], around: list[str], names: dict[str, str], title: str, desc: str
) -> str:
    """The members' gminas and the gminas around them, in the first member's voivodeship's
    map units (others placed by a transform, as on a gmina's neighbourhood map)."""
    if not members:
        return ""
    maps = load_maps()
    home = maps.gminas[members[0][:2]]
    boxes = []
    for g in members:
        k, dx, dy = frame_transform(home, maps.gminas[g[:2]])
        x, y, width, height = maps.neighbourhoods[g].box
        boxes.append((k * x + dx, k * y + dy, k * (x + width) + dx, k * (y + height) + dy))
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    by_voivodeship: dict[str, list[MapShape]] = {}
    for g in [*around, *members]:
        path = maps.gminas[g[:2]].gminas.get(g)
        if path is None:
            continue
        by_voivodeship.setdefault(g[:2], []).append(
            MapShape(
                path=path,
                fill_class=MEMBER_CLASS if g in members else AROUND_CLASS,
                label=names.get(g, g),
                highlight=g in members,
            )
        )
    layers = []
    for voivodeship, shapes in sorted(by_voivodeship.items(), key=lambda i: i[0] != members[0][:2]):
        k, dx, dy = frame_transform(home, maps.gminas[voivodeship])
        layers.append(MapLayer(shapes=shapes, k=k, dx=dx, dy=dy))
    box = (int(left), int(top), int(right - left) + 1, int(bottom - top) + 1)
    svg = neighbourhood_map(
        "partnerstwo-map", box=box, layers=layers, colours=MAP_PALETTE, title=title, desc=desc
    )
    return str(svg)


def _decimals(catalogue: Catalogue, code: str) -> int:
    indicator = catalogue.indicator(code)
    return indicator.decimals if indicator else 1


def _spread(
    spread: Spread | None, names: dict[str, str], decimals: int, lang: Lang
) -> SpreadView | None:
    if spread is None:
        return None
    return SpreadView(
        lowest=fmt.number(spread.minimum, decimals, lang),
        lowest_name=names.get(spread.minimum_teryt, spread.minimum_teryt),
        highest=fmt.number(spread.maximum, decimals, lang),
        highest_name=names.get(spread.maximum_teryt, spread.maximum_teryt),
        ratio=fmt.number(spread.max_to_min, 2, lang),
    )


async def _indicator(
    conn: AsyncConnection, catalogue: Catalogue, partnership_id: str, code: str, lang: Lang
) -> PartnershipIndicator | None:
    """The latest year of the indicator; the latest with a value when that one has none."""
    try:
        body = await partnership_indicator(
            conn,
            catalogue,
            partnership_id,
            code,
            lang,
            year=None,
            latest_only=True,
            with_similar=False,
        )
        if body.aggregate is not None and body.aggregate.value is not None:
            return body
        return await partnership_indicator(
            conn, catalogue, partnership_id, code, lang, year=None, with_similar=False
        )
    except MiarkaError:  # none of its levels among the members, or no values for them
        return None


def _row(
    body: PartnershipIndicator, catalogue: Catalogue, names: dict[str, str], ui: Ui, api: str
) -> IndicatorRow:
    indicator = catalogue.indicator(body.indicator.code)
    decimals = indicator.decimals if indicator else 1
    lang = ui.lang
    aggregate = body.aggregate
    return IndicatorRow(
        code=body.indicator.code,
        name=body.indicator.name,
        unit=body.indicator.unit,
        year=str(body.year or ""),
        value=fmt.number(aggregate.value if aggregate else None, decimals, lang),
        with_values=f"{aggregate.members_with_values if aggregate else 0}/{len(body.positions)}",
        spread=_spread(body.spread, names, decimals, lang),
        href=f"{api}/indicators/{body.indicator.code}",
    )


def _cost_rows(
    cost: MeasuredCost, names: dict[str, str], w: dict[str, str], lang: Lang
) -> list[tuple[str, str, str]]:
    rows = [
        (
            f"{w['value']} ({cost.year or '—'})",
            fmt.number(cost.value, 0, lang),
            fmt.number(cost.direct_value, 0, lang),
        )
    ]
    rows.extend(
        (
            names.get(m.teryt, m.name),
            fmt.number(m.unit_cost, 0, lang),
            fmt.number(m.direct_unit_cost, 0, lang),
        )
        for m in cost.members
    )
    return rows


async def build_partnership_page(
    conn: AsyncConnection,
    catalogue: Catalogue,
    cost_catalogue: CostCatalogue,
    rubric: Rubric,
    *,
    partnership_id: str,
    ui: Ui,
    focus: str | None,
) -> PartnershipPage:
    lang = ui.lang
    w = WORDS[lang]
    partnership = await get_partnership(conn, partnership_id, lang)
    api = partnership.url
    drawn, around = drawn_gminas(partnership)
    placed = await placed_units(conn, [*(m.teryt for m in partnership.members), *drawn, *around])
    shown = {code: display_name(p.unit.name, p.unit.kind, lang) for code, p in placed.items()}
    names = {
        m.teryt: display_name(placed[m.teryt].unit.name, placed[m.teryt].unit.kind, lang)
        if m.teryt in placed
        else m.name
        for m in partnership.members
    }
    members = [
        MemberRow(
            teryt=m.teryt,
            name=names[m.teryt],
            level=m.level,
            href=ui.url("web-unit", teryt=m.teryt),
            joined=m.joined_on.isoformat(),
            left=m.left_on.isoformat() if m.left_on else w["now"],
            in_force=m.in_force,
        )
        for m in partnership.members
    ]
    with_data = {c for c, years in (await years_by_indicator(conn)).items() if years}
    domains = []
    bodies: dict[str, PartnershipIndicator] = {}
    for domain in catalogue.domains:
        rows = []
        for indicator in catalogue.indicators:
            if indicator.domain != domain.code or indicator.code not in with_data:
                continue
            body = await _indicator(conn, catalogue, partnership_id, indicator.code, lang)
            if body is None:
                continue
            bodies[indicator.code] = body
            rows.append(_row(body, catalogue, names, ui, api))
        if rows:
            domains.append(DomainRows(name=pick(domain, "name", lang), rows=rows))
    chosen = next((c for c in (focus, DEFAULT_FOCUS) if c in bodies), next(iter(bodies), None))
    positions: list[PositionRow] = []
    similar: list[SimilarRow] = []
    focus_row = None
    if chosen is not None:
        detail = await partnership_indicator(
            conn, catalogue, partnership_id, chosen, lang, year=bodies[chosen].year
        )
        chosen_indicator = catalogue.indicator(chosen)
        decimals = chosen_indicator.decimals if chosen_indicator else 1
        focus_row = _row(detail, catalogue, names, ui, api)
        positions = [
            PositionRow(
                name=names.get(p.teryt, p.name),
                value=fmt.number(p.value, decimals, lang),
                position=w[p.position],
            )
            for p in detail.positions
        ]
        similar = [
            SimilarRow(
                name=s.name,
                value=fmt.number(s.value, decimals, lang),
                population=fmt.number(s.population, 0, lang),
                example=s.example,
            )
            for s in detail.similar
        ]
    page = await list_assessments(conn, rubric, partnership_id, lang)
    page = await with_measured(conn, catalogue, cost_catalogue, rubric, page, lang=lang)
    current = [a for a in page.items if a.current]
    year = max((a.year for a in current), default=None)
    answers = {a.standard: a for a in current if a.year == year}
    measured = {m.standard: m for m in page.measured}
    standards = []
    for s in rubric.standard:
        answer = answers.get(s.number)
        extra = measured.get(s.number)
        standards.append(
            StandardRow(
                number=s.number,
                name=s.name if lang == "pl" else s.name_en,
                statement=s.statement,
                stage=str(answer.stage) if answer else w["not_assessed"],
                justification=answer.justification if answer else "",
                evidence=list(answer.evidence) if answer else [],
                descriptors=[(d.stage, d.points) for d in s.stage],
                no_descriptors="" if s.stage else getattr(rubric, f"no_descriptors_{lang}"),
                measured=[
                    IndicatorRow(
                        code=i.code,
                        name=i.name,
                        unit=i.unit,
                        year=str(i.year or ""),
                        value=fmt.number(i.value, _decimals(catalogue, i.code), lang),
                        with_values=str(i.members_with_values),
                        spread=_spread(i.spread, names, _decimals(catalogue, i.code), lang),
                        href=i.url,
                    )
                    for i in (extra.indicators if extra else [])
                ],
                cost=_cost_rows(extra.cost, names, w, lang) if extra and extra.cost else [],
            )
        )
    history = [
        HistoryRow(
            year=a.year,
            standard=a.standard,
            stage=a.stage,
            entered=a.entered_at.date().isoformat(),
            current=a.current,
        )
        for a in page.items
    ]
    leader = names.get(partnership.leader_teryt or "", "")
    return PartnershipPage(
        title=partnership.name,
        w=w,
        id=partnership.id,
        kind=partnership.kind_name,
        example=partnership.example,
        description=partnership.description,
        source_url=partnership.source_url,
        leader=leader,
        api_href=api,
        members=members,
        map_svg=members_map(drawn, around, shown, f"{w['map']}: {partnership.name}", w["map_desc"]),
        legend=[
            (swatch_class(MAP_PALETTE[MEMBER_CLASS]), w["legend_member"]),
            (swatch_class(MAP_PALETTE[AROUND_CLASS]), w["legend_around"]),
        ],
        domains=domains,
        focus=focus_row,
        positions=positions,
        similar=similar,
        assessment_year=year,
        standards=standards,
        history=history,
        rubric_source=page.rubric_source,
        scale_note=w["scale"],
    )


UiDep = NamedDependency[Ui]


@get(
    "/partnerstwa/{partnership_id:str}",
    name="web-partnership",
    dependencies={
        "cost_catalogue": Provide(default_cost_catalogue, sync_to_thread=False),
        "rubric": Provide(default_rubric, sync_to_thread=False),
    },
)
async def read_partnership_page(
    *,
    ui: UiDep,
    db: Db,
    catalogue: CatalogueDep,
    cost_catalogue: CostCatalogueDep,
    rubric: NamedDependency[Rubric],
    partnership_id: Annotated[str, Parameter(max_length=64)],
    wskaznik: Annotated[str | None, Parameter(max_length=100)] = None,
) -> Template:
    """`wskaznik`: the indicator whose members' positions and similar partnerships are shown."""
    page = await build_partnership_page(
        db, catalogue, cost_catalogue, rubric, partnership_id=partnership_id, ui=ui, focus=wskaznik
    )
    return Template(
        template_name="partnership.html",
        context={"ui": ui, "page": page},
        media_type=MediaType.HTML,
    )
