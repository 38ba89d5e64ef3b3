"""OpenAPI links between operations: how a client (or a fuzzer) gets from one answer to the next.

A unit's code from `getUnit` leads to its dashboard, series, peers and costs; the id that
`createGroup` answers leads to the group's reads. Schemathesis' stateful phase follows these
links, so it reaches real units and groups instead of 404s. Litestar has no decorator argument
for response links, so they are added to the built document here, keyed by operationId.
"""

from typing import Any, Final

from litestar.openapi.spec import Link, OpenAPIMediaType, Schema
from litestar.openapi.spec.enums import OpenAPIType

from service.formats import MEDIA_TYPES

# operationId -> status -> link name -> (target operationId, {parameter: runtime expression})
LINKS: Final[dict[str, dict[str, dict[str, tuple[str, dict[str, str]]]]]] = {
    "listUnits": {
        "200": {
            "unit": ("getUnit", {"path.teryt": "$response.body#/items/0/teryt"}),
            "dashboard": ("getDashboard", {"path.teryt": "$response.body#/items/0/teryt"}),
        }
    },
    "getUnit": {
        "200": {
            "dashboard": ("getDashboard", {"path.teryt": "$response.body#/teryt"}),
            "series": ("getSeries", {"path.teryt": "$response.body#/teryt"}),
            "peers": ("getPeers", {"path.teryt": "$response.body#/teryt"}),
            "costs": ("getUnitCost", {"path.teryt": "$response.body#/teryt"}),
            "schools": ("listSchools", {"query.teryt": "$response.body#/teryt"}),
        }
    },
    "getDashboard": {
        "200": {
            "series": (
                "getSeries",
                {
                    "path.teryt": "$response.body#/teryt",
                    "path.code": "$response.body#/domains/0/items/0/indicator/code",
                },
            ),
        }
    },
    "listDomains": {"200": {"domain": ("getDomain", {"path.code": "$response.body#/0/code"})}},
    "listIndicators": {
        "200": {
            "indicator": ("getIndicator", {"path.code": "$response.body#/0/code"}),
            "values": ("getCrossSection", {"path.code": "$response.body#/0/code"}),
        }
    },
    "getCrossSection": {
        "200": {
            "series": (
                "getSeries",
                {
                    "path.teryt": "$response.body#/items/0/teryt",
                    "path.code": "$response.body#/indicator/code",
                },
            ),
        }
    },
    "createGroup": {
        "201": {
            "group": ("getGroup", {"path.group_id": "$response.body#/id"}),
            "indicator": ("getGroupIndicator", {"path.group_id": "$response.body#/id"}),
            "values": ("getCrossSection", {"query.group": "$response.body#/id"}),
        }
    },
    "listGroups": {"200": {"group": ("getGroup", {"path.group_id": "$response.body#/0/id"})}},
    "listSchools": {
        "200": {"school": ("getSchool", {"path.rspo": "$response.body#/items/0/rspo"})}
    },
    "listCostServices": {
        "200": {"values": ("getCostCrossSection", {"path.service": "$response.body#/items/0/code"})}
    },
    "getCostCrossSection": {
        "200": {
            "unit": (
                "getUnitCost",
                {
                    "path.teryt": "$response.body#/items/0/teryt",
                    "path.service": "$response.body#/service",
                },
            ),
            "scenario": (
                "runCostScenario",
                {
                    "path.teryt": "$response.body#/items/0/teryt",
                    "path.service": "$response.body#/service",
                },
            ),
        }
    },
    "listLoadRuns": {"200": {"run": ("getLoadRun", {"path.run_id": "$response.body#/0/id"})}},
}


BULK_FILES: Final = ("exportIndicator", "exportDomain")


def document_operations(paths: dict[str, Any]) -> None:
    """Add LINKS to the answers they start from, and the bulk exports' media types."""
    operations = {
        op.operation_id: op
        for item in paths.values()
        for op in (item.get, item.post)
        if op is not None and op.operation_id
    }
    for operation_id in BULK_FILES:
        ok = (operations[operation_id].responses or {})["200"]
        ok.content = {
            MEDIA_TYPES["csv"]: OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.STRING, description="CSV, long shape")
            ),
            MEDIA_TYPES["parquet"]: OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.STRING, description="Apache Parquet (zstd)")
            ),
        }
    for source, by_status in LINKS.items():
        responses = operations[source].responses or {}
        for status, links in by_status.items():
            response = responses[status]
            response.links = {
                name: Link(
                    operation_id=target,
                    parameters=dict(parameters),
                    description=f"{target} for the {name} in this answer",
                )
                for name, (target, parameters) in links.items()
            }
