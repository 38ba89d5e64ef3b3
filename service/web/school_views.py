"""View models of the school layer: a school's page and a gmina's list of its schools.

Apart from context.py (which imports them into `UnitPage` and `Page`), so they import nothing
of the web client; what they hold is built by school_page.py.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class Column:
    """A column header of the gmina's school table: a link sorting by it, or none."""

    key: str
    label: str
    href: str | None
    aria_sort: str
    """"ascending", "descending" or "none"."""
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class SchoolRow:
    rspo: int
    name: str
    href: str
    type_name: str
    public: str
    pupils: str
    math: str
    """The latest mean with its year when it is not the gmina's latest year."""
    trend: str


@dataclass(frozen=True, slots=True)
class TypeChoice:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True, slots=True)
class SchoolList:
    """The schools of one type in a gmina (on the gmina's page), with the types to choose."""

    total: int
    types: list[TypeChoice]
    type_name: str
    columns: list[Column]
    rows: list[SchoolRow]
    action: str
    """Where the type form sends its choice (the gmina's page)."""
    hidden: list[tuple[str, str]]
    """The page's other query parameters, kept by the type form."""
    words: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class FigureYear:
    year: int
    value: str
    gmina: str
    q1: str
    median: str
    q3: str
    where: str
    """The school's place among the schools of its type in Poland, in words."""
    count: str


@dataclass(frozen=True, slots=True)
class FigureBlock:
    """One measure of the school over the years, with a strip of its latest year."""

    measure: str
    name: str
    strip: Markup | None
    latest: str
    """The latest year's place in words, said beside the strip."""
    years: list[FigureYear]
    source: str


@dataclass(frozen=True, slots=True)
class SchoolFact:
    label: str
    value: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class SchoolPage:
    rspo: int
    title: str
    name: str
    facts: list[SchoolFact]
    gmina_href: str | None
    gmina_name: str
    register: list[FigureBlock]
    teachers_total: str | None
    reported_by: SchoolFact | None
    """The unit that reports the school's counts, when it is another one (often a zespół)."""
    exams: list[FigureBlock]
    matura: list[FigureBlock]
    api_href: str
    words: Mapping[str, str]
