"""Budget execution reports (Rb-27S, Rb-28S) line by line, and SIO school volumes.

The cost calculator needs the budget at the level of a rozdział and a paragraph, for a unit and
also for each budgetary unit (a school) that reports on its own, so reports are kept as the
source gives them: one row per report, one row per `Pozycja`. Amounts are NUMERIC in PLN,
never floats, and an amount the source leaves out stays NULL. SIO volumes are kept per school
and per 30 September; pupils may be fractional in SIO and stay so.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from domains.base import Base

REPORT_KINDS = ("rb27s", "rb28s")
REPORT_KEY = ("kind", "teryt", "unit_key", "year", "period_type", "period")
"""What names one report: a unit's report of a kind for a period, unique across loads."""
STATEMENT_SOURCE = "mf_pit"
"""`source` of a Ministry of Finance statement of single Rb-27S income lines (each unit's share
in PIT, as MF booked it), stored as a report of its own. It stands for those lines only, and
only where the unit has no Rb-27S of its own for the year; never for a dział or the total."""
AMOUNT = Numeric(18, 2)


class BudgetReport(Base):
    """One report of one unit for one period, as published (a `Rb-27s`/`Rb-28s` element).

    `teryt` is the TERC code of the local government the report belongs to: WK+PK+GK+GT of the
    unit; a budgetary unit (`unit_type` JB, e.g. a school) belongs to the gmina of its codes.
    `unit_key` tells units apart within a TERC: REGON and folded name, because real files
    carry two schools under one REGON.
    """

    __tablename__ = "budget_report"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in REPORT_KINDS) + ")", name="kind"),
        CheckConstraint("period BETWEEN 1 AND 4", name="period"),
        UniqueConstraint(*REPORT_KEY, name="uq_budget_report_unit_period"),
        Index("ix_budget_report_teryt_year", "teryt", "year", "period", "kind"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), comment="rb27s (income) or rb28s (expenditure)")
    teryt: Mapped[str] = mapped_column(String(7), comment="TERC of the local government")
    unit_type: Mapped[str] = mapped_column(String(8), comment="JST (the unit) or JB (budgetary)")
    unit_key: Mapped[str] = mapped_column(Text, comment="REGON|folded name")
    regon: Mapped[str] = mapped_column(String(14), comment="without the padding spaces")
    unit_name: Mapped[str] = mapped_column(Text)
    wk: Mapped[str] = mapped_column(String(2))
    pk: Mapped[str] = mapped_column(String(2))
    gk: Mapped[str] = mapped_column(String(2))
    gt: Mapped[str] = mapped_column(String(1))
    pt: Mapped[str | None] = mapped_column(String(1))
    year: Mapped[int] = mapped_column(SmallInteger)
    period_type: Mapped[str] = mapped_column(String(16), comment="TypOkresu, e.g. Kwartal")
    period: Mapped[int] = mapped_column(SmallInteger, comment="quarter; Q4 = the whole year")
    version: Mapped[int | None] = mapped_column(SmallInteger, comment="Naglowek/Wersja")
    report_date: Mapped[date | None] = mapped_column(Date, comment="DataSprawozdania")
    source_report_id: Mapped[str | None] = mapped_column(Text, comment="Id attribute or API id")
    content_sha256: Mapped[str] = mapped_column(
        String(64), comment="digest of unit, header and lines: an identical re-load changes nothing"
    )
    source: Mapped[str] = mapped_column(String(16), comment="xml or bestia")
    source_file: Mapped[str] = mapped_column(Text, comment="file name or API query")
    load_run_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("load_run.id"))


class BudgetReportLine(Base):
    """One `Pozycja`: dział, rozdział, paragraph (3 digits) + P4 (source of funding) and amounts.

    Rb-28S fills pl (plan), za (commitments), ww (spent), zo (liabilities); Rb-27S fills pl,
    na (receivables), dw (received), no, nz, np (arrears and overpayments). NULL = the element
    was absent in the source (the reporting software leaves empty columns out).
    """

    __tablename__ = "budget_report_line"
    __table_args__ = (Index("ix_budget_report_line_rozdzial", "rozdzial", "paragraf"),)

    report_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("budget_report.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, comment="1-based Pozycja")
    dzial: Mapped[str] = mapped_column(String(3))
    rozdzial: Mapped[str] = mapped_column(String(5))
    paragraf: Mapped[str] = mapped_column(String(3))
    p4: Mapped[str] = mapped_column(String(1), comment="4th digit of the paragraph: funding")
    grupa: Mapped[str | None] = mapped_column(String(4), comment="group of paragraphs (Rb-28S)")
    pl: Mapped[Decimal | None] = mapped_column(AMOUNT)
    za: Mapped[Decimal | None] = mapped_column(AMOUNT)
    ww: Mapped[Decimal | None] = mapped_column(AMOUNT)
    zo: Mapped[Decimal | None] = mapped_column(AMOUNT)
    na: Mapped[Decimal | None] = mapped_column(AMOUNT)
    dw: Mapped[Decimal | None] = mapped_column(AMOUNT)
    no: Mapped[Decimal | None] = mapped_column(AMOUNT)
    nz: Mapped[Decimal | None] = mapped_column(AMOUNT)
    np: Mapped[Decimal | None] = mapped_column(AMOUNT)


class SchoolVolume(Base):
    """A school's pupils and teacher FTEs as of one 30 September (SIO).

    Pupils and FTEs come from different SIO files; each load sets only the columns its file
    has. `governing_teryt` is the local government that runs the school, or NULL when the
    governing body is not one (a parish, an association).
    """

    __tablename__ = "sio_school"
    __table_args__ = (Index("ix_sio_school_governing", "governing_teryt", "as_of"),)

    rspo: Mapped[int] = mapped_column(Integer, primary_key=True, comment="RSPO number")
    as_of: Mapped[date] = mapped_column(Date, primary_key=True, comment="30 September")
    regon: Mapped[str | None] = mapped_column(String(14), comment="zero-padded to 9 or 14")
    name: Mapped[str] = mapped_column(Text)
    school_type: Mapped[str] = mapped_column(Text)
    governing_type: Mapped[str | None] = mapped_column(Text, comment="Typ organu prowadzącego")
    governing_teryt: Mapped[str | None] = mapped_column(String(7))
    registering_teryt: Mapped[str | None] = mapped_column(String(7))
    pupils: Mapped[Decimal | None] = mapped_column(Numeric, comment="may be fractional")
    classes: Mapped[Decimal | None] = mapped_column(Numeric, comment="oddziały")
    teacher_fte: Mapped[Decimal | None] = mapped_column(Numeric, comment="Etat - umowa")
    source_file: Mapped[str] = mapped_column(Text)
    load_run_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("load_run.id"))
