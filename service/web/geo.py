"""The map shapes of the web client: read once from a shipped file, checked against its digest.

The shapes are SVG path data already placed, joined to TERC codes, projected and simplified by a
build step run by hand (`python -m service.web.build_shapes`, see that module); the service only
reads its output, `shapes/maps.json`, after checking the file's sha256 against the one recorded
beside it in `shapes/maps.toml`. A page render only looks shapes up.
"""

import hashlib
import math
import tomllib
from functools import cache
from pathlib import Path
from typing import Final

import msgspec

SHAPES_DIR: Final = Path(__file__).resolve().parent / "shapes"
RECORD_FILE: Final = "maps.toml"
REBUILD: Final = "rebuild it with `python -m service.web.build_shapes`"
STANDARD_PARALLEL: Final = 52.0
"""Equirectangular projection true at 52°N, the middle of Poland: distortion stays under 4%."""
LONGITUDE_FACTOR: Final = math.cos(math.radians(STANDARD_PARALLEL))


class GeoDataError(ValueError):
    """A shapes or boundary file is not what it should be, or a join would have to guess."""


class GminaMap(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The gminas of one voivodeship, projected to fit that voivodeship alone."""

    width: int
    height: int
    gminas: dict[str, str]
    """Gmina TERC code in force (7 digits) -> SVG path data; gminas without a polygon absent."""
    powiats: str
    """SVG path data of the powiat borders (the gminas dissolved), drawn over the gminas."""
    shared: dict[str, str]
    """Gminas created since 2020, drawn with the 2020 polygon of the gmina they were split from
    (which kept its code and that polygon): new gmina's code -> that gmina's code."""
    west: float
    north: float
    """Longitude and latitude of the map's top-left corner (map units 0, 0)."""
    scale: float
    """Map units per degree of latitude (a degree of longitude is cos 52° of that)."""


def frame_transform(into: GminaMap, source: GminaMap) -> tuple[float, float, float]:
    """(k, dx, dy) taking map units of `source` to those of `into`: x' = k x + dx, y' = k y + dy.

    Both are the same equirectangular projection, each with its own corner and scale, so a gmina
    of the next voivodeship is drawn on a gmina's neighbourhood map without new path data.
    """
    return (
        into.scale / source.scale,
        (source.west - into.west) * LONGITUDE_FACTOR * into.scale,
        (into.north - source.north) * into.scale,
    )


class Neighbourhood(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The gminas around one gmina, for the small map on its page."""

    neighbours: list[str]
    """Gminas whose polygon shares a stretch of border with its own, in any voivodeship."""
    box: tuple[int, int, int, int]
    """x, y, width, height around it and its neighbours, in its voivodeship's map units."""


class Maps(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    width: int
    height: int
    """Map units; the projection and tolerance are in build_shapes.py."""
    voivodeships: dict[str, str]
    """Voivodeship TERC code -> SVG path data."""
    powiats: dict[str, str]
    """Powiat TERC code -> SVG path data."""
    gminas: dict[str, GminaMap]
    """Voivodeship TERC code -> its gmina map (a page draws one voivodeship, never all 2,477)."""
    neighbourhoods: dict[str, Neighbourhood]
    """Gmina TERC code in force -> the gminas around it (every gmina in force has one)."""


class _Record(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    sha256: str
    inputs: dict[str, str]
    """Repository-relative path of each input -> its sha256 when the shapes were built."""


def read_record(directory: Path = SHAPES_DIR) -> _Record:
    try:
        raw = tomllib.loads((directory / RECORD_FILE).read_text(encoding="utf-8"))
        return msgspec.convert(raw, _Record)
    except (OSError, tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise GeoDataError(f"{RECORD_FILE}: {exc}; {REBUILD}") from exc


@cache
def load_maps(directory: Path = SHAPES_DIR) -> Maps:
    """The shipped shapes, refused when their digest is not the recorded one."""
    record = read_record(directory)
    try:
        data = (directory / record.file).read_bytes()
    except OSError as exc:
        raise GeoDataError(f"{record.file}: {exc}; {REBUILD}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != record.sha256:
        raise GeoDataError(
            f"{record.file}: sha256 {digest} is not the recorded {record.sha256}; {REBUILD}"
        )
    try:
        return msgspec.json.decode(data, type=Maps)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise GeoDataError(f"{record.file}: {exc}; {REBUILD}") from exc
