"""Placing gmina codes of older divisions on the register in force (loaders/unit_codes.py).

The register is the shipped TERC of 2025 (parents as it gives them); the cases are real codes:
Końskowola was gmina wiejska 0614052 until 2024 and is miejsko-wiejska 0614053 since. The
history is the shipped register of 2020-01-01, unless a test makes one up (named so).
"""

from datetime import date
from pathlib import Path

import pytest

from loaders.errors import LoadRefused
from loaders.source_text import read_source_text
from loaders.teryt.parse import parse_register
from loaders.unit_codes import (
    GminaPlacer,
    HistoricRegister,
    HistoricUnit,
    PlacedCode,
    normalise_terc,
    shipped_history,
)
from service.settings import REPO_ROOT

UNITS: dict[str, str | None] = {
    "06": None,
    "0614": "06",
    "0614053": "0614",  # Końskowola, miejsko-wiejska since 2025-01-01
    "0614054": "0614053",  # its town
    "0614055": "0614053",  # its rural area
    "1261": "12",
    "1261011": "1261",  # Kraków
    "1261029": "1261011",  # delegatura Kraków-Krowodrza
    "1465011": "1465",  # Warszawa
    "1465028": "1465011",  # Bemowo
    "1002011": "1002",  # Kutno
}
NAMES = {
    "0614053": "Końskowola",
    "1261011": "Kraków",
    "1465011": "Warszawa",
    "1002011": "Kutno",
}
TERC_2025 = REPO_ROOT / "data" / "teryt" / "TERC_Urzedowy_2025-11-18.csv"
TERC_2024 = (
    Path(__file__).parents[1] / "data" / "teryt" / "terc_2024-01-01_converted_from_lokacje_json.csv"
)


def placer(history: list[HistoricRegister] | None = None) -> GminaPlacer:
    return GminaPlacer("f.xlsx", UNITS, names=NAMES, history=history)


def made_up_2020(units: dict[str, tuple[str, str]]) -> list[HistoricRegister]:
    """A MADE-UP history register of 2020-01-01 holding only `units` (code -> name, parent)."""
    codes = {code: HistoricUnit(*unit) for code, unit in units.items()}
    return [HistoricRegister(stan_na=date(2020, 1, 1), units=codes)]


def codes_of(path: Path) -> dict[str, tuple[str, str | None]]:
    register = parse_register(read_source_text(path))
    return {u.teryt: (u.name, u.parent_teryt) for u in register.units}


@pytest.mark.parametrize(
    ("raw", "digits", "expected"),
    [
        ("1002011", 7, "1002011"),
        (206011, 7, "0206011"),  # a spreadsheet number: the leading zero lost
        (206011.0, 7, "0206011"),
        ("206011.0", 7, "0206011"),
        (" 0206011 ", 7, "0206011"),
        (2, 2, "02"),
        (206, 4, "0206"),
        ("12x4567", 7, None),
        (12.5, 7, None),
        (float("nan"), 7, None),
        (None, 7, None),
        ("123456789", 7, None),
    ],
)
def test_normalise_terc_reads_text_and_numbers(
    raw: object, digits: int, expected: str | None
) -> None:
    assert normalise_terc(raw, digits) == expected


def test_every_way_of_placing_a_code() -> None:
    placer_ = placer()
    cases = {
        "1002011": ("1002011", "direct"),
        "0614054": ("0614053", "part_rolled_up"),
        "0614055": ("0614053", "part_rolled_up"),
        "1261029": ("1261011", "district_to_city"),
        "1465028": ("1465011", "district_to_city"),
        "0614052": ("0614053", "code_changed"),
        "3203052": (None, "unplaced"),  # Ostrowice, dissolved on 2019-01-01
    }
    for row, (code, (teryt, how)) in enumerate(cases.items(), start=2):
        placed = placer_.place(code, row=row, field="gm")
        assert (placed.teryt, placed.how) == (teryt, how), code
    assert placer_.place("0614052", row=9, field="gm").flag == "code_changed"
    assert placer_.place("1002011", row=10, field="gm").flag is None
    assert placer_.report() == {
        "direct": 2,
        "part_rolled_up": 2,
        "district_to_city": 2,
        "code_changed": 2,
        "unplaced": 1,
    }
    [problem] = placer_.unplaced
    assert (problem.file, problem.row, problem.field, problem.code) == (
        "f.xlsx",
        8,
        "gm",
        "unknown_unit",
    )
    assert "register of 2020-01-01" in problem.message


