"""Place the rows of a PIT statement on the units of the TERYT register in force.

Gmina rows (2019/2020 division) go through `GminaPlacer`: a gmina whose RODZ digit changed
since is stored under the code in force and flagged `code_changed`. A city with powiat rights
files both shares under its powiat code: the gmina share (75621) is placed on the city's one
gmina, the powiat share (75622) on the city as a powiat, so the gmina value of Kraków is
Kraków's gmina share only, comparable with every other gmina's. Powiats and voivodeships are
placed on their codes in force. The metropolitan union (GZM) is no unit of the register: its
row is reported and not stored, never given an invented code.

Every run gets a warning with the counts of each way; more than 1 % of the placeable rows
unplaced refuses the file.
"""

from collections import Counter
from typing import Final, NamedTuple

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.units.kinds import Kind
from loaders.errors import LoadRefused, SourceProblem
from loaders.mf_pit.layout import CODE_FIELD, SERIES
from loaders.mf_pit.parse import PitRow, PitStatement
from loaders.unit_codes import GminaPlacer, refuse_if_too_many_unplaced

_SHOWN: Final = 12


class UnitInForce(NamedTuple):
    level: str
    kind: str
    parent: str | None


class PlacedRow(msgspec.Struct, frozen=True, kw_only=True):
    row: PitRow
    teryt: str
    flag: str | None
    series: str


class Placement(msgspec.Struct, frozen=True, kw_only=True):
    rows: list[PlacedRow]
    warnings: list[SourceProblem]
    skipped: int


async def units_in_force(conn: AsyncConnection) -> dict[str, UnitInForce]:
    rows = await conn.execute(
        text("SELECT teryt, level, kind, parent_teryt FROM territorial_unit WHERE valid_to IS NULL")
    )
    return {str(t): UnitInForce(str(level), str(kind), parent) for t, level, kind, parent in rows}


class _Upper:
    """Places 4- and 2-digit codes and cities' gmina parts, counting like `GminaPlacer`."""

    def __init__(self, file: str, units: dict[str, UnitInForce]) -> None:
        self.file = file
        self.units = units
        self.city_gmina: dict[str, list[str]] = {}
        for code, unit in units.items():
            if unit.level == "gmina" and unit.parent is not None:
                parent = units.get(unit.parent)
                if parent is not None and parent.kind == Kind.MIASTO_NA_PRAWACH_POWIATU:
                    self.city_gmina.setdefault(unit.parent, []).append(code)
        self.counts: Counter[str] = Counter()
        self.unplaced: list[SourceProblem] = []

    def place(self, row: PitRow) -> str | None:
        teryt: str | None = None
        unit = self.units.get(row.code)
        if row.kind == "city_gmina":
            gminas = self.city_gmina.get(row.code, [])
            teryt = gminas[0] if len(gminas) == 1 else None
            what = "a city with powiat rights with one gmina"
        elif row.kind == "powiat":
            teryt = row.code if unit is not None and unit.level == "powiat" else None
            what = "a powiat"
        else:
            teryt = row.code if unit is not None and unit.level == "voivodeship" else None
            what = "a voivodeship"
        self.counts[row.kind if teryt is not None else "unplaced"] += 1
        if teryt is None:
            self.unplaced.append(
                row.problem(
                    self.file,
                    "unknown_unit",
                    f"{row.name} ({row.code}) is not {what} in the register in force; "
                    "row not stored",
                )
            )
        return teryt


