"""Bookkeeping of loads: every run is recorded; every publish that changes data bumps a release."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domains.base import Base

RUN_STATUSES = ("running", "published", "unchanged", "failed")


class LoadRun(Base):
    __tablename__ = "load_run"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in RUN_STATUSES) + ")", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    source: Mapped[str] = mapped_column(String(32), index=True)
    file_name: Mapped[str | None] = mapped_column(Text)
    query: Mapped[str | None] = mapped_column(Text, comment="API query when not loaded from a file")
    sha256: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), server_default="running")
    rows_read: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_inserted: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_updated: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_closed: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_unchanged: Mapped[int] = mapped_column(Integer, server_default="0")
    rows_skipped: Mapped[int] = mapped_column(
        Integer, server_default="0", comment="read but not stored, each listed in warnings"
    )
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    message: Mapped[str | None] = mapped_column(Text)
    data_release_id: Mapped[int | None] = mapped_column(BigInteger)
    values_added: Mapped[int] = mapped_column(
        Integer, server_default="0", comment="indicator values this run published anew"
    )
    values_changed: Mapped[int] = mapped_column(Integer, server_default="0")
    values_deleted: Mapped[int] = mapped_column(Integer, server_default="0")


class DataRelease(Base):
    """A monotonic number bumped by every load that changed published data.

    It keys ETags and the response cache: a new release makes every cached answer stale.
    """

    __tablename__ = "data_release"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    source: Mapped[str] = mapped_column(String(32))
    load_run_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("load_run.id"))


class BdlSync(Base):
    """One `miarka sync bdl`: unfinished until every variable of its scope is done."""

    __tablename__ = "bdl_sync"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    scope: Mapped[str] = mapped_column(Text, comment="--domain and --since, as resumed by")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BdlSyncRequest(Base):
    """The last answer to one BDL request: its ETag and body, and the sync that got it."""

    __tablename__ = "bdl_sync_request"

    key: Mapped[str] = mapped_column(Text, primary_key=True, comment="path?sorted query")
    variable_id: Mapped[str] = mapped_column(Text, index=True)
    etag: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    sync_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("bdl_sync.id"))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BdlSyncVariable(Base):
    """How a variable ended in the last sync that reached it, and what was last published."""

    __tablename__ = "bdl_sync_variable"

    variable_id: Mapped[str] = mapped_column(Text, primary_key=True)
    sync_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("bdl_sync.id"))
    status: Mapped[str] = mapped_column(String(16), comment="published, unchanged or refused")
    published_sha256: Mapped[str | None] = mapped_column(
        String(64), comment="digest of the answers last published"
    )
    load_run_id: Mapped[int | None] = mapped_column(BigInteger)
    message: Mapped[str | None] = mapped_column(Text)
