"""Read `PaczkaSprawozdan` XML packages: Rb-27S and Rb-28S reports of local government units.

The format, as the real packages in tests/data/mf show it: `Okres` (Rok, TypOkresu, Okres) for
the package, then `Jednostki/Jednostka` with Nazwa, Typ (JST or JB), Regon (padded with spaces),
WK, PK, GK, GT, PT and `Sprawozdania` holding `Rb-27s`/`Rb-28s` elements, each with its own
Okres, Jednostka, Naglowek (Wersja, DataSprawozdania) and `Pozycje/Pozycja` rows (Dzial,
Rozdzial, Grupa, Paragraf, P4 and the amounts). Files are UTF-8 with a BOM, on one line, and
carry XML signatures (`Podpisy`), which are skipped.

The file is streamed (`iterparse`), each `Jednostka` is cleared once read, so memory stays flat
for packages of every unit of the country. A problem names the file and the element path with
the field, XPath-like: `Jednostka[3]/Sprawozdania/Rb-28s/Pozycje/Pozycja[17]/Rozdzial`. The
whole package is refused if any report has a problem; nothing is half-read.
"""

import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Final

from loaders.errors import LoadRefused, ProblemCollector
from loaders.mf_rb.records import (
    AMOUNTS,
    BudgetReportRecord,
    ReportBatch,
    ReportKind,
    ReportLine,
    UnitRef,
    UnitType,
    parse_amount,
)

__all__ = ["parse_package"]

