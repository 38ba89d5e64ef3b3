"""Find the header of a CKE results sheet and the columns under it, by name.

Both kinds of workbook open with `ID OKE` in the first cell of the header row and group their
figures in blocks headed on the row(s) above. Identification columns are looked up by their
header text (spaces, line breaks and case ignored), so an added column (2025's `Identyfikator
szkoły`) moves nothing.
"""

from loaders.cke.cells import cell, header_text
from loaders.errors import ProblemCollector

Sheet = list[list[object]]


def header_row(collector: ProblemCollector, rows: Sheet, first: str, search: int) -> int | None:
    """Index of the row whose first cell is `first` (e.g. "ID OKE"), within `search` rows."""
    for index, row in enumerate(rows[:search]):
        if header_text(cell(row, 0)).lower() == first.lower():
            return index
    collector.add(
        f"no header row (first cell {first!r}) in the first {search} rows",
        field=first,
        code="missing_header",
    )
    return None


def id_columns(
    collector: ProblemCollector,
    header: list[object],
    row: int,
    wanted: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> dict[str, int]:
    """Header -> column index of each wanted (and optional) header found; a wanted one missing
    or any one doubled is a problem."""
    found: dict[str, int] = {}
    lowered = {name.lower(): name for name in (*wanted, *optional)}
    for index, value in enumerate(header):
        name = lowered.get(header_text(value).lower())
        if name is None:
            continue
        if name in found:
            collector.add(
                f"two columns headed {name!r}", row=row, field=name, code="duplicate_column"
            )
            continue
        found[name] = index
    for name in wanted:
        if name not in found:
            collector.add(f"no column headed {name!r}", row=row, field=name, code="missing_header")
    return found


def block_labels(row: list[object], width: int) -> list[str]:
    """The label of the block each column is in: the upper header row filled rightwards."""
    labels: list[str] = []
    current = ""
    for index in range(width):
        text = header_text(cell(row, index))
        if text:
            current = text
        labels.append(current)
    return labels
