"""Build step for the map shapes: GeoJSON in, joined, projected and simplified paths out.

Run by hand (it needs shapely, a dev dependency) when a boundary file or the TERC register
changes, and commit both files it writes:

    python -m service.web.build_shapes

Three shipped boundary files (data/geo, see data/PROVENANCE.md), each with TERC codes:
voivodeships, powiats and gminas of the 2020 division (the gminas joined to the register in
build_gminas.py). A powiat polygon joins the powiat of the shipped TERC register with the same
4-digit code; the build stops unless every powiat in force has exactly one polygon and every
polygon a powiat in force. The output, `service/web/shapes/maps.json`, is read by
`service.web.geo.load_maps`, which checks its sha256 against `maps.toml`, where the digests of
the inputs are recorded too (a test compares them).
"""

import csv
import hashlib
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Final

import msgspec
import shapely

from loaders.manifest import MANIFEST_NAME, shipped_files, verified_path
from service.settings import REPO_ROOT
from service.web.build_gminas import (
    GMINA_FILE,
    NEW_GMINAS,
    SPLIT_FROM,
    GminaJoin,
    checked_join,
    gmina_maps,
    neighbourhoods,
    read_gminas,
    read_register_gminas,
)
from service.web.geo import RECORD_FILE, SHAPES_DIR, GeoDataError, Maps
from service.web.shape_draw import Area, area_path, decode, projection, read_area

VOIVODESHIP_FILE: Final = "data/geo/waszkiewiczja_wojewodztwa_2025.json"
POWIAT_FILE: Final = "data/geo/jusuff_poland.counties.json"
DATA_DIR: Final = "data"
MAPS_FILE: Final = "maps.json"

MAP_WIDTH: Final = 2000
"""Map units across Poland (~690 km), so one unit is ~0.35 km and integers are precise enough."""


class _VoivodeshipProperties(msgspec.Struct):
    JPT_KOD_JE: str
    JPT_NAZWA_: str


class _PowiatProperties(msgspec.Struct):
    terc: str
    name: str


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


class PowiatJoin(msgspec.Struct, frozen=True, kw_only=True):
    unmatched_codes: list[str]
    """Polygons whose code is no powiat in force."""
    repeated_codes: list[str]
    """Codes that more than one polygon carries."""
    without_shape: list[str]
    """Powiats in force that no polygon carries."""
    renamed: dict[str, tuple[str, str]]
    """Joined under another name: code -> (file's name, register's name)."""


def read_voivodeships(root: Path = REPO_ROOT) -> dict[str, Area]:
    data = decode(root / VOIVODESHIP_FILE, _VoivodeshipFile)
    return {
        f.properties.JPT_KOD_JE: read_area(f.geometry, f.properties.JPT_KOD_JE)
        for f in data.features
    }


def read_powiats(root: Path = REPO_ROOT) -> list[tuple[str, str, Area]]:
    """(4-digit TERC code, name, polygon) of every feature of the powiat file."""
    data = decode(root / POWIAT_FILE, _PowiatFile)
    return [
        (f.properties.terc, f.properties.name, read_area(f.geometry, f.properties.terc))
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


def join_powiats(
    powiats: Iterable[tuple[str, str]], register: Iterable[tuple[str, str]]
) -> PowiatJoin:
    """Match (code, name) of each polygon to the powiat in force with that code; pure.

    A name that differs is only reported (powiat jeleniogórski became karkonoski in 2021, under
    the same code): the code decides.
    """
    in_force = dict(register)
    listed = list(powiats)
    counts = Counter(code for code, _ in listed)
    return PowiatJoin(
        unmatched_codes=sorted({code for code, _ in listed if code not in in_force}),
        repeated_codes=sorted(code for code, n in counts.items() if n > 1),
        without_shape=sorted(code for code in in_force if code not in counts),
        renamed={
            code: (name, in_force[code])
            for code, name in sorted(listed)
            if code in in_force and name != in_force[code]
        },
    )


def checked_powiat_join(
    powiats: Iterable[tuple[str, str, Area]], register: Iterable[tuple[str, str]]
) -> PowiatJoin:
    """The join, or a GeoDataError naming every polygon or powiat that does not fit."""
    joined = join_powiats(((code, name) for code, name, _ in powiats), register)
    if joined.unmatched_codes or joined.repeated_codes or joined.without_shape:
        raise GeoDataError(
            f"powiats not joined: polygons of no powiat in force {joined.unmatched_codes}, "
            f"codes of more than one polygon {joined.repeated_codes}, "
            f"powiats in force without a polygon {joined.without_shape}"
        )
    return joined


def build_maps(root: Path = REPO_ROOT) -> Maps:
    return build(root)[0]


def build(root: Path = REPO_ROOT) -> tuple[Maps, PowiatJoin, GminaJoin]:
    """The maps, and the joins they were drawn from (for the build's report)."""
    voivodeships = read_voivodeships(root)
    powiats = read_powiats(root)
    powiat_join = checked_powiat_join(powiats, read_register_powiats(register_file(root)))
    gminas = read_gminas(root)
    register = read_register_gminas(register_file(root))
    gmina_join = checked_join(gminas, register)
    project, height = projection(voivodeships.values(), MAP_WIDTH)
    by_voivodeship = gmina_maps(gminas, gmina_join, register)
    areas = {code: area for code, _, area in powiats}
    maps = Maps(
        width=MAP_WIDTH,
        height=height,
        voivodeships={code: area_path(a, project) for code, a in sorted(voivodeships.items())},
        powiats={teryt: area_path(a, project) for teryt, a in sorted(areas.items())},
        gminas=by_voivodeship,
        neighbourhoods=neighbourhoods(gminas, gmina_join, by_voivodeship),
    )
    return maps, powiat_join, gmina_join


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


def report(maps: Maps, powiats: PowiatJoin, gminas: GminaJoin) -> str:
    """What the build joined, in words: the counts, each RODZ change and each gmina not drawn."""
    same = len(gminas.teryt_by_code) - len(gminas.rodz_changed)
    lines = [
        f"voivodeships: {len(maps.voivodeships)}; powiats: {len(maps.powiats)} joined by code ("
        + ", ".join(f"{code} {old} -> {new}" for code, (old, new) in powiats.renamed.items())
        + " renamed since 2020)",
        f"gminas: {len(gminas.teryt_by_code)} polygons joined, each to a different gmina in force: "
        f"{same} by the same code ({len(gminas.renamed)} of them renamed since 2020: "
        + ", ".join(f"{code} {old} -> {new}" for code, (old, new) in gminas.renamed.items())
        + f"), {len(gminas.rodz_changed)} by the code in force after a change of RODZ only",
        *(f"  {old} -> {new}" for old, new in sorted(gminas.rodz_changed.items())),
        "gminas in force without a polygon, drawn with the 2020 polygon of the gmina they were "
        "split from (a page says so under the map): "
        + ", ".join(
            f"{teryt} {NEW_GMINAS[teryt]} in {SPLIT_FROM[teryt]}" for teryt in gminas.without_shape
        ),
    ]
    return "\n".join(lines) + "\n"


def main(directory: Path = SHAPES_DIR) -> None:
    maps, powiats, gminas = build()
    digest = write(maps, directory, inputs())
    sys.stdout.write(report(maps, powiats, gminas))
    sys.stdout.write(f"{directory / MAPS_FILE}: sha256 {digest}\n")


if __name__ == "__main__":
    main()
