"""RFC 9457 problem details, as every error of the API is answered."""

import msgspec


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    source: str
    """Where the field is: query, path, body or header."""
    message: str


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] = []
