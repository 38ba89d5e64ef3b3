"""Security headers on the real app: a strict CSP on the web pages, and pages that obey it.

The expected header values are written out here, independently of service/security_headers.py.
The pages scanned are the ones the web tests render (tests/test_web_pages.py, test_web_costs.py):
none may hold anything `script-src 'self'; style-src 'self'` blocks.
"""

from html.parser import HTMLParser

import httpx
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.db import make_engine
from service.settings import Settings

KRAKOW = "1261011"
KUTNO = "1002011"
WEB_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}
WEB = {
    **COMMON,
    "content-security-policy": WEB_CSP,
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
API = {**COMMON, "content-security-policy": API_CSP}
HTML = {"Accept": "text/html"}
PAGES = [
    ("/", 200),
    ("/?q=zywiec", 200),
    ("/?q=!!!", 200),
    ("/?woj=24", 200),
    ("/?pow=2417", 200),
    (f"/j/{KRAKOW}", 200),
    (f"/j/{KRAKOW}?lang=en", 200),
    ("/j/0201011", 200),
    ("/j/1207132", 200),
    ("/j/2417", 200),
    ("/j/24", 200),
    (f"/j/{KRAKOW}/raport", 200),
    (f"/j/{KUTNO}/koszty", 200),
    (f"/j/{KUTNO}/koszty?usluga=edukacja.szkoly_podstawowe&rok=2022&narzut=none&lang=en", 200),
    ("/w/kontekst.ludnosc?poziom=powiat", 200),
    ("/w/kontekst.ludnosc?poziom=voivodeship", 200),
    ("/w/kontekst.ludnosc?poziom=gmina&sort=wartosc&kier=malej", 200),
    ("/w/kontekst.udzial_65_plus?poziom=gmina&woj=02&j=0201011", 200),
    ("/w/edukacja.wydatki_oswiata", 200),
    (f"/porownaj?j={KRAKOW}&j=0264011", 200),
    (f"/porownaj?j={KRAKOW}&dodaj=Wrocław", 200),
    (f"/porownaj?j={KRAKOW}&podobne=1", 200),
    ("/porownaj", 200),
    ("/deklaracja-dostepnosci", 200),
    ("/szkola/20957", 200),
    ("/szkola/9999999", 404),
    (f"/j/{KRAKOW}?szkoly=wszystkie&szkoly_sort=uczniowie&szkoly_kier=malej", 200),
    ("/j/0201022?szkoly_sort=nic", 400),
    ("/j/9999999", 404),
    ("/j/9999999?lang=en", 404),
    ("/j/abc", 400),
    ("/w/nie.ma.takiego", 404),
    ("/nie-ma-takiej-strony", 404),
]


def assert_headers(response: httpx.Response, expected: dict[str, str]) -> None:
    for name, value in expected.items():
        assert response.headers.get_list(name) == [value], (str(response.url), name)


class _Blocked(HTMLParser):
    """Whatever a strict CSP would block or that would need 'unsafe-inline'."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.found += [f"<{tag} {name}=...>" for name in found if name.startswith("on")]
        if "style" in found:
            self.found.append(f"<{tag} style={found['style']!r}>")
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script" and "src" not in found:
            self.found.append("inline <script>")
        elif tag == "script" and not _own(found["src"]):
            self.found.append(f"<script src={found['src']!r}>")
        if tag == "link" and found.get("rel") == "stylesheet" and not _own(found.get("href")):
            self.found.append(f"<link stylesheet {found.get('href')!r}>")
        if tag == "img" and not (
            _own(found.get("src")) or str(found.get("src")).startswith("data:")
        ):
            self.found.append(f"<img src={found.get('src')!r}>")
        if tag == "form" and found.get("action") is not None and not _own(found.get("action")):
            self.found.append(f"<form action={found.get('action')!r}>")
        for name in ("href", "src", "action"):
            if str(found.get(name, "")).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")


def _own(url: str | None) -> bool:
    """Same origin: a path on this site, not `//host/...`."""
    return url is not None and url.startswith("/") and not url.startswith("//")


def blocked(html: str) -> list[str]:
    parser = _Blocked()
    parser.feed(html)
    return parser.found


def test_the_scan_finds_what_a_strict_csp_blocks():
    page = (
        '<script>alert(1)</script><script src="https://cdn.example/x.js"></script>'
        '<button onclick="go()">x</button><span style="background:#fff"></span>'
        '<style>p{}</style><a href="javascript:void(0)">y</a>'
        '<script src="/static/miarka.js" defer></script><svg><rect fill="#fff"/></svg>'
    )
    assert blocked(page) == [
        "inline <script>",
        "<script src='https://cdn.example/x.js'>",
        "<button onclick=...>",
        "<span style='background:#fff'>",
        "<style> element",
        "<a href=javascript:...>",
    ]


async def test_rendered_pages_hold_nothing_a_strict_csp_blocks(client):
    for path, status in PAGES:
        response = await client.get(path, headers=HTML)
        assert response.status_code == status, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert blocked(response.text) == [], path
        assert_headers(response, WEB)


async def test_html_pages_carry_a_strict_csp(client):
    for path in ("/", f"/j/{KRAKOW}"):
        response = await client.get(path, headers=HTML)
        assert response.status_code == 200
        assert_headers(response, WEB)


async def test_api_answers_carry_nosniff_referrer_policy_and_a_none_csp(client):
    for path, status in (
        ("/api/v1/units?level=voivodeship", 200),
        ("/api/v1/units?level=voivodeship&format=csv", 200),
        ("/api/v1/units/9999999", 404),
        ("/api/v1/nie-ma", 404),
        ("/health", 200),
        ("/problems/not-found", 200),
    ):
        response = await client.get(path, headers=HTML)
        assert response.status_code == status, path
        assert not response.headers["content-type"].startswith("text/html"), path
        assert_headers(response, API)
        assert "x-frame-options" not in response.headers


async def test_static_files_are_served_with_their_types_and_nosniff(client):
    for path, content_type in (
        ("/static/miarka.css", "text/css"),
        ("/static/miarka.js", "javascript"),
    ):
        response = await client.get(path)
        assert response.status_code == 200
        assert content_type in response.headers["content-type"], path
        assert_headers(response, API)


async def test_interactive_docs_keep_their_cdn_script(client):
    docs = await client.get("/schema", headers=HTML)
    assert docs.status_code == 200
    assert "cdn.jsdelivr.net" in docs.text  # Scalar: a strict CSP would leave the page blank
    assert "content-security-policy" not in docs.headers
    assert_headers(docs, {**COMMON, "x-frame-options": "DENY"})
    spec = await client.get("/schema/openapi.json")
    assert spec.status_code == 200
    assert_headers(spec, COMMON)


async def test_a_304_carries_the_same_security_headers_as_the_200(client):
    for path, expected in ((f"/j/{KRAKOW}", WEB), ("/api/v1/units/12", API)):
        first = await client.get(path)
        assert first.status_code == 200
        again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["etag"] == first.headers["etag"]
        assert_headers(again, expected)


async def test_a_cached_replay_carries_the_headers_once(test_settings: Settings) -> None:
    """The second answer comes from the response cache: the database is unreachable by then."""
    async with AsyncTestClient(app=create_app(test_settings)) as client:
        paths = [("/", WEB), (f"/j/{KRAKOW}", WEB), ("/api/v1/units/12", API)]
        first = {path: await client.get(path, headers=HTML) for path, _ in paths}
        state = client.app.state
        healthy = state.read_engine
        state.read_engine = make_engine(
            "postgresql://postgres@127.0.0.1:1/none", Settings(database_url="postgresql://x/y")
        )
        try:
            for path, expected in paths:
                replay = await client.get(path, headers=HTML)
                assert replay.status_code == 200, path
                assert replay.content == first[path].content
                assert_headers(first[path], expected)
                assert_headers(replay, expected)
        finally:
            await state.read_engine.dispose()
            state.read_engine = healthy


async def test_answers_of_the_router_itself_get_the_headers(client):
    """A 405 or an unknown path's 404 is decided by the router: no route middleware runs."""
    for method, path, status, expected in (
        ("DELETE", "/", 405, WEB),
        ("POST", f"/j/{KRAKOW}", 405, WEB),
        ("GET", "/nie-ma-takiej-strony", 404, WEB),
        ("DELETE", "/api/v1/units/12", 405, API),
        ("GET", "/api/v1/nie-ma", 404, API),
    ):
        response = await client.request(method, path, headers=HTML)
        assert response.status_code == status, (method, path)
        assert_headers(response, expected)
