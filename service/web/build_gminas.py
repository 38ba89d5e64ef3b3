"""Build step for the gmina maps: 2020 gmina polygons joined to the gminas of the register in force.

The boundary file (data/geo/jusuff_poland.municipalities.json, see data/PROVENANCE.md) holds the
2,477 gminas of the 2020 division with their 7-digit TERC code. A polygon joins the gmina of the
shipped TERC register with the same code; when that code is gone, the gmina whose code differs
only in the last (RODZ) digit and whose name is the same (a gmina wiejska that became
miejsko-wiejska: 2 -> 3). The gminas in force that no polygon reaches must be exactly the ones
created since 2020 (`NEW_GMINAS`). No boundary is invented: each is drawn with the 2020 polygon
of the gmina it was split from (`SPLIT_FROM`), which covers both, and a page says so under the
map. Anything else (a polygon joining no gmina or a gmina twice, a name that differs without
being a known renaming) stops the build. Each voivodeship gets its own projection, so a page
draws the gminas of one voivodeship at the scale of that voivodeship; each records its corner
and scale, so the map of a gmina's neighbourhood can draw gminas of the next voivodeship in it.
"""

import csv
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import msgspec
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from service.settings import REPO_ROOT
from service.web.geo import GeoDataError, GminaMap, Neighbourhood
from service.web.shape_draw import (
    Area,
    area_path,
    borders_path,
    decode,
    fit,
    projector,
    read_area,
)

GMINA_FILE: Final = "data/geo/jusuff_poland.municipalities.json"
GMINA_MAP_WIDTH: Final = 1000
"""Map units across one voivodeship (~150-370 km): one unit is under 0.4 km, as on Poland's map;
half of Poland's 2000 units keep the path data short (the page scales its strokes to match)."""
GMINA_SIMPLIFY_TOLERANCE: Final = 1.0
"""Douglas-Peucker tolerance in map units: ~0.6 px on the 608 px wide map of a voivodeship.

A voivodeship is drawn 2-5 times larger than on the map of Poland, so a gmina keeps more of its
points than it would there; the boundary file is coarse already (~28 points a gmina), so the
tolerance mostly drops points closer together than a pixel.
"""
GMINA_KINDS: Final = frozenset("123")
"""RODZ of a gmina: 1 miejska, 2 wiejska, 3 miejsko-wiejska (4-9 are its parts and districts)."""
NEW_GMINAS: Final[Mapping[str, str]] = {
    # Created on 2025-01-01, so missing from the 2020 file: drawn with the polygon they lie in.
    "1207132": "Szczawa",
    "2002162": "Grabówka",
}
SPLIT_FROM: Final[Mapping[str, str]] = {
    # The gmina each new one was split from (it kept its code): its 2020 polygon covers both.
    "1207132": "1207052",  # Kamienica, powiat limanowski
    "2002162": "2002093",  # Supraśl, powiat białostocki
}
NEIGHBOURHOOD_MARGIN: Final = 0.04
"""Share of the neighbourhood's width or height left free around it on the small map."""
GMINA_RENAMES: Final[Mapping[str, tuple[str, str]]] = {
    # Same code, the register's name differs from the 2020 file's: (file's name, register's).
    "2602072": ("Słupia (Jędrzejowska)", "Słupia"),  # the file adds the usual qualifier
    "2604172": ("Sitkówka-Nowiny", "Nowiny"),  # renamed after 2020
    "2212082": ("Słupsk", "Redzikowo"),  # gmina wiejska Słupsk, renamed after 2020
}


class _GminaProperties(msgspec.Struct):
    terc: str
    name: str


class _GminaFeature(msgspec.Struct):
    properties: _GminaProperties
    geometry: dict[str, Any]


class _GminaFile(msgspec.Struct):
    features: list[_GminaFeature]


