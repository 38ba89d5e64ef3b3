"""The MF budget-report loader on the real Kutno packages (tests/data/mf, PROVENANCE.md there).

Four real `PaczkaSprawozdan` files: Rb-28S (Wydatki) and Rb-27S (Dochody) of the 7 primary
schools of gmina miejska Kutno (TERC 1002011), 2022 Q4 and 2023 Q2. Expected figures are
computed here from the XML with the standard library, independently of the loader. Bad files
are real files with one thing broken, written to tmp_path by the test.
"""

import copy
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from loaders.errors import LoadRefused
from loaders.mf_rb import load_mf_rb, parse_package
from loaders.mf_rb.aggregates import PARTIAL_FLAG, REVISED_FLAG
from tests.loaders.teryt_db import checksum, teryt_engine, teryt_template

__all__ = ["teryt_engine", "teryt_template"]

DATA = Path(__file__).resolve().parents[1] / "data" / "mf"
SPENT_2022 = DATA / "Sprawozdania[2022][IVKwartał] Wydatki.xml"
INCOME_2022 = DATA / "Sprawozdania[2022][IVKwartał] Dochody.xml"
SPENT_2023 = DATA / "Sprawozdania[2023][IIKwartał] Wydatki.xml"
INCOME_2023 = DATA / "Sprawozdania[2023][IIKwartał] Dochody.xml"
FILES = (SPENT_2022, INCOME_2022, SPENT_2023, INCOME_2023)
KUTNO = "1002011"
# Counted once by hand with the standard library (see source_sum below) and written down.
LINES = {SPENT_2022: 327, INCOME_2022: 42, SPENT_2023: 307, INCOME_2023: 38}
WW_2022 = Decimal("44810331.99")
DW_2022 = Decimal("1947011.36")
# Of the 2022 Q4 reports, Naglowek/Wersja above 0 (corrected at source): Rb-28S of Nr 7 (1),
# Nr 1 (2), Nr 6 (2) and Nr 5 (1); Rb-27S of Nr 6 (1). The other reports are version 0.
REVISED = f"{PARTIAL_FLAG};{REVISED_FLAG}"


def source_sum(path: Path, column: str, rozdzial_prefix: str = "") -> Decimal:
    """The hand computation: every `column` of every Pozycja of the file, plain stdlib."""
    root = ET.parse(path).getroot()  # noqa: S314 - our own test file
    return sum(
        (
            Decimal(p.findtext(column) or "0")
            for p in root.iter("Pozycja")
            if (p.findtext("Rozdzial") or "").startswith(rozdzial_prefix)
        ),
        Decimal(0),
    )


def revised_codes(path: Path, what: str) -> dict[str, bool]:
    """The hand computation of the flag: per dział (`what="Dzial"`) or three-digit paragraf,
    whether any report with a line in it has a `Naglowek/Wersja` above 0."""
    codes: dict[str, bool] = {}
    root = ET.parse(path).getroot()  # noqa: S314
    for jednostka in root.find("Jednostki"):
        for report in jednostka.find("Sprawozdania"):
            revised = int(report.findtext("Naglowek/Wersja") or "0") > 0
            for line in report.iter("Pozycja"):
                code = (line.findtext(what) or "")[:3]
                codes[code] = codes.get(code, False) or revised
    return codes


def pozycje(path: Path) -> int:
    return sum(1 for _ in ET.parse(path).getroot().iter("Pozycja"))  # noqa: S314


def broken_copy(tmp_path: Path, name: str, change) -> Path:
    """The 2022 Rb-28S package with one change made by `change(root)`, under a new name."""
    tree = ET.parse(SPENT_2022)  # noqa: S314
    change(tree.getroot())
    target = tmp_path / name
    tree.write(target, encoding="utf-8", xml_declaration=True)
    return target


def pozycja(root: ET.Element, unit: int, index: int) -> ET.Element:
    jednostka = root.find("Jednostki")[unit - 1]
    return jednostka.find("Sprawozdania/Rb-28s/Pozycje")[index - 1]


# --- reading --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_report_and_line_of_the_real_packages_is_read(path):
    batch = parse_package(path)
    assert batch.file == path.name
    assert len(batch.reports) == 7
    assert batch.line_count == pozycje(path) == LINES[path]
    kind = "rb28s" if "Wydatki" in path.name else "rb27s"
    for report in batch.reports:
        assert report.kind == kind
        assert report.unit.teryt == KUTNO  # WK 10 + PK 02 + GK 01 + GT 1
        assert report.unit.unit_type == "JB"
        assert len(report.unit.regon) == 9  # the padding spaces are gone
        assert report.period == (4 if "2022" in path.name else 2)
        assert report.period_type == "Kwartal"
        assert report.element.startswith("Jednostka[")


