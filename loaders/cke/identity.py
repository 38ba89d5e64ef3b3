"""The sheet, header and school identification both CKE results workbooks share.

E8 and matura files put their schools on sheet `SAS` under a header row opening with `ID OKE`,
with the same identification columns (but for the RSPO one's header) before the blocks of
figures. This module finds that header and reads a school's identification cells, so both
parsers check them alike and name the same problems.
"""

from collections.abc import Iterator
from typing import Final, NamedTuple

from loaders.cke import cells
from loaders.cke.header import Sheet, block_labels, header_row, id_columns
from loaders.cke.model import ExamSchool
from loaders.errors import ProblemCollector

SHEET: Final = "SAS"
FIRST_HEADER: Final = "ID OKE"
HEADER_SEARCH_ROWS: Final = 10

COL_CODE: Final = "Kod teryt gminy"
COL_GMINA_TYPE: Final = "Typ gminy"
COL_PUBLIC: Final = "czy publiczna"
COL_NAME: Final = "Nazwa szkoły"
COL_LOCALITY: Final = "Miejscowość"
COL_ADDRESS: Final = "Ulica nr"
"""Read when present (not every year's file has it)."""


def id_headers(rspo_header: str) -> tuple[str, ...]:
    """The identification headers a file must have, in the order their absence is reported."""
    return (COL_CODE, rspo_header, COL_GMINA_TYPE, COL_PUBLIC, COL_NAME, COL_LOCALITY)


class Header(NamedTuple):
    row: int
    """Index of the lower header row (its Excel row is row + 1)."""
    cells: list[object]
    ids: dict[str, int]
    """Identification header -> column index."""
    labels: list[str]
    """The block (from the row above) each column is in."""


def find_header(
    collector: ProblemCollector, rows: Sheet, wanted: tuple[str, ...], blocks: str
) -> Header | None:
    """The header row, its identification columns and block labels; `blocks` names what the
    row above the header holds (in the problem when there is no such row)."""
    header = header_row(collector, rows, FIRST_HEADER, HEADER_SEARCH_ROWS)
    if header is None:
        return None
    if header == 0:
        collector.add(
            f"no row of {blocks} above the header",
            row=1,
            field=FIRST_HEADER,
            code="missing_header",
        )
        return None
    lower = rows[header]
    ids = id_columns(collector, lower, header + 1, wanted, optional=(COL_ADDRESS,))
    return Header(header, lower, ids, block_labels(rows[header - 1], len(lower)))


def school_rows(
    collector: ProblemCollector, rows: Sheet, header: int
) -> Iterator[tuple[int, list[object]]]:
    """(Excel row, cells) of every non-blank row below the header, until the collector is full."""
    for index in range(header + 1, len(rows)):
        if collector.full:
            break
        row = rows[index]
        if all(cells.blank(value) for value in row):
            continue
        yield index + 1, row


def identify(
    collector: ProblemCollector,
    excel_row: int,
    row: list[object],
    ids: dict[str, int],
    *,
    rspo_header: str,
    type_name: str,
) -> ExamSchool | None:
    """The school of a row, its RSPO number, TERC code (against `Typ gminy`), `czy publiczna`
    and name checked; None when the row cannot be a school (its problems are in the
    collector). Its figures are the parser's to add (`msgspec.structs.replace`)."""
    number = cells.rspo(collector, excel_row, rspo_header, cells.cell(row, ids[rspo_header]))
    code = cells.location_code(
        collector,
        excel_row,
        COL_CODE,
        cells.cell(row, ids[COL_CODE]),
        cells.cell(row, ids[COL_GMINA_TYPE]),
    )
    public = cells.public(collector, excel_row, COL_PUBLIC, cells.cell(row, ids[COL_PUBLIC]))
    name = cells.text_or_none(cells.cell(row, ids[COL_NAME]))
    if name is None:
        collector.add("a school without a name", row=excel_row, field=COL_NAME)
    if number is None or code is None or name is None:
        return None
    address = cells.cell(row, ids[COL_ADDRESS]) if COL_ADDRESS in ids else None
    return ExamSchool(
        row=excel_row,
        rspo=number,
        code=code,
        name=name,
        locality=cells.text_or_none(cells.cell(row, ids[COL_LOCALITY])),
        address=cells.text_or_none(address),
        public=public,
        type_name=type_name,
        figures={},
    )