def test_the_shipped_history_is_the_register_of_2020():
    [register] = shipped_history()
    assert register.stan_na == date(2020, 1, 1)
    assert len(register.units) == 4_194
    assert register.units["0614052"] == HistoricUnit("Końskowola", "0614")


def test_every_gmina_of_2020_whose_rodz_changed_is_carried_under_its_name():
    """The 76 gminas wiejskie of 2020 missing from the register in force: 69 became
    miejsko-wiejskie by 2024-01-01, 7 on 2025-01-01; each is the gmina in force at its six
    digits, under the same name and powiat, and is placed there `code_changed`."""
    in_force = codes_of(TERC_2025)
    of_2020 = shipped_history()[0].units
    placer_ = GminaPlacer(
        "f.xlsx",
        {code: parent for code, (_, parent) in in_force.items()},
        names={code: name for code, (name, _) in in_force.items()},
    )
    gone = sorted(code for code in of_2020 if code not in in_force)
    assert len(gone) == 76
    assert {code[6] for code in gone} == {"2"}
    of_2024 = codes_of(TERC_2024)
    assert sum(code not in of_2024 for code in gone) == 69
    for code in gone:
        placed = placer_.place(code, row=2, field="gm")
        assert placed.how == "code_changed", code
        assert placed.teryt == code[:6] + "3", code
        assert in_force[placed.teryt] == of_2020[code], code  # name and powiat
    # every other code of 2020 is in force: parts and districts under the same parent
    for code, (_, parent) in of_2020.items():
        if code not in gone and len(code) == 7:
            placed = placer_.place(code, row=2, field="gm")
            assert placed.how != "unplaced", code
            assert placed.teryt == (code if code[6] in "123" else parent), code
    assert placer_.report()["unplaced"] == 0


@pytest.mark.parametrize(
    ("history", "why"),
    [
        (None, "1002012 is no code of 2020"),
        (made_up_2020({"0614052": ("Puławy", "0614")}), "another name in 2020"),
        (made_up_2020({"0614052": ("Końskowola", "0613")}), "another powiat"),
        ([], "no history at all"),
    ],
)
def test_a_code_of_the_one_gmina_prefix_is_unplaced_unless_the_history_names_it(history, why):
    """Six digits with one gmina in force are not enough: the old code must be in an older
    register under that gmina's name and powiat (the placer guessed from the digits before)."""
    code = "1002012" if history is None else "0614052"
    placer_ = placer(history)
    placed = placer_.place(code, row=5, field="gm")
    assert (placed.teryt, placed.how) == (None, "unplaced"), why
    [problem] = placer_.unplaced
    assert (problem.row, problem.code) == (5, "unknown_unit")


def test_a_part_the_register_in_force_lacks_goes_to_its_parent_of_2020():
    """MADE-UP parts of 2020: a town part of Kutno (in force), the rural part of a made-up
    miejsko-wiejska Kutno 1002013 (carried with the flag, as its parent would be), a Kraków
    district, and a part whose parent is no gmina in force."""
    history = made_up_2020(
        {
            "1002014": ("Kutno - miasto", "1002011"),
            "1002015": ("Kutno - obszar wiejski", "1002013"),
            "1002013": ("Kutno", "1002"),
            "3203054": ("Ostrowice - miasto", "3203053"),
            "1261019": ("Kraków-Nowa Huta", "1261011"),
        }
    )
    placer_ = placer(history)
    assert placer_.place("1002014", row=2, field="gm") == PlacedCode("1002011", "part_rolled_up")
    assert placer_.place("1002015", row=3, field="gm") == PlacedCode("1002011", "code_changed")
    assert placer_.place("1261019", row=4, field="gm") == PlacedCode("1261011", "district_to_city")
    assert placer_.place("3203054", row=5, field="gm") == PlacedCode(None, "unplaced")
    assert placer_.place("0614054", row=6, field="gm") == PlacedCode("0614053", "part_rolled_up")


