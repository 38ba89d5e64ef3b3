"""The map shapes: built once from the boundary files (all 380 powiats joined by TERC code, each
once; every gmina in force drawn once, the two created in 2025 with the 2020 polygon of the gmina
they were split from; every gmina's neighbours) and shipped with digests that the web client and
this test check.

The build step (service/web/build_shapes.py) needs shapely, a dev dependency, so these tests
import it; the service itself only reads the shipped service/web/shapes/maps.json.
"""

import hashlib
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import msgspec
import pytest
import shapely

from service.settings import REPO_ROOT
from service.web import build_shapes
from service.web.build_gminas import (
    GMINA_FILE,
    NEW_GMINAS,
    SPLIT_FROM,
    checked_join,
    join_gminas,
    read_gminas,
    read_register_gminas,
)
from service.web.build_shapes import (
    POWIAT_FILE,
    build,
    build_maps,
    checked_powiat_join,
    join_powiats,
    read_powiats,
    read_register_powiats,
    register_file,
)
from service.web.geo import RECORD_FILE, SHAPES_DIR, GeoDataError, Maps, load_maps, read_record

POWIATS_IN_FORCE = 380
GMINAS_IN_FORCE = 2479
GMINA_POLYGONS = 2477
RODZ_CHANGED = 80
WLODOWICE_2020, WLODOWICE = "2416092", "2416093"  # gmina wiejska in 2020, miejsko-wiejska now
SZCZAWA, KAMIENICA = "1207132", "1207052"  # created on 2025-01-01 from a part of Kamienica
ZYWIEC = "2417011"
ZYWIEC_NEIGHBOURS = ["2417022", "2417032", "2417062", "2417072", "2417082", "2417102", "2417132"]


@cache
def terc_powiats() -> list[tuple[str, str]]:
    return read_register_powiats(register_file())


@cache
def powiat_polygons() -> list[tuple[str, str, shapely.Geometry]]:
    return read_powiats()


def powiat_codes(register: list[tuple[str, str]] | None = None):
    return join_powiats([(c, n) for c, n, _ in powiat_polygons()], register or terc_powiats())


@cache
def built() -> Maps:
    return build_maps()


@cache
def terc_gminas() -> dict[str, str]:
    return read_register_gminas(register_file())


@cache
def gmina_polygons() -> list[tuple[str, str, shapely.Geometry]]:
    return read_gminas()


def test_the_build_joins_to_the_newest_shipped_register():
    assert register_file() == REPO_ROOT / "data" / "teryt" / "TERC_Urzedowy_2025-11-18.csv"


def test_all_380_powiats_join_to_distinct_terc_codes():
    joined = checked_powiat_join(powiat_polygons(), terc_powiats())
    assert len(terc_powiats()) == POWIATS_IN_FORCE
    assert len(powiat_polygons()) == POWIATS_IN_FORCE
    assert joined.unmatched_codes == joined.repeated_codes == joined.without_shape == []
    codes = {code for code, _, _ in powiat_polygons()}
    assert codes == {teryt for teryt, _ in terc_powiats()}


def test_the_built_and_the_shipped_maps_hold_every_powiat_once():
    codes = {teryt for teryt, _ in terc_powiats()}
    assert set(built().powiats) == codes
    assert set(load_maps().powiats) == codes
    assert set(load_maps().voivodeships) == {teryt[:2] for teryt in codes}


def test_a_powiat_renamed_since_2020_joins_by_its_code():
    joined = powiat_codes()
    # powiat jeleniogórski became karkonoski in 2021 under the same code
    assert joined.renamed == {"0206": ("jeleniogórski", "karkonoski")}
    assert load_maps().powiats["0206"].startswith("M")


def test_a_powiat_missing_from_the_register_is_reported_not_guessed():
    register = [(teryt, name) for teryt, name in terc_powiats() if teryt != "2417"]
    joined = powiat_codes(register)
    assert joined.unmatched_codes == ["2417"]
    assert joined.without_shape == []
    with pytest.raises(GeoDataError, match=r"powiats not joined.*\['2417'\]"):
        checked_powiat_join(powiat_polygons(), register)


