"""The peer group of a unit as SQL: one expression shared by the engine and as-of reads.

Gminas by kind x population class, powiats by kind, voivodeships together (as in SMUP and
KOSTRA). Kept apart from `peers` (which needs numpy) so that reads can import it cheaply: an
answer as of a past release recomputes the peer groups of that release from its population.
"""

import math
from typing import Final

POPULATION_CLASSES: Final = (
    (5_000, "<5k"),
    (10_000, "5k-10k"),
    (20_000, "10k-20k"),
    (50_000, "20k-50k"),
    (100_000, "50k-100k"),
    (math.inf, ">=100k"),
)
TYPOLOGY_LEVELS: Final = ("gmina", "powiat", "voivodeship")
TYPOLOGY_LEVELS_SQL: Final = "(" + ", ".join(f"'{level}'" for level in TYPOLOGY_LEVELS) + ")"
POPULATION_INDICATOR: Final = "kontekst.ludnosc"
"""The indicator whose latest value classes a gmina."""


def peer_group_sql(unit: str, population: str) -> str:
    """The peer group of unit alias `unit` (level, kind) with population column `population`.

    Built from the constants above, never from input."""
    classes = " ".join(
        f"WHEN {population} < {int(bound)} THEN '{label}'"
        for bound, label in POPULATION_CLASSES
        if bound != math.inf
    )
    return f"""CASE {unit}.level
           WHEN 'gmina' THEN {unit}.kind || ':' || CASE WHEN {population} IS NULL THEN 'unknown'
               {classes} ELSE '{POPULATION_CLASSES[-1][1]}' END
           WHEN 'powiat' THEN {unit}.kind
           ELSE {unit}.level END"""
