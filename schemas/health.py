"""Liveness and readiness answers."""

from typing import Literal

import msgspec


class Health(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["ok"]
    version: str


class Check(msgspec.Struct, frozen=True, kw_only=True):
    ok: bool
    detail: str | None = None
    milliseconds: float


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["ready", "not_ready"]
    database: Check
    cache: Check
    data_release: int | None
    """Newest data release; null when the database did not answer."""
