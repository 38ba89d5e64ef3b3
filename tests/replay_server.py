"""The base of the source API look-alikes the tests run: a real HTTP server on 127.0.0.1.

A subclass says what its API answers (`route`); the base binds a free port on 127.0.0.1 only,
records every request (path, query, headers), plays the replies scripted for a path first (429
with Retry-After, 500, an HTML page, a slow answer), and counts the requests in flight.
`FakeClock` is the time the clients under test wait on, so quota windows of days pass at once
and every wait they asked for can be checked.
"""

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeClock", "RecordedRequest", "ReplayServerBase", "Reply", "json_reply"]


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
    headers: dict[str, str] = field(default_factory=dict)
    """Names in lower case."""

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


def json_reply(status: int, body: Any, *, bom: bool = False) -> Reply:
    data = json.dumps(body, ensure_ascii=False).encode()
    return Reply(status, (b"\xef\xbb\xbf" if bom else b"") + data)


class ReplayServerBase:
    """`with Replay() as server:` serves until the block ends; `start`/`stop` for the rest."""

    root: ClassVar[str] = ""
    """The API's path prefix (`/api/v1`), part of `base_url` and cut from recorded paths."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._httpd = _Server(self)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{self.root}"

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

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

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
        """Record the request, play a scripted reply if one waits, else ask `route`."""
        parts = urlsplit(raw_path)
        path = parts.path.removeprefix(self.root).strip("/")
        query = parse_qs(parts.query, keep_blank_values=True)
        with self._lock:
            self.requests.append(RecordedRequest(path=path, query=query, headers=headers))
            scripted = self._scripts.get(path)
            if scripted:
                return scripted.popleft()
        return self.route(path, query)

    def route(self, path: str, query: dict[str, list[str]]) -> Reply:
        """What the API answers at `path` (relative to `root`); subclasses say."""
        return json_reply(404, {"message": f"SYNTHETIC: nothing replayed at {path}"})


class _Server(ThreadingHTTPServer):
    def __init__(self, replay: ReplayServerBase) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replay = replay


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        reply = self.server.replay.answer(
            self.path, {k.lower(): v for k, v in self.headers.items()}
        )
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        return


class FakeClock:
    """Time for a client's limiter and retries: `sleep` only moves `now` and notes the wait."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