def test_a_part_whose_gmina_is_unknown_is_unplaced_and_a_bad_cell_is_a_bad_code() -> None:
    placer_ = placer()
    assert placer_.place("9999994", row=2, field="gm").how == "unplaced"
    assert placer_.place(None, row=3, field="gm").how == "unplaced"
    assert [p.code for p in placer_.unplaced] == ["unknown_unit", "bad_code"]


def test_more_than_one_percent_unplaced_refuses_the_file() -> None:
    placer_ = placer()
    for row in range(2, 200):
        placer_.place("1002011", row=row, field="gm")
    placer_.place("3203052", row=200, field="gm")
    placer_.place("3203052", row=201, field="gm")
    placer_.refuse_if_too_many_unplaced()  # 2 of 200: 1 %, allowed
    placer_.place("3203052", row=202, field="gm")
    with pytest.raises(LoadRefused) as refused:
        placer_.refuse_if_too_many_unplaced()
    first = refused.value.problems[0]
    assert first.code == "too_many_unplaced"
    assert (first.row, first.field) == (200, "gm")
    assert "3 of 201 rows" in first.message
    assert {p.code for p in refused.value.problems[1:]} == {"unknown_unit"}


def test_no_register_loaded_is_refused() -> None:
    with pytest.raises(LoadRefused) as refused:
        GminaPlacer("f.xlsx", {}, names={})
    assert refused.value.codes == {"unknown_unit"}


# The 2018 school register's codes of the fourteen rural gminas granted town rights on
# 2019-01-01 or 2020-01-01 (in no shipped register under their old RODZ 2).
TOWN_RIGHTS_2019_2020 = {
    "1004062": "Piątek",
    "1018042": "Lututów",
    "1214022": "Koszyce",
    "1420042": "Czerwińsk nad Wisłą",
    "1437032": "Lubowidz",
    "2601032": "Nowy Korczyn",
    "2601042": "Pacanów",
    "2603042": "Opatowiec",
    "2604132": "Nowa Słupia",
    "2604152": "Pierzchnica",
    "2609032": "Klimontów",
    "2612032": "Oleśnica",
    "2612082": "Szydłów",
    "2817082": "Wielbark",
}


def test_a_rural_code_of_a_gmina_urban_rural_before_2020_is_carried_under_its_name():
    """The 2020 register already holds these gminas as urban-rural (RODZ 3), under the name
    and powiat they have in force, with no rural gmina at their six digits: their 2018 code
    is carried with the flag. Ostrowice (3203042), dissolved on 2019-01-01, is not."""
    in_force = codes_of(TERC_2025)
    units = {code: parent for code, (_, parent) in in_force.items()}
    names = {code: name for code, (name, _) in in_force.items()}
    placer_ = GminaPlacer("schoolsData.xlsx", units, names=names)
    for code, name in TOWN_RIGHTS_2019_2020.items():
        placed = placer_.place(code, row=2, field="gm")
        assert (placed.teryt, placed.how) == (code[:6] + "3", "code_changed"), code
        assert names[code[:6] + "3"] == name
    gone = placer_.place("3203042", row=3, field="gm")
    assert (gone.teryt, gone.how) == (None, "unplaced")


def test_a_rural_code_is_not_carried_where_2020_had_another_gmina_at_its_digits():
    """MADE-UP 2020 register: the six digits held an urban gmina beside the urban-rural one
    then, so a RODZ 2 code of no register is not known to be the urban-rural gmina's."""
    history = made_up_2020({"0614053": ("Końskowola", "0614"), "0614051": ("Other", "0614")})
    placed = placer(history).place("0614052", row=4, field="gm")
    assert (placed.teryt, placed.how) == (None, "unplaced")
