"""Cells of the CKE result workbooks, read as the files hold them and checked one by one.

Counts are whole numbers, sometimes stored as floats (`46.0`); statistics are percentages
0-100 with full float precision; an empty cell means "not published" (no takers, or fewer
than CKE's threshold). Codes come as text (`'0401011'`) or, in copies re-saved by hand, as
numbers with the leading zero lost. Each bad cell becomes a problem with its sheet, Excel row
and header, collected so one run reports many of them.
"""

from typing import Final

from loaders.errors import ProblemCollector
from loaders.gus_ages.workbook import blank, checked_count, whole_number
from loaders.unit_codes import gmina_code_problem, normalise_terc

__all__ = [
    "GMINA_TYPES",
    "LOCATION_RODZ",
    "PUBLIC",
    "blank",
    "cell",
    "count",
    "header_text",
    "location_code",
    "percent",
    "public",
    "rspo",
    "text_or_none",
]

LOCATION_RODZ: Final = frozenset("12345")
"""Gminas (1-3) and the town and rural parts of urban-rural gminas (4, 5), as CKE codes them."""
GMINA_TYPES: Final[dict[str, str]] = {
    "gmina miejska": "1",
    "gmina wiejska": "2",
    "gmina miejsko-wiejska": "3",
    "miasto": "4",
    "obszar wiejski": "5",
}
"""`Typ gminy` as written (any case) -> the RODZ digit its code must end with."""
PUBLIC: Final[dict[str, bool]] = {"tak": True, "nie": False}


def cell(row: list[object], index: int) -> object:
    return row[index] if index < len(row) else None


def header_text(value: object) -> str:
    """A header cell as compared: spaces and line breaks collapsed, CKE's `* ` marker off."""
    return " ".join(str(value).split()).lstrip("* ").strip() if not blank(value) else ""


def text_or_none(value: object) -> str | None:
    return None if blank(value) else " ".join(str(value).split())


def count(collector: ProblemCollector, row: int, field: str, value: object) -> int | None:
    """A count of persons: a whole number >= 0; an empty cell is None (nobody, or withheld)."""
    if blank(value):
        return None
    number = whole_number(value)
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    return checked_count(
        collector,
        value,
        number,
        row=row,
        field=field,
        expected="a count (a whole number of persons)",
    )


def percent(collector: ProblemCollector, row: int, field: str, value: object) -> float | None:
    """A result or rate in per cent (0-100); an empty cell is None (not published)."""
    if blank(value):
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
    if number is None or number != number:  # noqa: PLR0124 - NaN is not a result
        collector.add(
            f"expected a percentage, found {value!r}", row=row, field=field, code="not_a_number"
        )
        return None
    if not 0 <= number <= 100:  # noqa: PLR2004
        collector.add(
            f"a percentage outside 0-100: {number:g}", row=row, field=field, code="out_of_range"
        )
        return None
    return number


def rspo(collector: ProblemCollector, row: int, field: str, value: object) -> int | None:
    """An RSPO number: a positive whole number (text or number in the file)."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number <= 0 or number >= 2**31:
        shown = "an empty cell" if blank(value) else repr(value)
        collector.add(f"not an RSPO number: {shown}", row=row, field=field, code="bad_code")
        return None
    return number


def location_code(
    collector: ProblemCollector, row: int, field: str, value: object, gmina_type: object
) -> str | None:
    """The 7-digit TERC code of the gmina or gmina part, checked against `Typ gminy`."""
    code = normalise_terc(value)
    problem = gmina_code_problem(code, value, LOCATION_RODZ, "a gmina or a part of one (1-5)")
    if problem is not None:
        collector.add(problem, row=row, field=field, code="bad_code")
        return None
    assert code is not None  # noqa: S101 - narrowed by the checks above
    expected = GMINA_TYPES.get(header_text(gmina_type).lower())
    if expected is not None and expected != code[6]:
        collector.add(
            f"code {code} ends in RODZ {code[6]}, but Typ gminy says {gmina_type!r}",
            row=row,
            field=field,
            code="inconsistent",
        )
        return None
    return code


def public(collector: ProblemCollector, row: int, field: str, value: object) -> bool | None:
    if blank(value):
        return None
    found = PUBLIC.get(header_text(value).lower())
    if found is None:
        collector.add(f"expected Tak or Nie, found {value!r}", row=row, field=field)
    return found
