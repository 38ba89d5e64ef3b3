"""Schools and institutions (RSPO) as the API shows them; field names equal CSV headers."""

from typing import Annotated

import msgspec

from schemas.units import PageLinks

Rspo = Annotated[int, msgspec.Meta(ge=1, le=9_999_999, description="RSPO number of the school")]


class School(msgspec.Struct, frozen=True, kw_only=True):
    rspo: int
    name: str
    type_code: int | None
    """RSPO type code, e.g. 3 = szkoła podstawowa (see `type_name`)."""
    type_name: str
    public: bool | None
    locality: str | None
    address: str | None
    location_teryt: str | None
    """The gmina in force where the school is (null when its code could not be placed)."""
    location_name: str | None
    location_placement: str | None
    """How the source's location code was placed: direct, part_rolled_up, district_to_city,
    code_changed."""
    governing_kind: str | None
    """Who runs it: gmina, powiat, wojewodztwo, state, non_public, ..."""
    governing_teryt: str | None
    """The local government that runs it, when one does."""
    reporting_rspo: int | None
    """The unit that reports the school's counts (often a zespół); itself when it reports."""
    source: str


class SchoolPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[School]
    total: int
    limit: int
    next_cursor: str | None
    links: PageLinks


class SchoolFigure(msgspec.Struct, frozen=True, kw_only=True):
    """One figure of the school, beside the same figure of the other schools of its type."""

    measure: str
    """`register.pupils`, `register.classes`, `e8.matematyka.mean`, `matura.pass_rate`, ..."""
    year: int
    value: float | None
    flag: str | None
    gmina_median: float | None
    """Median over the schools of the same type in the same gmina (this one included)."""
    gmina_count: int
    national_q1: float | None
    national_median: float | None
    national_q3: float | None
    national_count: int
    """Schools of the same type in Poland with a value of this measure and year."""
    source: str
    source_file: str
    source_row: int | None
    """1-based row of the source file the figure was read from."""
    load_run_id: int


class SchoolDetail(School, frozen=True, kw_only=True):
    figures: list[SchoolFigure]


class ExamPoint(msgspec.Struct, frozen=True, kw_only=True):
    year: int
    mean: float
    """The school's mean result (%)."""
    national_mean: float | None
    """Poland's mean that year (all schools, weighted by takers)."""


class SchoolSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One school of a gmina's list: who runs it, its size and its mathematics exam by year."""

    rspo: int
    name: str
    type_name: str
    public: bool | None
    governing_kind: str | None
    pupils: float | None
    pupils_year: int | None
    math: list[ExamPoint]
    """The eighth-grade exam in mathematics, every year CKE published the school's mean."""


class SchoolTypeCount(msgspec.Struct, frozen=True, kw_only=True):
    type_name: str
    count: int
