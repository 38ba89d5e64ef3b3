"""Budget execution reports (Rb-27S, Rb-28S) as read from any source, before they are stored.

The XML packages and the BeSTi@ API both end up as `BudgetReportRecord`s: one per report of
one unit for one period, with its lines and amounts as `Decimal`s. Each record remembers
where in the source it came from (`element`: an XPath-like path or an API URL), so a refusal
at publish time can still name it.
"""

import hashlib
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final, Literal

import msgspec

ReportKind = Literal["rb27s", "rb28s"]
UnitType = Literal["JST", "JB"]

AMOUNTS: Final[dict[str, tuple[str, ...]]] = {
    "rb28s": ("pl", "za", "ww", "zo"),
    "rb27s": ("pl", "na", "dw", "no", "nz", "np"),
}
"""Amount columns of each report kind, lower case as stored (the XML has them upper case)."""
EXECUTED: Final[dict[str, str]] = {"rb28s": "ww", "rb27s": "dw"}
"""The column of executed amounts: WW (expenditure spent), DW (income received)."""

_AMOUNT = re.compile(r"-?\d{1,16}(\.\d{1,2})?")
_WHITESPACE = re.compile(r"\s+")


class UnitRef(msgspec.Struct, frozen=True, kw_only=True):
    """The reporting unit: a local government (JST) or one of its budgetary units (JB)."""

    name: str
    unit_type: UnitType
    regon: str
    wk: str
    pk: str
    gk: str
    gt: str
    pt: str | None = None

    @property
    def teryt(self) -> str:
        return teryt_of(self.wk, self.pk, self.gk, self.gt)

    @property
    def key(self) -> str:
        """REGON alone does not identify a unit: a real package has two schools under one."""
        return f"{self.regon}|{fold_name(self.name)}"


class ReportLine(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    """1-based index of the `Pozycja` in its report."""
    dzial: str
    rozdzial: str
    paragraf: str
    """Three digits, as the reports give it; `p4` is the fourth (source of funding)."""
    p4: str
    grupa: str | None = None
    amounts: dict[str, Decimal] = {}
    """Only the columns the source gives; an absent one is not zero."""


class BudgetReportRecord(msgspec.Struct, frozen=True, kw_only=True):
    kind: ReportKind
    unit: UnitRef
    year: int
    period_type: str
    period: int
    version: int | None
    report_date: date | None
    source_report_id: str | None
    source: Literal["xml", "bestia"]
    source_file: str
    element: str
    """Where in the source: `Jednostka[3]/Sprawozdania/Rb-28s` or the API URL."""
    lines: list[ReportLine]

    @property
    def key(self) -> tuple[str, str, str, int, str, int]:
        return (self.kind, self.unit.teryt, self.unit.key, self.year, self.period_type, self.period)

    def digest(self) -> str:
        """Of everything stored about the report: equal digests mean an identical re-load."""
        payload = msgspec.json.encode(
            [
                self.unit,
                self.version,
                self.report_date,
                self.source_report_id,
                [
                    (ln.dzial, ln.rozdzial, ln.paragraf, ln.p4, ln.grupa, ln.amounts)
                    for ln in self.lines
                ],
            ]
        )
        return hashlib.sha256(payload).hexdigest()


class ReportBatch(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    reports: list[BudgetReportRecord]
    warnings: list[str] = []

    @property
    def line_count(self) -> int:
        return sum(len(r.lines) for r in self.reports)


def teryt_of(wk: str, pk: str, gk: str, gt: str) -> str:
    """TERC code of a unit from its report codes (WK województwo, PK powiat, GK gmina, GT type).

    A gmina is WK+PK+GK+GT; a powiat reports with GK 00 (so does a city with powiat rights,
    as BeSTi@ codes it: its budget is filed under the 4-digit powiat code); a voivodeship
    with PK and GK 00.
    """
    if gk == "00" and pk == "00":
        return wk
    if gk == "00":
        return wk + pk
    return wk + pk + gk + gt


def fold_name(name: str) -> str:
    return _WHITESPACE.sub(" ", name).strip().casefold()


def parse_amount(text: str) -> Decimal | None:
    """A PLN amount with at most two decimals (`1234.56`, `-12.00`); None when malformed."""
    value = text.strip()
    if not _AMOUNT.fullmatch(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None
