"""From register rows to what Miarka stores: schools, their figures, and sums per unit.

Two ways of placing a school on a unit, never mixed in one ratio:
- where it is (`loc.*`): every institution located in a gmina, whoever runs it; additive, so
  powiat and voivodeship values are sums of their gminas;
- who runs it (`run.*`): the institutions a gmina, city, powiat or voivodeship runs, stored
  on that government; not additive (a powiat's own schools are not the sum of its gminas').

The register reports some counts on the reporting unit (`Nr RSPO jednostki sprawozdawczej`),
not on each school: a zespół reports the teachers of all its schools and no pupils, its
schools report pupils and no teachers. Pupils per teacher therefore only divides sums over
whole reporting groups: a group whose members are run by different bodies is left out of both
sums (and counted in the run's warnings), never split; so is a group without pupils (a
counselling centre, a pedagogical library), whose posts serve no pupils it reports.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Final

import msgspec

from loaders.schools import layout as col
from loaders.schools.parse import RegisterRow

YEAR_OF_REGISTER: Final = 2018
"""School year 2018/19, state of 30 September 2018 (inferred: see data/PROVENANCE.md)."""


class PlacedRow(msgspec.Struct, frozen=True, kw_only=True):
    school: RegisterRow
    location: str | None
    """Gmina in force where it is (None: not placeable)."""
    location_flag: str | None
    governing: tuple[str, ...]
    """Units in force that run it: one, or a city with powiat rights as gmina and powiat."""
    governing_flag: str | None


class UnitSums(msgspec.Struct, kw_only=True):
    values: dict[str, float]
    flags: set[str]
    first_row: int


LOCATION_VARIABLES: Final = {
    "loc.preschool_children": "Dzieci w wychowaniu przedszkolnym w placówkach położonych w "
    "jednostce (przedszkola, zespoły i punkty przedszkolne oraz oddziały przedszkolne szkół)",
    "loc.preschool_children_non_public": "Dzieci w wychowaniu przedszkolnym w placówkach "
    "niepublicznych położonych w jednostce",
    "loc.sp_pupils": "Uczniowie szkół podstawowych położonych w jednostce",
    "loc.sp_pupils_non_public": "Uczniowie niepublicznych szkół podstawowych położonych w "
    "jednostce",
    "loc.sp_schools": "Szkoły podstawowe z uczniami położone w jednostce",
}
RUN_VARIABLES: Final = {
    "run.sp_pupils": "Uczniowie szkół podstawowych prowadzonych przez jednostkę",
    "run.sp_schools": "Szkoły podstawowe z uczniami prowadzone przez jednostkę",
    "run.sp_class_pupils": "Uczniowie szkół podstawowych prowadzonych przez jednostkę, które "
    "wykazały oddziały",
    "run.sp_classes": "Oddziały szkół podstawowych prowadzonych przez jednostkę",
    "run.pupils": "Uczniowie, wychowankowie i słuchacze szkół i placówek prowadzonych przez "
    "jednostkę (całe jednostki sprawozdawcze)",
    "run.teacher_fte": "Etaty nauczycieli (pełnozatrudnieni i niepełnozatrudnieni w etatach) "
    "szkół i placówek prowadzonych przez jednostkę (całe jednostki sprawozdawcze)",
}


def preschool_children(school: RegisterRow) -> float:
    """All children of a preschool institution; the preschool classes of any other."""
    if school.type_code in col.PRESCHOOL_INSTITUTIONS:
        return school.counts[col.PUPILS]
    return school.counts[col.PRESCHOOL_CLASS_PUPILS]


def teacher_fte(school: RegisterRow) -> float:
    return school.counts[col.TEACHERS_FULL_TIME] + school.counts[col.TEACHERS_PART_TIME_FTE]


def location_sums(rows: Iterable[PlacedRow]) -> dict[str, UnitSums]:
    """Every gmina with at least one institution gets every variable, zeros included."""
    sums: dict[str, UnitSums] = {}
    for placed in rows:
        if placed.location is None:
            continue
        school = placed.school
        unit = sums.setdefault(
            placed.location,
            UnitSums(
                values=dict.fromkeys(LOCATION_VARIABLES, 0.0), flags=set(), first_row=school.row
            ),
        )
        if placed.location_flag:
            unit.flags.add(placed.location_flag)
        children = preschool_children(school)
        unit.values["loc.preschool_children"] += children
        if not school.public:
            unit.values["loc.preschool_children_non_public"] += children
        if school.type_code == col.PRIMARY_SCHOOL:
            pupils = school.counts[col.PUPILS]
            unit.values["loc.sp_pupils"] += pupils
            if not school.public:
                unit.values["loc.sp_pupils_non_public"] += pupils
            if pupils > 0:
                unit.values["loc.sp_schools"] += 1
    return sums


class RunSums(msgspec.Struct, kw_only=True):
    sums: dict[str, UnitSums]
    mixed_groups: int
    mixed_rows: int


def run_sums(rows: list[PlacedRow]) -> RunSums:
    """Sums over the institutions each local government runs (see the module docstring)."""
    groups: dict[tuple[int | str, str], set[tuple[str, ...]]] = defaultdict(set)
    group_pupils: dict[tuple[int | str, str], float] = defaultdict(float)
    for placed in rows:
        key = _group(placed.school)
        groups[key].add(placed.governing or (f"body:{placed.school.governing_body}",))
        group_pupils[key] += placed.school.counts[col.PUPILS]
    mixed = {key for key, governors in groups.items() if len(governors) > 1}
    without_pupils = {key for key in groups if group_pupils[key] == 0}
    sums: dict[str, UnitSums] = {}
    mixed_rows = 0
    for placed in rows:
        school = placed.school
        whole_group = _group(school) not in mixed
        mixed_rows += not whole_group
        whole_group = whole_group and _group(school) not in without_pupils
        for teryt in placed.governing:
            unit = sums.get(teryt)
            if unit is None:
                unit = sums[teryt] = UnitSums(values={}, flags=set(), first_row=school.row)
            if placed.governing_flag:
                unit.flags.add(placed.governing_flag)
            _add_run(unit.values, school, whole_group=whole_group)
    return RunSums(sums=sums, mixed_groups=len(mixed), mixed_rows=mixed_rows)


def _group(school: RegisterRow) -> tuple[int | str, str]:
    # RSPO numbers repeat across voivodeships in this extract (333 of them): a reporting group
    # is its reporting number within the voivodeship where the school is.
    if school.reporting_rspo is None:
        return (f"row {school.row}", school.location_code[:2])
    return (school.reporting_rspo, school.location_code[:2])


def _add_run(values: dict[str, float], school: RegisterRow, *, whole_group: bool) -> None:
    def add(name: str, value: float) -> None:
        values[name] = values.get(name, 0.0) + value

    if whole_group:
        add("run.pupils", school.counts[col.PUPILS])
        add("run.teacher_fte", teacher_fte(school))
    if school.type_code != col.PRIMARY_SCHOOL:
        return
    pupils = school.counts[col.PUPILS]
    if pupils > 0:
        add("run.sp_pupils", pupils)
        add("run.sp_schools", 1)
    if pupils > 0 and school.counts[col.CLASSES] > 0:
        add("run.sp_class_pupils", pupils)
        add("run.sp_classes", school.counts[col.CLASSES])


def repeated_rspo(rows: Iterable[RegisterRow]) -> set[int]:
    """RSPO numbers the extract gives to more than one institution."""
    counts = Counter(row.rspo for row in rows if row.rspo is not None)
    return {rspo for rspo, n in counts.items() if n > 1}
