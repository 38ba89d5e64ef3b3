"""Source variables and observations: the facts indicators are computed from.

`observation` is keyed (variable, year, teryt) so that a cross-section (one variable, one
year, every unit) is one contiguous index range; a unit's series uses the second index.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domains.base import Base


class Variable(Base):
    __tablename__ = "variable"
    __table_args__ = (UniqueConstraint("source", "code", name="uq_variable_source_code"),)

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(Text, comment="source's own id, e.g. BDL variable id")
    name: Mapped[str] = mapped_column(Text)
    measure_unit: Mapped[str] = mapped_column(Text)
    additive: Mapped[bool] = mapped_column(
        Boolean, server_default=text("true"), comment="values may be summed over units"
    )
    citation: Mapped[str] = mapped_column(Text, server_default="")


class Observation(Base):
    __tablename__ = "observation"
    __table_args__ = (Index("ix_observation_unit_series", "teryt", "variable_id", "year"),)

    # No foreign key to variable.id: ids come from the same transaction's variable upsert and
    # the per-row check cost a third of a bulk load (migration 0006).
    variable_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    teryt: Mapped[str] = mapped_column(String(7), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float, comment="null = missing at source")
    flag: Mapped[str | None] = mapped_column(Text)
    derived: Mapped[bool] = mapped_column(
        Boolean, server_default=text("false"), comment="summed from lower units by Miarka"
    )
    load_run_id: Mapped[int] = mapped_column(BigInteger)


class ObservationHistory(Base):
    """An observation as it was before a load changed or removed it (see IndicatorValueHistory)."""

    __tablename__ = "observation_history"

    variable_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    teryt: Mapped[str] = mapped_column(String(7), primary_key=True)
    superseded_run_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, index=True, comment="the run that changed or removed it"
    )
    published_run_id: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(Text)
    derived: Mapped[bool] = mapped_column(Boolean)
