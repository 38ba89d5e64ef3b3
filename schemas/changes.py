"""The change feed: indicator values added, changed or deleted by each data release."""

from datetime import datetime
from typing import Literal

import msgspec

from schemas.units import PageLinks

ChangeKind = Literal["added", "changed", "deleted"]


class ChangeRow(msgspec.Struct, frozen=True, kw_only=True):
    release: int
    """The data release that made the change."""
    load_run_id: int
    published_at: datetime
    kind: ChangeKind
    indicator: str
    teryt: str
    level: str
    year: int
    old_value: float | None
    """Null for an added value (and for a value that was missing)."""
    new_value: float | None
    """Null for a deleted value (and for a value now missing)."""
    old_flags: list[str] | None
    new_flags: list[str] | None


class ChangesPage(msgspec.Struct, frozen=True, kw_only=True):
    since: int
    """Changes made by the releases after this one."""
    latest_release: int
    items: list[ChangeRow]
    limit: int
    next_cursor: str | None
    links: PageLinks
