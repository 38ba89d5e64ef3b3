"""RFC 9457 problem details, as every error of the API is answered."""

from typing import Literal

import msgspec


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    source: Literal["query", "path", "body", "header"] | str
    message: str


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] = []
