"""Placing gmina codes of older divisions on the register in force (loaders/unit_codes.py).

The register is the shipped TERC of 2025 (parents as it gives them); the cases are real codes:
Końskowola was gmina wiejska 0614052 until 2024 and is miejsko-wiejska 0614053 since.
"""

import pytest

from loaders.errors import LoadRefused
from loaders.unit_codes import GminaPlacer, normalise_terc

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
    placer = GminaPlacer("f.xlsx", UNITS)
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
        placed = placer.place(code, row=row, field="gm")
        assert (placed.teryt, placed.how) == (teryt, how), code
    assert placer.place("0614052", row=9, field="gm").flag == "code_changed"
    assert placer.place("1002011", row=10, field="gm").flag is None
    assert placer.report() == {
        "direct": 2,
        "part_rolled_up": 2,
        "district_to_city": 2,
        "code_changed": 2,
        "unplaced": 1,
    }
    [problem] = placer.unplaced
    assert (problem.file, problem.row, problem.field, problem.code) == (
        "f.xlsx",
        8,
        "gm",
        "unknown_unit",
    )


def test_a_part_whose_gmina_is_unknown_is_unplaced_and_a_bad_cell_is_a_bad_code() -> None:
    placer = GminaPlacer("f.xlsx", UNITS)
    assert placer.place("9999994", row=2, field="gm").how == "unplaced"
    assert placer.place(None, row=3, field="gm").how == "unplaced"
    assert [p.code for p in placer.unplaced] == ["unknown_unit", "bad_code"]


def test_more_than_one_percent_unplaced_refuses_the_file() -> None:
    placer = GminaPlacer("f.xlsx", UNITS)
    for row in range(2, 200):
        placer.place("1002011", row=row, field="gm")
    placer.place("3203052", row=200, field="gm")
    placer.place("3203052", row=201, field="gm")
    placer.refuse_if_too_many_unplaced()  # 2 of 200: 1 %, allowed
    placer.place("3203052", row=202, field="gm")
    with pytest.raises(LoadRefused) as refused:
        placer.refuse_if_too_many_unplaced()
    first = refused.value.problems[0]
    assert first.code == "too_many_unplaced"
    assert (first.row, first.field) == (200, "gm")
    assert "3 of 201 rows" in first.message
    assert {p.code for p in refused.value.problems[1:]} == {"unknown_unit"}


def test_no_register_loaded_is_refused() -> None:
    with pytest.raises(LoadRefused) as refused:
        GminaPlacer("f.xlsx", {})
    assert refused.value.codes == {"unknown_unit"}
