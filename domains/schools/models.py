"""A school (RSPO number) and its figures by year, from the register and the exam boards.

A school is placed on the gmina in force where it is located (`location_teryt`) and, when a
local government runs it, on that government (`governing_teryt`). Figures are kept per school
and per measure (`register.pupils`, `e8.matematyka.mean`, ...) with the file and row they came
from, so every gmina figure built from them can be traced to its source rows.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domains.base import Base


class School(Base):
    """One school or institution as its newest source describes it (no personal data)."""

    __tablename__ = "school"
    __table_args__ = (
        Index("ix_school_location", "location_teryt"),
        Index("ix_school_governing", "governing_teryt"),
    )

    rspo: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text)
    type_code: Mapped[int | None] = mapped_column(SmallInteger, comment="RSPO type code (Typ)")
    type_name: Mapped[str] = mapped_column(Text, comment="RSPO type name, as published")
    public: Mapped[bool | None] = mapped_column(Boolean)
    locality: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text, comment="street address of the school")
    location_teryt: Mapped[str | None] = mapped_column(
        String(7), comment="gmina in force where the school is"
    )
    location_source_code: Mapped[str | None] = mapped_column(
        String(7), comment="the location code as the source gives it"
    )
    location_placement: Mapped[str | None] = mapped_column(
        String(24), comment="how the source code was placed (direct, part_rolled_up, ...)"
    )
    governing_kind: Mapped[str | None] = mapped_column(
        String(32), comment="gmina, powiat, wojewodztwo, state, non_public, ..."
    )
    governing_teryt: Mapped[str | None] = mapped_column(
        String(7), comment="the local government that runs it, when one does"
    )
    reporting_rspo: Mapped[int | None] = mapped_column(
        Integer, comment="RSPO of the unit that reports for it (often a zespół)"
    )
    source: Mapped[str] = mapped_column(String(32), comment="the source that described it last")
    load_run_id: Mapped[int] = mapped_column(BigInteger)


class SchoolFigure(Base):
    """One measure of one school for one year (school year start or exam year)."""

    __tablename__ = "school_figure"
    __table_args__ = (Index("ix_school_figure_rspo", "rspo", "measure", "year"),)

    measure: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    rspo: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32))
    source_file: Mapped[str] = mapped_column(Text)
    source_row: Mapped[int | None] = mapped_column(Integer, comment="1-based row of the file")
    load_run_id: Mapped[int] = mapped_column(BigInteger)


class SchoolPeerStat(Base):
    """The peers of a school figure: schools of one type, one measure and year, in Poland
    (`location_teryt` '') or in one gmina; refilled by each load (domains/schools/peer_stats)."""

    __tablename__ = "school_peer_stat"

    type_name: Mapped[str] = mapped_column(Text, primary_key=True)
    measure: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    location_teryt: Mapped[str] = mapped_column(
        String(7), primary_key=True, comment="the gmina of the schools counted; '' for Poland"
    )
    q1: Mapped[float | None] = mapped_column(Float, comment="Poland's rows only")
    median: Mapped[float | None] = mapped_column(Float)
    q3: Mapped[float | None] = mapped_column(Float, comment="Poland's rows only")
    count: Mapped[int] = mapped_column(Integer)
