"""The school layer of the web client: a school's page, and the list of a gmina's schools.

The school page reads `get_school` (the API's own query: every figure beside the median of the
schools of its type in its gmina and the quartiles in Poland), `placed_units` for the name
of the body that runs it and, when another unit reports its counts, whether the register holds
that unit, to link to it (78 schools name one it does not hold). The list on a gmina's page
reads the types of its schools (`school_types_in`) and the schools of the chosen type
(`schools_of_type_in`): two statements, whatever the number of schools. Sorting is by query
parameter links, as on the indicator page; the mathematics trend is said in words, against
Poland's mean of each year.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Annotated, Final, Literal

from litestar import get
from litestar.di import NamedDependency
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.schools.queries import (
    get_school,
    school_exists,
    school_types_in,
    schools_of_type_in,
)
from domains.units.placed import placed_units
from domains.units.search import fold
from schemas.indicators import Lang
from schemas.schools import ExamPoint, SchoolFigure, SchoolSummary
from service.deps import Db
from service.web import fmt
from service.web.charts import position_strip
from service.web.context import Ui, UnitPage
from service.web.indicator_page import Direction
from service.web.school_views import (
    Column,
    FigureBlock,
    FigureYear,
    SchoolFact,
    SchoolList,
    SchoolPage,
    SchoolRow,
    TypeChoice,
)
from service.web.school_words import GOVERNING, MEASURES, WORDS
from service.web.shared import ref_link
from service.web.templating import render

SchoolSort = Literal["nazwa", "publiczna", "uczniowie", "matematyka", "trend"]
REGISTER: Final = (
    "register.pupils",
    "register.classes",
    "register.teachers_full_time",
    "register.teachers_part_time_fte",
)
EXAMS: Final = tuple(m for m in MEASURES["pl"] if m.startswith("e8."))
MATURA: Final = tuple(m for m in MEASURES["pl"] if m.startswith("matura."))
DECIMALS: Final = {"register.teachers_part_time_fte": 2}
"""Counts are whole numbers, part-time teachers FTE; exam means are shown to one decimal."""
PRIMARY: Final = "Szkoła podstawowa"
"""The type listed first on a gmina's page: the schools that sit the eighth-grade exam."""
ALL_TYPES: Final = "wszystkie"
FLAT: Final = 2.0
"""A change under this many percentage points against Poland's mean is "no clear change"."""


def _decimals(measure: str) -> int:
    return DECIMALS.get(measure, 1 if not measure.startswith("register.") else 0)


def place_in_words(
    value: float | None,
    q1: float | None,
    median: float | None,
    q3: float | None,
    words: Mapping[str, str],
) -> str:
    """Which quarter of the schools of its type in Poland the value falls in."""
    if value is None or q1 is None or median is None or q3 is None:
        return words["unknown"]
    if value == median:
        return words["at_median"]
    if value <= q1:
        return words["below_q1"]
    if value < median:
        return words["q1_median"]
    return words["median_q3"] if value < q3 else words["above_q3"]


def _block(measure: str, figures: Sequence[SchoolFigure], ui: Ui) -> FigureBlock:
    words, lang = WORDS[ui.lang], ui.lang
    decimals = _decimals(measure)

    def show(value: float | None) -> str:
        return fmt.number(value, decimals, lang)

    name = MEASURES[lang][measure]
    years = [
        FigureYear(
            year=f.year,
            value=show(f.value),
            gmina=show(f.gmina_median),
            q1=show(f.national_q1),
            median=show(f.national_median),
            q3=show(f.national_q3),
            where=place_in_words(f.value, f.national_q1, f.national_median, f.national_q3, words),
            count=fmt.integer(f.national_count, lang),
        )
        for f in figures
    ]
    last = next((f for f in reversed(figures) if f.value is not None), figures[-1])
    latest = place_in_words(
        last.value, last.national_q1, last.national_median, last.national_q3, words
    )
    desc = (
        f"{last.year}: {words['col_value']} {show(last.value)}; {words['col_gmina']} "
        f"{show(last.gmina_median)}; {words['col_q1']} {show(last.national_q1)}, "
        f"{words['col_median']} {show(last.national_median)}, {words['col_q3']} "
        f"{show(last.national_q3)}: {latest}."
    )
    return FigureBlock(
        measure=measure,
        name=name,
        strip=position_strip(
            f"s-{measure.replace('.', '-')}",
            value=last.value,
            q1=last.national_q1,
            median=last.national_median,
            q3=last.national_q3,
            title=f"{words['position']}: {name}, {last.year}",
            desc=desc,
        ),
        latest=f"{last.year}: {latest}",
        years=years,
        source=words["source_text"].format(file=last.source_file, row=last.source_row or "?"),
    )


