"""Re-create the broken-file corpus in this folder from the real shipped files.

Run from the repository root: `python tests/data/bad/derive.py`. Every file is a deliberate
breakage of a real file (named for what it breaks); none is presented as published data.
The TERC register's own broken files live in tests/data/teryt/bad/ (tests/data/teryt/derive.py).
"""

import json
import zipfile
from io import BytesIO
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
LUDN_2137 = REPO / "data" / "bdl" / "LUDN_2137_CTAB_20210625164329.csv"
AREA = REPO / "data" / "gugik" / "Wykaz_powierzchni_wg_stanu_na_01012025_ha_km2.xlsx"
SAMPLES = REPO / "tests" / "data" / "bdl" / "pyBDL_samples" / "samples_raw_data.json"
HTML = b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n"


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


if __name__ == "__main__":
    bdl_export()
    area()
    bdl_api()
    zipped()
