"""The Polish CSV opened by a real spreadsheet: LibreOffice Calc, headless, Polish locale.

The nearest thing to Polish Excel available here: `soffice --convert-to xlsx` with the CSV filter
set to `;`, UTF-8 and the pl-PL locale must read numbers with a decimal comma as numbers (not
text) and TERC codes kept as text. Marked `spreadsheet` (about half a minute); CI runs it.
Debian's libreoffice-calc is installed when missing (as root), else the test fails loudly.
"""

import shutil
import subprocess

import openpyxl
import pytest

pytestmark = pytest.mark.spreadsheet

CROSS = "/api/v1/indicators/kontekst.udzial_65_plus/values"
# CSV filter options: separator 59 (;), text delimiter 34 ("), charset 76 (UTF-8), first line 1,
# column formats: 2/2 = column 2 (teryt) as text; language pl-PL decides the decimal comma.
FILTER = 'csv:"Text - txt - csv (StarCalc)":59,34,76,1,2/2,1045'


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    install = subprocess.run(
        ["/usr/bin/apt-get", "install", "-y", "-q", "--no-install-recommends", "libreoffice-calc"],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    found = shutil.which("soffice")
    if not found:
        pytest.fail(f"libreoffice-calc is needed and could not be installed:\n{install.stderr}")
    return found


async def test_polish_csv_opens_with_numbers_as_numbers(client, tmp_path):
    response = await client.get(CROSS, params={"level": "powiat", "year": 2020,
                                               "format": "csv", "locale": "pl"})  # fmt: skip
    source = tmp_path / "miarka.csv"
    source.write_bytes(response.content)
    profile = tmp_path / "profile"
    result = subprocess.run(  # noqa: ASYNC221 - the conversion is the test
        [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--infilter="
         + FILTER.split(":", 1)[1], "--convert-to", "xlsx", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    converted = tmp_path / "miarka.xlsx"
    assert converted.exists(), result.stderr + result.stdout
    sheet = openpyxl.load_workbook(converted).active
    header = [c.value for c in sheet[1]]
    assert header[:7] == ["indicator", "teryt", "name", "level", "year", "value", "flags"]
    first = [c.value for c in sheet[2]]
    assert isinstance(first[5], float)  # "24,71819748515989" read as a number
    codes = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert all(isinstance(code, str) and len(code) == 4 for code in codes)
    assert "0261" in codes  # leading zeros kept: TERC codes stay text
    values = [row[5].value for row in sheet.iter_rows(min_row=2)]
    assert len(values) == 380
    assert all(isinstance(v, float) for v in values)
