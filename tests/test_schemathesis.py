"""Property-based tests over the whole OpenAPI document against a live server.

Schemathesis generates requests from every operation's parameters and bodies (a bounded number
per operation: the documented examples, then coverage and fuzzed cases) and checks that no
answer is a 5xx and that every answer matches the documented status codes, media types and
schemas. The stateful test follows the document's links (a unit to its dashboard, series,
peers and costs; a new group to its reads), so it reaches real resources, not 404s.

The server runs with the rate limit off: this fuzzes the logic; the limiter has tests of its
own (tests/test_security.py). Admin operations get a real key, except the one that would
start a full reload of the shipped data (it is still called, and answers 401).
"""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from domains.admin.keys import create_key
from service.app import create_app
from service.settings import Settings
from tests.plugin import engine_for
from tests.serving import free_port, wait_ready

pytestmark = pytest.mark.fuzz  # the fuzz tier of tests/plugin.py, though it uses live_server

EXAMPLES_PER_OPERATION = 12
SCENARIOS = 25
STEPS_PER_SCENARIO = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
GROUP_MEMBERS = ["1261011", "1206022", "1206032", "1206092"]
NO_KEY = {"/api/v1/admin/loads/shipped"}
"""A real key here would reload every shipped file in the background for minutes."""


@pytest.fixture(scope="session")
def live_server(loaded_db_url: str, redis_url: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env={
            **os.environ,
            "DATABASE_URL": loaded_db_url,
            "REDIS_URL": redis_url,
            "MIARKA_LOG_LEVEL": "WARNING",
            "MIARKA_RATE_LIMIT_PER_MINUTE": "0",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    if not wait_ready(base):
        process.terminate()
        pytest.fail("miarka serve did not become ready in 60 s")
    yield base
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
async def admin_key(loaded_db_url: str) -> str:
    engine = engine_for(loaded_db_url)
    try:
        async with engine.begin() as conn:
            return await create_key(conn, f"schemathesis-{uuid.uuid4().hex}")
    finally:
        await engine.dispose()


def _headers(path: str, key: str) -> dict[str, str]:
    return {} if path in NO_KEY else {"X-API-Key": key}


def _document() -> dict[str, object]:
    """The same OpenAPI document the server serves, built without connecting anywhere."""
    app = create_app(Settings(database_url="postgresql://unused@127.0.0.1:1/unused"))
    return app.openapi_schema.to_schema()


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error_and_every_answer_matches_the_schema(case, live_server, admin_key):
    case.call_and_validate(
        base_url=live_server,
        headers=_headers(case.operation.path, admin_key),
        checks=CHECKS,
        timeout=30,
    )


def test_stateful_scenarios_meet_every_check(live_server, admin_key):
    """Hypothesis chains calls along the links (and ones schemathesis infers); every answer on
    the way must pass CHECKS. Which links a run takes is random: reaching every link is the
    deterministic test below."""
    reached: dict[str, set[int]] = {}

    class Scenarios(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):
            return {
                "base_url": live_server,
                "headers": _headers(case.operation.path, admin_key),
                "timeout": 30,
            }

        def before_call(self, case):
            # Random TERC-shaped codes are almost never units in force (a 400, tested above),
            # and fuzzed filters almost always match no unit: an empty list links nowhere.
            if case.operation.label == "POST /api/v1/groups":
                case.body = {"name": "schemathesis", "members": GROUP_MEMBERS}
            if case.operation.label == "GET /api/v1/units":
                case.query = {"level": "gmina", "limit": 5}

        def after_call(self, response, case):
            reached.setdefault(case.operation.label, set()).add(response.status_code)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Scenarios.run(
        settings=hypothesis.settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS_PER_SCENARIO,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
    ok = {label for label, statuses in reached.items() if any(200 <= s < 300 for s in statuses)}
    assert {"GET /api/v1/units", "POST /api/v1/groups"} <= ok, reached


START: dict[str, dict[str, Any]] = {
    # Kutno: one of the units whose Rb-27S and Rb-28S reports are shipped (its costs link works).
    "listUnits": {"query": {"level": "gmina", "parent": "1002", "limit": 1}},
    "listSchools": {"query": {"teryt": "1261011", "limit": 5}},
    "listDomains": {},
    "listIndicators": {"query": {"status": "ok"}},
    "createGroup": {"json": {"name": "links", "members": GROUP_MEMBERS}},
    "listGroups": {},  # after createGroup: on a fresh database it is the only group
    "listCostServices": {},
    "listLoadRuns": {},
}
"""The calls that start the chains: operations with links and no path parameter, with filters
that lead to data (an indicator without values answers its cross-section with a 404)."""


def _pointer(document: object, expression: str) -> object:
    """The value a `$response.body#/a/0/b` runtime expression names (RFC 6901 pointer)."""
    prefix = "$response.body#"
    assert expression.startswith(prefix), expression
    value = document
    for escaped in expression.removeprefix(prefix).split("/")[1:]:
        token = escaped.replace("~1", "/").replace("~0", "~")
        value = value[int(token)] if isinstance(value, list) else value[token]  # type: ignore[index]
    return value


def _example(parameter: dict[str, Any]) -> object:
    return next(iter(parameter["examples"].values()))["value"]


def test_every_declared_link_leads_to_an_answer_with_data(live_server, admin_key):
    """Follow every link of the served document from real answers, breadth first: each target,
    called with what the link extracts (other required parameters from their examples), must
    answer 2xx. Deterministic, unlike the stateful run."""
    document = httpx.get(f"{live_server}/schema/openapi.json", timeout=30).json()
    operations = {
        op["operationId"]: (method, path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    client = httpx.Client(base_url=live_server, timeout=60)

    def call(
        operation_id: str, path_values: dict[str, Any], query: dict[str, Any], body: object = None
    ) -> httpx.Response:
        method, path, op = operations[operation_id]
        for parameter in op.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"] not in path_values:
                path_values[parameter["name"]] = _example(parameter)
        url = path.format(**path_values)
        if method == "post" and body is None:
            body = (
                {"name": "links", "members": GROUP_MEMBERS} if operation_id == "createGroup" else {}
            )
        return client.request(
            method.upper(), url, params=query, json=body, headers=_headers(path, admin_key)
        )

    answers = []
    for operation_id, request in START.items():
        response = call(operation_id, {}, dict(request.get("query", {})), request.get("json"))
        assert response.is_success, (operation_id, response.status_code, response.text[:300])
        answers.append((operation_id, response))
    followed: dict[str, int] = {}
    while answers:
        source, response = answers.pop(0)
        status = str(response.status_code)
        links = operations[source][2]["responses"].get(status, {}).get("links", {})
        for name, link in links.items():
            key = f"{source} -{name}-> {link['operationId']}"
            if key in followed:
                continue
            path_values: dict[str, Any] = {}
            query: dict[str, Any] = {}
            for target, expression in link["parameters"].items():
                where, _, parameter = target.partition(".")
                value = _pointer(response.json(), expression)
                (path_values if where == "path" else query)[parameter] = value
            answer = call(link["operationId"], path_values, query)
            followed[key] = answer.status_code
            assert answer.is_success, (
                key,
                path_values,
                query,
                answer.status_code,
                answer.text[:300],
            )
            answers.append((link["operationId"], answer))
    declared = {
        f"{source} -{name}-> {link['operationId']}"
        for source, (_, _, op) in operations.items()
        for response in op["responses"].values()
        for name, link in response.get("links", {}).items()
    }
    assert declared == set(followed), declared ^ set(followed)
