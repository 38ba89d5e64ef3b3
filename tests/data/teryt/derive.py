"""Re-create the DERIVED test files of this folder from the real registers beside it.

Run from the repository root: `python tests/data/teryt/derive.py`. Every output is a small,
deliberate change of a real file, named for what it tests; none is presented as published data.
"""

import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
OFFICIAL = REPO / "data" / "teryt" / "TERC_Urzedowy_2025-11-18.csv"
OLDER = HERE / "terc_2024-01-01_converted_from_lokacje_json.csv"
BAD = HERE / "bad"
BOM = "\ufeff"


def lines_of(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8-sig").split("\r\n")


def write(name: str, lines: list[str], *, encoding: str = "utf-8", bom: bool = True) -> None:
    text = (BOM if bom else "") + "\r\n".join(lines) + "\r\n"
    (BAD / name).write_bytes(text.encode(encoding))


def main() -> None:
    BAD.mkdir(exist_ok=True)
    official = [line for line in lines_of(OFFICIAL) if line]
    header, rows = official[0], official[1:]
    # A small valid excerpt: DOLNOŚLĄSKIE, powiat bolesławiecki and its 6 gminas (+ parts).
    mini = [header] + [r for r in rows if r.startswith(("02;;", "02;01;"))]
    (HERE / "mini_valid.csv").write_bytes((BOM + "\r\n".join(mini) + "\r\n").encode())

    # The older register as the pre-2020 downloads were: Windows-1250, no BOM.
    older = OLDER.read_bytes().decode("utf-8-sig")
    (HERE / "terc_2024-01-01_cp1250.csv").write_bytes(older.encode("cp1250"))
    with zipfile.ZipFile(HERE / "terc_2024-01-01_cp1250.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("TERC_Urzedowy_2024-01-01.csv", older.encode("cp1250"))

    write("wrong_separator.csv", [line.replace(";", ",") for line in mini])
    write(
        "missing_column.csv", [";".join(line.split(";")[:5] + line.split(";")[6:]) for line in mini]
    )
    bad_code = list(mini)
    bad_code[3] = bad_code[3].replace("02;01;01;1", "02;1A;01;1")
    write("bad_code.csv", bad_code)  # row 4, field POW
    bad_woj = list(mini)
    bad_woj[2] = "03" + bad_woj[2][2:]
    write("bad_voivodeship.csv", bad_woj)  # row 3, field WOJ (odd codes do not exist)
    unknown_rodz = list(mini)
    unknown_rodz[4] = unknown_rodz[4].replace("02;01;02;2", "02;01;02;7")
    write("unknown_rodz.csv", unknown_rodz)  # row 5, field RODZ
    write("duplicate.csv", [*mini, mini[4]])  # last row repeats row 5
    write("truncated_mid_row.csv", [*mini[:-1], mini[-1][:9]])  # last row cut short
    mojibake = [line.encode("utf-8").decode("cp1250", errors="replace") for line in mini]
    write("utf8_read_as_cp1250.csv", mojibake)  # row 2, field NAZWA: DOLNOĹšLÄ„SKIE
    (BAD / "iso8859_2.csv").write_bytes("\r\n".join(mini).encode("iso8859_2") + b"\r\n")
    (BAD / "utf16.csv").write_bytes("\r\n".join(mini).encode("utf-16"))
    zipped = (HERE / "TERC_Urzedowy_2025-11-18.zip").read_bytes()
    (BAD / "truncated.zip").write_bytes(zipped[: len(zipped) // 2])
    (BAD / "html_error_page.csv").write_bytes(
        b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n"
        b"<body><h1>Service Unavailable</h1></body></html>\n"
    )
    (BAD / "empty.csv").write_bytes(b"")
    write("header_only.csv", [header])
    orphan = [line for line in mini if not line.startswith("02;01;;")]
    write("orphan_gmina.csv", orphan)  # gminas whose powiat 0201 is missing
    mixed = list(mini)
    mixed[5] = mixed[5].replace("2025-01-01", "2024-01-01")
    write("mixed_dates.csv", mixed)  # row 6, field STAN_NA
    bad_date = list(mini)
    bad_date[2] = bad_date[2].replace("2025-01-01", "01.01.2025")
    write("bad_date.csv", bad_date)  # row 3, field STAN_NA
    kind_mismatch = list(mini)
    kind_mismatch[3] = kind_mismatch[3].replace("gmina miejska", "gmina wiejska")
    write("kind_mismatch.csv", kind_mismatch)  # row 4, field NAZWA_DOD
    # A register cut at a row boundary: valid on its own, but it would close most units.
    (HERE / "cut_at_row_boundary.csv").write_bytes(
        (BOM + "\r\n".join(official[:400]) + "\r\n").encode()
    )
    # A newer register (synthetic, for the closing/renaming path): 2026-01-01, one gmina
    # renamed and one gmina with its parts removed.
    newer = [line.replace("2025-01-01", "2026-01-01") for line in official]
    newer = [
        line.replace(";Bolesławiec;gmina wiejska;", ";Bolesławiec Wiejski;gmina wiejska;")
        for line in newer
    ]
    newer = [line for line in newer if not line.startswith("02;01;03;")]
    (HERE / "synthetic_2026-01-01_renamed_and_closed.csv").write_bytes(
        (BOM + "\r\n".join(newer) + "\r\n").encode()
    )


if __name__ == "__main__":
    main()
