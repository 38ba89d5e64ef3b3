"""The parameters the pages share, typed and bounded once.

A page's query comes from a link or from a form: a form's select sends its first option as
an empty value, which means "not chosen", so codes are checked here rather than by a pattern
that would refuse the empty value. `choice` gathers what picks one cross-section of an
indicator (level, year, voivodeship, the unit to outline) for the pages that show one: the
indicator page, the ranking and the map to embed.
"""

import re
from dataclasses import dataclass
from typing import Annotated, Final

from litestar.di import NamedDependency
from litestar.params import FromQuery, Parameter, QueryParameter

from domains.errors import InvalidParameter
from schemas.indicators import IndicatorLevel, Lang
from service.web.context import Ui

VOIVODESHIP: Final = re.compile(r"^\d{2}$")
TERYT: Final = re.compile(r"^(\d{2}|\d{4}|\d{7})$")

UiDep = NamedDependency[Ui]
LangParam = Annotated[Lang, Parameter(description="pl (default) or en")]
Code = Annotated[str, Parameter(max_length=20)]
IndicatorCode = Annotated[str, Parameter(max_length=100)]
YearQuery = Annotated[int | None, Parameter(ge=1990, le=2100)]
VoivodeshipQuery = Annotated[str | None, Parameter(max_length=2)]
PowiatQuery = Annotated[str | None, QueryParameter(name="pow", max_length=4)]
TerytQuery = Annotated[str | None, Parameter(max_length=7)]


def checked_code(value: str | None, field: str, pattern: re.Pattern[str]) -> str | None:
    """Empty means "not chosen" (a select's first option); anything else must be a code."""
    if not value:
        return None
    if not pattern.match(value):
        raise InvalidParameter(field, "a TERC code")
    return value


@dataclass(frozen=True, slots=True)
class Choice:
    """One cross-section of an indicator, as the reader picked it; None: the default."""

    level: IndicatorLevel | None
    year: int | None
    voivodeship: str | None
    highlight: str | None
    """The unit outlined on the map and marked in the ranking."""


def provide_choice(
    poziom: FromQuery[IndicatorLevel | None] = None,
    rok: YearQuery = None,
    woj: VoivodeshipQuery = None,
    j: TerytQuery = None,
) -> Choice:
    return Choice(
        level=poziom,
        year=rok,
        voivodeship=checked_code(woj, "woj", VOIVODESHIP),
        highlight=checked_code(j, "j", TERYT),
    )


ChoiceDep = NamedDependency[Choice]
