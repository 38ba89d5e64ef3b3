"""Read every sheet of a GUS workbook as published: legacy `.xls`, `.xlsx`, or either gzipped.

The shipped copy of table 12 is kept gzip-compressed (29 MB of BIFF8 become 7 MB), so the
bytes are sniffed, not the name: a gzip stream is inflated first, then the workbook is read by
pandas with the `python-calamine` engine (2.5x faster than xlrd on this file, see
`bench/read_workbooks.py`). Downloads go wrong in typical ways (an HTML error page, a file
cut short); each becomes a `LoadRefused` that says what the bytes look like instead.
"""

import gzip
import zlib
from io import BytesIO
from pathlib import Path
from typing import Final

import pandas as pd
import python_calamine

from loaders.errors import LoadRefused, ProblemCollector

GZIP_MAGIC: Final = b"\x1f\x8b"
OLE2_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""Compound document: Excel 97-2003 (BIFF8) `.xls`."""
ZIP_MAGIC: Final = b"PK\x03\x04"
"""Office Open XML: `.xlsx`."""

Sheet = list[list[object]]
"""Rows of cells from A1; row i of the list is Excel row i + 1; an empty cell is None."""

_READ_ERRORS: Final = (
    python_calamine.CalamineError,
    python_calamine.XmlError,
    python_calamine.ZipError,
    python_calamine.PasswordError,
    ValueError,
)


def read_sheets(path: Path) -> dict[str, Sheet]:
    """Every sheet of the workbook at `path`, in workbook order."""
    file = path.name
    if not path.is_file():
        raise LoadRefused.one(file, "file not found", code="missing_file")
    data = path.read_bytes()
    if data.startswith(GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise LoadRefused.one(
                file, f"a gzip file that cannot be inflated (truncated?): {exc}",
                code="unreadable_file",
            ) from exc  # fmt: skip
    _check_looks_like_workbook(file, data)
    try:
        frames = pd.read_excel(
            BytesIO(data), sheet_name=None, header=None, engine="calamine", dtype=object
        )
    except _READ_ERRORS as exc:
        raise LoadRefused.one(
            file, f"not a readable Excel workbook (truncated or damaged?): {exc}",
            code="unreadable_file",
        ) from exc  # fmt: skip
    return {str(name): _rows(frame) for name, frame in frames.items()}


def _rows(frame: pd.DataFrame) -> Sheet:
    # pandas marks empty cells NaN; None is what the parser treats as empty.
    cleaned = frame.astype(object).where(frame.notna(), None)
    return [list(row) for row in cleaned.itertuples(index=False, name=None)]


def _check_looks_like_workbook(file: str, head: bytes) -> None:
    if not head:
        raise LoadRefused.one(file, "the file is empty", code="unreadable_file")
    if head.startswith((OLE2_MAGIC, ZIP_MAGIC)):
        return
    text = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        message = "an HTML or XML page, not an Excel workbook"
    elif b"\x00" not in head[:4096]:
        message = "a text file (CSV?), not an Excel workbook"
    else:
        message = "not an Excel workbook (.xls, .xlsx), nor a gzipped one"
    raise LoadRefused.one(file, message, code="unreadable_file")


def blank(value: object) -> bool:
    """An empty cell: nothing, or only white space."""
    return value is None or (isinstance(value, str) and not value.strip())


def whole_number(value: object) -> int | None:
    """A cell's whole number: an int, or a float without a fraction (`46.0`); None otherwise
    (text, a fraction, a boolean)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def checked_count(
    collector: ProblemCollector,
    raw: object,
    number: int | None,
    *,
    row: int,
    field: str,
    expected: str,
) -> int | None:
    """`number`, read from the cell `raw`, as a count of persons: a missing or negative one is
    a problem (`not_a_number`, `negative_count`) and None."""
    if number is None:
        found = "an empty cell" if blank(raw) else repr(raw)
        collector.add(
            f"expected {expected}, found {found}", row=row, field=field, code="not_a_number"
        )
        return None
    if number < 0:
        collector.add(f"a negative count: {number}", row=row, field=field, code="negative_count")
        return None
    return number