ROOT: Final = "PaczkaSprawozdan"
REPORT_TAGS: Final[dict[str, ReportKind]] = {"Rb-27s": "rb27s", "Rb-28s": "rb28s"}
UNIT_TYPES: Final[frozenset[str]] = frozenset({"JST", "JB"})
PERIOD_TYPES: Final[frozenset[str]] = frozenset({"Kwartal"})
_LINE_FIELDS: Final = frozenset({"Dzial", "Rozdzial", "Grupa", "Paragraf", "P4"})
_CODE_FORMATS: Final = {
    "Dzial": re.compile(r"\d{3}"),
    "Rozdzial": re.compile(r"\d{5}"),
    "Paragraf": re.compile(r"\d{3}"),
    "P4": re.compile(r"\d"),
    "Grupa": re.compile(r"\d{4}"),
}
_UNIT_FORMATS: Final = {
    "WK": re.compile(r"\d{2}"),
    "PK": re.compile(r"\d{2}"),
    "GK": re.compile(r"\d{2}"),
    "GT": re.compile(r"\d"),
    "PT": re.compile(r"\d?"),
}
_REGON = re.compile(r"\d{9}|\d{14}")
_PROLOG_BYTES: Final = 1 << 16


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems = ProblemCollector(file)
        self.warnings: list[str] = []
        self._unknown_tags: Counter[str] = Counter()

    def text(self, parent: ET.Element, tag: str, path: str, *, required: bool = True) -> str | None:
        node = parent.find(tag)
        value = None if node is None or node.text is None else node.text.strip()
        if not value and required:
            self.problems.add("missing or empty", field=f"{path}/{tag}")
            return None
        return value or None

    def period(self, okres: ET.Element, path: str) -> tuple[int, str, int] | None:
        year, kind, number = (self.text(okres, t, path) for t in ("Rok", "TypOkresu", "Okres"))
        if year is None or kind is None or number is None:
            return None
        if not year.isdigit() or not 1990 <= int(year) <= 2100:  # noqa: PLR2004
            self.problems.add(f"not a year: {year!r}", field=f"{path}/Rok", code="out_of_range")
            return None
        if int(year) > date.today().year:  # noqa: DTZ011 - the reporting calendar is local
            self.problems.add(
                f"year {year} has not begun: a report from the future",
                field=f"{path}/Rok",
                code="out_of_range",
            )
            return None
        if kind not in PERIOD_TYPES:
            self.problems.add(
                f"period type {kind!r} is not supported (expected Kwartal)",
                field=f"{path}/TypOkresu",
            )
            return None
        if number not in {"1", "2", "3", "4"}:
            self.problems.add(
                f"not a quarter 1-4: {number!r}", field=f"{path}/Okres", code="out_of_range"
            )
            return None
        return int(year), kind, int(number)

    def unit(self, node: ET.Element, path: str) -> UnitRef | None:
        before = len(self.problems.problems)
        name = self.text(node, "Nazwa", path)
        unit_type = self.text(node, "Typ", path)
        regon = self.text(node, "Regon", path)
        codes = {tag: self.text(node, tag, path, required=tag != "PT") for tag in _UNIT_FORMATS}
        if unit_type is not None and unit_type not in UNIT_TYPES:
            self.problems.add(
                f"unit type {unit_type!r} is not known (expected JST or JB)", field=f"{path}/Typ"
            )
        if regon is not None and not _REGON.fullmatch(regon):
            self.problems.add(f"not a REGON (9 or 14 digits): {regon!r}", field=f"{path}/Regon")
        for tag, value in codes.items():
            if value is not None and not _UNIT_FORMATS[tag].fullmatch(value):
                hint = " (a union of units has no TERC code)" if value.upper() == "Z" else ""
                self.problems.add(
                    f"malformed code {value!r}{hint}", field=f"{path}/{tag}", code="bad_code"
                )
        if len(self.problems.problems) > before or None in (name, unit_type, regon):
            return None
        return UnitRef(
            name=name or "",
            unit_type=_unit_type(unit_type),
            regon=regon or "",
            wk=codes["WK"] or "",
            pk=codes["PK"] or "",
            gk=codes["GK"] or "",
            gt=codes["GT"] or "",
            pt=codes["PT"],
        )

    def line(
        self, node: ET.Element, path: str, position: int, kind: ReportKind
    ) -> ReportLine | None:
        before = len(self.problems.problems)
        codes: dict[str, str | None] = {}
        for tag in ("Dzial", "Rozdzial", "Paragraf", "P4", "Grupa"):
            value = self.text(node, tag, path, required=tag != "Grupa")
            if value is not None and not _CODE_FORMATS[tag].fullmatch(value):
                self.problems.add(
                    f"malformed code {value!r}", field=f"{path}/{tag}", code="bad_code"
                )
            codes[tag] = value
        dzial, rozdzial = codes["Dzial"], codes["Rozdzial"]
        if dzial and rozdzial and not rozdzial.startswith(dzial):
            self.problems.add(
                f"rozdział {rozdzial} is not in dział {dzial}",
                field=f"{path}/Rozdzial",
                code="inconsistent",
            )
        amounts = {}
        allowed = AMOUNTS[kind]
        for child in node:
            tag = child.tag
            if tag in _LINE_FIELDS:
                continue
            if tag.lower() not in allowed:
                self._unknown_tags[f"{kind}:{tag}"] += 1
                continue
            raw = (child.text or "").strip()
            amount = parse_amount(raw)
            if amount is None:
                self.problems.add(
                    f"not an amount in PLN with at most two decimals: {raw!r}",
                    field=f"{path}/{tag}",
                    code="not_a_number",
                )
                continue
            amounts[tag.lower()] = amount
        if len(self.problems.problems) > before:
            return None
        return ReportLine(
            position=position,
            dzial=dzial or "",
            rozdzial=rozdzial or "",
            paragraf=codes["Paragraf"] or "",
            p4=codes["P4"] or "",
            grupa=codes["Grupa"],
            amounts=amounts,
        )

    def report(
        self,
        node: ET.Element,
        path: str,
        unit: UnitRef,
        package_period: tuple[int, str, int] | None,
    ) -> BudgetReportRecord | None:
        kind = REPORT_TAGS[node.tag]
        before = len(self.problems.problems)
        own = node.find("Jednostka")
        if own is not None:
            signed = self.unit(own, f"{path}/Jednostka")
            if signed is not None and _codes(signed) != _codes(unit):
                self.problems.add(
                    f"the report's unit {_codes(signed)} differs from the enclosing unit "
                    f"{_codes(unit)}",
                    field=f"{path}/Jednostka",
                )
        okres = node.find("Okres")
        period = self.period(okres, f"{path}/Okres") if okres is not None else package_period
        if period is None and okres is None:
            self.problems.add("no period: neither the report nor the package has Okres", field=path)
        if (
            okres is not None
            and package_period is not None
            and period not in (None, package_period)
        ):
            self.problems.add(
                f"period {period} differs from the package's {package_period}",
                field=f"{path}/Okres",
            )
        header = node.find("Naglowek")
        version, report_date = _header(self, header, f"{path}/Naglowek")
        pozycje = node.find("Pozycje")
        lines: list[ReportLine] = []
        if pozycje is None:
            self.problems.add("missing", field=f"{path}/Pozycje")
        else:
            for index, item in enumerate(pozycje.iterfind("Pozycja"), start=1):
                line = self.line(item, f"{path}/Pozycje/Pozycja[{index}]", index, kind)
                if line is not None:
                    lines.append(line)
                if self.problems.full:
                    break
        if len(self.problems.problems) > before or period is None:
            return None
        return BudgetReportRecord(
            kind=kind,
            unit=unit,
            year=period[0],
            period_type=period[1],
            period=period[2],
            version=version,
            report_date=report_date,
            source_report_id=node.get("Id"),
            source="xml",
            source_file=self.file,
            element=path,
            lines=lines,
        )

    def jednostka(
        self, node: ET.Element, path: str, package_period: tuple[int, str, int] | None
    ) -> list[BudgetReportRecord]:
        unit = self.unit(node, path)
        sprawozdania = node.find("Sprawozdania")
        if sprawozdania is None:
            self.problems.add("missing", field=f"{path}/Sprawozdania")
            return []
        if unit is None:
            return []
        seen: Counter[str] = Counter()
        reports = []
        for child in sprawozdania:
            if child.tag not in REPORT_TAGS:
                self._unknown_tags[f"report:{child.tag}"] += 1
                continue
            seen[child.tag] += 1
            index = f"[{seen[child.tag]}]" if seen[child.tag] > 1 else ""
            record = self.report(
                child, f"{path}/Sprawozdania/{child.tag}{index}", unit, package_period
            )
            if record is not None:
                reports.append(record)
        return reports

    def finish_warnings(self) -> None:
        for key, count in sorted(self._unknown_tags.items()):
            where, tag = key.split(":", 1)
            what = "report elements" if where == "report" else f"{where} amount columns"
            self.warnings.append(f"{count} {what} <{tag}> not loaded (not used by Miarka)")


