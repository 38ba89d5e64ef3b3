"""The Litestar application factory: settings in, app out; no globals created at import."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, Contact, License, SecurityScheme, Server, Tag
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.indicators.catalogue import Catalogue, default_catalogue
from service.cache import make_store
from service.caching import CachingMiddleware
from service.db import make_engine
from service.errors import EXCEPTION_HANDLERS, PROBLEM_TYPES, document_rate_limit
from service.logs import configure_logging
from service.openapi import document_operations
from service.rate_limit import RateLimitMiddleware, storage_for
from service.release import ReleaseTracker
from service.routes import (
    admin,
    catalogue,
    changes,
    costs,
    dcat,
    exports,
    groups,
    health,
    partnerships,
    schools,
    units,
    values,
)
from service.settings import Settings, SettingsError
from service.tabular import TabularResponse, document_exports, provide_export
from service.web import WebClientPlugin

if TYPE_CHECKING:
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

API_DESCRIPTION = """\
Miarka monitors the public services of every Polish local government unit: all gminas,
powiats and voivodeships of the TERYT register (GUS). Units are addressed by their TERC code.

Errors are RFC 9457 problem details (`application/problem+json`) with an `errors` list naming
each offending field; bad input is always answered with a 4xx, never a 500.

Exports: every collection answers `format=csv|xlsx|parquet` (or `Accept: text/csv`) with the
columns of its JSON; `locale=pl` gives Polish Excel's dialect (`;`, decimal comma, UTF-8 BOM),
`locale=en` gives `,` and `.`; missing values are empty cells; formula-like text is prefixed
with `'`; `shape=wide` gives one row per unit. Bulk files: `/api/v1/exports/...`.

Catalogue: `/api/v1/catalog` lists every dataset and file in DCAT-AP (JSON-LD or Turtle).

