"""Peer groups: a fixed typology, and for each unit its k most similar units, explained.

Typology (as in SMUP and KOSTRA): gminas by kind x population class; powiats by kind (ziemski
or city with powiat rights); voivodeships form one group. Neighbours: the k nearest units of
the same level in standardised features (log population, log density, shares of people aged
0-14 and 65+), each neighbour stored with the feature values that placed it there.
"""

from typing import Final

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.indicators.typology import TYPOLOGY_LEVELS_SQL, peer_group_sql

NEIGHBOURS: Final = 10
FEATURES: Final = {
    "population": "kontekst.ludnosc",
    "density": "kontekst.gestosc_zaludnienia",
    "share_0_14": "kontekst.udzial_0_14",
    "share_65_plus": "kontekst.udzial_65_plus",
}
LOG_FEATURES: Final = frozenset({"population", "density"})

_TYPOLOGY = f"""
INSERT INTO unit_typology (teryt, year, peer_group, population)
SELECT u.teryt, coalesce(p.year, 0),
       {peer_group_sql("u", "p.value")},
       p.value
FROM territorial_unit u
LEFT JOIN LATERAL (
    SELECT v.year, v.value FROM indicator_raw v
    WHERE v.indicator_code = :population AND v.teryt = u.teryt AND v.value IS NOT NULL
    ORDER BY v.year DESC LIMIT 1
) p ON true
WHERE u.valid_to IS NULL AND u.level IN {TYPOLOGY_LEVELS_SQL}
"""  # noqa: S608 - constants of typology

_LATEST_FEATURES = """
SELECT DISTINCT ON (v.teryt, v.indicator_code) v.teryt, v.level, v.indicator_code, v.value, v.year
FROM indicator_raw v
WHERE v.indicator_code = ANY(:codes) AND v.value IS NOT NULL
ORDER BY v.teryt, v.indicator_code, v.year DESC
"""


async def compute_typology(conn: AsyncConnection, population_indicator: str) -> None:
    await conn.execute(text("DELETE FROM unit_typology"))
    await conn.execute(text(_TYPOLOGY), {"population": population_indicator})


def nearest(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and distances of the k nearest rows of each row (itself excluded)."""
    squared = (matrix**2).sum(axis=1)
    distances = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2 * matrix @ matrix.T, 0))
    np.fill_diagonal(distances, np.inf)
    k = min(k, len(matrix) - 1)
    order = np.argsort(distances, axis=1)[:, :k]
    return order, np.take_along_axis(distances, order, axis=1)


async def compute_neighbours(conn: AsyncConnection, k: int = NEIGHBOURS) -> int:
    await conn.execute(text("DELETE FROM unit_neighbour"))
    rows = (await conn.execute(text(_LATEST_FEATURES), {"codes": list(FEATURES.values())})).all()
    by_code = {code: name for name, code in FEATURES.items()}
    units: dict[str, dict[str, float]] = {}
    levels: dict[str, str] = {}
    years: dict[str, int] = {}
    for teryt, level, code, value, year in rows:
        units.setdefault(teryt, {})[by_code[code]] = float(value)
        levels[teryt] = level
        years[teryt] = max(years.get(teryt, 0), int(year))
    complete = {t: f for t, f in units.items() if len(f) == len(FEATURES)}
    stored = 0
    for level in ("gmina", "powiat", "voivodeship"):
        codes = sorted(t for t in complete if levels[t] == level)
        if len(codes) < 2:  # noqa: PLR2004
            continue
        names = list(FEATURES)
        raw = np.array([[complete[t][n] for n in names] for t in codes], dtype=float)
        for column, name in enumerate(names):
            if name in LOG_FEATURES:
                raw[:, column] = np.log(np.maximum(raw[:, column], 1e-9))
        spread = raw.std(axis=0)
        scaled = (raw - raw.mean(axis=0)) / np.where(spread > 0, spread, 1)
        order, distances = nearest(scaled, k)
        records = [
            {
                "teryt": codes[i],
                "rank": rank + 1,
                "neighbour_teryt": codes[j],
                "distance": round(float(distances[i, rank]), 4),
                "features": {n: round(complete[codes[j]][n], 2) for n in names},
                "year": years[codes[i]],
            }
            for i in range(len(codes))
            for rank, j in enumerate(order[i])
        ]
        raw_conn = await conn.get_raw_connection()
        await raw_conn.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            "unit_neighbour",
            records=[
                (
                    r["teryt"],
                    r["rank"],
                    r["neighbour_teryt"],
                    r["distance"],
                    _json(r["features"]),
                    r["year"],
                )
                for r in records
            ],
            columns=["teryt", "rank", "neighbour_teryt", "distance", "features", "year"],
        )
        stored += len(records)
    return stored


def _json(features: object) -> str:
    import json  # noqa: PLC0415

    return json.dumps(features)