async def build_school_page(conn: AsyncConnection, rspo: int, ui: Ui) -> SchoolPage:
    lang, words = ui.lang, WORDS[ui.lang]
    school = await get_school(conn, rspo, measures=(*REGISTER, *EXAMS, *MATURA))
    by_measure: dict[str, list[SchoolFigure]] = defaultdict(list)
    for figure in school.figures:
        by_measure[figure.measure].append(figure)
    governing = GOVERNING[lang].get(school.governing_kind or "", words["unknown"])
    runner = await placed_units(conn, [school.governing_teryt]) if school.governing_teryt else {}
    body = runner.get(school.governing_teryt or "")
    body_link = ref_link(body.unit, ui) if body else None
    gmina_href = ui.url("web-unit", teryt=school.location_teryt) if school.location_teryt else None
    facts = [
        SchoolFact(words["rspo"], str(school.rspo)),
        SchoolFact(words["type"], school.type_name),
        SchoolFact(words["public"], _yes_no(school.public, words)),
        SchoolFact(
            words["governing"],
            f"{governing}: {body_link.name}" if body_link else governing,
            body_link.href if body_link else None,
        ),
        SchoolFact(
            words["location"],
            ", ".join(p for p in (school.address, school.locality) if p) or words["unknown"],
        ),
        SchoolFact(words["gmina"], school.location_name or words["unknown"], gmina_href),
    ]
    reported_by = None
    if school.reporting_rspo is not None and school.reporting_rspo != school.rspo:
        listed = await school_exists(conn, school.reporting_rspo)
        reported_by = SchoolFact(
            words["reporting"],
            f"RSPO {school.reporting_rspo}",
            ui.url("web-school", rspo=school.reporting_rspo) if listed else None,
        )
        facts.append(reported_by)
    full = by_measure.get("register.teachers_full_time", [])
    part = by_measure.get("register.teachers_part_time_fte", [])
    total = (
        fmt.number(full[-1].value + part[-1].value, 2, lang)
        if full and part and full[-1].value is not None and part[-1].value is not None
        else None
    )
    return SchoolPage(
        rspo=school.rspo,
        title=school.name,
        name=school.name,
        facts=facts,
        gmina_href=gmina_href,
        gmina_name=school.location_name or "",
        register=[_block(m, by_measure[m], ui) for m in REGISTER if by_measure.get(m)],
        teachers_total=total,
        reported_by=reported_by,
        exams=[_block(m, by_measure[m], ui) for m in EXAMS if by_measure.get(m)],
        matura=[_block(m, by_measure[m], ui) for m in MATURA if by_measure.get(m)],
        api_href=ui.url("api-school", rspo=school.rspo, keep_lang=False),
        words=words,
    )


def _yes_no(value: bool | None, words: Mapping[str, str]) -> str:
    return words["unknown"] if value is None else words["yes" if value else "no"]


def math_trend(points: Sequence[ExamPoint]) -> float | None:
    """The change of the school's distance to Poland's mean, first year to last (points)."""
    known = [p for p in points if p.national_mean is not None]
    if len(known) < 2:  # noqa: PLR2004 - one year is not a trend
        return None
    first, last = known[0], known[-1]
    return (last.mean - (last.national_mean or 0)) - (first.mean - (first.national_mean or 0))


def _trend_words(points: Sequence[ExamPoint], words: Mapping[str, str], lang: Lang) -> str:
    delta = math_trend(points)
    if delta is None:
        return words["trend_one"] if points else words["trend_none"]
    known = [p for p in points if p.national_mean is not None]
    key = "trend_flat" if abs(delta) < FLAT else "trend_up" if delta > 0 else "trend_down"
    return words[key].format(
        delta=fmt.number(abs(delta), 1, lang), first=known[0].year, last=known[-1].year
    )


def _sort_key(sort: SchoolSort, school: SchoolSummary, folded: str) -> float | str | None:
    if sort == "nazwa":
        return folded
    if sort == "publiczna":
        return None if school.public is None else float(school.public)
    if sort == "uczniowie":
        return school.pupils
    if sort == "matematyka":
        return school.math[-1].mean if school.math else None
    return math_trend(school.math)


