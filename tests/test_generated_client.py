"""A Python client generated from the live `/schema/openapi.json` does real work.

openapi-python-client (a dev dependency; it generates offline) writes the package into a
temporary directory; the test imports it and, against a live server: reads every gmina's
value of an indicator, a unit's dashboard, and a new group's aggregate. Its module and
function names come from the operationIds and tags (`api.values.get_cross_section`), so a
rename shows up here as an import error, not in some user's script.
"""

import importlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.test_schemathesis import live_server

__all__ = ["live_server"]

PACKAGE = "miarka_client"
GMINAS_WITH_POPULATION_2023 = 2477


@pytest.fixture(scope="module")
def generated(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> object:
    root = tmp_path_factory.mktemp("generated-client")
    spec = root / "openapi.json"
    spec.write_bytes(httpx.get(f"{live_server}/schema/openapi.json", timeout=30).content)
    result = subprocess.run(
        [
            Path(sys.executable).with_name("openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--output-path",
            str(root / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(name: str) -> object:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_generated_client_reads_every_gminas_value_of_an_indicator(generated, live_server):
    client = generated.Client(base_url=live_server, timeout=httpx.Timeout(60))
    cross_section = _module("api.values.get_cross_section")
    body = cross_section.sync(code="kontekst.ludnosc", client=client, year=2023)
    assert body.count == GMINAS_WITH_POPULATION_2023
    assert len(body.items) == body.count
    krakow = next(item for item in body.items if item.teryt == "1261011")
    assert krakow.name == "Kraków"
    assert krakow.value > 0


def test_generated_client_reads_a_dashboard(generated, live_server):
    client = generated.Client(base_url=live_server, timeout=httpx.Timeout(60))
    dashboard = _module("api.values.get_dashboard").sync(teryt="1261011", client=client)
    assert dashboard.teryt == "1261011"
    codes = {item.indicator.code for domain in dashboard.domains for item in domain.items}
    assert "kontekst.ludnosc" in codes


def test_generated_client_saves_a_group_and_reads_its_aggregate(generated, live_server):
    client = generated.Client(base_url=live_server, timeout=httpx.Timeout(60))
    group_in = _module("models").GroupIn(
        name="KOM (część)", members=["1261011", "1206022", "1206032", "1206092"]
    )
    group = _module("api.groups.create_group").sync(client=client, body=group_in)
    assert group.members == group_in.members
    aggregate = _module("api.groups.get_group_indicator").sync(
        group_id=group.id, code="kontekst.gestosc_zaludnienia", client=client
    )
    # Checked against the same server's JSON: the client parses what the API says.
    raw = httpx.get(
        f"{live_server}/api/v1/groups/{group.id}/indicators/kontekst.gestosc_zaludnienia",
        timeout=30,
    ).json()
    assert aggregate.aggregate.value == pytest.approx(raw["aggregate"]["value"])
    assert aggregate.aggregate.members == len(group_in.members)
    assert json.dumps(raw["group"]["members"]) == json.dumps(group.members)
