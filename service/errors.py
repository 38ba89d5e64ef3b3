"""Every error as RFC 9457 problem details (`application/problem+json`), never a bare 500.

Domain code raises `MiarkaError`s; framework errors (validation, unknown route, wrong method)
and database outages are mapped here too, so clients see one shape for every failure.
"""

from typing import Any, Final

import asyncpg
import msgspec
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Reference
from litestar.status_codes import (
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from domains.errors import InvalidParameter, MiarkaError
from schemas.problems import FieldError, Problem

log = structlog.get_logger("miarka.errors")

PROBLEM_JSON: Final = "application/problem+json"
PROBLEM_BASE: Final = "/problems/"
RETRY_AFTER_SECONDS: Final = "5"

PROBLEM_TYPES: Final[dict[str, str]] = {
    "invalid-parameter": "A query, path or body parameter is missing, malformed or out of range;"
    " `errors` names each field.",
    "unknown-unit": "No territorial unit has this TERC code (in force or closed).",
    "not-found": "The path does not exist in this API.",
    "method-not-allowed": "The path exists but not for this HTTP method.",
    "database-unavailable": "The database did not answer; retry after `Retry-After` seconds.",
    "query-timeout": "The query took longer than the server allows (its statement timeout); "
    "retry after `Retry-After` seconds or narrow the request.",
    "internal": "An unexpected error; it has been logged with the request id.",
    "http-error": "An HTTP-level error; see `status` and `detail`.",
    "load-refused": "A source file was refused; nothing published was changed.",
    "rate-limited": "Too many requests from this client; retry after `Retry-After` seconds.",
    "unknown-indicator": "No indicator has this code; see /api/v1/indicators.",
    "unknown-domain": "No domain has this code; see /api/v1/domains.",
    "unknown-group": "No saved group has this id.",
    "unknown-service": "No cost service has this code; see /api/v1/costs.",
    "no-cost-data": "The budget or volume data a cost needs are not loaded for this unit and year.",
    "unauthorized": "An admin endpoint needs a valid `X-API-Key`.",
    "forbidden": "The `X-API-Key` is valid but not for this resource (a key scoped to another"
    " partnership).",
    "unknown-partnership": "No partnership has this id; see /api/v1/partnerships.",
    "partnership-exists": "A partnership with this id exists already.",
}


_DESCRIPTIONS: Final = {
    400: "Invalid parameter: `errors` names each offending field",
    401: "A valid X-API-Key is required",
    403: "The X-API-Key is not valid for this resource",
    404: "Not found",
    409: "Conflicts with work in progress (a load already running)",
    429: "Too many requests from this client; see `Retry-After` and `RateLimit-*`",
    503: "Database unavailable; retry after the `Retry-After` seconds",
}


def problem_responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem-details answers a handler can give."""
    return {
        code: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description=_DESCRIPTIONS[code],
            generate_examples=False,
        )
        for code in codes
    }


_PROBLEM_REF: Final = Reference(ref="#/components/schemas/Problem")


def document_rate_limit(paths: dict[str, Any], per_minute: int) -> None:
    """Every API operation may answer 429 when the per-client limit is on; say so."""
    if per_minute <= 0:
        return
    spec = problem_responses(HTTP_429_TOO_MANY_REQUESTS)[HTTP_429_TOO_MANY_REQUESTS]
    for path, item in paths.items():
        if not path.startswith("/api/"):
            continue
        for operation in (item.get, item.post):
            if operation is None or operation.responses is None:
                continue
            operation.responses.setdefault(
                "429",
                OpenAPIResponse(
                    description=f"{spec.description} (limit: {per_minute} per minute)",
                    content={PROBLEM_JSON: OpenAPIMediaType(schema=_PROBLEM_REF)},
                ),
            )


def _response(problem: Problem, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(problem),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _type(slug: str) -> str:
    return PROBLEM_BASE + slug


def handle_miarka_error(request: Request[Any, Any, Any], exc: MiarkaError) -> Response[bytes]:
    errors: list[FieldError] = []
    if isinstance(exc, InvalidParameter):
        errors.append(FieldError(field=exc.field, source=exc.source, message=exc.message))
    if exc.status >= HTTP_500_INTERNAL_SERVER_ERROR:
        log.error("request.failed", path=request.url.path, error=str(exc))
    return _response(
        Problem(
            type=_type(exc.slug),
            title=exc.title,
            status=exc.status,
            detail=str(exc),
            instance=request.url.path,
            errors=errors,
        )
    )


def _field_errors(exc: ValidationException) -> list[FieldError]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = []
    for item in extra:
        if isinstance(item, dict):
            errors.append(
                FieldError(
                    field=str(item.get("key") or "body"),
                    source=str(getattr(item.get("source"), "value", item.get("source")) or "body"),
                    message=str(item.get("message") or "invalid value"),
                )
            )
    return errors


_SLUG_BY_STATUS: Final = {400: "invalid-parameter", 404: "not-found", 405: "method-not-allowed"}


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    errors = _field_errors(exc) if isinstance(exc, ValidationException) else []
    slug = _SLUG_BY_STATUS.get(exc.status_code, "http-error")
    headers = dict(exc.headers or {})
    if exc.status_code == HTTP_429_TOO_MANY_REQUESTS:
        slug = "rate-limited"
        headers.setdefault("Retry-After", headers.get("RateLimit-Reset", RETRY_AFTER_SECONDS))
    detail = exc.detail
    if errors:
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return _response(
        Problem(
            type=_type(slug),
            title=exc.detail if not errors else "Invalid parameter",
            status=exc.status_code,
            detail=detail,
            instance=request.url.path,
            errors=errors,
        ),
        headers=headers,
    )


def _retry_later(
    request: Request[Any, Any, Any], slug: str, title: str, detail: str
) -> Response[bytes]:
    """503 with Retry-After: the database cannot answer now, the request itself is fine."""
    return _response(
        Problem(
            type=_type(slug),
            title=title,
            status=HTTP_503_SERVICE_UNAVAILABLE,
            detail=detail,
            instance=request.url.path,
        ),
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def handle_database_down(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.error("request.database_unavailable", path=request.url.path, error=repr(exc))
    return _retry_later(
        request,
        "database-unavailable",
        "Database unavailable",
        "The database did not answer in time; please retry.",
    )


_CONNECTION_ERRORS: Final = (
    "ConnectionDoesNotExistError",
    "CannotConnectNowError",
    "ConnectionFailureError",
    "InterfaceError",
    "AdminShutdownError",
)


def handle_query_timeout(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """A statement cancelled by the API's statement timeout: the server is busy, not broken."""
    log.warning("request.query_timeout", path=request.url.path, error=repr(exc))
    return _retry_later(
        request,
        "query-timeout",
        "Query timeout",
        "The query took longer than the server allows; please retry.",
    )


def _timed_out(orig: BaseException | None) -> bool:
    chain = [orig, getattr(orig, "__cause__", None)]
    return any(isinstance(e, asyncpg.QueryCanceledError) for e in chain if e is not None)


def _lost_connection(orig: BaseException | None) -> bool:
    """asyncpg's errors for a server that went away, seen through SQLAlchemy's wrapper."""
    chain = [orig, getattr(orig, "__cause__", None)]
    return any(type(e).__name__ in _CONNECTION_ERRORS for e in chain if e is not None)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    if isinstance(exc, DBAPIError) and (exc.connection_invalidated or _lost_connection(exc.orig)):
        return handle_database_down(request, exc)
    if isinstance(exc, DBAPIError) and _timed_out(exc.orig):
        return handle_query_timeout(request, exc)
    log.exception("request.unexpected_error", path=request.url.path, error=repr(exc))
    return _response(
        Problem(
            type=_type("internal"),
            title="Internal error",
            status=HTTP_500_INTERNAL_SERVER_ERROR,
            detail="An unexpected error occurred; it has been logged.",
            instance=request.url.path,
        )
    )


EXCEPTION_HANDLERS: Final[ExceptionHandlersMap] = {
    MiarkaError: handle_miarka_error,
    HTTPException: handle_http_exception,
    OperationalError: handle_database_down,
    InterfaceError: handle_database_down,
    PoolTimeout: handle_database_down,
    # Connection refused, the socket gone while PostgreSQL restarts, timeouts: all OSErrors.
    OSError: handle_database_down,
    # The same, raised by hot reads that fetch through asyncpg itself (domains/hot_reads.py).
    asyncpg.PostgresConnectionError: handle_database_down,
    asyncpg.InterfaceError: handle_database_down,
    asyncpg.QueryCanceledError: handle_query_timeout,
    Exception: handle_unexpected,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "PROBLEM_TYPES", "MediaType"]
