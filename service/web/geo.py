"""Boundaries for the choropleth maps: GeoJSON in, projected and simplified SVG paths out.

Two shipped files (data/geo, see data/PROVENANCE.md): voivodeships with TERC codes, and powiats
with names only ("powiat bolesławiecki", "powiat Kraków"), ten of them twice. A powiat polygon
is placed in its voivodeship by a point-in-polygon test of a point surely inside it, then joined
to the TERC register by its name within that voivodeship. All geometry work happens once per
process (`load_maps` is cached); a page render only looks shapes up.
"""

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Final

import msgspec

VOIVODESHIP_FILE: Final = "waszkiewiczja_wojewodztwa_2025.json"
POWIAT_FILE: Final = "polska-geojson_powiaty-min.geojson"

MAP_WIDTH: Final = 2000
"""Map units across Poland (~690 km), so one unit is ~0.35 km and integers are precise enough."""
SIMPLIFY_TOLERANCE: Final = 1.0
"""Douglas-Peucker tolerance in map units: under a third of a pixel on a 600 px wide map."""
STANDARD_PARALLEL: Final = 52.0
"""Equirectangular projection true at 52°N, the middle of Poland: distortion stays under 4%."""

POWIAT_RENAMES: Final[Mapping[str, str]] = {
    # Renamed powiat karkonoski in 2021; TERC 2025 has the new name, the powiat file the old.
    "jeleniogórski": "karkonoski",
}

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]
"""Outer ring first, then holes."""


class GeoDataError(ValueError):
    """A boundary file does not have the shape this module expects, or the join is ambiguous."""


class _PolygonGeometry(msgspec.Struct, tag_field="type", tag="Polygon"):
    coordinates: list[list[tuple[float, float]]]


class _MultiPolygonGeometry(msgspec.Struct, tag_field="type", tag="MultiPolygon"):
    coordinates: list[list[list[tuple[float, float]]]]


Geometry = _PolygonGeometry | _MultiPolygonGeometry


class _VoivodeshipProperties(msgspec.Struct):
    JPT_KOD_JE: str
    JPT_NAZWA_: str


class _PowiatProperties(msgspec.Struct):
    id: int
    nazwa: str


class _VoivodeshipFeature(msgspec.Struct):
    properties: _VoivodeshipProperties
    geometry: Geometry


class _PowiatFeature(msgspec.Struct):
    properties: _PowiatProperties
    geometry: Geometry


class _VoivodeshipFile(msgspec.Struct):
    features: list[_VoivodeshipFeature]


class _PowiatFile(msgspec.Struct):
    features: list[_PowiatFeature]


class PowiatShape(msgspec.Struct, frozen=True, kw_only=True):
    """A powiat polygon of the names-only file, placed in its voivodeship."""

    feature_id: int
    name: str
    voivodeship: str
    """TERC code of the voivodeship that contains `inside`."""
    inside: Point
    """A lon/lat point inside the polygon (not a vertex average, which can fall outside)."""
    path: str = ""
    """SVG path data in map units."""


class Maps(msgspec.Struct, frozen=True, kw_only=True):
    width: int
    height: int
    voivodeships: dict[str, str]
    """Voivodeship TERC code -> SVG path data."""
    powiats: list[PowiatShape]


class PowiatJoin(msgspec.Struct, frozen=True, kw_only=True):
    teryt_by_feature: dict[int, str]
    unmatched_features: list[int]
    unmatched_units: list[str]


def _polygons(geometry: Geometry) -> list[Polygon]:
    if isinstance(geometry, _PolygonGeometry):
        return [[list(ring) for ring in geometry.coordinates]]
    return [[list(ring) for ring in polygon] for polygon in geometry.coordinates]


def ring_area(ring: Sequence[Point]) -> float:
    """Signed shoelace area (any unit); the sign tells the winding."""
    return 0.5 * sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True)
    )