def test_a_powiat_without_a_polygon_or_with_two_stops_the_build():
    without = [p for p in powiat_polygons() if p[0] != "1261"]
    with pytest.raises(GeoDataError, match=r"without a polygon \['1261'\]"):
        checked_powiat_join(without, terc_powiats())
    twice = [*powiat_polygons(), powiat_polygons()[0]]
    with pytest.raises(GeoDataError, match=r"more than one polygon \['0201'\]"):
        checked_powiat_join(twice, terc_powiats())


def test_the_old_powiat_file_joined_by_name_is_gone():
    assert POWIAT_FILE == "data/geo/jusuff_poland.counties.json"
    assert not (REPO_ROOT / "data" / "geo" / "polska-geojson_powiaty-min.geojson").exists()
    sha = hashlib.sha256((REPO_ROOT / POWIAT_FILE).read_bytes()).hexdigest()
    assert read_record().inputs[POWIAT_FILE] == sha
    assert sha in (REPO_ROOT / "data" / "PROVENANCE.md").read_text(encoding="utf-8")


def test_the_build_stops_unless_every_powiat_joins(tmp_path):
    """A register without one powiat: the build names the feature instead of writing a map."""
    data = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data" / "geo", data / "geo")
    (data / "teryt").mkdir()
    source = register_file()
    lines = source.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    kept = "".join(line for line in lines if not line.startswith("24;17;;"))
    assert len(kept) < len("".join(lines))
    register = data / "teryt" / source.name
    register.write_text(kept, encoding="utf-8")
    sha = hashlib.sha256(register.read_bytes()).hexdigest()
    (data / "manifest.toml").write_text(
        f'[[file]]\nsource = "teryt"\npath = "teryt/{source.name}"\nsha256 = "{sha}"\n'
        'publisher = "GUS"\nas_of = 2025-01-01\n',
        encoding="utf-8",
    )
    with pytest.raises(GeoDataError, match="powiats not joined"):
        build_maps(tmp_path)


def test_every_gmina_polygon_joins_a_different_gmina_in_force():
    joined = checked_join(gmina_polygons(), terc_gminas())
    assert len(terc_gminas()) == GMINAS_IN_FORCE
    assert len(gmina_polygons()) == GMINA_POLYGONS
    assert len(joined.teryt_by_code) == GMINA_POLYGONS
    assert len(set(joined.teryt_by_code.values())) == GMINA_POLYGONS
    assert len(joined.rodz_changed) == RODZ_CHANGED
    for old, new in joined.rodz_changed.items():  # only the RODZ digit, same name
        assert old[:6] == new[:6]
        assert (old[6], new[6]) == ("2", "3")
    assert joined.without_shape == sorted(NEW_GMINAS) == ["1207132", "2002162"]  # no polygon
    assert {teryt: terc_gminas()[teryt] for teryt in NEW_GMINAS} == NEW_GMINAS


def test_the_built_and_the_shipped_maps_draw_every_gmina_in_force_once():
    expected = set(terc_gminas())
    for maps in (built(), load_maps()):
        drawn = [
            (voivodeship, teryt)
            for voivodeship, gminas in maps.gminas.items()
            for teryt in gminas.gminas
        ]
        assert len(drawn) == len(expected) == GMINAS_IN_FORCE
        assert {teryt for _, teryt in drawn} == expected
        assert all(teryt[:2] == voivodeship for voivodeship, teryt in drawn)
        assert set(maps.gminas) == set(maps.voivodeships)


def test_the_new_gminas_are_drawn_with_the_2020_polygon_they_were_split_from():
    assert {new: terc_gminas()[old] for new, old in SPLIT_FROM.items()} == {
        "1207132": "Kamienica",
        "2002162": "Supraśl",
    }
    maps = load_maps()
    shared = {new: old for m in maps.gminas.values() for new, old in m.shared.items()}
    assert shared == SPLIT_FROM
    for new, old in SPLIT_FROM.items():
        paths = maps.gminas[new[:2]].gminas
        assert paths[new] == paths[old]
        assert new[:4] == old[:4]  # the same powiat


def test_a_split_from_gmina_that_is_not_drawn_stops_the_build():
    polygons = [p for p in gmina_polygons() if p[0] != KAMIENICA]
    register = {teryt: name for teryt, name in terc_gminas().items() if teryt != KAMIENICA}
    with pytest.raises(GeoDataError, match=f"gmina {SZCZAWA}: {KAMIENICA} is no gmina drawn"):
        checked_join(polygons, register)


