"""Partnerships, their members over time, their self-assessments (history kept) and stewards' keys.

An assessment row is never updated: entering a standard's stage again for the same year adds
a row, and the newest row is the current one, so every earlier answer stays readable.
"""

from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from domains.base import Base
from domains.partnerships.kinds import KIND_NAMES

_KINDS = ", ".join(f"'{kind}'" for kind in KIND_NAMES)


class Partnership(Base):
    __tablename__ = "partnership"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS})", name="kind"),
        CheckConstraint("id ~ '^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$'", name="slug"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, comment="slug")
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    leader_teryt: Mapped[str | None] = mapped_column(String(7))
    description: Mapped[str] = mapped_column(Text, server_default="")
    source_url: Mapped[str | None] = mapped_column(
        Text, comment="public source of the membership; none = not presented as fact"
    )
    example: Mapped[bool] = mapped_column(Boolean, server_default="false")
    from_group: Mapped[str | None] = mapped_column(String(16), comment="unit_group it came from")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PartnershipMember(Base):
    __tablename__ = "partnership_member"
    __table_args__ = (CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="dates"),)

    partnership_id: Mapped[str] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True
    )
    teryt: Mapped[str] = mapped_column(String(7), primary_key=True)
    joined_on: Mapped[date] = mapped_column(Date, primary_key=True)
    left_on: Mapped[date | None] = mapped_column(Date)


class PartnershipAssessment(Base):
    __tablename__ = "partnership_assessment"
    __table_args__ = (
        CheckConstraint("standard BETWEEN 1 AND 10", name="standard"),
        CheckConstraint("stage BETWEEN 1 AND 5", name="stage"),
        Index(
            "ix_partnership_assessment_current", "partnership_id", "year", "standard", "entered_at"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    partnership_id: Mapped[str] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(SmallInteger)
    standard: Mapped[int] = mapped_column(SmallInteger)
    stage: Mapped[int] = mapped_column(SmallInteger)
    justification: Mapped[str] = mapped_column(Text, server_default="")
    evidence: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    entered_by: Mapped[str] = mapped_column(Text, comment="name of the key that entered it")
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PartnershipKey(Base):
    """A steward's key: it may enter assessments of its partnership and nothing else."""

    __tablename__ = "partnership_key"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    partnership_id: Mapped[str] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text, unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="sha256 hex")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