def point_in_ring(point: Point, ring: Sequence[Point]) -> bool:
    """Even-odd ray casting; points exactly on an edge may go either way."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def point_in_polygon(point: Point, polygon: Polygon) -> bool:
    outer, *holes = polygon
    return point_in_ring(point, outer) and not any(point_in_ring(point, h) for h in holes)


def interior_point(polygons: Sequence[Polygon]) -> Point:
    """A point surely inside the largest polygon: the middle of the widest span of a scanline.

    A horizontal line crosses the outer ring an even number of times; between the 1st and 2nd,
    3rd and 4th, ... crossing it is inside, so the middle of the widest such span is inside
    (unless a hole covers it, in which case another scanline is tried).
    """
    polygon = max(polygons, key=lambda p: abs(ring_area(p[0])))
    outer = polygon[0]
    ys = [y for _, y in outer]
    low, high = min(ys), max(ys)
    for fraction in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.45, 0.55):
        y = low + (high - low) * fraction
        crossings = sorted(
            x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            for (x0, y0), (x1, y1) in zip(outer, [*outer[1:], outer[0]], strict=True)
            if (y0 > y) != (y1 > y)
        )
        spans = sorted(
            zip(crossings[0::2], crossings[1::2], strict=True), key=lambda s: s[0] - s[1]
        )
        for start, end in spans:
            candidate = ((start + end) / 2, y)
            if point_in_polygon(candidate, polygon):
                return candidate
    raise GeoDataError("no interior point found")  # only for degenerate polygons


def voivodeship_of(point: Point, voivodeships: Mapping[str, list[Polygon]]) -> str:
    found = [
        code
        for code, polygons in voivodeships.items()
        if any(point_in_polygon(point, polygon) for polygon in polygons)
    ]
    if len(found) != 1:
        raise GeoDataError(f"point {point} lies in {len(found)} voivodeships: {found}")
    return found[0]


def normalise_powiat_name(name: str) -> str:
    """'powiat Kraków' and TERC's 'Kraków' both become 'kraków'; renamed powiats follow TERC."""
    text_ = unicodedata.normalize("NFC", name).replace("\u2013", "-").strip()
    text_ = " ".join(text_.split()).casefold().removeprefix("powiat ")
    return POWIAT_RENAMES.get(text_, text_)


def join_powiats(shapes: Iterable[PowiatShape], register: Iterable[tuple[str, str]]) -> PowiatJoin:
    """Match powiat polygons to TERC codes by (voivodeship, normalised name); pure.

    `register` holds (4-digit TERC code, TERC name) of the powiats in force. A key that two
    register entries share is an error: the join would have to guess.
    """
    by_key: dict[tuple[str, str], str] = {}
    for teryt, name in register:
        key = (teryt[:2], normalise_powiat_name(name))
        if key in by_key:
            raise GeoDataError(f"two powiats {key} in the register: {by_key[key]}, {teryt}")
        by_key[key] = teryt
    matched: dict[int, str] = {}
    unmatched: list[int] = []
    for shape in shapes:
        found = by_key.get((shape.voivodeship, normalise_powiat_name(shape.name)))
        if found is None or found in matched.values():
            unmatched.append(shape.feature_id)
        else:
            matched[shape.feature_id] = found
    used = set(matched.values())
    return PowiatJoin(
        teryt_by_feature=matched,
        unmatched_features=unmatched,
        unmatched_units=sorted(t for t in by_key.values() if t not in used),
    )


class Projection(msgspec.Struct, frozen=True):
    """Equirectangular lon/lat -> map units, y downwards, fitted to a bounding box."""

    west: float
    north: float
    scale: float

    def __call__(self, point: Point) -> Point:
        lon, lat = point
        x = (lon - self.west) * math.cos(math.radians(STANDARD_PARALLEL)) * self.scale
        return x, (self.north - lat) * self.scale


