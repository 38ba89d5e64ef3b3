"""The OpenAPI 3.1 document validates and documents what clients rely on."""

from openapi_spec_validator import validate


async def test_openapi_document_is_valid_3_1(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


async def test_openapi_documents_paths_parameters_and_limits(client):
    spec = (await client.get("/schema/openapi.json")).json()
    assert {"/api/v1/units", "/api/v1/units/{teryt}", "/health", "/ready"} <= set(spec["paths"])
    listing = spec["paths"]["/api/v1/units"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert {"level", "kind", "parent", "q", "limit", "cursor", "include_closed"} <= set(params)
    assert params["limit"]["schema"]["maximum"] == 5000
    assert "diacritics" in params["q"]["description"]
    assert listing["description"]


async def test_errors_are_documented_as_problem_details(client):
    spec = (await client.get("/schema/openapi.json")).json()
    responses = spec["paths"]["/api/v1/units/{teryt}"]["get"]["responses"]
    for status in ("400", "404", "503"):
        content = responses[status]["content"]
        assert list(content) == ["application/problem+json"]
        assert content["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])


# Generated clients name their functions after these (list_units, get_dashboard, ...): a
# rename breaks every client, so a change here must be deliberate (and additive).
OPERATION_IDS = {
    ("GET", "/api/v1/units"): "listUnits",
    ("GET", "/api/v1/units/{teryt}"): "getUnit",
    ("GET", "/api/v1/schools"): "listSchools",
    ("GET", "/api/v1/schools/{rspo}"): "getSchool",
    ("GET", "/api/v1/domains"): "listDomains",
    ("GET", "/api/v1/domains/{code}"): "getDomain",
    ("GET", "/api/v1/indicators"): "listIndicators",
    ("GET", "/api/v1/indicators/{code}"): "getIndicator",
    ("GET", "/api/v1/indicators/{code}/values"): "getCrossSection",
    ("GET", "/api/v1/catalog"): "getCatalog",
    ("GET", "/api/v1/units/{teryt}/indicators"): "getDashboard",
    ("GET", "/api/v1/units/{teryt}/indicators/{code}/series"): "getSeries",
    ("GET", "/api/v1/units/{teryt}/indicators/{code}/monthly"): "getMonthlySeries",
    ("GET", "/api/v1/changes"): "listChanges",
    ("GET", "/api/v1/units/{teryt}/changes.atom"): "getUnitChangesFeed",
    ("GET", "/api/v1/indicators/{code}/changes.atom"): "getIndicatorChangesFeed",
    ("GET", "/api/v1/units/{teryt}/peers"): "getPeers",
    ("POST", "/api/v1/query"): "queryValues",
    ("GET", "/api/v1/groups"): "listGroups",
    ("POST", "/api/v1/groups"): "createGroup",
    ("GET", "/api/v1/groups/{group_id}"): "getGroup",
    ("GET", "/api/v1/groups/{group_id}/indicators/{code}"): "getGroupIndicator",
    ("GET", "/api/v1/partnerships"): "listPartnerships",
    ("POST", "/api/v1/partnerships"): "createPartnership",
    ("GET", "/api/v1/partnerships/{partnership_id}"): "getPartnership",
    ("PATCH", "/api/v1/partnerships/{partnership_id}"): "updatePartnership",
    ("GET", "/api/v1/partnerships/{partnership_id}/indicators/{code}"): "getPartnershipIndicator",
    ("GET", "/api/v1/partnerships/{partnership_id}/assessments"): "listPartnershipAssessments",
    ("POST", "/api/v1/partnerships/{partnership_id}/assessments"): "createPartnershipAssessment",
    ("GET", "/api/v1/exports/indicators/{file_name}"): "exportIndicator",
    ("GET", "/api/v1/exports/domains/{file_name}"): "exportDomain",
    ("GET", "/api/v1/costs"): "listCostServices",
    ("GET", "/api/v1/costs/{service}"): "getCostCrossSection",
    ("GET", "/api/v1/units/{teryt}/costs/{service}"): "getUnitCost",
    ("POST", "/api/v1/units/{teryt}/costs/{service}/scenarios"): "runCostScenario",
    ("GET", "/api/v1/admin/runs"): "listLoadRuns",
    ("GET", "/api/v1/admin/runs/{run_id}"): "getLoadRun",
    ("POST", "/api/v1/admin/loads/shipped"): "startShippedLoad",
    ("GET", "/health"): "getHealth",
    ("GET", "/ready"): "getReadiness",
}


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation


async def test_operation_ids_are_pinned(client):
    spec = (await client.get("/schema/openapi.json")).json()
    found = {(method, path): op.get("operationId") for method, path, op in _operations(spec)}
    assert found == OPERATION_IDS


async def test_every_operation_has_a_declared_tag_a_summary_and_a_description(client):
    spec = (await client.get("/schema/openapi.json")).json()
    declared = {tag["name"] for tag in spec["tags"]}
    for method, path, operation in _operations(spec):
        where = f"{method} {path}"
        assert len(operation.get("tags", [])) == 1, where
        assert operation["tags"][0] in declared, where
        assert operation.get("summary"), where
        assert operation.get("description"), where


async def test_every_path_and_query_parameter_has_an_example(client):
    spec = (await client.get("/schema/openapi.json")).json()
    missing = [
        f"{operation['operationId']}.{parameter['name']}"
        for _, _, operation in _operations(spec)
        for parameter in operation.get("parameters", [])
        if parameter["in"] in {"path", "query"} and not parameter.get("examples")
    ]
    assert missing == []


async def test_links_lead_from_units_and_groups_to_their_reads(client):
    spec = (await client.get("/schema/openapi.json")).json()
    by_id = {op["operationId"]: op for _, _, op in _operations(spec)}

    def targets(operation_id: str, status: str) -> set[str]:
        links = by_id[operation_id]["responses"][status]["links"]
        return {link["operationId"] for link in links.values()}

    assert {"getDashboard", "getSeries", "getPeers", "getUnitCost"} <= targets("getUnit", "200")
    assert {"getGroup", "getGroupIndicator", "getCrossSection"} <= targets("createGroup", "201")
    for operation in by_id.values():
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                target = by_id[link["operationId"]]
                names = {f"{p['in']}.{p['name']}" for p in target.get("parameters", [])}
                assert set(link["parameters"]) <= names, (operation["operationId"], link)