def _unit_type(value: str | None) -> UnitType:
    return "JB" if value == "JB" else "JST"


def _codes(unit: UnitRef) -> tuple[str, str, str, str, str]:
    return (unit.regon, unit.wk, unit.pk, unit.gk, unit.gt)


def _header(
    reader: _Reader, header: ET.Element | None, path: str
) -> tuple[int | None, date | None]:
    if header is None:
        return None, None
    version_text = reader.text(header, "Wersja", path, required=False)
    date_text = reader.text(header, "DataSprawozdania", path, required=False)
    version = None
    if version_text is not None:
        if version_text.isdigit():
            version = int(version_text)
        else:
            reader.problems.add(f"not a version number: {version_text!r}", field=f"{path}/Wersja")
    report_date = None
    if date_text is not None:
        try:
            report_date = date.fromisoformat(date_text)
        except ValueError:
            reader.problems.add(f"not a date: {date_text!r}", field=f"{path}/DataSprawozdania")
    return version, report_date


def _check_prolog(path: Path, file: str) -> None:
    """Refuse a document type declaration: the format has none, and entities could expand."""
    with path.open("rb") as handle:
        head = handle.read(_PROLOG_BYTES)
    if not head.strip():
        raise LoadRefused.one(file, "the file is empty", code="unreadable_file")
    start = re.search(rb"<(?![?!])", head)
    prolog = head if start is None else head[: start.start()]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise LoadRefused.one(file, "a DOCTYPE or ENTITY declaration is not accepted")


def _check_duplicates(reader: _Reader, reports: list[BudgetReportRecord]) -> None:
    first: dict[tuple[str, str, str, int, str, int], str] = {}
    regon_names: dict[tuple[str, str, int, str], set[str]] = {}
    for report in reports:
        where = first.setdefault(report.key, report.element)
        if where != report.element:
            reader.problems.add(
                f"duplicate {report.kind} report for unit {report.unit.name!r} (REGON "
                f"{report.unit.regon}), {report.year} Q{report.period}: also at {where}",
                field=report.element,
                code="duplicate_key",
            )
        regon_names.setdefault(
            (report.kind, report.unit.regon, report.year, str(report.period)), set()
        ).add(report.unit.name)
    for (kind, regon, year, period), names in sorted(regon_names.items()):
        if len(names) > 1:
            reader.warnings.append(
                f"{kind} {year} Q{period}: REGON {regon} is reported by {len(names)} units "
                f"({', '.join(sorted(names))}); they are kept apart by name"
            )


def parse_package(path: Path, *, file_name: str | None = None) -> ReportBatch:
    """Every Rb-27S/Rb-28S report of the package; refuses the whole file on any problem."""
    file = file_name or path.name
    _check_prolog(path, file)
    reader = _Reader(file)
    reports: list[BudgetReportRecord] = []
    package_period: tuple[int, str, int] | None = None
    stack: list[str] = []
    units = 0
    try:
        for event, node in ET.iterparse(path, events=("start", "end")):  # noqa: S314 - see _check_prolog
            if event == "start":
                if not stack and node.tag != ROOT:
                    raise LoadRefused.one(
                        file,
                        f"not a {ROOT} package: the root is <{node.tag}>",
                        code="unreadable_file",
                    )
                stack.append(node.tag)
                continue
            stack.pop()
            if len(stack) == 1 and node.tag == "Okres":
                package_period = reader.period(node, "Okres")
            elif len(stack) == 2 and node.tag == "Jednostka" and stack[1] == "Jednostki":  # noqa: PLR2004
                units += 1
                reports.extend(reader.jednostka(node, f"Jednostka[{units}]", package_period))
                node.clear()
                if reader.problems.full:
                    break
    except ET.ParseError as exc:
        line, column = exc.position
        raise LoadRefused.one(
            file,
            f"not well-formed XML at line {line}, column {column}: {exc}",
            row=line,
            code="unreadable_file",
        ) from exc
    if units == 0 and not reader.problems.problems:
        reader.problems.add("no Jednostki/Jednostka in the package", field="Jednostki")
    _check_duplicates(reader, reports)
    reader.problems.raise_if_any()
    reader.finish_warnings()
    return ReportBatch(file=file, reports=reports, warnings=reader.warnings)
