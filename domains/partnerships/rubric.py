"""The ZMP cooperation standards (`standards.toml`) as validated Structs, read once at start-up.

A broken file stops the service: ten standards numbered 1-10, each in exactly one group, a
scale of 1-5, and stage descriptors only as the source gives them (standard 5: one entry per
stage 1-5; every other standard: none).
"""

from functools import cache
from pathlib import Path
from typing import Final

import msgspec

RUBRIC_FILE: Final = Path(__file__).resolve().parent / "standards.toml"
STANDARD_COUNT: Final = 10
STAGES: Final = (1, 2, 3, 4, 5)
DESCRIBED: Final = (5,)
"""The standards whose stages the source describes ("Kryterium samooceny nr 5"): only 5."""


class RubricError(ValueError):
    """standards.toml is invalid; names the standard."""


class StageDescriptor(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    stage: int
    points: list[str]


class Standard(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    number: int
    name: str
    title: str
    name_en: str
    statement: str
    stage: list[StageDescriptor] = []
    miarka_indicators: list[str] = []
    """Miarka's choice, not the source's: indicators shown beside the self-assessment."""


class StandardGroup(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    numbers: list[int]
    name: str
    name_en: str


class Rubric(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    source: str
    source_url: str
    scale: list[int]
    no_descriptors_pl: str
    no_descriptors_en: str
    footnote_marks: str
    stages_split: str
    group: list[StandardGroup]
    standard: list[Standard]

    def find(self, number: int) -> Standard | None:
        return next((s for s in self.standard if s.number == number), None)

    def group_of(self, number: int) -> StandardGroup:
        return next(g for g in self.group if number in g.numbers)


def load_rubric(path: Path = RUBRIC_FILE) -> Rubric:
    try:
        rubric = msgspec.toml.decode(path.read_bytes(), type=Rubric)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise RubricError(f"{path.name}: {exc}") from exc
    _check(rubric)
    return rubric


def _check(rubric: Rubric) -> None:
    numbers = [s.number for s in rubric.standard]
    if sorted(numbers) != list(range(1, STANDARD_COUNT + 1)):
        raise RubricError(f"standards.toml: standards must be numbered 1-10 once each: {numbers}")
    grouped = sorted(n for g in rubric.group for n in g.numbers)
    if grouped != list(range(1, STANDARD_COUNT + 1)):
        raise RubricError("standards.toml: every standard must be in exactly one group")
    if tuple(range(rubric.scale[0], rubric.scale[-1] + 1)) != STAGES:
        raise RubricError("standards.toml: the scale must be 1-5")
    for standard in rubric.standard:
        where = f"standards.toml: standard {standard.number}"
        if not standard.statement.strip() or not standard.name.strip():
            raise RubricError(f"{where}: a name and a statement are required")
        if standard.stage and standard.number not in DESCRIBED:
            raise RubricError(f"{where}: the source gives no stage descriptors for it")
        if standard.number in DESCRIBED and tuple(d.stage for d in standard.stage) != STAGES:
            raise RubricError(f"{where}: descriptors, when given, are one per stage 1-5")
        if any(not d.points for d in standard.stage):
            raise RubricError(f"{where}: a stage descriptor without text")


def check_indicators(rubric: Rubric, known: set[str]) -> None:
    """Every indicator a standard shows is in the catalogue (checked when the app starts)."""
    for standard in rubric.standard:
        unknown = sorted(set(standard.miarka_indicators) - known)
        if unknown:
            raise RubricError(f"standards.toml: standard {standard.number}: unknown {unknown}")


@cache
def default_rubric() -> Rubric:
    return load_rubric()