class GminaJoin(msgspec.Struct, frozen=True, kw_only=True):
    teryt_by_code: dict[str, str]
    """2020 code of each joined polygon -> gmina code in force."""
    rodz_changed: dict[str, str]
    """The joins by code in force after a change of RODZ only (a subset of teryt_by_code)."""
    renamed: dict[str, tuple[str, str]]
    """Joined by the same code under another name: code -> (file's name, register's name)."""
    unmatched_codes: list[str]
    """Polygons that join no gmina in force."""
    joined_twice: list[str]
    """Polygons that would join a gmina another polygon already joined."""
    without_shape: list[str]
    """Gminas in force that no polygon joined."""


def read_gminas(root: Path = REPO_ROOT) -> list[tuple[str, str, Area]]:
    """(2020 TERC code, name, polygon) of every feature of the gmina file."""
    data = decode(root / GMINA_FILE, _GminaFile)
    return [
        (f.properties.terc, f.properties.name, read_area(f.geometry, f.properties.terc))
        for f in data.features
    ]


def read_register_gminas(path: Path) -> dict[str, str]:
    """7-digit TERC code -> name of every gmina of the register file (not their parts)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {
            row["WOJ"] + row["POW"] + row["GMI"] + row["RODZ"]: row["NAZWA"]
            for row in csv.DictReader(handle, delimiter=";")
            if row["GMI"] and row["RODZ"] in GMINA_KINDS
        }


def join_gminas(gminas: Iterable[tuple[str, str]], register: Mapping[str, str]) -> GminaJoin:
    """Match (2020 code, name) of each polygon to a gmina in force; pure."""
    by_six: dict[str, list[str]] = defaultdict(list)
    for teryt in register:
        by_six[teryt[:6]].append(teryt)
    joined: dict[str, str] = {}
    rodz_changed: dict[str, str] = {}
    renamed: dict[str, tuple[str, str]] = {}
    unmatched: list[str] = []
    twice: list[str] = []
    for code, name in gminas:
        found: str | None = None
        if code in register:
            found = code
            if register[code] != name:
                if GMINA_RENAMES.get(code) != (name, register[code]):
                    unmatched.append(code)  # the same code, another name: not guessed
                    continue
                renamed[code] = (name, register[code])
        else:
            same = [t for t in by_six[code[:6]] if register[t] == name]
            if len(same) == 1:
                found = same[0]
                rodz_changed[code] = found
        if found is None:
            unmatched.append(code)
        elif found in joined.values():
            twice.append(code)
        else:
            joined[code] = found
    used = set(joined.values())
    return GminaJoin(
        teryt_by_code=joined,
        rodz_changed=rodz_changed,
        renamed=renamed,
        unmatched_codes=unmatched,
        joined_twice=twice,
        without_shape=sorted(t for t in register if t not in used),
    )


def checked_join(gminas: Iterable[tuple[str, str, Area]], register: Mapping[str, str]) -> GminaJoin:
    """The join, or a GeoDataError naming every polygon or gmina that does not fit."""
    joined = join_gminas(((code, name) for code, name, _ in gminas), register)
    if joined.unmatched_codes or joined.joined_twice:
        raise GeoDataError(
            f"gminas not joined: polygons joining no gmina in force {joined.unmatched_codes}, "
            f"polygons joining a gmina already joined {joined.joined_twice}"
        )
    expected = {teryt: register.get(teryt) for teryt in NEW_GMINAS}
    if joined.without_shape != sorted(NEW_GMINAS) or expected != dict(NEW_GMINAS):
        raise GeoDataError(
            f"gminas in force without a polygon: {joined.without_shape}; "
            f"only the gminas created since 2020 may be, {sorted(NEW_GMINAS)}"
        )
    drawn = set(joined.teryt_by_code.values())
    for new, parent in SPLIT_FROM.items():
        if parent not in drawn or parent[:4] != new[:4]:
            raise GeoDataError(f"gmina {new}: {parent} is no gmina drawn in its powiat")
    return joined


def _dissolved(powiat: str, parts: list[Area]) -> Area:
    """A powiat as the union of its gminas, so its border runs exactly along theirs."""
    union = shapely.unary_union(parts)
    if not isinstance(union, Polygon | MultiPolygon):
        raise GeoDataError(f"powiat {powiat}: its gminas dissolve into a {union.geom_type}")
    return union


def _areas_in_force(gminas: Iterable[tuple[str, str, Area]], joined: GminaJoin) -> dict[str, Area]:
    """Gmina code in force -> its polygon; a new gmina gets the polygon it was split from."""
    areas = {joined.teryt_by_code[code]: area for code, _, area in gminas}
    return {**areas, **{new: areas[parent] for new, parent in SPLIT_FROM.items()}}


def gmina_maps(
    gminas: Iterable[tuple[str, str, Area]], joined: GminaJoin, register: Mapping[str, str]
) -> dict[str, GminaMap]:
    """One map per voivodeship: its gminas and its powiats' borders in its own projection."""
    by_voivodeship: dict[str, dict[str, Area]] = defaultdict(dict)
    for teryt, area in _areas_in_force(gminas, joined).items():
        by_voivodeship[teryt[:2]][teryt] = area
    maps = {}
    for voivodeship, areas in sorted(by_voivodeship.items()):
        west, north, scale, height = fit(areas.values(), GMINA_MAP_WIDTH)
        project = projector(west, north, scale)
        by_powiat: dict[str, list[Area]] = defaultdict(list)
        for teryt, area in areas.items():
            by_powiat[teryt[:4]].append(area)
        borders = borders_path(
            [_dissolved(powiat, parts) for powiat, parts in sorted(by_powiat.items())],
            project,
            GMINA_SIMPLIFY_TOLERANCE,
        )
        maps[voivodeship] = GminaMap(
            width=GMINA_MAP_WIDTH,
            height=height,
            gminas={
                teryt: area_path(area, project, GMINA_SIMPLIFY_TOLERANCE)
                for teryt, area in sorted(areas.items())
            },
            powiats=borders,
            shared={
                new: parent
                for new, parent in sorted(SPLIT_FROM.items())
                if new.startswith(voivodeship) and new in register
            },
            west=west,
            north=north,
            scale=scale,
        )
    return maps


