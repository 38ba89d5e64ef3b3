"""The engine's `difference_to = "poland"` shape: a unit's ratio minus Poland's of the same year.

SYNTHETIC observations for real units of the register in force: one gmina in each of the 16
voivodeships, 100 takers each and a mean of 40 + k points in the k-th voivodeship (k = 0..15),
so Poland's mean is 47.5 and every difference is known by hand. The real exam figures are
checked in tests/education/test_cke_e8.py.
"""

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.indicators.catalogue import (
    Catalogue,
    CatalogueError,
    Formula,
    Term,
    _check,
    default_catalogue,
)
from domains.indicators.engine import compute_all
from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import publish_observations
from tests.loaders.teryt_db import teryt_engine, teryt_template

__all__ = ["teryt_engine", "teryt_template"]

YEARS = (2023, 2024)
POINTS = VariableDef(source="test", code="points", name="SYNTHETIC mean x takers", measure_unit="-")
TAKERS = VariableDef(source="test", code="takers", name="SYNTHETIC takers", measure_unit="osoba")
RATIO = Formula(
    numerator=[Term(source="test", code="points")],
    denominator=[Term(source="test", code="takers")],
)
DIFFERENCE = msgspec.structs.replace(RATIO, difference_to="poland")


def catalogue() -> Catalogue:
    template = default_catalogue().indicators[0]
    return Catalogue(
        domains=default_catalogue().domains,
        indicators=[
            msgspec.structs.replace(template, code="test.mean", formula=RATIO),
            msgspec.structs.replace(template, code="test.mean_roznica", formula=DIFFERENCE),
        ],
    )


async def _first_gminas(engine: AsyncEngine) -> list[str]:
    """The first gmina (by code) of every voivodeship in force, in voivodeship order."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT min(teryt) FROM territorial_unit WHERE valid_to IS NULL "
                "AND level = 'gmina' GROUP BY left(teryt, 2) ORDER BY 1"
            )
        )
        return [teryt for (teryt,) in rows]


async def _compute(engine: AsyncEngine, gminas: list[str]) -> dict[tuple[str, str, int], tuple]:
    records = [
        ObservationRecord(row=None, teryt=teryt, variable=variable, year=year, value=value)
        for year in YEARS
        for k, teryt in enumerate(gminas)
        for variable, value in (("points", 100.0 * (40 + k) + (year - 2023)), ("takers", 100.0))
    ]
    async with engine.begin() as conn:
        await publish_observations(conn, run_id=1, variables=[POINTS, TAKERS], records=records)
        await compute_all(conn, catalogue(), run_id=1)
        rows = await conn.execute(
            text("SELECT indicator_code, teryt, year, value, numerator, denominator, flags "
                 "FROM indicator_value")
        )  # fmt: skip
        return {(r.indicator_code, r.teryt, r.year): tuple(r[3:]) for r in rows}


async def test_the_difference_is_the_units_ratio_minus_polands_of_the_same_year(teryt_engine):
    gminas = await _first_gminas(teryt_engine)
    assert len(gminas) == 16
    values = await _compute(teryt_engine, gminas)
    first, last = gminas[0], gminas[-1]  # mean 40 in voivodeship 02, 55 in 32
    assert values["test.mean", first, 2023][0] == pytest.approx(40.0)
    assert values["test.mean_roznica", first, 2023][0] == pytest.approx(40.0 - 47.5)
    assert values["test.mean_roznica", last, 2023][0] == pytest.approx(55.0 - 47.5)
    # 2024: every school 0.01 point better, Poland too: the differences stay
    assert values["test.mean", first, 2024][0] == pytest.approx(40.01)
    assert values["test.mean_roznica", first, 2024][0] == pytest.approx(40.0 - 47.5)
    # a powiat and a voivodeship: the same difference, from sums of their gminas
    assert values["test.mean_roznica", last[:4], 2023][0] == pytest.approx(7.5)
    assert values["test.mean_roznica", "32", 2023][0] == pytest.approx(7.5)
    # the value's numerator and denominator are the unit's own sums
    assert values["test.mean_roznica", "32", 2023][1:3] == (5_500.0, 100.0)
    # the differences of the voivodeships add up to zero (equal takers)
    total = sum(v[0] for (code, teryt, year), v in values.items()
                if code == "test.mean_roznica" and len(teryt) == 2 and year == 2023)  # fmt: skip
    assert total == pytest.approx(0.0)


async def test_without_every_voivodeship_poland_has_no_value_and_no_difference(teryt_engine):
    gminas = await _first_gminas(teryt_engine)
    values = await _compute(teryt_engine, gminas[:-1])  # nothing in voivodeship 32
    assert values["test.mean", gminas[0], 2023][0] == pytest.approx(40.0)
    difference = values["test.mean_roznica", gminas[0], 2023]
    assert difference[0] is None
    assert "poland_missing" in difference[3]


def test_a_difference_to_poland_takes_same_year_terms_only():
    nearest = msgspec.structs.replace(
        DIFFERENCE, denominator=[Term(source="test", code="takers", year="nearest")]
    )
    broken = catalogue()
    indicator = msgspec.structs.replace(broken.indicators[1], formula=nearest)
    with pytest.raises(CatalogueError, match="same-year terms only"):
        _check(Catalogue(domains=broken.domains, indicators=[indicator]))