def sorted_schools(
    schools: Sequence[SchoolSummary], sort: SchoolSort, direction: Direction
) -> list[SchoolSummary]:
    """Sorted by the column; the schools without a value always last, by name. Each key is
    computed once (folding 400 names for every comparison cost Warsaw's page 8 ms)."""
    keyed = []
    for school in schools:
        folded = fold(school.name)
        keyed.append((_sort_key(sort, school, folded), folded, school.rspo, school))
    present = [k for k in keyed if k[0] is not None]
    absent = [k for k in keyed if k[0] is None]
    ordered = sorted(present, key=lambda k: k[:3], reverse=direction == "malej")
    return [k[3] for k in ordered] + [k[3] for k in sorted(absent, key=lambda k: k[1:3])]


COLUMNS: Final[tuple[tuple[str, str, bool], ...]] = (
    ("nazwa", "col_school", False),
    ("typ", "col_type", False),
    ("publiczna", "col_public", False),
    ("uczniowie", "col_pupils", True),
    ("matematyka", "col_math", True),
    ("trend", "col_trend", False),
)
"""(sort key, label, numeric) of each column; the type column does not sort."""


async def build_school_list(
    conn: AsyncConnection,
    unit: UnitPage,
    ui: Ui,
    *,
    type_name: str | None,
    sort: SchoolSort,
    direction: Direction,
) -> SchoolList | None:
    """A gmina's schools of one type (primary schools unless chosen), sorted by a column;
    None for a powiat or a voivodeship (their schools are their gminas')."""
    if unit.level != "gmina":
        return None
    words, lang, teryt = WORDS[ui.lang], ui.lang, unit.teryt
    types = await school_types_in(conn, teryt)
    names = [t.type_name for t in types]
    chosen = type_name if type_name in (*names, ALL_TYPES) else None
    chosen = chosen or (PRIMARY if PRIMARY in names else names[0] if names else PRIMARY)
    schools = (
        await schools_of_type_in(conn, teryt, None if chosen == ALL_TYPES else chosen)
        if types
        else []
    )
    latest = max((s.math[-1].year for s in schools if s.math), default=None)
    kept = {k: v for k, v in ui.params if not k.startswith("szkoly")}
    columns = []
    for key, label, numeric in COLUMNS:
        current = key == sort
        turn = "malej" if current and direction == "rosn" else "rosn"
        href = ui.link(
            "web-unit",
            {"teryt": teryt, **kept, "szkoly": chosen, "szkoly_sort": key, "szkoly_kier": turn},
            fragment="szkoly",
        )
        columns.append(
            Column(
                key=key,
                label=words[label] + (f", {latest}" if key == "matematyka" and latest else ""),
                href=None if key == "typ" else href,
                aria_sort=("ascending" if direction == "rosn" else "descending")
                if current
                else "none",
                numeric=numeric,
            )
        )
    rows = []
    for school in sorted_schools(schools, sort, direction):
        last = school.math[-1] if school.math else None
        math = fmt.number(last.mean if last else None, 1, lang)
        if last is not None and last.year != latest:
            math += f" ({last.year})"
        rows.append(
            SchoolRow(
                rspo=school.rspo,
                name=school.name,
                href=ui.url("web-school", rspo=school.rspo),
                type_name=school.type_name,
                public=_yes_no(school.public, words),
                pupils=fmt.number(school.pupils, 0, lang),
                math=math,
                trend=_trend_words(school.math, words, lang),
            )
        )
    choices = [
        TypeChoice(t.type_name, f"{t.type_name} ({t.count})", t.type_name == chosen) for t in types
    ]
    every = TypeChoice(
        ALL_TYPES, f"{words['all_types']} ({sum(t.count for t in types)})", chosen == ALL_TYPES
    )
    return SchoolList(
        total=sum(t.count for t in types),
        types=[*choices, every] if types else [],
        type_name=chosen,
        columns=columns,
        rows=rows,
        action=ui.action("web-unit", teryt=teryt),
        hidden=[(k, v) for k, v in kept.items() if k != "lang"],
        words=words,
    )


@get("/szkola/{rspo:int}", name="web-school")
async def read_school_page(
    ui: NamedDependency[Ui],
    db: Db,
    rspo: Annotated[int, Parameter(ge=1, le=9_999_999)],
) -> Template:
    """A school's figures against the gmina's schools and Poland's; 404 for an unknown RSPO."""
    return render("school.html", ui, await build_school_page(db, rspo, ui))