def place_rows(
    statement: PitStatement, placer: GminaPlacer, units: dict[str, UnitInForce]
) -> Placement:
    upper = _Upper(statement.file, units)
    placed: list[PlacedRow] = []
    warnings: list[SourceProblem] = []
    for row in statement.rows:
        if row.kind == "metropolis":
            warnings.append(_metropolis(statement.file, row))
            continue
        flag = None
        if row.kind == "gmina":
            found = placer.place(row.code, row=row.row, field=CODE_FIELD, sheet=row.sheet)
            teryt, flag = found.teryt, found.flag
        else:
            teryt = upper.place(row)
        if teryt is None:
            continue
        series = SERIES[row.kind]
        if row.kind == "powiat" and units[teryt].kind == Kind.MIASTO_NA_PRAWACH_POWIATU:
            series = SERIES["city_gmina"]
        placed.append(PlacedRow(row=row, teryt=teryt, flag=flag, series=series))
    unplaced = [*placer.unplaced, *upper.unplaced]
    placeable = sum(row.kind != "metropolis" for row in statement.rows)
    refuse_if_too_many_unplaced(statement.file, unplaced, placeable, on="unit")
    _refuse_duplicates(statement.file, placed)
    report = _report(statement.file, placer, upper, len(warnings))
    absent = _absent(statement.file, units, upper, placed)
    return Placement(
        rows=placed,
        warnings=[report, *warnings, *absent, *unplaced],
        skipped=len(warnings) + len(unplaced),
    )


def _metropolis(file: str, row: PitRow) -> SourceProblem:
    return row.problem(
        file,
        "unknown_unit",
        f"{row.name} (rozdział {row.rozdzial}, WK {row.wk}) is a metropolitan union, "
        f"no unit of the TERYT register: its {row.amounts['dw']} zł are reported, not stored",
    )


def _refuse_duplicates(file: str, placed: list[PlacedRow]) -> None:
    """Two rows on one unit and rozdział (a renamed gmina next to its new code)."""
    first: dict[tuple[str, str], PlacedRow] = {}
    for item in placed:
        seen = first.setdefault((item.teryt, item.row.rozdzial), item)
        if seen is not item:
            raise LoadRefused.one(
                file,
                f"rows {seen.row.row} ({seen.row.code}) and {item.row.row} ({item.row.code}) "
                f"both land on unit {item.teryt}, rozdział {item.row.rozdzial}",
                sheet=item.row.sheet,
                row=item.row.row,
                field=CODE_FIELD,
                code="duplicate_key",
            )


def _report(file: str, placer: GminaPlacer, upper: _Upper, metropolis: int) -> SourceProblem:
    gminas = ", ".join(f"{how} {n:,}" for how, n in placer.report().items())
    counts = upper.counts
    return SourceProblem(
        file=file,
        field=CODE_FIELD,
        code="placement_report",
        message=f"gmina rows placed on the register in force: {gminas}; cities with powiat "
        f"rights, gmina share on the city's gmina {counts['city_gmina']:,}; powiats "
        f"{counts['powiat']:,}; voivodeships {counts['voivodeship']:,}; other rows unplaced "
        f"{counts['unplaced']:,}; not a unit of the register (metropolitan union) {metropolis:,}",
    )


def _absent(
    file: str, units: dict[str, UnitInForce], upper: _Upper, placed: list[PlacedRow]
) -> list[SourceProblem]:
    """Units in force of the file's series that have no row (created since, or rows lost)."""
    stored = {(item.series, item.teryt) for item in placed}
    series = {item.series for item in placed}
    cities = set(upper.city_gmina)
    expected: set[tuple[str, str]] = set()
    for code, unit in units.items():
        if unit.level == "gmina" and unit.parent not in cities:
            expected.add(("gminy", code))
        elif unit.kind == Kind.POWIAT_ZIEMSKI:
            expected.add(("powiaty", code))
        elif unit.kind == Kind.MIASTO_NA_PRAWACH_POWIATU:
            expected.add(("miasta_npp", code))
            expected.update(("miasta_npp", gmina) for gmina in upper.city_gmina.get(code, []))
        elif unit.level == "voivodeship":
            expected.add(("wojewodztwa", code))
    absent = sorted(code for kind, code in expected - stored if kind in series)
    if not absent:
        return []
    shown = ", ".join(absent[:_SHOWN]) + (" ..." if len(absent) > _SHOWN else "")
    return [
        SourceProblem(
            file=file,
            field=CODE_FIELD,
            code="unknown_unit",
            message=f"{len(absent):,} unit(s) in force have no row in the file and get no "
            f"value: {shown}",
        )
    ]
