"""Query and path parameters as OpenAPI documents them, the shared ones written once.

`documented` is Litestar's `Parameter` with the description first and the example values as
plain values. A parameter that several routes document alike is an alias here; a route's own
parameter stays in its module. Paged lists build their links with `page_links`, their whole
page with `page_of`.
"""

from collections.abc import Callable
from typing import Annotated, Any, Final, TypedDict, TypeVar, Unpack
from urllib.parse import urlencode

from litestar import Request
from litestar.openapi.spec import Example
from litestar.params import Parameter, ParameterKwarg, QueryParameter

from schemas.indicators import Lang
from schemas.units import PageLinks

__all__ = [
    "TERC_PATTERN",
    "Constraints",
    "DomainFilter",
    "IndicatorCode",
    "LangParam",
    "PageLimit",
    "TerytPath",
    "Year",
    "documented",
    "page_links",
    "page_of",
]

TERC_PATTERN: Final = r"^(\d{2}|\d{4}|\d{7})$"
"""A voivodeship (2 digits), powiat (4) or gmina (7)."""


class Constraints(TypedDict, total=False):
    """The checks a documented parameter may add; OpenAPI shows them as schema limits."""

    query: str
    """The name in the query string, when it differs from the parameter's."""
    ge: int
    le: int
    min_length: int
    max_length: int
    pattern: str


def documented(
    description: str, *examples: object, **constraints: Unpack[Constraints]
) -> ParameterKwarg:
    """A parameter with its description and the example values OpenAPI shows.

    With `query` it is the query parameter of that name: `QueryParameter(name=...)`, since
    Litestar deprecates `Parameter(query=...)`.
    """
    shown = [Example(value=value) for value in examples]
    if (name := constraints.pop("query", None)) is not None:
        return QueryParameter(name=name, description=description, examples=shown, **constraints)
    kwarg: ParameterKwarg = Parameter(description=description, examples=shown, **constraints)
    return kwarg


LangParam = Annotated[Lang, documented("Language of names", "pl")]
Year = Annotated[int | None, documented("Default: the latest", 2023, ge=1990, le=2100)]
IndicatorCode = Annotated[str, documented("Indicator code", "kontekst.ludnosc", max_length=100)]
DomainFilter = Annotated[str | None, documented("Domain code", "kontekst", max_length=64)]
PageLimit = Annotated[int, documented("Page size (max 5,000)", 100, ge=1, le=5_000)]
TerytPath = Annotated[str, documented("TERC code", "1261011", max_length=7)]

PageT = TypeVar("PageT")


def page_links(request: Request[Any, Any, Any], next_cursor: str | None) -> PageLinks:
    """This page's link as asked for, and the next page's: the same query with its cursor."""
    query = request.url.query
    next_link = None
    if next_cursor is not None:
        params = {k: v for k, v in request.query_params.items() if k != "cursor"}
        next_link = f"{request.url.path}?{urlencode({**params, 'cursor': next_cursor})}"
    return PageLinks(self=request.url.path + (f"?{query}" if query else ""), next=next_link)


def page_of(
    page: Callable[..., PageT],
    request: Request[Any, Any, Any],
    limit: int,
    found: tuple[list[Any], int, str | None],
) -> PageT:
    """A keyset page of what a list query `found`: its items, their total and the next cursor."""
    items, total, next_cursor = found
    return page(
        items=items,
        total=total,
        limit=limit,
        next_cursor=next_cursor,
        links=page_links(request, next_cursor),
    )
