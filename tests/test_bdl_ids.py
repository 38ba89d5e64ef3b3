"""The BDL unit id -> TERC rule, checked on every unit of the saved BDL `/units` answers."""

import json

import pytest

from domains.units.bdl_ids import bdl_level_of_teryt, teryt_from_bdl_id
from tests.conftest import TEST_DATA

SAMPLES = TEST_DATA / "bdl" / "pyBDL_samples" / "samples_raw_units.json"


def saved_units() -> list[dict]:
    data = json.loads(SAMPLES.read_text(encoding="utf-8"))
    return data["list_units"] + data["search_units"] + [data["get_unit"]]


@pytest.mark.parametrize(
    ("bdl_id", "teryt"),
    [
        ("000000000000", None),  # POLSKA
        ("010000000000", None),  # MAKROREGION POŁUDNIOWY
        ("011200000000", "12"),  # MAŁOPOLSKIE
        ("011210000000", None),  # REGION MAŁOPOLSKIE
        ("011212000000", None),  # PODREGION KRAKOWSKI
        ("011212001000", "1201"),  # Powiat bocheński
        ("011212001011", "1201011"),  # Bochnia, gmina miejska
        ("011212001022", "1201022"),  # Bochnia, gmina wiejska
        ("023000000000", "30"),  # WIELKOPOLSKIE
        ("not-an-id", None),
    ],
)
def test_saved_units_map_to_their_terc_codes(bdl_id, teryt):
    assert teryt_from_bdl_id(bdl_id) == teryt


def test_levels_of_every_saved_unit_agree_with_the_code_length():
    expected_length = {0: None, 1: None, 2: 2, 3: None, 4: None, 5: 4, 6: 7}
    for unit in saved_units():
        teryt = teryt_from_bdl_id(unit["id"])
        length = expected_length[unit["level"]]
        assert (len(teryt) if teryt else None) == length, unit
        if teryt is not None:
            assert bdl_level_of_teryt(teryt) == unit["level"]
        if unit["level"] == 6:
            assert teryt[6] == unit["kind"]  # RODZ is BDL's `kind` of a gmina
