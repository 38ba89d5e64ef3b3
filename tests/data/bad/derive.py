"""Re-create the broken-file corpus in this folder from the real shipped files.

Run from the repository root: `python tests/data/bad/derive.py`. Every file is a deliberate
breakage of a real file (named for what it breaks); none is presented as published data.
The TERC register's own broken files live in tests/data/teryt/bad/ (tests/data/teryt/derive.py).
The MF packages (mf_rb/) come from tests/data/mf, the SIO files (sio/) from tests/data/sio.
"""

import json
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import openpyxl
from broken_copies import HTML  # this folder: the script's own, first on sys.path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
LUDN_2137 = REPO / "data" / "bdl" / "LUDN_2137_CTAB_20210625164329.csv"
UNEMPLOYMENT = REPO / "data" / "bdl" / "GUS_bezrobocie.csv"
AREA = REPO / "data" / "gugik" / "Wykaz_powierzchni_wg_stanu_na_01012025_ha_km2.xlsx"
SAMPLES = REPO / "tests" / "data" / "bdl" / "pyBDL_samples" / "samples_raw_data.json"
MF_SPENT_2022 = REPO / "tests" / "data" / "mf" / "Sprawozdania[2022][IVKwartał] Wydatki.xml"
SIO_2022 = REPO / "tests" / "data" / "sio" / "SIO_30_09_2022_schools.csv"
SIO_FTE = REPO / "tests" / "data" / "sio" / "SIO_etaty.csv"


def bdl_export() -> None:
    out = HERE / "bdl_export"
    out.mkdir(exist_ok=True)
    lines = LUDN_2137.read_bytes().decode("utf-8").split("\r\n")[:30]
    header, rows = lines[0], lines[1:]

    def write(name: str, body: list[str], encoding: str = "utf-8") -> None:
        (out / name).write_bytes("\r\n".join(body).encode(encoding) + b"\r\n")

    write("pipe_separated.csv", [line.replace(";", "|") for line in [header, *rows]])
    write("no_code_column.csv", [header.replace('"Kod";', '"Id";'), *rows])
    broken = rows[1].replace(";14863;", ";14 863 os.;")
    write("non_numeric.csv", [header, rows[0], broken, *rows[2:]])
    write("negative_count.csv", [header, rows[0].replace(";38486;", ";-38486;"), *rows[1:]])
    write("future_year.csv", [header.replace('"ogółem"', '"ogółem;2031;[osoba]"'), *rows])
    conflicting = rows[3].split(";")
    conflicting[2] = "1"
    write("duplicate_conflict.csv", [header, *rows, ";".join(conflicting)])
    write("bad_code.csv", [header, rows[0].replace("0201011;", "02010111;", 1), *rows[1:]])
    write("unknown_codes.csv", [header] + [r.replace(r[:2], "98", 1) for r in rows])
    write("truncated.csv", [header, *rows[:-1], rows[-1][:20]])
    mojibake = [line.encode("utf-8").decode("cp1250", errors="replace") for line in rows]
    write("utf8_read_as_cp1250.csv", [header, *mojibake])
    (out / "html_error_page.csv").write_bytes(HTML)
    (out / "empty.csv").write_bytes(b"")
    (out / "utf16.csv").write_bytes("\r\n".join([header, *rows]).encode("utf-16"))
    (out / "huge_line.csv").write_bytes(
        ("\r\n".join([header, rows[0]]) + '\r\n0201022;"' + "x" * 200_000 + '";1;\r\n').encode()
    )


