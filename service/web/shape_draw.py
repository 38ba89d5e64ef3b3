"""Geometry helpers of the map build: GeoJSON areas in, projected and simplified SVG paths out.

Shared by the powiat and voivodeship build (build_shapes.py) and the gmina build
(build_gminas.py); like them, a build tool that needs shapely (a dev dependency).
"""

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

import msgspec
import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, shape

from service.web.geo import LONGITUDE_FACTOR, GeoDataError

SIMPLIFY_TOLERANCE: Final = 1.0
"""Douglas-Peucker tolerance in map units: under a third of a pixel on a 600 px wide map."""
MIN_CORNERS: Final = 3

Area = Polygon | MultiPolygon
_T = TypeVar("_T")


def read_area(geometry: dict[str, Any], where: str) -> Area:
    try:
        area = shape(geometry)
    except (KeyError, TypeError, ValueError, shapely.errors.ShapelyError) as exc:
        raise GeoDataError(f"{where}: {exc}") from exc
    if not isinstance(area, Polygon | MultiPolygon) or area.is_empty:
        raise GeoDataError(f"{where}: a {area.geom_type}, not a polygon")
    return area


def decode(path: Path, kind: type[_T]) -> _T:
    try:
        return msgspec.json.decode(path.read_bytes(), type=kind)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise GeoDataError(f"{path.name}: {exc}") from exc


def fit(areas: Iterable[Area], width: int) -> tuple[float, float, float, int]:
    """West and north edges (degrees), map units per degree of latitude, and the height, of a
    map `width` units wide fitted to the areas' extent."""
    west, south, east, north = (float(v) for v in shapely.total_bounds(list(areas)))
    scale = width / ((east - west) * LONGITUDE_FACTOR)
    return west, north, scale, math.ceil((north - south) * scale)


def projector(west: float, north: float, scale: float) -> Any:  # noqa: ANN401 - numpy's callable
    """Equirectangular lon/lat -> map units (y downwards) from the map's top-left corner."""

    def project(points: np.ndarray) -> np.ndarray:
        return np.column_stack(
            ((points[:, 0] - west) * LONGITUDE_FACTOR * scale, (north - points[:, 1]) * scale)
        )

    return project


def projection(areas: Iterable[Area], width: int) -> tuple[Any, int]:
    """Equirectangular lon/lat -> map units (y downwards) fitted to the areas' extent."""
    west, north, scale, height = fit(areas, width)
    return projector(west, north, scale), height


def ring_path(ring: Sequence[tuple[float, float]]) -> str:
    """One closed sub-path with relative integer moves; '' when the ring collapses."""
    rounded: list[tuple[int, int]] = []
    for x, y in ring:
        point = (round(x), round(y))
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) > 1 and rounded[0] == rounded[-1]:
        rounded.pop()
    if len(rounded) < MIN_CORNERS:  # fewer than three corners draw nothing
        return ""
    (x, y), parts = rounded[0], []
    for nx, ny in rounded[1:]:
        parts.append(f"{nx - x} {ny - y}")
        x, y = nx, ny
    return f"M{rounded[0][0]} {rounded[0][1]}l" + " ".join(parts).replace(" -", "-") + "z"


def line_path(line: Iterable[tuple[float, ...]]) -> str:
    """One open sub-path with relative integer moves; '' when the line collapses to a point."""
    rounded: list[tuple[int, int]] = []
    for x, y, *_ in line:
        point = (round(x), round(y))
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) < 2:  # noqa: PLR2004 - a point draws nothing
        return ""
    (x, y), parts = rounded[0], []
    for nx, ny in rounded[1:]:
        parts.append(f"{nx - x} {ny - y}")
        x, y = nx, ny
    return f"M{rounded[0][0]} {rounded[0][1]}l" + " ".join(parts).replace(" -", "-")


def borders_path(
    areas: Iterable[Area],
    project: Any,  # noqa: ANN401 - numpy's callable
    tolerance: float = SIMPLIFY_TOLERANCE,
) -> str:
    """The borders of adjacent areas as lines, each shared stretch once (half of their rings).

    Merged at every junction of three areas or more, so the simplified lines still meet there.
    """
    lines = shapely.line_merge(shapely.unary_union([area.boundary for area in areas]))
    simplified = shapely.simplify(shapely.transform(lines, project), tolerance)
    parts = simplified.geoms if isinstance(simplified, MultiLineString) else [simplified]
    return "".join(
        line_path(part.coords)
        for part in parts
        if isinstance(part, LineString) and not part.is_empty
    )


def area_path(
    area: Area,
    project: Any,  # noqa: ANN401 - numpy's callable
    tolerance: float = SIMPLIFY_TOLERANCE,
) -> str:
    """Project, then simplify each ring (Douglas-Peucker), then write the SVG path data."""
    simplified = shapely.simplify(
        shapely.transform(area, project), tolerance, preserve_topology=False
    )
    polygons = simplified.geoms if isinstance(simplified, MultiPolygon) else [simplified]
    return "".join(
        ring_path(ring.coords)
        for polygon in polygons
        if isinstance(polygon, Polygon) and not polygon.is_empty
        for ring in (polygon.exterior, *polygon.interiors)
    )
