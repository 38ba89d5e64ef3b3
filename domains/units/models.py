"""The register of territorial units, as loaded from TERYT TERC."""

from datetime import date

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Identity,
    Index,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domains.base import Base
from domains.units.kinds import Kind, Level

_LEVELS = ", ".join(f"'{level.value}'" for level in Level)
_KINDS = ", ".join(f"'{kind.value}'" for kind in Kind)


class TerritorialUnit(Base):
    """One unit of the register over the period it exists.

    A unit that disappears from a newer register is closed (`valid_to`), never deleted, so
    figures loaded for it keep their meaning. A city with powiat rights has two rows, the
    powiat (4-digit code) and the gmina (7-digit code), each naming the other in `twin_teryt`.
    """

    __tablename__ = "territorial_unit"
    __table_args__ = (
        CheckConstraint(f"level IN ({_LEVELS})", name="level"),
        CheckConstraint(f"kind IN ({_KINDS})", name="kind"),
        CheckConstraint("teryt ~ '^([0-9]{2}|[0-9]{4}|[0-9]{7})$'", name="teryt_format"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
        Index(
            "uq_territorial_unit_current_teryt",
            "teryt",
            unique=True,
            postgresql_where="valid_to IS NULL",
        ),
        Index("ix_territorial_unit_parent", "parent_teryt"),
        Index("ix_territorial_unit_level_kind", "level", "kind"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    teryt: Mapped[str] = mapped_column(String(7))
    level: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    rodz: Mapped[int | None] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(Text)
    name_folded: Mapped[str] = mapped_column(Text, comment="name without case and diacritics")
    kind_label: Mapped[str] = mapped_column(Text, comment="NAZWA_DOD as published by GUS")
    parent_teryt: Mapped[str | None] = mapped_column(String(7))
    twin_teryt: Mapped[str | None] = mapped_column(
        String(7), comment="the same city in its other role (powiat <-> gmina)"
    )
    bdl_id: Mapped[str | None] = mapped_column(String(12), comment="GUS BDL 12-digit unit id")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