Caching: every GET has a strong ETag keyed on the data release and the normalised request;
`If-None-Match` is answered 304 without a database query; Cache-Control max-age=60.
"""


async def provide_db(state: State) -> AsyncIterator[AsyncConnection]:
    """A read connection per request; the API never writes, so no transaction is committed."""
    async with state.read_engine.connect() as conn:
        yield conn


def freeze_startup_heap() -> None:
    """Move everything built at start-up (catalogue, maps, OpenAPI) out of the collector's way.

    Measured: a cross-section spent 5.8 ms of its 20.7 ms in garbage collections that walked
    the start-up objects again and again; after `gc.freeze()` 1.1 ms of 15.6 ms.
    """
    gc.collect()
    gc.freeze()


@get("/problems/{slug:str}", include_in_schema=False, cache=False)
async def read_problem_type(slug: FromPath[str]) -> dict[str, str]:
    return {"type": f"/problems/{slug}", "description": PROBLEM_TYPES.get(slug, "unknown")}


def create_app(settings: Settings | None = None, web: WebClientPlugin | None = None) -> Litestar:
    """The API with the web client (`web`, by default at `/`) as a plugin."""
    settings = settings or Settings.from_env()
    if settings.database_url is None:
        raise SettingsError("create_app needs a DATABASE_URL (the CLI starts the embedded one)")
    database_url = settings.database_url
    configure_logging(settings)

    @asynccontextmanager
    async def resources(app: Litestar) -> AsyncIterator[None]:
        engine = make_engine(database_url, settings, pre_ping=False, overflow=False)
        read_engine = (
            make_engine(settings.database_replica_url, settings, pre_ping=False, overflow=False)
            if settings.database_replica_url
            else engine
        )
        # With a replica, a new release counts once the replica has it (service/release.py).
        release = ReleaseTracker(database_url, replica_dsn=settings.database_replica_url)
        await release.start()
        app.state.engine, app.state.read_engine, app.state.store = engine, read_engine, store
        app.state.release = release
        app.state.response_cache = settings.response_cache
        try:
            yield
        finally:
            await release.stop()
            await store.__aexit__(None, None, None)
            await engine.dispose()
            if read_engine is not engine:
                await read_engine.dispose()

    store = make_store(settings.redis_url)
    # The rate limit wraps the response cache (the first middleware is the outermost): cached
    # answers and 304s count against a client's budget too, and carry that client's own
    # RateLimit-* headers, never ones stored with another client's answer.
    middleware: list[Any] = []
    if settings.rate_limit_per_minute > 0:
        middleware.append(
            DefineMiddleware(
                RateLimitMiddleware,
                per_minute=settings.rate_limit_per_minute,
                storage=storage_for(settings.redis_url),
            )
        )
    middleware.append(CachingMiddleware)

    def provide_settings() -> Settings:
        return settings

    indicator_catalogue = default_catalogue()  # validated now: a broken file stops start-up
    partnerships.checked_rubric(indicator_catalogue)  # the ZMP standards file, likewise

    def provide_catalogue() -> Catalogue:
        return indicator_catalogue

    app = Litestar(
        route_handlers=[
            units.router,
            schools.router,
            catalogue.router,
            dcat.router,
            values.router,
            changes.router,
            groups.router,
            partnerships.router,
            exports.router,
            costs.router,
            admin.router,
            health.router,
            read_problem_type,
        ],
        plugins=[web or WebClientPlugin(embed_ancestors=settings.embed_frame_ancestors)],
        lifespan=[resources],
        dependencies={
            "db": Provide(provide_db),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "catalogue": Provide(provide_catalogue, sync_to_thread=False),
            "export": Provide(provide_export, sync_to_thread=False),
        },
        exception_handlers=dict(EXCEPTION_HANDLERS),
        response_class=TabularResponse,
        middleware=middleware,
        stores={"miarka": store},
        request_max_body_size=settings.max_request_bytes,
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        openapi_config=_openapi(),
        debug=False,
    )
    app.on_startup.append(freeze_startup_heap)  # last: after the web client's warm-up
    document_exports(app.openapi_schema.paths or {})
    dcat.document_catalog(app.openapi_schema.paths or {})
    document_rate_limit(app.openapi_schema.paths or {}, settings.rate_limit_per_minute)
    document_operations(app.openapi_schema.paths or {})
    return app


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Miarka API",
        version="1.0.0",
        description=API_DESCRIPTION,
        contact=Contact(name="Miarka maintainers"),
        license=License(name="Apache-2.0", identifier="Apache-2.0"),
        servers=[Server(url="/")],
        tags=[
            Tag(name="units", description="Territorial units of the TERYT register"),
            Tag(name="schools", description="Schools and institutions of the RSPO register"),
            Tag(name="indicators", description="Domains and the indicator catalogue"),
            Tag(name="catalog", description="DCAT-AP catalogue of the published datasets"),
            Tag(name="values", description="Indicator values, dashboards, series, peers"),
            Tag(name="changes", description="Revisions: what changed since a data release"),
            Tag(name="groups", description="User-defined groups of units and aggregates"),
            Tag(
                name="partnerships",
                description="Partnerships of local governments and their self-assessment",
            ),
            Tag(name="exports", description="Bulk CSV and Parquet files, streamed"),
            Tag(name="costs", description="Total cost of a service (KCU) with its audit trail"),
            Tag(name="admin", description="Load runs and loads; need an X-API-Key"),
            Tag(name="health", description="Liveness and readiness"),
        ],
        path="/schema",
        components=Components(
            security_schemes={
                "apiKey": SecurityScheme(
                    type="apiKey",
                    name="X-API-Key",
                    security_scheme_in="header",
                    description="Admin key from `miarka keys create NAME`",
                )
            }
        ),
        render_plugins=[ScalarRenderPlugin()],
        use_handler_docstrings=False,
    )


def behind_proxies(app: Litestar, settings: Settings) -> "Litestar | ProxyHeadersMiddleware":
    """The app as the ASGI server gets it. With `MIARKA_FORWARDED_ALLOW_IPS` set, a request
    from one of those proxies takes its client address (the rate limit's key) and scheme from
    X-Forwarded-For and X-Forwarded-Proto; from anyone else the headers are ignored.
    """
    if not settings.forwarded_allow_ips:
        return app
    # Imported only when needed: uvicorn's package import costs start-up time under granian.
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware  # noqa: PLC0415

    trusted = list(settings.forwarded_allow_ips)
    # Litestar and uvicorn spell the same ASGI messages as different TypedDicts.
    return ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # type: ignore[arg-type]


def app_from_env() -> "Litestar | ProxyHeadersMiddleware":
    """Factory for ASGI servers (`granian --interface asgi --factory service.app:app_from_env`)."""
    from service.embedded import resolve_settings  # noqa: PLC0415

    settings = resolve_settings(Settings.from_env())
    return behind_proxies(create_app(settings), settings)
