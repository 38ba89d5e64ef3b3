"""Errors domain code raises; `service/errors.py` turns them into RFC 9457 problem details."""

from typing import ClassVar


class MiarkaError(Exception):
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal"
    title: ClassVar[str] = "Internal error"


class NotFound(MiarkaError):
    status = 404
    slug = "not-found"
    title = "Not found"


class UnknownUnit(NotFound):
    slug = "unknown-unit"
    title = "Unknown territorial unit"


class InvalidParameter(MiarkaError):
    """A request parameter is well-typed but not acceptable; names the field."""

    status = 400
    slug = "invalid-parameter"
    title = "Invalid parameter"

    def __init__(self, field: str, message: str, source: str = "query") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.source = source


class Conflict(MiarkaError):
    """The request clashes with work in progress (a load already running)."""

    status = 409
    slug = "conflict"
    title = "Conflict"