@pytest.mark.parametrize(("path", "column"), [(SPENT_2022, "ww"), (INCOME_2022, "dw")])
def test_parsed_amounts_add_up_to_the_source_file(path, column):
    batch = parse_package(path)
    parsed = sum(
        (ln.amounts.get(column, Decimal(0)) for r in batch.reports for ln in r.lines), Decimal(0)
    )
    assert parsed == source_sum(path, column.upper())
    assert parsed == (WW_2022 if column == "ww" else DW_2022)


def test_amounts_are_decimals_and_an_absent_column_is_not_zero():
    first = parse_package(SPENT_2022).reports[0]
    assert first.unit.name == "Szkoła Podstawowa Nr 7"
    assert first.version == 1
    assert first.source_report_id == "Rb28s_216eefc41e244a948edccfe86f061350"
    line = first.lines[0]
    assert (line.dzial, line.rozdzial, line.grupa, line.paragraf, line.p4) == (
        "801",
        "80101",
        "1300",
        "302",
        "0",
    )
    assert line.amounts == {
        "pl": Decimal("10280.00"),
        "za": Decimal("9803.89"),
        "ww": Decimal("9803.89"),
    }
    plan_only = next(ln for ln in first.lines if ln.paragraf == "448")
    assert plan_only.amounts == {"pl": Decimal("310.00")}


def test_two_schools_under_one_regon_are_kept_apart_and_reported():
    batch = parse_package(SPENT_2022)
    shared = [r for r in batch.reports if r.unit.regon == "001070630"]
    assert sorted(r.unit.name for r in shared) == [
        "Szkoła Podstawowa Nr 7",
        "Szkoła Podstawowa Nr 9",
    ]
    assert len({r.unit.key for r in shared}) == 2
    assert any("REGON 001070630 is reported by 2 units" in w for w in batch.warnings)


# --- refusing bad files ---------------------------------------------------------------------


def refusal(path: Path) -> LoadRefused:
    with pytest.raises(LoadRefused) as caught:
        parse_package(path)
    return caught.value


def test_broken_xml_is_refused_with_its_position(tmp_path):
    cut = tmp_path / "Sprawozdania[2022][IVKwartał] Wydatki (ucięty).xml"
    cut.write_bytes(SPENT_2022.read_bytes()[:50_000])
    problem = refusal(cut).problems[0]
    assert problem.file == cut.name
    assert problem.row == 1
    assert "not well-formed XML at line 1" in problem.message


def test_a_missing_rozdzial_is_refused_naming_element_and_field(tmp_path):
    def drop(root):
        line = pozycja(root, 3, 17)
        line.remove(line.find("Rozdzial"))

    problem = refusal(broken_copy(tmp_path, "bez rozdziału.xml", drop)).problems[0]
    assert problem.file == "bez rozdziału.xml"
    assert problem.field == "Jednostka[3]/Sprawozdania/Rb-28s/Pozycje/Pozycja[17]/Rozdzial"
    assert problem.message == "missing or empty"


def test_a_non_numeric_amount_is_refused_naming_element_and_field(tmp_path):
    def garble(root):
        pozycja(root, 2, 5).find("WW").text = "12,5O"

    problem = refusal(broken_copy(tmp_path, "kwota.xml", garble)).problems[0]
    assert problem.field == "Jednostka[2]/Sprawozdania/Rb-28s/Pozycje/Pozycja[5]/WW"
    assert "'12,5O'" in problem.message


def test_a_duplicate_report_for_the_same_unit_and_period_is_refused(tmp_path):
    def duplicate(root):
        units = root.find("Jednostki")
        units.append(copy.deepcopy(units[0]))

    problem = refusal(broken_copy(tmp_path, "dwa razy.xml", duplicate)).problems[0]
    assert problem.field == "Jednostka[8]/Sprawozdania/Rb-28s"
    assert "duplicate rb28s report" in problem.message
    assert "also at Jednostka[1]/Sprawozdania/Rb-28s" in problem.message


def test_an_unknown_unit_type_and_a_union_code_are_refused(tmp_path):
    def odd(root):
        unit = root.find("Jednostki")[0]
        unit.find("Typ").text = "XX"
        unit.find("GT").text = "Z"

    problems = refusal(broken_copy(tmp_path, "typ.xml", odd)).problems
    fields = {p.field for p in problems}
    assert {"Jednostka[1]/Typ", "Jednostka[1]/GT"} <= fields


def test_a_document_type_declaration_is_refused(tmp_path):
    evil = tmp_path / "dtd.xml"
    evil.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><PaczkaSprawozdan/>',
        encoding="utf-8",
    )
    assert "DOCTYPE" in refusal(evil).problems[0].message


