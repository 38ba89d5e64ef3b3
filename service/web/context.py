"""Typed view models: what each template may read, built by the page modules, never by SQL.

Templates receive exactly two names, `ui` (language, words, links by route name) and `page` (one
of the page models below), so a template cannot reach the database or the request, and mypy
checks what the page modules put in.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from markupsafe import Markup

from schemas.indicators import Lang
from service.web.links import Links
from service.web.plurals import count_phrase
from service.web.school_views import SchoolList, SchoolPage

QueryValue = str | int | Sequence[str] | None


def _pairs(params: Mapping[str, QueryValue]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None or value == "":
            continue
        if isinstance(value, str | int):
            pairs.append((key, str(value)))
        else:
            pairs.extend((key, item) for item in value)
    return pairs


@dataclass(frozen=True, slots=True)
class Ui:
    lang: Lang
    t: Mapping[str, str]
    path: str
    params: tuple[tuple[str, str], ...]
    """The request's query parameters except `lang`, kept by the language switch."""
    asset_version: str
    links: Links

    def url(
        self, route: str, /, *, fragment: str = "", keep_lang: bool = True, **params: QueryValue
    ) -> str:
        """A link to a named route: its path parameters fill the path, the rest the query.

        The current language is kept (`lang=en`) unless `keep_lang` is false.
        """
        return self.link(route, params, fragment=fragment, keep_lang=keep_lang)

    def link(
        self,
        route: str,
        params: Mapping[str, QueryValue],
        *,
        fragment: str = "",
        keep_lang: bool = True,
    ) -> str:
        """`url` with the parameters as a mapping (for a set of them built elsewhere)."""
        in_path = self.links.path_parameters(route)
        path = self.links.path(route, **{k: v for k, v in params.items() if k in in_path})
        pairs = _pairs({k: v for k, v in params.items() if k not in in_path})
        if keep_lang and self.lang != "pl":
            pairs.append(("lang", self.lang))
        query = f"?{urlencode(pairs)}" if pairs else ""
        return path + query + (f"#{fragment}" if fragment else "")

    def action(self, route: str, /, **path_parameters: str) -> str:
        """A form's action or a script's endpoint: the path alone (a GET form sends its fields)."""
        return self.links.path(route, **path_parameters)

    def asset(self, file_name: str) -> str:
        """A static file, with the digest of the static files so a release busts caches."""
        return f"{self.links.asset(file_name)}?v={self.asset_version}"

    def count(self, phrase: str, n: int) -> str:
        """A count phrase with the plural CLDR gives `n`: "2 jednostki w grupie"."""
        return count_phrase(phrase, n, self.lang)

    @property
    def docs_href(self) -> str:
        return self.links.docs

    @property
    def other_lang(self) -> Lang:
        return "en" if self.lang == "pl" else "pl"

    @property
    def switch_href(self) -> str:
        pairs = [*self.params, *([("lang", "en")] if self.lang == "pl" else [])]
        return self.path + (f"?{urlencode(pairs)}" if pairs else "")


@dataclass(frozen=True, slots=True)
class UnitLink:
    teryt: str
    name: str
    kind: str
    """In words, e.g. "gmina miejska"."""
    href: str
    context: str = ""
    """Where it lies, e.g. "powiat żywiecki, województwo śląskie", to tell equal names apart."""
    children_href: str | None = None
    """For browsing: the list of the units within (a voivodeship's powiats, a powiat's gminas)."""


@dataclass(frozen=True, slots=True)
class Meaning:
    definition: str
    polarity: str
    source: str
    caveats: str
    year: int | None = None
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StatusMark:
    """A publication status shown beside a number: a letter, and its words in the legend and
    for screen readers (a mark that is not colour alone, WCAG 1.4.1)."""

    mark: str
    words: str


@dataclass(frozen=True, slots=True)
class TrendRow:
    year: int
    value: str
    notes: str
    changed: str = ""
    """When the page is as of a date: how this year's value has changed since, in words."""
    marks: list[StatusMark] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IndicatorCard:
    code: str
    name: str
    unit: str
    value: str
    has_value: bool
    year: int | None
    href: str
    meaning: Meaning
    trend: Markup | None
    trend_rows: list[TrendRow]
    position: Markup | None
    peer_median: str
    peer_q1: str
    peer_q3: str
    rank: str
    national_median: str
    yoy: str | None
    note_refs: list[int] = field(default_factory=list)
    """Numbers of this value's notes in `UnitPage.notes` (footnotes of the printed report)."""
    changed: str = ""
    """When the page is as of a date: how the value shown has changed since, in words."""
    marks: list[StatusMark] = field(default_factory=list)
    """The publication status of the value shown (preliminary, revised), as marks."""


