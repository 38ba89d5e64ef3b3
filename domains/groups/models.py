"""A saved list of TERC codes under a short id, so a group can be shared as a URL."""

from datetime import datetime

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domains.base import Base


class UnitGroup(Base):
    __tablename__ = "unit_group"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, server_default="")
    members: Mapped[list[str]] = mapped_column(ARRAY(String(7)))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