def test_another_xml_document_is_refused(tmp_path):
    other = tmp_path / "other.xml"
    other.write_text('<?xml version="1.0"?><html><body/></html>', encoding="utf-8")
    assert "not a PaczkaSprawozdan package" in refusal(other).problems[0].message


# --- loading into the database --------------------------------------------------------------


async def scalar(engine, sql, **params):
    async with engine.connect() as conn:
        return await conn.scalar(text(sql), params)


async def test_loading_stores_every_line_with_sums_equal_to_the_source(teryt_engine):
    for path in FILES:
        summary = await load_mf_rb(teryt_engine, path)
        assert summary.status == "published"
        assert summary.counts.rows_read == LINES[path]
    assert await scalar(teryt_engine, "SELECT count(*) FROM budget_report") == 28
    assert await scalar(teryt_engine, "SELECT count(*) FROM budget_report_line") == sum(
        LINES.values()
    )
    for path, kind, column in (
        (SPENT_2022, "rb28s", "ww"),
        (INCOME_2022, "rb27s", "dw"),
        (SPENT_2023, "rb28s", "ww"),
        (INCOME_2023, "rb27s", "dw"),
    ):
        stored = await scalar(
            teryt_engine,
            f"SELECT sum(l.{column}) FROM budget_report_line l JOIN budget_report r "  # noqa: S608
            "ON r.id = l.report_id WHERE r.source_file = :file AND r.kind = :kind",
            file=path.name,
            kind=kind,
        )
        assert stored == source_sum(path, column.upper())


async def observation(engine, source, code, year=2022):
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT o.value, o.flag FROM observation o JOIN variable v "
                    "ON v.id = o.variable_id WHERE v.source = :s AND v.code = :c "
                    "AND o.teryt = :t AND o.year = :y"
                ),
                {"s": source, "c": code, "t": KUTNO, "y": year},
            )
        ).first()
    return None if row is None else (Decimal(repr(row.value)), row.flag)


async def test_q4_totals_reach_the_indicator_engine_flagged_as_partial(teryt_engine):
    for path in FILES:
        await load_mf_rb(teryt_engine, path)
    # Every total here has a corrected report in it (see REVISED); the partial flag comes first.
    assert await observation(teryt_engine, "mf_rb28s", "suma:wszystkie") == (WW_2022, REVISED)
    assert await observation(teryt_engine, "mf_rb28s", "dzial:801") == (
        source_sum(SPENT_2022, "WW", "801"),
        REVISED,
    )
    assert await observation(teryt_engine, "mf_rb28s", "rozdzial:80101") == (
        source_sum(SPENT_2022, "WW", "80101"),
        REVISED,
    )
    assert await observation(teryt_engine, "mf_rb27s", "suma:wszystkie") == (DW_2022, REVISED)
    # Q2 is not a year: nothing for 2023.
    assert await observation(teryt_engine, "mf_rb28s", "suma:wszystkie", 2023) is None
    # A powiat's budget is not the sum of its gminas': no roll-up to 1002.
    assert (
        await scalar(
            teryt_engine,
            "SELECT count(*) FROM observation o JOIN variable v ON v.id = o.variable_id "
            "WHERE v.source LIKE 'mf_rb%' AND o.teryt <> :t",
            t=KUTNO,
        )
        == 0
    )


async def test_loading_the_same_file_twice_changes_nothing(teryt_engine):
    first = await load_mf_rb(teryt_engine, SPENT_2022)
    before = await checksum(teryt_engine)
    again = await load_mf_rb(teryt_engine, SPENT_2022)
    assert first.status == "published"
    assert again.status == "unchanged"
    assert again.data_release_id is None
    assert again.counts.rows_unchanged >= LINES[SPENT_2022]
    assert await checksum(teryt_engine) == before


async def assert_refused_unchanged(engine, path, field, message):
    await load_mf_rb(engine, INCOME_2022)
    before = await checksum(engine)
    with pytest.raises(LoadRefused) as caught:
        await load_mf_rb(engine, path)
    problem = caught.value.problems[0]
    assert problem.file == path.name
    assert problem.field == field
    assert message in problem.message
    assert await checksum(engine) == before
    async with engine.connect() as conn:
        run = (
            await conn.execute(text("SELECT status, errors FROM load_run ORDER BY id DESC LIMIT 1"))
        ).one()
    assert run.status == "failed"
    assert run.errors[0]["field"] == field


