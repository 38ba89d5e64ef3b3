"""BDL web exports: the real shipped files and the dialect variants exports come in."""

import csv
from pathlib import Path

import pytest

from loaders.bdl.export_csv import parse_bdl_export
from loaders.bdl.export_format import to_teryt
from loaders.errors import LoadRefused
from loaders.source_text import read_source_text
from tests.conftest import SHIPPED_DATA, TEST_DATA

LUDN_2137 = SHIPPED_DATA / "bdl" / "LUDN_2137_CTAB_20210625164329.csv"
LUDN_2425 = SHIPPED_DATA / "bdl" / "LUDN_2425_CTAB_20241028202819_2023.csv"


def source_rows(path: Path) -> list[dict[str, str]]:
    """The file read independently of the loader, as a check."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def parse(path, **kwargs):
    return parse_bdl_export(read_source_text(path), **kwargs)


def test_age_table_reads_every_unit_with_its_value():
    data = parse(LUDN_2137, columns={"ogółem": "population.total"}, year=2020)
    assert (data.delimiter, data.decimal) == (";", ",")
    expected = {row["Kod"]: float(row["ogółem"]) for row in source_rows(LUDN_2137)}
    got = {r.teryt: r.value for r in data.records}
    assert len(got) == len(expected) == 3779
    assert got["1261011"] == expected["1261011"] == 779966
    assert sum(v for k, v in got.items() if k[6] in "123") == 38_265_013  # PROVENANCE.md
    assert {r.year for r in data.records} == {2020}


def test_thousands_are_converted_and_national_row_and_duplicates_reported():
    data = parse(
        LUDN_2425, columns={"ludność w tysiącach": "population.total"}, year=2023, multiplier=1000
    )
    values = {r.teryt: r.value for r in data.records}
    assert values["02"] == pytest.approx(2_879_270)
    assert values["1261"] == pytest.approx(806_200)
    assert data.skipped == [(2, "POLSKA (0000000) is not a unit of the register")]
    assert data.duplicates == 1  # 1465011 appears twice with equal values (PROVENANCE.md)


def test_year_is_required_when_the_file_does_not_say_it():
    with pytest.raises(LoadRefused, match="pass --year") as refused:
        parse(LUDN_2425, columns={"ludność w tysiącach": "population.total"})
    assert refused.value.problems[0].row == 1


def test_comma_separated_export_with_year_in_header(tmp_path):
    path = tmp_path / "LUDN_2425_CREL_2022.csv"
    path.write_text(
        '"Kod","Nazwa","ogółem;2022;[osoba]",\n'
        '"1261011","Kraków (1)","802583.5",\n'
        '"0201022","Bolesławiec (2)","15275",\n',
        encoding="utf-8",
    )
    data = parse(path, columns={"ogółem": "population.total"})
    assert (data.delimiter, data.decimal) == (",", ".")
    assert [(r.teryt, r.year, r.value) for r in data.records] == [
        ("1261011", 2022, 802583.5),
        ("0201022", 2022, 15275.0),
    ]
    with pytest.raises(LoadRefused, match="says 2022 but --year 2021"):
        parse(path, columns={"ogółem": "population.total"}, year=2021)


HEAD = '"Kod";"Nazwa";"ogółem";\n'


@pytest.mark.parametrize(
    ("body", "expected", "words"),
    [
        (HEAD + '0201011;"Bolesławiec (1)";abc;\n', (2, "ogółem", "not_a_number"), "not a number"),
        (HEAD + '0201011;"Bolesławiec (2)";1;\n', (2, "Nazwa", "inconsistent"), "says RODZ 2"),
        (HEAD + '201011;"Bolesławiec (1)";1;\n', (2, "Kod", "bad_code"), "not a 7-digit"),
        (
            HEAD + '0201011;"B (1)";1;\n0201011;"B (1)";2;\n', (3, "Kod", "duplicate_key"),
            "appears again with other values",
        ),
        ('"Kod";"Nazwa";"razem";\n0201011;"B (1)";1;\n', (1, "ogółem", "missing_column"),
         "column missing"),
        ("<html><body>503</body></html>\n", (1, "<html><body>503</body></html>", "missing_header"),
         "header"),
    ],
)  # fmt: skip
def test_broken_export_is_refused_naming_row_and_field(tmp_path, body, expected, words):
    path = tmp_path / "broken.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(LoadRefused) as refused:
        parse(path, columns={"ogółem": "population.total"}, year=2020)
    problem = refused.value.problems[0]
    assert (problem.file, (problem.row, problem.field, problem.code)) == ("broken.csv", expected)
    assert words in problem.message


# The broken-input corpus (tests/data/bad/bdl_export/, made by its derive.py): the stable code
# of each refusal the reader itself gives (unknown_codes.csv is refused when placed on units).
CORPUS_CODES = {
    "bad_code.csv": "bad_code",
    "duplicate_conflict.csv": "duplicate_key",
    "empty.csv": "unreadable_file",
    "future_year.csv": "out_of_range",
    "html_error_page.csv": "missing_header",
    "huge_line.csv": "unreadable_file",
    "negative_count.csv": "negative_count",
    "no_code_column.csv": "missing_header",
    "non_numeric.csv": "not_a_number",
    "pipe_separated.csv": "missing_header",
    "truncated.csv": "unreadable_file",
    "utf16.csv": "wrong_encoding",
    "utf8_read_as_cp1250.csv": "wrong_encoding",
}


@pytest.mark.parametrize(("name", "code"), CORPUS_CODES.items())
def test_each_broken_corpus_file_is_refused_with_its_code(name, code):
    with pytest.raises(LoadRefused) as refused:
        parse(TEST_DATA / "bad" / "bdl_export" / name, columns={"ogółem": "p"}, year=2020)
    assert refused.value.problems[0].code == code


def test_missing_and_confidential_cells_are_missing_not_zero(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text(
        '"Kod";"Nazwa";"ogółem";\n0201011;"B (1)";-;\n0201022;"B (2)";x;\n0201032;"G (2)";0;\n',
        encoding="utf-8",
    )
    data = parse(path, columns={"ogółem": "population.total"}, year=2020)
    assert [(r.teryt, r.value, r.flag) for r in data.records] == [
        ("0201011", None, "missing"),
        ("0201022", None, "confidential_or_not_applicable"),
        ("0201032", 0.0, None),
    ]


@pytest.mark.parametrize(
    ("code", "teryt"),
    [("0000000", None), ("1200000", "12"), ("1261000", "1261"), ("1261011", "1261011")],
)
def test_export_codes_map_to_terc(code, teryt):
    assert to_teryt(code) == teryt