@dataclass(frozen=True, slots=True)
class MissingIndicator:
    name: str
    href: str
    reason: str
    """Why it is missing, in words: source not loaded yet, or no value for this unit."""


@dataclass(frozen=True, slots=True)
class DomainBlock:
    code: str
    name: str
    description: str
    cards: list[IndicatorCard]
    missing: list[MissingIndicator]


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str
    year: int | None
    changed: str = ""
    """When the page is as of a date: how the value has changed since, in words."""
    marks: list[StatusMark] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AsOfView:
    """A unit page as of a date the reader chose (a council session): what it shows then."""

    date: str
    release: int
    published: str
    """When that data release was published (YYYY-MM-DD, Polish time)."""
    changed: int
    """How many indicators shown have a number (value or trend year) that has changed since."""
    current_href: str


@dataclass(frozen=True, slots=True)
class NeighbourRow:
    teryt: str
    name: str
    href: str
    value: str
    class_label: str
    """The map class in words (its bounds, or "no data"): what its colour says."""
    is_self: bool


@dataclass(frozen=True, slots=True)
class NeighbourhoodMap:
    """A gmina and the gminas around it, coloured for one indicator (on the gmina's page)."""

    indicator: str
    unit: str
    year: int
    svg: Markup
    legend: list["LegendItem"]
    legend_note: str
    """What the darkest colour of the map means (by the indicator's polarity)."""
    rows: list[NeighbourRow]
    options: list["Option"]
    """The gmina indicators the reader can put on the map."""
    action: str
    indicator_href: str
    shared: list[str]
    """Gminas drawn in the 2020 polygon of the gmina they were split from, in words."""
    as_of_day: str = ""
    """The page's `stan_na`: the values and colours are those of that day."""


@dataclass(frozen=True, slots=True)
class UnitPage:
    teryt: str
    name: str
    kind: str
    level: str
    title: str
    parents: list[UnitLink]
    twin: UnitLink | None
    twin_role: str
    children_href: str | None
    facts: list[Fact]
    peer_group: str
    peer_group_size: int
    similar: list[UnitLink]
    compare_href: str
    report_href: str
    domains: list[DomainBlock]
    notes: list[str] = field(default_factory=list)
    """Every distinct note on the page's values, numbered from 1 in this order."""
    neighbourhood: NeighbourhoodMap | None = None
    """A gmina's page only: the small map of it and the gminas around it."""
    schools: SchoolList | None = None
    """A gmina's page only: the schools located in it (school_page.py)."""
    as_of: AsOfView | None = None
    as_of_action: str = ""
    """Where the "as of a date" form sends its date (this page's path)."""
    status_legend: list[StatusMark] = field(default_factory=list)
    """Each publication-status mark the page shows (facts, values, trend years), once."""
    report_legend: list[StatusMark] = field(default_factory=list)
    """The same for the printed report, which shows facts and values but no trend years."""


@dataclass(frozen=True, slots=True)
class IndicatorLink:
    name: str
    href: str


@dataclass(frozen=True, slots=True)
class DomainIndicators:
    name: str
    indicators: list[IndicatorLink]


@dataclass(frozen=True, slots=True)
class StartPage:
    title: str
    q: str
    results: list[UnitLink] | None
    more_results: bool
    browse_title: str
    browse: list[UnitLink]
    browse_up: str | None
    crumbs: list[UnitLink]
    domains: list[DomainIndicators]


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True, slots=True)
class RankRow:
    rank: str
    teryt: str
    name: str
    kind: str
    """For gminas only: several share a name (three Bolesławiec)."""
    href: str
    value: str
    notes: str
    highlight: bool


@dataclass(frozen=True, slots=True)
class SortLink:
    label: str
    href: str
    aria_sort: str
    """"ascending", "descending" or "none", for the column header."""


@dataclass(frozen=True, slots=True)
class LegendItem:
    colour: str
    swatch: str
    """The CSS class that paints it (no inline style: the CSP forbids them)."""
    label: str
    count: int
    missing: bool = False


@dataclass(frozen=True, slots=True)
class HistogramRow:
    label: str
    count: int
    highlight: bool


