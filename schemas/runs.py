"""Load runs as the steward sees them."""

from datetime import datetime
from typing import Any, Literal

import msgspec


class LoadRunOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    source: str
    file_name: str | None
    sha256: str | None
    status: Literal["running", "published", "unchanged", "failed"]
    started_at: datetime
    finished_at: datetime | None
    rows_read: int
    rows_inserted: int
    rows_updated: int
    rows_closed: int
    rows_unchanged: int
    data_release_id: int | None
    values_added: int
    """Indicator values this run published anew, changed or deleted (its change feed)."""
    values_changed: int
    values_deleted: int
    changes: str | None
    """The run's changes in the change feed; null when it published no release."""
    message: str | None
    errors: list[dict[str, Any]]
