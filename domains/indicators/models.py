"""Computed indicator values with their peer statistics, and the unit typology behind peers."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domains.base import Base


class IndicatorRow(Base):
    """The catalogue entry as last computed (the files in domains/catalogue are the truth)."""

    __tablename__ = "indicator"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    domain: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    years: Mapped[list[int]] = mapped_column(
        ARRAY(SmallInteger), server_default="{}", comment="years with at least one value"
    )
    coverage: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default="[]", comment="values and missing per level and year"
    )
    computed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class IndicatorValue(Base):
    __tablename__ = "indicator_value"
    __table_args__ = (
        Index("ix_indicator_value_unit", "teryt", "indicator_code", "year"),
        # What a run published, in key order: a page of the change feed is one index range.
        Index("ix_indicator_value_run", "load_run_id", "indicator_code", "year", "teryt"),
    )

    indicator_code: Mapped[str] = mapped_column(Text, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    teryt: Mapped[str] = mapped_column(String(7), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    rank: Mapped[int | None] = mapped_column(Integer, comment="1 = best by polarity")
    rank_of: Mapped[int | None] = mapped_column(Integer)
    peer_group: Mapped[str | None] = mapped_column(Text)
    peer_count: Mapped[int | None] = mapped_column(Integer)
    peer_median: Mapped[float | None] = mapped_column(Float)
    peer_q1: Mapped[float | None] = mapped_column(Float)
    peer_q3: Mapped[float | None] = mapped_column(Float)
    national_median: Mapped[float | None] = mapped_column(Float)
    yoy_change: Mapped[float | None] = mapped_column(Float)
    load_run_id: Mapped[int | None] = mapped_column(
        BigInteger, comment="the run that published this value (kept on recompute)"
    )


class IndicatorValueHistory(Base):
    """A value of `indicator_value` as it was before a load changed or deleted it.

    Written by the engine only for rows whose value or flags changed, so it grows with what is
    revised, not with what is reloaded. The run ids map to data releases through `load_run`:
    a version is the answer as of release R when published <= R < superseded.
    """

    __tablename__ = "indicator_value_history"
    __table_args__ = (Index("ix_indicator_value_history_unit", "teryt", "indicator_code", "year"),)

    indicator_code: Mapped[str] = mapped_column(Text, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    teryt: Mapped[str] = mapped_column(String(7), primary_key=True)
    superseded_run_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, index=True, comment="the run that changed or deleted it"
    )
    published_run_id: Mapped[int | None] = mapped_column(BigInteger)
    level: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")


class UnitTypology(Base):
    """Fixed peer group of a unit in a year: gmina kind x population class; powiat kind."""

    __tablename__ = "unit_typology"

    teryt: Mapped[str] = mapped_column(String(7), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    peer_group: Mapped[str] = mapped_column(Text)
    population: Mapped[float | None] = mapped_column(Float)


class UnitNeighbour(Base):
    """The k most similar units of the same level, with the features that made them so."""

    __tablename__ = "unit_neighbour"

    teryt: Mapped[str] = mapped_column(String(7), primary_key=True)
    rank: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    neighbour_teryt: Mapped[str] = mapped_column(String(7))
    distance: Mapped[float] = mapped_column(Float)
    features: Mapped[dict[str, Any]] = mapped_column(JSONB)
    year: Mapped[int] = mapped_column(SmallInteger)
