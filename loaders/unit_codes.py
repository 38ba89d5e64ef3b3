"""Place a gmina code as a source file holds it on a gmina of the register in force.

Files of 2018-2023 use the division of their year and write codes as text or as numbers
(leading zeros lost). Every code is placed one of these ways, counted per run:

- `direct`: a gmina (RODZ 1-3) in force;
- `part_rolled_up`: a town or rural part (RODZ 4, 5) rolled up to its urban-rural gmina;
- `district_to_city`: a Warsaw dzielnica (8) or a city delegatura (9) rolled up to the city;
- `code_changed`: a gmina whose RODZ digit changed since (wiejska 2 -> miejsko-wiejska 3: same
  territory, same name), carried to the code in force with the `code_changed` flag;
- `unplaced`: anything else (a gmina dissolved or split since, a code of no unit): the row is
  listed with file, row and field, and a file with more than 1 % of them is refused.

The TERYT history decides the last two: the older registers shipped in `data/` (manifest
source `teryt_history`, today the one of 2020-01-01). A code the register in force lacks is
`code_changed` only when an older register has it under the name and powiat of the one gmina
in force at the same six digits; a part or district the register in force lacks is rolled up
to the parent the older register gives it. A 2018 code of a gmina whose RODZ changed in 2019
is in neither register, so it stays unplaced: nothing is guessed from the six digits alone.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Final, Literal, NamedTuple

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.units.kinds import VOIVODESHIP_CODES
from loaders.errors import LoadRefused, SourceProblem
from loaders.manifest import shipped_files, verified_path
from loaders.source_text import read_source_text
from loaders.teryt.parse import parse_register

Placement = Literal["direct", "part_rolled_up", "district_to_city", "code_changed", "unplaced"]
CODE_CHANGED_FLAG: Final = "code_changed"
MAX_UNPLACED_SHARE: Final = 0.01
_GMINA_RODZ: Final = frozenset("123")
_PART_RODZ: Final = frozenset("45")
_DISTRICT_RODZ: Final = frozenset("89")
_TERC_DIGITS: Final = frozenset((2, 4, 7))
HISTORY_SOURCE: Final = "teryt_history"
SHIPPED_DATA: Final = Path(__file__).resolve().parents[1] / "data"
"""The repository's `data/`: the history is part of the code's reference data, whatever
folder `MIARKA_DATA_DIR` names for the files to load."""


def normalise_terc(raw: object, digits: int = 7) -> str | None:
    """The TERC code of a cell read as text or as a number (`206011` -> `0206011`).

    None when the cell is not a code of `digits` digits (an empty cell, text, a float with
    decimals). Whitespace and a trailing `.0` of a spreadsheet number are tolerated.
    """
    if raw is None:
        return None
    if isinstance(raw, float):
        if raw != raw or not raw.is_integer():  # NaN or a fraction  # noqa: PLR0124
            return None
        raw = int(raw)
    text_ = str(raw).strip()
    if text_.endswith(".0"):
        text_ = text_[:-2]
    if not text_.isdigit() or len(text_) > digits:
        return None
    return text_.zfill(digits)


def gmina_code_problem(
    code: str | None, raw: object, rodz: frozenset[str], kinds: str
) -> str | None:
    """Why a cell (`raw`, read as `code` by `normalise_terc`) is not the TERC code of a gmina
    or a part of one, or None when it is; `rodz` are the RODZ digits the source may use,
    `kinds` says which in the problem ("a gmina or a part of one (1-5)")."""
    if code is None:
        return f"not a 7-digit TERC code: {raw!r}"
    if code[:2] not in VOIVODESHIP_CODES or code[2:4] == "00" or code[4:6] == "00":
        return f"not a TERC code of a gmina (bad voivodeship, powiat or gmina part): {raw!r}"
    if code[6] not in rodz:
        return f"RODZ {code[6]} is not {kinds}: {raw!r}"
    return None


class HistoricUnit(NamedTuple):
    name: str
    parent: str | None


class HistoricRegister(msgspec.Struct, frozen=True, kw_only=True):
    """An older TERC register: every code it has, with the unit's name and parent then."""

    stan_na: date
    units: dict[str, HistoricUnit]