async def test_an_unknown_unit_is_refused_and_the_database_is_unchanged(teryt_engine, tmp_path):
    def move(root):
        unit = root.find("Jednostki")[1]
        for codes in (unit, unit.find("Sprawozdania/Rb-28s/Jednostka")):
            codes.find("GK").text = "99"

    path = broken_copy(tmp_path, "Sprawozdania[2022][IVKwartał] Wydatki (gmina 99).xml", move)
    await assert_refused_unchanged(
        teryt_engine, path, "Jednostka[2]/WK+PK+GK+GT", "maps to TERC 1002991"
    )


@pytest.mark.parametrize(
    "case",
    [
        (
            "bez rozdziału.xml",
            lambda root: pozycja(root, 3, 17).remove(pozycja(root, 3, 17).find("Rozdzial")),
            "Jednostka[3]/Sprawozdania/Rb-28s/Pozycje/Pozycja[17]/Rozdzial",
            "missing",
        ),
        (
            "kwota.xml",
            lambda root: setattr(pozycja(root, 2, 5).find("WW"), "text", "abc"),
            "Jednostka[2]/Sprawozdania/Rb-28s/Pozycje/Pozycja[5]/WW",
            "not an amount",
        ),
        (
            "dwa razy.xml",
            lambda root: root.find("Jednostki").append(copy.deepcopy(root.find("Jednostki")[0])),
            "Jednostka[8]/Sprawozdania/Rb-28s",
            "duplicate",
        ),
    ],
)
async def test_bad_files_leave_the_database_unchanged(teryt_engine, tmp_path, case):
    name, change, field, message = case
    await assert_refused_unchanged(
        teryt_engine, broken_copy(tmp_path, name, change), field, message
    )


async def test_broken_xml_leaves_the_database_unchanged(teryt_engine, tmp_path):
    cut = tmp_path / "ucięty.xml"
    cut.write_bytes(SPENT_2022.read_bytes()[:30_000])
    await load_mf_rb(teryt_engine, INCOME_2022)
    before = await checksum(teryt_engine)
    with pytest.raises(LoadRefused):
        await load_mf_rb(teryt_engine, cut)
    assert await checksum(teryt_engine) == before


def with_version(version: str, delta: str):
    def change(root):
        report = root.find("Jednostki")[0].find("Sprawozdania/Rb-28s")
        report.find("Naglowek/Wersja").text = version
        line = report.find("Pozycje")[0]
        line.find("WW").text = str(Decimal(line.findtext("WW")) + Decimal(delta))

    return change


async def test_a_newer_version_replaces_the_report_and_an_older_one_is_ignored(
    teryt_engine, tmp_path
):
    await load_mf_rb(teryt_engine, SPENT_2022)  # Szkoła Podstawowa Nr 7 is Wersja 1
    older = await load_mf_rb(
        teryt_engine, broken_copy(tmp_path, "older.xml", with_version("0", "100.00"))
    )
    assert older.status == "unchanged"
    assert any("older than the stored version 1" in p.message for p in older.problems)
    newer = await load_mf_rb(
        teryt_engine, broken_copy(tmp_path, "newer.xml", with_version("2", "100.00"))
    )
    assert newer.status == "published"
    assert newer.counts.rows_updated >= 34  # the 34 lines of that report, replaced
    total = await observation(teryt_engine, "mf_rb28s", "suma:wszystkie")
    assert total == (WW_2022 + Decimal("100.00"), REVISED)


async def test_a_total_with_a_corrected_report_is_flagged_revised_at_source(teryt_engine):
    """Issue 17: a report of `Wersja` above 0 is a corrected re-submission; a total it is part
    of says so. Dział 926 of Kutno's 2022 Rb-28S and paragraf 095 of its Rb-27S come only from
    version-0 reports (checked against the XML by `revised_codes`), so they stay unflagged."""
    for path in (SPENT_2022, INCOME_2022):
        await load_mf_rb(teryt_engine, path)
    spent = revised_codes(SPENT_2022, "Dzial")
    assert spent == {"801": True, "854": True, "926": False}
    for dzial, revised in spent.items():
        expected = (source_sum(SPENT_2022, "WW", dzial), REVISED if revised else PARTIAL_FLAG)
        assert await observation(teryt_engine, "mf_rb28s", f"dzial:{dzial}") == expected
    assert await observation(teryt_engine, "mf_rb28s", "dzial:926") == (
        Decimal("887832.87"),
        PARTIAL_FLAG,
    )
    income = revised_codes(INCOME_2022, "Paragraf")
    assert [code for code, revised in income.items() if not revised] == ["095"]
    assert (await observation(teryt_engine, "mf_rb27s", "paragraf:095"))[1] == PARTIAL_FLAG
    assert (await observation(teryt_engine, "mf_rb27s", "paragraf:069"))[1] == REVISED
