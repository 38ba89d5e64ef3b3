"""Build step for the map shapes: GeoJSON in, placed, joined, projected and simplified paths out.

Run by hand (it needs shapely, a dev dependency) when a boundary file or the TERC register
changes, and commit both files it writes:

    python -m service.web.build_shapes

Three shipped boundary files (data/geo, see data/PROVENANCE.md): voivodeships with TERC codes,
gminas of the 2020 division with TERC codes (joined to the register in build_gminas.py), and
powiats with names only ("powiat bolesławiecki", "powiat Kraków"), ten of them twice. A powiat
polygon is placed in its voivodeship by a point surely inside it (GEOS's interior point: the
middle of the widest span of a scanline), then joined to the powiats of the shipped TERC register
by name within that voivodeship; the build stops unless all of them join, each once. The output,
`service/web/shapes/maps.json`, is read by `service.web.geo.load_maps`, which checks its sha256
against `maps.toml`, where the digests of the inputs are recorded too (a test compares them).
"""

import csv
import hashlib
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Final

import msgspec
import shapely
from shapely.geometry import Point
from shapely.prepared import prep

from loaders.manifest import MANIFEST_NAME, shipped_files, verified_path
from service.settings import REPO_ROOT
from service.web.build_gminas import (
    GMINA_FILE,
    NEW_GMINAS,
    GminaJoin,
    checked_join,
    gmina_maps,
    read_gminas,
    read_register_gminas,
)
from service.web.geo import RECORD_FILE, SHAPES_DIR, GeoDataError, Maps
from service.web.shape_draw import Area, area_path, decode, projection, read_area

VOIVODESHIP_FILE: Final = "data/geo/waszkiewiczja_wojewodztwa_2025.json"
POWIAT_FILE: Final = "data/geo/polska-geojson_powiaty-min.geojson"
DATA_DIR: Final = "data"
MAPS_FILE: Final = "maps.json"

MAP_WIDTH: Final = 2000
"""Map units across Poland (~690 km), so one unit is ~0.35 km and integers are precise enough."""

POWIAT_RENAMES: Final[Mapping[str, str]] = {
    # Renamed powiat karkonoski in 2021; TERC 2025 has the new name, the powiat file the old.
    "jeleniogórski": "karkonoski",
}


class _VoivodeshipProperties(msgspec.Struct):
    JPT_KOD_JE: str
    JPT_NAZWA_: str


class _PowiatProperties(msgspec.Struct):
    id: int
    nazwa: str


class _VoivodeshipFeature(msgspec.Struct):
    properties: _VoivodeshipProperties
    geometry: dict[str, Any]


class _PowiatFeature(msgspec.Struct):
    properties: _PowiatProperties
    geometry: dict[str, Any]


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
    inside: tuple[float, float]
    """A lon/lat point inside the polygon (not a vertex average, which can fall outside)."""


class PowiatJoin(msgspec.Struct, frozen=True, kw_only=True):
    teryt_by_feature: dict[int, str]
    unmatched_features: list[int]
    unmatched_units: list[str]


def read_voivodeships(root: Path = REPO_ROOT) -> dict[str, Area]:
    data = decode(root / VOIVODESHIP_FILE, _VoivodeshipFile)
    return {
        f.properties.JPT_KOD_JE: read_area(f.geometry, f.properties.JPT_KOD_JE)
        for f in data.features
    }


def read_powiats(root: Path = REPO_ROOT) -> list[tuple[int, str, Area]]:
    data = decode(root / POWIAT_FILE, _PowiatFile)
    return [
        (f.properties.id, f.properties.nazwa, read_area(f.geometry, f.properties.nazwa))
        for f in data.features
    ]


def register_file(root: Path = REPO_ROOT) -> Path:
    """The TERC register in force that the service loads: the newest `teryt` file shipped.

    Older registers may be shipped too (to place codes of older files); the map shows today's
    powiats, so the newest by `as_of` (then the last listed) is the one joined to.
    """
    data_dir = root / DATA_DIR
    registers = list(enumerate(shipped_files(data_dir, "teryt")))
    if not registers:
        raise GeoDataError(f"{DATA_DIR}/{MANIFEST_NAME}: no teryt file")
    _, newest = max(registers, key=lambda item: (item[1].as_of or date.min, item[0]))
    return verified_path(data_dir, newest)