@cache
def shipped_history() -> tuple[HistoricRegister, ...]:
    """The older registers of the manifest (source `teryt_history`), sha256 checked, newest
    first; read once per process (4,194 rows of 2020 in about 50 ms)."""
    registers = []
    for entry in shipped_files(SHIPPED_DATA, HISTORY_SOURCE):
        source = read_source_text(verified_path(SHIPPED_DATA, entry), "TERC*.csv")
        register = parse_register(source)
        units = {u.teryt: HistoricUnit(u.name, u.parent_teryt) for u in register.units}
        registers.append(HistoricRegister(stan_na=register.stan_na, units=units))
    return tuple(sorted(registers, key=lambda r: r.stan_na, reverse=True))


async def register_in_force(conn: AsyncConnection) -> tuple[dict[str, str | None], dict[str, str]]:
    """Every unit code in force -> its parent code, and -> its name."""
    rows = (
        await conn.execute(
            text("SELECT teryt, parent_teryt, name FROM territorial_unit WHERE valid_to IS NULL")
        )
    ).all()
    return {str(t): parent for t, parent, _ in rows}, {str(t): str(name) for t, _, name in rows}


class PlacedCode(msgspec.Struct, frozen=True):
    teryt: str | None
    """The gmina in force, None when unplaced."""
    how: Placement

    @property
    def flag(self) -> str | None:
        return CODE_CHANGED_FLAG if self.how == "code_changed" else None


