"""`/api/v1/catalog`: the DCAT-AP catalogue of what Miarka publishes (service/dcat.py).

JSON-LD by default; Turtle for `?format=ttl` or `Accept: text/turtle`, made by rdflib from the
same JSON-LD, so both always say the same.
"""

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, Router, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, Schema
from litestar.openapi.spec.enums import OpenAPIType

from domains.indicators.coverage import latest_years
from service.dcat import JSONLD, TURTLE, CatalogBuilder
from service.deps import CatalogueDep, Db, SettingsDep
from service.errors import problem_responses
from service.release import ReleaseTracker
from service.routes.params import documented

CatalogFormat = Literal["jsonld", "ttl"]


def turtle(document: dict[str, Any]) -> bytes:
    # Imported here: rdflib's import costs start-up time and only Turtle needs it.
    from rdflib import Graph  # noqa: PLC0415

    graph = Graph().parse(data=msgspec.json.encode(document), format="json-ld")
    for prefix, namespace in document["@context"].items():
        graph.bind(prefix, namespace)
    return graph.serialize(format="turtle", encoding="utf-8")


@get(
    "/catalog",
    operation_id="getCatalog",
    summary="DCAT-AP catalogue of Miarka's datasets (JSON-LD or Turtle)",
    description="One `dcat:Dataset` per domain and per indicator, titles and descriptions in "
    "Polish and English, with distributions (bulk CSV in both dialects and Parquet; for "
    "indicators with values also the latest cross-section as XLSX and JSON). `dct:modified` "
    "is the publication time of the current data release. Publisher and data licence are "
    "settings of the deploying body; unset, they are marked placeholders.",
    responses={
        200: ResponseSpec(
            data_container=dict[str, Any],
            media_type=JSONLD,
            description="The catalogue as JSON-LD (Turtle with `format=ttl`)",
        ),
        **problem_responses(400, 503),
    },
    media_type=JSONLD,
)
async def read_catalog(
    *,
    request: Request,  # type: ignore[type-arg]
    state: State,
    db: Db,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    format: Annotated[
        CatalogFormat | None,
        documented("jsonld (default) or ttl; `Accept: text/turtle` works too", "ttl"),
    ] = None,
) -> Response[bytes]:
    release: ReleaseTracker = state.release
    modified = release.published_at if release.current > 0 else None
    base = str(request.base_url).rstrip("/") + "/"
    document = CatalogBuilder(catalogue, settings, base, modified).build(await latest_years(db))
    wants = format or ("ttl" if TURTLE in request.headers.get("accept", "") else "jsonld")
    if wants == "ttl":
        return Response(turtle(document), media_type=f"{TURTLE}; charset=utf-8")
    return Response(msgspec.json.encode(document), media_type=JSONLD)


def document_catalog(paths: dict[str, Any]) -> None:
    """The catalogue's `format` is not a table's: its 200 is JSON-LD or Turtle, nothing else.

    Run after `document_exports`, which gives every operation taking `format` the file types.
    """
    item = paths.get("/api/v1/catalog")
    ok = (item.get.responses or {}).get("200") if item is not None and item.get else None
    if ok is None or getattr(ok, "content", None) is None:
        return
    ok.content = {
        JSONLD: OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.OBJECT, description="DCAT-AP catalogue, JSON-LD")
        ),
        TURTLE: OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.STRING, description="The same graph as Turtle")
        ),
    }


router = Router(path="/api/v1", route_handlers=[read_catalog], tags=["catalog"])