def area() -> None:
    out = HERE / "area"
    out.mkdir(exist_ok=True)
    raw = AREA.read_bytes()
    stem = "Wykaz_powierzchni_wg_stanu_na_01012025"
    (out / f"{stem}_truncated.xlsx").write_bytes(raw[: len(raw) // 3])
    (out / "Wykaz_powierzchni_wg_stanu_na_01012025_is_csv.xlsx").write_bytes(
        LUDN_2137.read_bytes()[:2000]
    )
    (out / "Wykaz_powierzchni_wg_stanu_na_01012025_is_html.xlsx").write_bytes(HTML)
    for name, edit in (
        ("text_in_area", lambda s: s.cell(row=3, column=3, value="b.d.")),
        ("negative_area", lambda s: s.cell(row=4, column=4, value=-5)),
        ("duplicate_code", lambda s: s.cell(row=5, column=1, value=s.cell(row=4, column=1).value)),
    ):
        book = openpyxl.load_workbook(BytesIO(raw))
        edit(book.worksheets[0])
        book.save(out / f"Wykaz_powierzchni_wg_stanu_na_01012025_{name}.xlsx")


def bdl_api() -> None:
    out = HERE / "bdl_api"
    out.mkdir(exist_ok=True)
    results = json.loads(SAMPLES.read_text(encoding="utf-8"))["get_data_by_variable"]
    page = {"totalRecords": len(results), "page": 0, "pageSize": 100, "results": results}
    body = json.dumps(page, ensure_ascii=False)
    (out / "html_error_page.json").write_bytes(HTML)
    (out / "truncated.json").write_text(body[: len(body) // 2], encoding="utf-8")
    (out / "wrong_shape.json").write_text(json.dumps({"data": results}), encoding="utf-8")
    broken = json.loads(body)
    broken["results"][2]["values"][3]["val"] = "dużo"
    (out / "non_numeric.json").write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    year = json.loads(body)
    year["results"][2]["values"][0]["year"] = "rok 2020"
    (out / "bad_year.json").write_text(json.dumps(year, ensure_ascii=False), encoding="utf-8")


def zipped() -> None:
    out = HERE / "teryt_zip"
    out.mkdir(exist_ok=True)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "no register inside")
    (out / "TERC_no_member.zip").write_bytes(buffer.getvalue())


def _once(text: str, old: str, new: str) -> str:
    """`text` with the first `old` replaced; `old` must be there (the real file changed?)."""
    if old not in text:
        raise ValueError(f"{old!r} is not in the source file")
    return text.replace(old, new, 1)


def mf_rb() -> None:
    out = HERE / "mf_rb"
    out.mkdir(exist_ok=True)
    package = MF_SPENT_2022.read_bytes().decode("utf-8-sig")  # one line, 7 units
    # A small excerpt, valid on its own: the package's Okres and its first two units (each
    # ends with its Podpisy). Unit 1 (Szkoła Podstawowa Nr 7), report Rb-28s, Pozycja 1:
    # Dzial 801, Rozdzial 80101, Paragraf 302, WW 9803.89.
    unit_end = "</Podpisy></Jednostka>"
    start = package.index("<Jednostki>") + len("<Jednostki>")
    first_end = package.index(unit_end, start) + len(unit_end)
    second_end = package.index(unit_end, first_end) + len(unit_end)
    excerpt = package[:second_end] + package[package.index("</Jednostki>") :]

    def write(name: str, text: str) -> None:
        (out / name).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

    raw = b"\xef\xbb\xbf" + excerpt.encode("utf-8")
    (out / "truncated.xml").write_bytes(raw[: len(raw) // 2])
    (out / "html_error_page.xml").write_bytes(HTML)
    (out / "html_without_doctype.xml").write_bytes(HTML.split(b"\n", 1)[1])
    (out / "empty.xml").write_bytes(b"")
    (out / "utf16.xml").write_bytes(excerpt.encode("utf-16"))  # still declares utf-8
    (out / "reencoded_cp1250.xml").write_bytes(excerpt.encode("cp1250"))  # ditto
    write("non_numeric_amount.xml", _once(excerpt, "<WW>9803.89</WW>", "<WW>9 803,89</WW>"))
    write("absurd_amount.xml", _once(excerpt, "<WW>9803.89</WW>", "<WW>98038900000000000.00</WW>"))
    write(
        "rozdzial_not_in_dzial.xml",
        _once(excerpt, "<Rozdzial>80101</Rozdzial>", "<Rozdzial>75601</Rozdzial>"),
    )
    write(
        "malformed_paragraf.xml",
        _once(excerpt, "<Paragraf>302</Paragraf>", "<Paragraf>3O2</Paragraf>"),
    )
    # The package's own Okres comes first: Rok 2022, Okres 4.
    write("year_2101.xml", _once(excerpt, "<Rok>2022</Rok>", "<Rok>2101</Rok>"))
    write("quarter_5.xml", _once(excerpt, "<Okres>4</Okres>", "<Okres>5</Okres>"))
    write("year_2099.xml", _once(excerpt, "<Rok>2022</Rok>", "<Rok>2099</Rok>"))
    # Unit 1 once more at the end, one amount changed: a second, conflicting report.
    again = _once(package[start:first_end], "<WW>9803.89</WW>", "<WW>9903.89</WW>")
    write("duplicate_conflict.xml", _once(excerpt, "</Jednostki>", again + "</Jednostki>"))
    # Unit 2 moved to gmina 99 of powiat 1002 (its codes and its report's): no such TERC unit.
    moved = package[first_end:second_end].replace("<GK>01</GK>", "<GK>99</GK>")
    write("unknown_unit.xml", excerpt[:first_end] + moved + excerpt[second_end:])


def sio() -> None:
    out = HERE / "sio"
    out.mkdir(exist_ok=True)
    text = SIO_2022.read_bytes().decode("utf-8")
    lines = text.split("\n")  # header, 7 schools, "" after the last newline

    def write(name: str, body: str) -> None:
        (out / name).write_bytes(body.encode("utf-8"))

    write("semicolon_separated.csv", text.replace(",", ";"))
    write(
        "missing_column.csv",
        _once(text, ",Typ organu prowadzącego,", ",Organ prowadzący - typ,"),
    )
    # Row 2: RSPO 31727, registered by gmina 10,2,1 M, 420.4063 pupils.
    write("non_numeric_count.csv", _once(text, ",dzienna,420.4063,", ",dzienna,b.d.,"))
    write("negative_count.csv", _once(text, ",dzienna,420.4063,", ",dzienna,-420.4063,"))
    write("absurd_count.csv", _once(text, ",dzienna,420.4063,", ",dzienna,4204063000,"))
    write("huge_line.csv", _once(text, ",dzienna,420.4063,", f",{'x' * 200_000},420.4063,"))
    write("header_only.csv", lines[0] + "\n")
    write("unknown_gmina_type.csv", _once(text, ",Kutno,M,903280,", ",Kutno,Q,903280,"))
    write("truncated.csv", "\n".join([*lines[:-2], lines[-2][: len(lines[-2]) // 2]]))
    mojibake = text.encode("utf-8").decode("cp1250", errors="replace")
    write("utf8_read_as_cp1250.csv", mojibake)
    # Row 2 saved as Windows-1250, the rest UTF-8.
    (out / "mixed_encoding.csv").write_bytes(
        "\n".join(lines[:1]).encode("utf-8")
        + b"\n"
        + lines[1].encode("cp1250")
        + b"\n"
        + "\n".join(lines[2:]).encode("utf-8")
    )
    (out / "utf16.csv").write_bytes(text.encode("utf-16"))
    (out / "html_error_page.csv").write_bytes(HTML)
    (out / "empty.csv").write_bytes(b"")
    # Teacher FTEs: the school of row 3 (RSPO 31727) again at the end with another FTE.
    fte = SIO_FTE.read_bytes().decode("utf-8").split("\n")
    again = _once(fte[2], ",43.97,", ",44.97,")
    write("fte_duplicate_school.csv", "\n".join([*fte[:-1], again, ""]))


def bdl_long() -> None:
    """The long-layout unemployment export: its header and the December rows of 2014-2016."""
    out = HERE / "bdl_long"
    out.mkdir(exist_ok=True)
    lines = UNEMPLOYMENT.read_text(encoding="utf-8").split("\n")
    header = lines[0]
    december = [line for line in lines[1:] if ";grudzień;" in line and ";2017;" not in line]
    rows = december[:30]  # Polska, then units: row k of a derived file is rows[k - 2]

    def field(row: str, index: int, value: str) -> str:
        fields = row.split(";")
        fields[index] = value
        return ";".join(fields)

    def write(name: str, body: list[str]) -> None:
        (out / name).write_text("\n".join(body) + "\n", encoding="utf-8")

    def broken(at: int, index: int, value: str) -> list[str]:
        return [header, *rows[:at], field(rows[at], index, value), *rows[at + 1 :]]

    write("bad_code.csv", broken(3, 0, "2OOOOO"))  # row 5: letters O for zeros
    write("non_numeric.csv", broken(4, 5, "8.5 %"))  # row 6
    write("year_2099.csv", broken(6, 4, "2099"))  # row 8
    write("duplicate_key.csv", [header, *rows, field(rows[5], 5, "99,9")])  # row 32
    write("no_december.csv", [header, *(r.replace("grudzień", "listopad") for r in rows)])


if __name__ == "__main__":
    # `python derive.py mf_rb sio` writes just those folders (the xlsx and zip writers put
    # the time of writing into their files).
    everything = ["bdl_export", "bdl_long", "area", "bdl_api", "zipped", "mf_rb", "sio"]
    for name in sys.argv[1:] or everything:
        globals()[name]()