class GminaPlacer:
    """Places 7-digit codes on gminas in force, counting how and listing what it cannot place."""

    def __init__(
        self,
        file: str,
        units: Mapping[str, str | None],
        *,
        names: Mapping[str, str],
        history: Sequence[HistoricRegister] | None = None,
    ) -> None:
        """`units`: every unit code in force -> its parent code; `names`: -> its name;
        `history`: older registers, newest first (default: the shipped ones)."""
        if not units:
            raise LoadRefused.one(
                file,
                "no territorial units loaded yet: run `miarka load teryt`",
                code="unknown_unit",
            )
        self.file = file
        self._parent = units
        self._names = names
        self._history = shipped_history() if history is None else tuple(history)
        self._gminas_by_prefix: dict[str, list[str]] = {}
        for code in units:
            if len(code) == 7 and code[6] in _GMINA_RODZ:  # noqa: PLR2004
                self._gminas_by_prefix.setdefault(code[:6], []).append(code)
        self.counts: Counter[Placement] = Counter()
        self.unplaced: list[SourceProblem] = []
        self._cache: dict[str, PlacedCode] = {}

    @classmethod
    async def from_db(cls, conn: AsyncConnection, file: str) -> "GminaPlacer":
        units, names = await register_in_force(conn)
        return cls(file, units, names=names)

    def place(
        self, code: str | None, *, row: int | None, field: str, sheet: str | None = None
    ) -> PlacedCode:
        """Place one row's code; an unplaced row is counted and listed."""
        placed = self._cache.get(code) if code is not None else None
        if placed is None:
            placed = self._place(code)
            if code is not None:
                self._cache[code] = placed
        self.counts[placed.how] += 1
        if placed.teryt is None:
            self.unplaced.append(
                SourceProblem(
                    file=self.file,
                    sheet=sheet,
                    row=row,
                    field=field,
                    code="bad_code" if code is None else "unknown_unit",
                    message=(
                        "not a 7-digit TERC gmina code"
                        if code is None
                        else f"gmina {code} is not in the register in force, nor a part or "
                        f"district of one, nor a gmina of the register of {self._dates()} "
                        "under the name of the gmina in force at its six digits; row not counted"
                    ),
                )
            )
        return placed

    def _dates(self) -> str:
        return " or ".join(str(r.stan_na) for r in self._history) or "(no history shipped)"

    def _place(self, code: str | None) -> PlacedCode:
        if code is None or len(code) != 7 or not code.isdigit():  # noqa: PLR2004
            return PlacedCode(None, "unplaced")
        rodz = code[6]
        if rodz in _GMINA_RODZ:
            return PlacedCode(code, "direct") if code in self._parent else self._renumbered(code)
        if rodz in _PART_RODZ | _DISTRICT_RODZ:
            return self._rolled_up(
                code, "part_rolled_up" if rodz in _PART_RODZ else "district_to_city"
            )
        return PlacedCode(None, "unplaced")

    def _rolled_up(self, code: str, how: Placement) -> PlacedCode:
        """A part or district: to its gmina in force, or to the gmina an older register gives
        it (placed in turn: a parent whose RODZ changed since carries the flag)."""
        parent = self._parent.get(code)
        if parent is not None and len(parent) == 7:  # noqa: PLR2004
            return PlacedCode(parent, how)
        old = next((r.units[code] for r in self._history if code in r.units), None)
        if old is None or old.parent is None or len(old.parent) != 7:  # noqa: PLR2004
            return PlacedCode(None, "unplaced")
        above = self._place(old.parent)
        if above.teryt is None or above.how == "code_changed":
            return above
        return PlacedCode(above.teryt, how)

    def _renumbered(self, code: str) -> PlacedCode:
        """A gmina code not in force: `code_changed` when it is the one gmina in force at its
        six digits under another RODZ, as an older register shows by name and powiat: either
        under this code, or (a rural gmina that became urban-rural before the oldest register
        held) already under the code in force, with no rural gmina left at the six digits."""
        candidates = self._gminas_by_prefix.get(code[:6], [])
        if len(candidates) == 1:
            [in_force] = candidates
            now = HistoricUnit(self._names.get(in_force, ""), self._parent.get(in_force))
            if any(r.units.get(code) == now for r in self._history):
                return PlacedCode(in_force, "code_changed")
            if self._town_rights_before_history(code, in_force, now):
                return PlacedCode(in_force, "code_changed")
        return PlacedCode(None, "unplaced")

    def _town_rights_before_history(self, code: str, in_force: str, now: HistoricUnit) -> bool:
        """A RODZ 2 code of no register held, whose gmina in force is urban-rural (3) and was
        so, with the same name and powiat, in the oldest register: the 2018-2019 code of a
        rural gmina granted town rights on 2019-01-01 or 2020-01-01."""
        if not self._history or code[6] != "2" or in_force[6] != "3":
            return False
        if any(code in register.units for register in self._history):
            return False
        oldest = self._history[-1].units
        rural_then = [c for c in oldest if c[:6] == code[:6] and c[6] in "12"]
        return oldest.get(in_force) == now and not rural_then

    def report(self) -> dict[str, int]:
        """How many rows were placed which way (every placement named, zeros included)."""
        return {how: self.counts.get(how, 0) for how in Placement.__args__}  # type: ignore[attr-defined]

    def refuse_if_too_many_unplaced(self, rows: int | None = None) -> None:
        """More than 1 % of the rows unplaced: a file of another division, or mis-coded."""
        total = rows if rows is not None else sum(self.counts.values())
        refuse_if_too_many_unplaced(self.file, self.unplaced, total)


def refuse_if_too_many_unplaced(
    file: str, unplaced: list[SourceProblem], rows: int, *, on: str = "gmina"
) -> None:
    """Refuse a file with more than 1 % of its `rows` not placed on a unit (`on`) in force,
    naming where the first one is and listing them all."""
    if rows and len(unplaced) > rows * MAX_UNPLACED_SHARE:
        first = unplaced[0]
        raise LoadRefused(
            [
                SourceProblem(
                    file=file,
                    sheet=first.sheet,
                    row=first.row,
                    field=first.field,
                    code="too_many_unplaced",
                    message=f"{len(unplaced):,} of {rows:,} rows could not be placed "
                    f"on a {on} in force (more than {MAX_UNPLACED_SHARE:.0%})",
                ),
                *unplaced,
            ]
        )


def is_terc(code: str) -> bool:
    return code.isdigit() and len(code) in _TERC_DIGITS
