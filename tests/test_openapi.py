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