def read_register_powiats(path: Path) -> list[tuple[str, str]]:
    """(4-digit TERC code, TERC name) of every powiat of the register file."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            (row["WOJ"] + row["POW"], row["NAZWA"])
            for row in csv.DictReader(handle, delimiter=";")
            if row["POW"] and not row["GMI"]
        ]


def place_powiats(
    powiats: Iterable[tuple[int, str, Area]], voivodeships: Mapping[str, Area]
) -> list[PowiatShape]:
    """Each powiat polygon with the one voivodeship that contains a point inside it."""
    prepared = {code: prep(area) for code, area in voivodeships.items()}
    shapes = []
    for feature_id, name, area in powiats:
        inside = area.representative_point()
        found = [code for code, voivodeship in prepared.items() if voivodeship.contains(inside)]
        if len(found) != 1:
            raise GeoDataError(f"{name}: its inside point lies in {len(found)} voivodeships")
        shapes.append(
            PowiatShape(
                feature_id=feature_id,
                name=name,
                voivodeship=found[0],
                inside=(inside.x, inside.y),
            )
        )
    return shapes


def contains(area: Area, point: tuple[float, float]) -> bool:
    return bool(area.contains(Point(point)))


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
    for item in shapes:
        found = by_key.get((item.voivodeship, normalise_powiat_name(item.name)))
        if found is None or found in matched.values():
            unmatched.append(item.feature_id)
        else:
            matched[item.feature_id] = found
    used = set(matched.values())
    return PowiatJoin(
        teryt_by_feature=matched,
        unmatched_features=unmatched,
        unmatched_units=sorted(t for t in by_key.values() if t not in used),
    )


def build_maps(root: Path = REPO_ROOT) -> Maps:
    return build(root)[0]


def build(root: Path = REPO_ROOT) -> tuple[Maps, GminaJoin]:
    """The maps, and the gmina join they were drawn from (for the build's report)."""
    voivodeships = read_voivodeships(root)
    powiats = read_powiats(root)
    joined = join_powiats(
        place_powiats(powiats, voivodeships), read_register_powiats(register_file(root))
    )
    if joined.unmatched_features or joined.unmatched_units:
        raise GeoDataError(
            f"powiats not joined: features {joined.unmatched_features}, "
            f"TERC codes {joined.unmatched_units}"
        )
    gminas = read_gminas(root)
    register = read_register_gminas(register_file(root))
    gmina_join = checked_join(gminas, register)
    project, height = projection(voivodeships.values(), MAP_WIDTH)
    areas = {joined.teryt_by_feature[feature_id]: area for feature_id, _, area in powiats}
    maps = Maps(
        width=MAP_WIDTH,
        height=height,
        voivodeships={code: area_path(a, project) for code, a in sorted(voivodeships.items())},
        powiats={teryt: area_path(a, project) for teryt, a in sorted(areas.items())},
        gminas=gmina_maps(gminas, gmina_join, register),
    )
    return maps, gmina_join


def inputs(root: Path = REPO_ROOT) -> dict[str, str]:
    """Repository-relative path -> sha256 of every file the shapes are built from."""
    files = [root / VOIVODESHIP_FILE, root / POWIAT_FILE, root / GMINA_FILE, register_file(root)]
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in files
    }


def write(maps: Maps, directory: Path, sources: Mapping[str, str]) -> str:
    """Write the shapes and their record; return the shapes' sha256."""
    data = msgspec.json.encode(maps)
    digest = hashlib.sha256(data).hexdigest()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MAPS_FILE).write_bytes(data)
    lines = [
        "# Written by `python -m service.web.build_shapes`; do not edit. The web client refuses",
        "# a maps.json whose sha256 is not this one; [inputs] are the files it was built from.",
        f'file = "{MAPS_FILE}"',
        f'sha256 = "{digest}"',
        f'shapely = "{shapely.__version__}"',
        f'geos = "{shapely.geos_version_string}"',
        "",
        "[inputs]",
        *(f'"{path}" = "{sha}"' for path, sha in sources.items()),
    ]
    (directory / RECORD_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return digest


def report(maps: Maps, gminas: GminaJoin) -> str:
    """What the build joined, in words: the counts, each RODZ change and each gmina not drawn."""
    same = len(gminas.teryt_by_code) - len(gminas.rodz_changed)
    lines = [
        f"voivodeships: {len(maps.voivodeships)}; powiats: {len(maps.powiats)} joined by name",
        f"gminas: {len(gminas.teryt_by_code)} polygons joined, each to a different gmina in force: "
        f"{same} by the same code ({len(gminas.renamed)} of them renamed since 2020: "
        + ", ".join(f"{code} {old} -> {new}" for code, (old, new) in gminas.renamed.items())
        + f"), {len(gminas.rodz_changed)} by the code in force after a change of RODZ only",
        *(f"  {old} -> {new}" for old, new in sorted(gminas.rodz_changed.items())),
        "gminas in force without a polygon, not drawn (a page lists them as no shape): "
        + ", ".join(f"{teryt} {NEW_GMINAS[teryt]}" for teryt in gminas.without_shape),
    ]
    return "\n".join(lines) + "\n"


def main(directory: Path = SHAPES_DIR) -> None:
    maps, gminas = build()
    digest = write(maps, directory, inputs())
    sys.stdout.write(report(maps, gminas))
    sys.stdout.write(f"{directory / MAPS_FILE}: sha256 {digest}\n")


if __name__ == "__main__":
    main()