def test_every_gmina_in_force_has_its_neighbours_on_both_sides():
    neighbourhoods = load_maps().neighbourhoods
    assert set(neighbourhoods) == set(terc_gminas())
    for teryt, around in neighbourhoods.items():
        assert around.neighbours, teryt  # an enclosed town still has the gmina around it
        assert teryt not in around.neighbours
        for other in around.neighbours:
            assert teryt in neighbourhoods[other].neighbours, (teryt, other)
        _, _, width, height = around.box
        assert width > 0
        assert height > 0
    assert neighbourhoods[ZYWIEC].neighbours == ZYWIEC_NEIGHBOURS
    across = [(a, b) for a, n in neighbourhoods.items() for b in n.neighbours if a[:2] != b[:2]]
    assert len(across) > 500  # neighbours across a voivodeship border count too


def test_a_new_gmina_neighbours_the_gmina_it_was_split_from_and_its_neighbours():
    neighbourhoods = load_maps().neighbourhoods
    szczawa = neighbourhoods[SZCZAWA].neighbours
    assert KAMIENICA in szczawa
    assert set(szczawa) == {KAMIENICA, *neighbourhoods[KAMIENICA].neighbours} - {SZCZAWA}
    assert neighbourhoods[SZCZAWA].box == neighbourhoods[KAMIENICA].box


def test_a_neighbourhood_box_holds_the_gmina_in_its_voivodeship_frame():
    maps = load_maps()
    frame = maps.gminas[ZYWIEC[:2]]
    x, y, width, height = maps.neighbourhoods[ZYWIEC].box
    assert 0 <= x < x + width <= frame.width
    assert 0 <= y < y + height <= frame.height
    start = maps.gminas["24"].gminas[ZYWIEC][1:].split("l")[0]
    px, py = (int(v) for v in start.split())
    assert x <= px <= x + width
    assert y <= py <= y + height


def test_a_gmina_that_changed_its_rodz_is_drawn_under_its_code_in_force():
    joined = join_gminas([(c, n) for c, n, _ in gmina_polygons()], terc_gminas())
    assert joined.rodz_changed[WLODOWICE_2020] == WLODOWICE
    assert terc_gminas()[WLODOWICE] == "Włodowice"
    silesia = load_maps().gminas["24"].gminas
    assert silesia[WLODOWICE].startswith("M")
    assert WLODOWICE_2020 not in silesia


def test_a_gmina_missing_from_the_register_stops_the_build():
    register = {teryt: name for teryt, name in terc_gminas().items() if teryt != "2417011"}
    joined = join_gminas([(c, n) for c, n, _ in gmina_polygons()], register)
    assert joined.unmatched_codes == ["2417011"]  # Żywiec: reported, not guessed
    with pytest.raises(GeoDataError, match=r"gminas not joined.*2417011"):
        checked_join(gmina_polygons(), register)


def test_two_polygons_for_one_gmina_stop_the_build():
    polygons = [*gmina_polygons(), ("2416092", "Włodowice", gmina_polygons()[0][2])]
    with pytest.raises(GeoDataError, match=r"already joined \['2416092'\]"):
        checked_join(polygons, terc_gminas())


def test_a_rodz_change_under_another_name_is_not_joined():
    register = dict(terc_gminas())
    register[WLODOWICE] = "Włodowice Nowe"
    joined = join_gminas([(c, n) for c, n, _ in gmina_polygons()], register)
    assert WLODOWICE_2020 in joined.unmatched_codes


def test_a_gmina_in_force_without_a_polygon_other_than_the_new_ones_stops_the_build():
    polygons = [p for p in gmina_polygons() if p[0] != "2417011"]
    with pytest.raises(
        GeoDataError, match=r"without a polygon: \['1207132', '2002162', '2417011'\]"
    ):
        checked_join(polygons, terc_gminas())


def test_the_build_reports_what_it_joined_and_how_it_draws_the_new_gminas():
    maps, powiats, gminas = build()
    text = build_shapes.report(maps, powiats, gminas)
    assert "powiats: 380 joined by code (0206 jeleniogórski -> karkonoski renamed" in text
    assert "gminas: 2477 polygons joined, each to a different gmina in force: 2397 by the" in text
    assert "80 by the code in force after a change of RODZ only" in text
    assert f"  {WLODOWICE_2020} -> {WLODOWICE}\n" in text
    assert "split from (a page says so under the map): 1207132 Szczawa in 1207052, " in text
    assert "2002162 Grabówka in 2002093" in text


