"""Everything the web client needs from the Litestar app, added to `create_app`'s arguments.

`create_app` calls `register_web(kwargs, data_dir=settings.data_dir)` on the keyword arguments
it is about to pass to `Litestar(...)`; the web client then owns its routes, templates,
static files, HTML error pages, security headers (a strict CSP on the pages) and map warm-up
without `app.py` knowing any of it.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from litestar import Request, Response
from litestar.config.compression import CompressionConfig
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException
from litestar.router import Router
from litestar.static_files import create_static_files_router
from litestar.types import ExceptionHandler

from service.security_headers import security_headers
from service.web.geo import load_maps
from service.web.routes import GEO_SUBDIR, error_page, router
from service.web.templating import STATIC_DIR, template_config

STATIC_MAX_AGE: Final = 86_400
"""A day; asset URLs carry a content digest (`?v=`), so a release is seen at once anyway."""
API_PREFIXES: Final = ("/api/", "/schema", "/problems/", "/health", "/ready", "/static/")


def static_router() -> Router:
    return create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        cache_control=CacheControlHeader(max_age=STATIC_MAX_AGE, public=True),
        include_in_schema=False,
    )


def html_for_pages(handler: ExceptionHandler) -> ExceptionHandler:  # type: ignore[type-arg]
    """An unknown path outside the API, asked for by a browser, gets the HTML 404 page.

    Routing errors never reach the web router's own handlers (no route matched), so the
    app-level handler decides: problem JSON for API clients, a Polish page for people.
    """

    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        wants_html = "text/html" in request.headers.get("accept", "")
        if wants_html and not request.url.path.startswith(API_PREFIXES):
            status = exc.status_code if isinstance(exc, HTTPException) else 500
            return error_page(request, status)
        response: Response[Any] = handler(request, exc)
        return response

    return handle


def _warm(geo_dir: Path) -> Callable[[], None]:
    def warm_maps() -> None:
        """Project and simplify the boundaries before the first map is asked for."""
        load_maps(geo_dir)

    return warm_maps


def register_web(
    app_config_kwargs: dict[str, Any], *, data_dir: Path | None = None
) -> dict[str, Any]:
    """Return `Litestar(...)` keyword arguments with the web client added; input untouched."""
    kwargs = dict(app_config_kwargs)
    kwargs["route_handlers"] = [*kwargs.get("route_handlers", []), router, static_router()]
    kwargs["template_config"] = template_config()
    kwargs.setdefault(
        "compression_config", CompressionConfig(backend="gzip", gzip_compress_level=6)
    )
    handlers = dict(kwargs.get("exception_handlers") or {})
    if HTTPException in handlers:
        handlers[HTTPException] = html_for_pages(handlers[HTTPException])
    kwargs["exception_handlers"] = handlers
    # A before_send hook, not a middleware: it also covers routing 404s and 405s (no route
    # middleware runs for them) and wraps CachingMiddleware's 304s and cached replays.
    kwargs["before_send"] = [*kwargs.get("before_send", []), security_headers(API_PREFIXES)]
    if data_dir is not None:
        kwargs["on_startup"] = [*kwargs.get("on_startup", []), _warm(data_dir / GEO_SUBDIR)]
    return kwargs
