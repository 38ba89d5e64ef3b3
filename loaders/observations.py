"""The common shape every statistical source is read into before it is staged.

A reader (BDL CSV export, BDL API JSON, the area register, ...) yields `ObservationRecord`s; the
shared publisher maps their unit codes to the register, stages them with COPY and upserts them
into `observation` in one transaction.
"""

import msgspec


class ObservationRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One value of one variable for one unit and year, as read from a source.

    `teryt` is the TERC code the source gives (before any mapping to units in force);
    `value` None means missing at source (never 0), with the reason in `flag`.
    """

    row: int | None
    """1-based line of the source file (header = 1), or the record's position in an API page."""
    teryt: str
    variable: str
    """Source variable code: a BDL variable id ("60559") or table:column of a BDL export."""
    year: int
    value: float | None
    flag: str | None = None


class VariableDef(msgspec.Struct, frozen=True, kw_only=True):
    """A source variable as Miarka stores it (`variable` table)."""

    source: str
    code: str
    name: str
    measure_unit: str
    additive: bool = True
    """Values of units can be summed into their parents (counts, areas; not rates)."""
    citation: str = ""
