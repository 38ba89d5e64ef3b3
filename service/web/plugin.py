"""The councillors' web client as one Litestar plugin: `Litestar(plugins=[WebClientPlugin()])`.

The plugin owns everything the pages need from the app: their router (`PAGES`, each a named
route), the static files, the Jinja templates, the HTML error pages (also for an unknown path
asked for by a browser), the security headers hook (a strict CSP on the pages, see
service/security_headers.py) and the start-up check of the map shapes. `create_app` knows
none of it (the litestar-fullstack pattern: one `InitPlugin` per integration).

New pages (schools, say) are route handlers named `web-...`, listed in `PAGES` (routes.py) or
given as `WebClientPlugin(pages=(*PAGES, *more))`; they link by route name (`ui.url(...)`) and
so keep working wherever the plugin is mounted (`path=`).
"""

from collections.abc import Sequence
from typing import Any, Final

from litestar import Litestar, Request, Response
from litestar.config.app import AppConfig
from litestar.config.compression import CompressionConfig
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.plugins import InitPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router
from litestar.types import ExceptionHandler
from litestar.utils import join_paths

from service.errors import EXCEPTION_HANDLERS
from service.security_headers import security_headers
from service.web.embed import EMBED_PREFIX, read_embed_ranking, read_embed_series
from service.web.embed_map import read_embed_map
from service.web.geo import load_maps
from service.web.links import STATIC_ROUTE, links_for
from service.web.params import provide_choice
from service.web.routes import PAGES, error_page, html_exception_handlers, provide_ui
from service.web.templating import STATIC_DIR, template_config

STATIC_MAX_AGE: Final = 86_400
"""A day; asset URLs carry a content digest (`?v=`), so a release is seen at once anyway."""
API_PREFIXES: Final = ("/api/", "/schema", "/problems/", "/health", "/ready")
"""Paths that are not pages: they get problem JSON and the API's security headers."""

EMBED_PAGES: Final = (read_embed_series, read_embed_ranking, read_embed_map)


def html_for_pages(handler: ExceptionHandler, api_prefixes: Sequence[str]) -> ExceptionHandler:  # type: ignore[type-arg]
    """An unknown path outside the API, asked for by a browser, gets the HTML 404 page.

    Routing errors never reach the web router's own handlers (no route matched), so the
    app-level handler decides: problem JSON for API clients, a Polish page for people.
    """
    prefixes = tuple(api_prefixes)

    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        wants_html = "text/html" in request.headers.get("accept", "")
        if wants_html and not request.url.path.startswith(prefixes):
            status = exc.status_code if isinstance(exc, HTTPException) else 500
            return error_page(request, status)
        response: Response[Any] = handler(request, exc)
        return response

    return handle


def check_web_client(app: Litestar) -> None:
    """At start-up: the shapes file matches its digest, every route a link names exists."""
    load_maps()
    links_for(app)


class WebClientPlugin(InitPlugin):
    __slots__ = ("embed_ancestors", "pages", "path")

    def __init__(
        self,
        *,
        pages: Sequence[HTTPRouteHandler] = (*PAGES, *EMBED_PAGES),
        path: str = "/",
        embed_ancestors: str = "*",
    ) -> None:
        """`embed_ancestors`: the CSP frame-ancestors of the embeddable charts (embed.py)."""
        self.pages = tuple(pages)
        self.path = path
        self.embed_ancestors = embed_ancestors

    @property
    def static_path(self) -> str:
        return join_paths([self.path, "static"])

    @property
    def api_prefixes(self) -> tuple[str, ...]:
        """Static files are not pages either: the API's headers (no CSP needed to run them)."""
        return (*API_PREFIXES, f"{self.static_path}/")

    def router(self) -> Router:
        return Router(
            path=self.path,
            route_handlers=list(self.pages),
            include_in_schema=False,
            exception_handlers=html_exception_handlers(EXCEPTION_HANDLERS),
            dependencies={
                "ui": Provide(provide_ui, sync_to_thread=False),
                "choice": Provide(provide_choice, sync_to_thread=False),
            },
        )

    def static_router(self) -> Router:
        return create_static_files_router(
            path=self.static_path,
            directories=[STATIC_DIR],
            name=STATIC_ROUTE,
            cache_control=CacheControlHeader(max_age=STATIC_MAX_AGE, public=True),
            include_in_schema=False,
        )

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.route_handlers.extend([self.router(), self.static_router()])
        app_config.template_config = template_config()
        if app_config.compression_config is None:
            app_config.compression_config = CompressionConfig(backend="gzip", gzip_compress_level=6)
        handlers = app_config.exception_handlers
        if HTTPException in handlers:  # a new dict: the map given to Litestar(...) stays as it was
            wrapped = html_for_pages(handlers[HTTPException], self.api_prefixes)
            app_config.exception_handlers = {**handlers, HTTPException: wrapped}
        # A before_send hook, not a middleware: it also covers routing 404s and 405s (no route
        # middleware runs for them) and wraps CachingMiddleware's 304s and cached replays.
        embed = (join_paths([self.path, EMBED_PREFIX]), self.embed_ancestors)
        app_config.before_send.append(security_headers(self.api_prefixes, embed))
        app_config.on_startup.append(check_web_client)
        return app_config