@dataclass(frozen=True, slots=True)
class IndicatorPage:
    code: str
    title: str
    name: str
    unit: str
    domain: str
    meaning: Meaning
    formula: str
    has_data: bool
    level: str
    level_name: str
    year: int | None
    levels: list[Option]
    years: list[Option]
    voivodeships: list[Option]
    voivodeship: str | None
    highlight: str | None
    csv_href: str
    count: int
    missing: int
    national_median: str
    map_svg: Markup | None
    legend: list[LegendItem]
    legend_note: str
    map_unmapped: list[str]
    """Units ranked on the page that the map cannot draw (no boundary shipped), with codes."""
    map_shared: list[str]
    """Gminas drawn in the 2020 polygon of the gmina they were split from, in words."""
    histogram_svg: Markup | None
    histogram_rows: list[HistogramRow]
    sort_links: dict[str, SortLink]
    common_notes: list[str]
    rows: list[RankRow]

    @property
    def has_row_notes(self) -> bool:
        return any(row.notes for row in self.rows)


@dataclass(frozen=True, slots=True)
class CompareCell:
    value: str
    note: str
    missing: bool


@dataclass(frozen=True, slots=True)
class CompareRow:
    name: str
    href: str
    unit: str
    year: int | None
    note: str
    """Notes every unit's value shares, said once for the row."""
    cells: list[CompareCell]


@dataclass(frozen=True, slots=True)
class CompareDomain:
    name: str
    rows: list[CompareRow]


@dataclass(frozen=True, slots=True)
class CompareUnit:
    link: UnitLink
    remove_href: str


@dataclass(frozen=True, slots=True)
class ComparePage:
    title: str
    units: list[CompareUnit]
    selected: list[str]
    mixed_levels: bool
    too_many: bool
    max_units: int
    domains: list[CompareDomain]
    add_query: str
    candidates: list[UnitLink]
    peers_href: str | None


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled figure of a two-column table."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class TrailRow:
    component: str
    rozdzial: str
    paragraf: str
    role: str
    amount: str
    share: str
    counted: str


@dataclass(frozen=True, slots=True)
class CostPage:
    teryt: str
    name: str
    title: str
    unit_href: str
    api_href: str
    services: list[Option]
    years: list[Option]
    overheads: list[Option]
    capitals: list[Option]
    service_name: str
    year: int | None
    has_cost: bool
    problems: list[str]
    """What is missing, in plain words; empty when the total is known."""
    notes: list[str]
    total: str
    partial_total: str | None
    """The sum of the components with data, shown only when the total is missing."""
    unit_cost: str
    unit: str
    direct_unit_cost: str
    formula: str
    breakdown_svg: Markup | None
    breakdown: list[Row]
    peers: list[Row]
    peers_svg: Markup | None
    peers_note: str
    volume: list[Row]
    volume_formula: str
    trail: list[TrailRow]


@dataclass(frozen=True, slots=True)
class ErrorPage:
    title: str
    text: str
    status: int


@dataclass(frozen=True, slots=True)
class Stated:
    """A fact of the accessibility declaration: a setting's value, or the placeholder."""

    text: str
    missing: bool = False
    href: str | None = None
    """A mailto: or tel: link for a contact that is set."""


@dataclass(frozen=True, slots=True)
class DeclarationPage:
    title: str
    d: Mapping[str, str]
    """The declaration's words in the page's language (declaration_text.py)."""
    entity: Stated
    site_url: str
    published: Stated
    updated: Stated
    status: Stated
    prepared: Stated
    reviewed: Stated
    assessment: Stated
    contact_name: Stated
    contact_email: Stated
    contact_phone: Stated
    address: Stated
    building: Stated
    limitations: Sequence[str]
    checks: Sequence[str]
    ombudsman_url: str

    @property
    def incomplete(self) -> bool:
        return any(
            getattr(self, name).missing
            for name in self.__slots__
            if isinstance(getattr(self, name), Stated)
        )


@dataclass(frozen=True, slots=True)
class EmbedPage:
    """A chart for an `<iframe>` (service/web/embed.py) with the table of what it draws."""

    title: str
    theme: str
    unit: str
    chart: Markup | None
    columns: list[str]
    rows: list[list[str]]
    source: str
    full_href: str
    words: Mapping[str, str]
    legend: list[LegendItem] = field(default_factory=list)
    """A map's classes, each with its colour and how many units it holds."""
    legend_caption: str = ""
    notes: list[str] = field(default_factory=list)


Page = (
    StartPage
    | UnitPage
    | IndicatorPage
    | ComparePage
    | CostPage
    | ErrorPage
    | DeclarationPage
    | EmbedPage
    | SchoolPage
)
