"""Cells of the MF PIT statements as the workbooks hold them: codes, amounts, text.

Codes are text (`'02'`) in most files and a number in the metropolis's (`24`), `-` where a code
does not apply; amounts are whole złoty as numbers, and a retyped copy may hold text with a
decimal comma. Pure functions; the caller turns a None into a problem with its row and field.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Final

from loaders.gus_ages.workbook import blank
from loaders.mf_pit.layout import NOT_APPLICABLE

_NUMBER: Final = re.compile(r"-?\d+([.,]\d{1,2})?")


def text_of(value: object) -> str:
    return "" if blank(value) else " ".join(str(value).split())


def cell(row: list[object], column: int) -> object:
    return row[column] if column < len(row) else None


def code_part(value: object, digits: int) -> str | None:
    """A code cell: text or a number (leading zero lost), or `-`; None when neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = text_of(value)
    if text == NOT_APPLICABLE:
        return text
    if text.isdigit() and len(text) <= digits:
        return text.zfill(digits)
    return None


def amount_of(raw: object) -> Decimal | None:
    """zł with at most two decimals, from a number or text (`1 234,56`); None otherwise."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        text = repr(raw) if raw == raw else ""  # noqa: PLR0124 - NaN
    else:
        text = "".join(str(raw).split())
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None