def test_the_gmina_boundaries_shipped_are_the_ones_recorded():
    sha = hashlib.sha256((REPO_ROOT / GMINA_FILE).read_bytes()).hexdigest()
    assert read_record().inputs[GMINA_FILE] == sha
    provenance = (REPO_ROOT / "data" / "PROVENANCE.md").read_text(encoding="utf-8")
    assert sha in provenance


def test_the_shipped_shapes_have_the_digest_recorded_beside_them():
    record = read_record()
    shipped = (SHAPES_DIR / record.file).read_bytes()
    assert record.file == build_shapes.MAPS_FILE
    assert hashlib.sha256(shipped).hexdigest() == record.sha256


def test_the_recorded_inputs_are_the_files_shipped_now():
    """A boundary file or register changed without a rebuild fails here, naming the file."""
    assert read_record().inputs == build_shapes.inputs()
    for path, sha in read_record().inputs.items():
        assert hashlib.sha256((REPO_ROOT / path).read_bytes()).hexdigest() == sha, path


def test_a_rebuild_gives_the_shipped_shapes():
    """Same inputs, same shapely and GEOS: the same bytes; another GEOS may round otherwise."""
    rebuilt = msgspec.json.encode(built())
    shipped = (SHAPES_DIR / read_record().file).read_bytes()
    recorded = (SHAPES_DIR / RECORD_FILE).read_text(encoding="utf-8")
    same_library = (
        f'shapely = "{shapely.__version__}"' in recorded
        and f'geos = "{shapely.geos_version_string}"' in recorded
    )
    if same_library:
        assert rebuilt == shipped, "rebuild with `python -m service.web.build_shapes`"
    else:  # the same units drawn, each with a path
        assert msgspec.json.decode(shipped, type=Maps).powiats.keys() == built().powiats.keys()


def test_write_records_what_load_maps_checks(tmp_path):
    digest = build_shapes.write(built(), tmp_path, build_shapes.inputs())
    record = read_record(tmp_path)
    assert record.sha256 == digest
    assert record.inputs == build_shapes.inputs()
    assert load_maps(tmp_path) == built()


def _copy_of_shipped(directory: Path) -> Path:
    for name in (RECORD_FILE, build_shapes.MAPS_FILE):
        shutil.copy(SHAPES_DIR / name, directory / name)
    return directory


def test_shapes_that_differ_from_their_digest_are_refused(tmp_path):
    directory = _copy_of_shipped(tmp_path)
    maps = directory / build_shapes.MAPS_FILE
    maps.write_bytes(maps.read_bytes().replace(b'"width":2000', b'"width":2001', 1))
    with pytest.raises(GeoDataError, match="is not the recorded"):
        load_maps(directory)


def test_shapes_without_their_record_are_refused(tmp_path):
    directory = _copy_of_shipped(tmp_path)
    (directory / RECORD_FILE).unlink()
    with pytest.raises(GeoDataError, match=RECORD_FILE):
        load_maps(directory)


def test_paths_are_read_once_and_small():
    maps = load_maps()
    assert load_maps() is maps  # cached: a page render does no file reading nor geometry
    assert len(maps.voivodeships) == 16
    paths = [*maps.voivodeships.values(), *maps.powiats.values()]
    assert all(path.startswith("M") and path.endswith("z") for path in paths)
    assert sum(len(path) for path in maps.powiats.values()) < 120_000
    gminas = [*(p for m in maps.gminas.values() for p in m.gminas.values())]
    assert all(path.startswith("M") and path.endswith("z") for path in gminas)
    # the largest voivodeship's gminas and powiat borders (mazowieckie, 314 gminas)
    assert (
        max(sum(map(len, m.gminas.values())) + len(m.powiats) for m in maps.gminas.values())
        < 60_000
    )


def test_the_service_starts_without_shapely():
    """Shapely is a build tool (a dev dependency): the app and its maps load without it."""
    script = (
        "import sys; sys.modules['shapely'] = None\n"
        "from service.app import create_app\n"
        "from service.web.geo import load_maps\n"
        "assert len(load_maps().powiats) == 380\n"
        "assert sum(len(m.gminas) for m in load_maps().gminas.values()) == 2479\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
