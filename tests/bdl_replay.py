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
`script`, and every request is recorded (path, query, headers) for the test to check.
"""

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

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


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    delay_s: float = 0.0
    """Hold the answer this long (to see how many requests the client has in flight)."""


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    """Relative to the API root, as the client names it: `data/by-variable/0`."""
    query: dict[str, list[str]]
    headers: dict[str, str]

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


def html_error_page(status_text: str = "Service Unavailable") -> bytes:
    """SYNTHETIC: the kind of HTML page a proxy in front of an API answers with."""
    return (
        f"<!DOCTYPE html><html><head><title>{status_text}</title></head>"
        f"<body><h1>{status_text}</h1></body></html>"
    ).encode()


class ReplayServer:
    def __init__(self) -> None:
        self.samples = load_samples()
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.replay = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/api/v1"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._thread = None

    def script(self, path: str, *replies: Reply) -> None:
        """Answer the next requests to `path` with `replies`, in order, then as usual."""
        with self._lock:
            self._scripts[path.strip("/")].extend(replies)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path.strip("/")]

    def answer(self, raw_path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            reply = self.handle(raw_path, headers)
            time.sleep(reply.delay_s)
            return reply
        finally:
            with self._lock:
                self.in_flight -= 1

    def handle(self, raw_path: str, headers: dict[str, str]) -> Reply:
        parts = urlsplit(raw_path)
        path = parts.path.removeprefix(API_PREFIX).strip("/")
        query = parse_qs(parts.query, keep_blank_values=True)
        with self._lock:
            self.requests.append(RecordedRequest(path=path, query=query, headers=headers))
            scripted = self._scripts.get(path)
            if scripted:
                return scripted.popleft()
        if path == f"data/by-variable/{SAMPLE_VARIABLE_ID}":
            return self._by_variable(path, query)
        if path == f"data/by-unit/{self.samples['by_unit_body']['unitId']}":
            return Reply(200, json.dumps(self.samples["by_unit_body"]).encode())
        return _json_reply(404, {"message": f"SYNTHETIC: nothing replayed at {path}"})

    def _by_variable(self, path: str, query: dict[str, list[str]]) -> Reply:
        try:
            page = int(query.get("page", ["0"])[0])
            page_size = int(query.get("page-size", [str(DEFAULT_PAGE_SIZE)])[0])
        except ValueError:
            return _json_reply(400, {"message": "SYNTHETIC: page and page-size are integers"})
        if not 1 <= page_size <= MAX_PAGE_SIZE or page < 0:
            return _json_reply(400, {"message": "SYNTHETIC: page-size must be 1..100"})
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
        return _json_reply(200, page_body(path, query, results, page, page_size))


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


def _json_reply(status: int, body: Any) -> Reply:
    return Reply(status, json.dumps(body, ensure_ascii=False).encode())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        replay: ReplayServer = self.server.replay  # type: ignore[attr-defined]
        reply = replay.answer(self.path, {k.lower(): v for k, v in self.headers.items()})
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        return