def fit_projection(polygons: Iterable[Polygon], width: int) -> tuple[Projection, int]:
    points = [p for polygon in polygons for p in polygon[0]]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    span = (east - west) * math.cos(math.radians(STANDARD_PARALLEL))
    scale = width / span
    return Projection(west, north, scale), math.ceil((north - south) * scale)


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative (rings of thousands of points would recurse deeply)."""
    if len(points) < 3:  # noqa: PLR2004 - a segment cannot be simplified
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        worst, worst_at = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                distance = math.hypot(px - x0, py - y0)
            else:
                distance = abs(dy * px - dx * py + x1 * y0 - y1 * x0) / length
            if distance > worst:
                worst, worst_at = distance, i
        if worst > tolerance:
            keep[worst_at] = True
            stack.extend([(first, worst_at), (worst_at, last)])
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def ring_path(ring: Sequence[Point], projection: Projection, tolerance: float) -> str:
    """One closed sub-path with relative integer moves; '' when the ring collapses."""
    projected = simplify([projection(p) for p in ring], tolerance)
    rounded: list[tuple[int, int]] = []
    for x, y in projected:
        point = (round(x), round(y))
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) > 1 and rounded[0] == rounded[-1]:
        rounded.pop()
    if len(rounded) < 3:  # noqa: PLR2004 - fewer than three corners draw nothing
        return ""
    (x, y), parts = rounded[0], []
    for nx, ny in rounded[1:]:
        parts.append(f"{nx - x} {ny - y}")
        x, y = nx, ny
    return f"M{rounded[0][0]} {rounded[0][1]}l" + " ".join(parts).replace(" -", "-") + "z"


def polygons_path(polygons: Sequence[Polygon], projection: Projection) -> str:
    return "".join(
        ring_path(ring, projection, SIMPLIFY_TOLERANCE) for polygon in polygons for ring in polygon
    )


def _read(path: Path, kind: type[msgspec.Struct]) -> object:
    try:
        return msgspec.json.decode(path.read_bytes(), type=kind)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise GeoDataError(f"{path.name}: {exc}") from exc


def read_voivodeships(geo_dir: Path) -> dict[str, list[Polygon]]:
    data = _read(geo_dir / VOIVODESHIP_FILE, _VoivodeshipFile)
    assert isinstance(data, _VoivodeshipFile)  # noqa: S101 - narrows the decoded type
    return {f.properties.JPT_KOD_JE: _polygons(f.geometry) for f in data.features}


def read_powiats(geo_dir: Path) -> list[tuple[int, str, list[Polygon]]]:
    data = _read(geo_dir / POWIAT_FILE, _PowiatFile)
    assert isinstance(data, _PowiatFile)  # noqa: S101 - narrows the decoded type
    return [(f.properties.id, f.properties.nazwa, _polygons(f.geometry)) for f in data.features]


def place_powiats(
    powiats: Iterable[tuple[int, str, list[Polygon]]], voivodeships: Mapping[str, list[Polygon]]
) -> list[PowiatShape]:
    """Each powiat polygon with the voivodeship that contains a point inside it."""
    shapes = []
    for feature_id, name, polygons in powiats:
        inside = interior_point(polygons)
        shapes.append(
            PowiatShape(
                feature_id=feature_id,
                name=name,
                voivodeship=voivodeship_of(inside, voivodeships),
                inside=inside,
            )
        )
    return shapes


@cache
def load_maps(geo_dir: Path) -> Maps:
    """Read, place, project and simplify both files once per process and directory."""
    voivodeships = read_voivodeships(geo_dir)
    powiats = read_powiats(geo_dir)
    projection, height = fit_projection(
        [p for polygons in voivodeships.values() for p in polygons], MAP_WIDTH
    )
    polygons_by_id = {feature_id: polygons for feature_id, _, polygons in powiats}
    shapes = [
        msgspec.structs.replace(
            shape, path=polygons_path(polygons_by_id[shape.feature_id], projection)
        )
        for shape in place_powiats(powiats, voivodeships)
    ]
    return Maps(
        width=MAP_WIDTH,
        height=height,
        voivodeships={
            code: polygons_path(polygons, projection)
            for code, polygons in sorted(voivodeships.items())
        },
        powiats=shapes,
    )
