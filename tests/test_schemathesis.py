"""Property-based tests over the whole OpenAPI document against a live server.

Schemathesis generates requests from every operation's parameters and bodies (a bounded number
per operation) and checks that no answer is a 5xx and that every answer matches the documented
status codes, media types and schemas.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.app import create_app
from service.settings import Settings

EXAMPLES_PER_OPERATION = 12


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(loaded_db_url: str, redis_url: str) -> Iterator[str]:
    port = _free_port()
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
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.3)
    else:
        process.terminate()
        pytest.fail("miarka serve did not become ready in 60 s")
    yield base
    process.terminate()
    process.wait(timeout=30)


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
def test_no_server_error_and_every_answer_matches_the_schema(case, live_server):
    case.call_and_validate(
        base_url=live_server,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
        timeout=30,
    )