def adjacent(areas: Mapping[str, Area]) -> dict[str, set[str]]:
    """Code -> the codes whose polygon shares a stretch of border with it (not a corner only)."""
    codes = list(areas)
    shapes = [areas[code] for code in codes]
    tree = shapely.STRtree(shapes)
    found: dict[str, set[str]] = {code: set() for code in codes}
    for i, j in zip(*tree.query(shapes, predicate="intersects"), strict=True):
        if i < j and shapes[i].boundary.intersection(shapes[j].boundary).length > 0:
            found[codes[i]].add(codes[j])
            found[codes[j]].add(codes[i])
    return found


def neighbourhoods(
    gminas: Iterable[tuple[str, str, Area]], joined: GminaJoin, maps: Mapping[str, GminaMap]
) -> dict[str, Neighbourhood]:
    """Every gmina's neighbours and the box around them on its voivodeship's map.

    A new gmina lies inside the 2020 polygon of the gmina it was split from: its neighbours are
    that gmina and that gmina's neighbours, and it is a neighbour of each of them.
    """
    drawn = {joined.teryt_by_code[code]: area for code, _, area in gminas}
    found = adjacent(drawn)
    for new, parent in SPLIT_FROM.items():
        found[new] = {parent, *found[parent]}
        for other in found[new]:
            found[other].add(new)
    areas = _areas_in_force(gminas, joined)
    result = {}
    for teryt, others in sorted(found.items()):
        frame = maps[teryt[:2]]
        project = projector(frame.west, frame.north, frame.scale)
        group = [areas[teryt], *(areas[other] for other in others)]
        west, south, east, north = shapely.total_bounds(group)
        (x0, y0), (x1, y1) = project(np.array([[west, north], [east, south]]))
        pad_x, pad_y = (x1 - x0) * NEIGHBOURHOOD_MARGIN, (y1 - y0) * NEIGHBOURHOOD_MARGIN
        left, top = math.floor(x0 - pad_x), math.floor(y0 - pad_y)
        result[teryt] = Neighbourhood(
            neighbours=sorted(others),
            box=(left, top, math.ceil(x1 + pad_x) - left, math.ceil(y1 + pad_y) - top),
        )
    return result
