"""A real HTTP server on 127.0.0.1 that answers like the BDL API v1, from saved real answers.

The bodies come from tests/data/bdl/pyBDL_samples: real BDL API answers captured by the pyBDL
project. `data/by-unit/023000000000` is served exactly as saved. The saved by-variable call
kept only its `results` list (POLSKA, MAKROREGION POŁUDNIOWY, MAŁOPOLSKIE, real and unchanged),
and not its variable id, so:

* SYNTHETIC: the paging envelope around those results (totalRecords, page, pageSize, links,
  variableId) is composed here in the shape the real API uses, and they are served under
  `SAMPLE_VARIABLE_ID`, which is not a real BDL variable id;
* the `unit-level` filter uses the unit levels of the saved `/units` answer, and the `year`
  filter keeps the values of the years asked for, as the real API does.

Failures (429 with Retry-After, 500, an HTML error page, ...) are scripted per test with
`script`, and every request is recorded (path, query, headers) for the test to check: the
shared replay base (tests/replay_server.py) does that part.
"""

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.replay_server import RecordedRequest, ReplayServerBase, Reply, json_reply

__all__ = [
    "API_PREFIX",
    "SAMPLE_VARIABLE_ID",
    "RecordedRequest",
    "ReplayServer",
    "Reply",
    "html_error_page",
    "load_samples",
    "page_body",
]

SAMPLES = Path(__file__).resolve().parent / "data" / "bdl" / "pyBDL_samples"
API_PREFIX = "/api/v1/"
SAMPLE_VARIABLE_ID = 0  # not a real BDL variable: the saved call did not record its id
DEFAULT_PAGE_SIZE = 10  # assumed BDL default; our client always sends page-size
MAX_PAGE_SIZE = 100


def load_samples() -> dict[str, Any]:
    data = json.loads((SAMPLES / "samples_raw_data.json").read_text(encoding="utf-8"))
    units = json.loads((SAMPLES / "samples_raw_units.json").read_text(encoding="utf-8"))
    return {
        "by_variable_results": data["get_data_by_variable"],
        "by_unit_body": data["get_data_by_unit"],
        "unit_levels": {u["id"]: u["level"] for u in units["list_units"]},
    }


def html_error_page(status_text: str = "Service Unavailable") -> bytes:
    """SYNTHETIC: the kind of HTML page a proxy in front of an API answers with."""
    return (
        f"<!DOCTYPE html><html><head><title>{status_text}</title></head>"
        f"<body><h1>{status_text}</h1></body></html>"
    ).encode()


class ReplayServer(ReplayServerBase):
    root = API_PREFIX.rstrip("/")

    def __init__(self) -> None:
        super().__init__()
        self.samples = load_samples()

    def route(self, path: str, query: dict[str, list[str]]) -> Reply:
        if path == f"data/by-variable/{SAMPLE_VARIABLE_ID}":
            return self._by_variable(path, query)
        if path == f"data/by-unit/{self.samples['by_unit_body']['unitId']}":
            return Reply(200, json.dumps(self.samples["by_unit_body"]).encode())
        return super().route(path, query)

    def _by_variable(self, path: str, query: dict[str, list[str]]) -> Reply:
        try:
            page = int(query.get("page", ["0"])[0])
            page_size = int(query.get("page-size", [str(DEFAULT_PAGE_SIZE)])[0])
        except ValueError:
            return json_reply(400, {"message": "SYNTHETIC: page and page-size are integers"})
        if not 1 <= page_size <= MAX_PAGE_SIZE or page < 0:
            return json_reply(400, {"message": "SYNTHETIC: page-size must be 1..100"})
        results = self.samples["by_variable_results"]
        if "unit-level" in query:
            level = int(query["unit-level"][0])
            levels = self.samples["unit_levels"]
            results = [r for r in results if levels.get(r["id"]) == level]
        if "year" in query:
            years = set(query["year"])
            results = [
                {**r, "values": [v for v in r["values"] if v["year"] in years]} for r in results
            ]
        return json_reply(200, page_body(path, query, results, page, page_size))


def page_body(
    path: str, query: dict[str, list[str]], results: list[Any], page: int, page_size: int
) -> dict[str, Any]:
    """SYNTHETIC envelope in the real by-variable shape around real results."""
    last = max(0, (len(results) - 1) // page_size)

    def link(to: int) -> str:
        params = [(k, v) for k, vs in query.items() if k != "page" for v in vs] + [("page", to)]
        return f"https://bdl.stat.gov.pl/api/v1/{path}?{urlencode(params)}"

    links = {"first": link(0), "self": link(page), "last": link(last)}
    if page > 0:
        links["prev"] = link(page - 1)
    if page < last:
        links["next"] = link(page + 1)
    return {
        "totalRecords": len(results),
        "page": page,
        "pageSize": page_size,
        "links": links,
        "variableId": SAMPLE_VARIABLE_ID,
        "results": results[page * page_size : (page + 1) * page_size],
    }
