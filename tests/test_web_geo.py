"""The powiat boundary file (names only) joins to TERC codes: all 380, each exactly once."""

import csv
from collections import defaultdict
from functools import cache

import pytest

from service.web.geo import (
    GeoDataError,
    PowiatShape,
    join_powiats,
    load_maps,
    normalise_powiat_name,
    point_in_polygon,
    read_powiats,
    read_voivodeships,
)
from tests.conftest import SHIPPED_DATA

GEO = SHIPPED_DATA / "geo"
TERC = SHIPPED_DATA / "teryt" / "TERC_Urzedowy_2025-11-18.csv"
DUPLICATED = {
    "powiat grodziski": {"1405", "3005"},  # mazowieckie, wielkopolskie
    "powiat tomaszowski": {"0618", "1016"},  # lubelskie, łódzkie
    "powiat brzeski": {"1202", "1601"},  # małopolskie, opolskie
    "powiat krośnieński": {"0802", "1807"},  # lubuskie, podkarpackie
    "powiat średzki": {"0218", "3025"},  # dolnośląskie, wielkopolskie
    "powiat bielski": {"2003", "2402"},  # podlaskie, śląskie
    "powiat ostrowski": {"1416", "3017"},  # mazowieckie, wielkopolskie
    "powiat opolski": {"0612", "1609"},  # lubelskie, opolskie
    "powiat nowodworski": {"1414", "2210"},  # mazowieckie, pomorskie
    "powiat świdnicki": {"0219", "0617"},  # dolnośląskie, lubelskie
}


@cache
def terc_powiats() -> list[tuple[str, str]]:
    with TERC.open(encoding="utf-8-sig", newline="") as handle:
        return [
            (row["WOJ"] + row["POW"], row["NAZWA"])
            for row in csv.DictReader(handle, delimiter=";")
            if row["POW"] and not row["GMI"]
        ]


def shapes() -> list[PowiatShape]:
    return load_maps(GEO).powiats


def test_all_380_powiats_join_to_distinct_terc_codes():
    joined = join_powiats(shapes(), terc_powiats())
    assert len(terc_powiats()) == 380
    assert len(joined.teryt_by_feature) == 380
    assert joined.unmatched_features == []
    assert joined.unmatched_units == []
    assert len(set(joined.teryt_by_feature.values())) == 380
    assert set(joined.teryt_by_feature.values()) == {teryt for teryt, _ in terc_powiats()}


def test_the_ten_repeated_names_resolve_by_voivodeship():
    joined = join_powiats(shapes(), terc_powiats())
    codes_by_name = defaultdict(set)
    for shape in shapes():
        codes_by_name[shape.name].add(joined.teryt_by_feature[shape.feature_id])
    repeated = {name for name, codes in codes_by_name.items() if len(codes) > 1}
    assert repeated == set(DUPLICATED)
    for name, codes in DUPLICATED.items():
        assert codes_by_name[name] == codes, name


@pytest.mark.parametrize(
    ("name", "teryt"),
    [
        ("powiat Kraków", "1261"),  # a city with powiat rights, capitalised
        ("powiat Warszawa", "1465"),
        ("powiat bolesławiecki", "0201"),
        ("powiat żywiecki", "2417"),
        ("powiat jeleniogórski", "0206"),  # renamed karkonoski in 2021; TERC has the new name
    ],
)
def test_named_powiats_join_to_their_code(name, teryt):
    joined = join_powiats(shapes(), terc_powiats())
    (shape,) = [s for s in shapes() if s.name == name]
    assert joined.teryt_by_feature[shape.feature_id] == teryt
    assert shape.voivodeship == teryt[:2]


def test_every_interior_point_lies_inside_its_own_powiat():
    voivodeships = read_voivodeships(GEO)
    polygons = {feature_id: p for feature_id, _, p in read_powiats(GEO)}
    for shape in shapes():
        assert any(point_in_polygon(shape.inside, p) for p in polygons[shape.feature_id])
        assert any(point_in_polygon(shape.inside, p) for p in voivodeships[shape.voivodeship])


def test_a_register_with_two_equal_keys_is_refused():
    with pytest.raises(GeoDataError, match="two powiats"):
        join_powiats(shapes(), [("0201", "bolesławiecki"), ("0299", "Bolesławiecki")])


def test_names_normalise_to_terc_spelling():
    assert normalise_powiat_name("powiat Kraków") == normalise_powiat_name("Kraków")
    assert normalise_powiat_name("powiat  Jelenia Góra") == "jelenia góra"
    assert normalise_powiat_name("powiat jeleniogórski") == "karkonoski"


def test_paths_are_precomputed_once_and_small():
    maps = load_maps(GEO)
    assert load_maps(GEO) is maps  # cached: a page render does no geometry
    assert len(maps.voivodeships) == 16
    assert all(path.startswith("M") and path.endswith("z") for path in maps.voivodeships.values())
    assert all(shape.path for shape in maps.powiats)
    assert sum(len(s.path) for s in maps.powiats) < 120_000
