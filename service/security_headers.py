"""Security headers on every answer: a strict Content-Security-Policy on the web pages.

The headers are added by a `before_send` hook, the outermost layer Litestar has: it sees every
`http.response.start` the app sends, also those that never reach a route's middleware (an
unknown path's 404 page, a 405), the 304s and cached replays of `CachingMiddleware` and the
static files. The policy depends on the path only, never on the body, so a 304 carries the
same headers as the 200 it revalidates (a browser merges them into its stored copy).

- Web pages (every path outside the API prefixes): a CSP that allows only the site's own
  script, styles and images, nothing inline; no framing; no camera, microphone or location.
- API answers (JSON, problems, exports, health, static files): `default-src 'none'`; nothing
  in them is meant to run or be framed.
- The embeddable charts under the embed prefix (/osadz): the web pages' CSP with the
  `frame-ancestors` a deploying body sets (MIARKA_EMBED_FRAME_ANCESTORS) and no
  X-Frame-Options: the only pages another site may frame.
- The interactive docs at `/schema` (Scalar loads its script and styles from a CDN and runs
  inline code): no CSP, the other headers only.

A header the response already carries is left as it is.
"""

from collections.abc import Sequence
from typing import Final

from litestar.types import BeforeMessageSendHookHandler, Message, Scope

Headers = tuple[tuple[bytes, bytes], ...]


def web_csp(frame_ancestors: str = "'none'") -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            f"frame-ancestors {frame_ancestors}",
            "form-action 'self'",
        ]
    )


WEB_CSP: Final = web_csp()
API_CSP: Final = "default-src 'none'; frame-ancestors 'none'"
PERMISSIONS_POLICY: Final = "camera=(), microphone=(), geolocation=()"
DOCS_PREFIX: Final = "/schema"

COMMON: Final[Headers] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)
DOCS: Final[Headers] = (
    *COMMON,
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", PERMISSIONS_POLICY.encode()),
)
WEB: Final[Headers] = (*DOCS, (b"content-security-policy", WEB_CSP.encode()))
API: Final[Headers] = (*COMMON, (b"content-security-policy", API_CSP.encode()))


def embed_headers(frame_ancestors: str) -> Headers:
    """The web pages' set for a page others may frame: no X-Frame-Options, their ancestors."""
    return (
        *COMMON,
        (b"permissions-policy", PERMISSIONS_POLICY.encode()),
        (b"content-security-policy", web_csp(frame_ancestors).encode()),
    )


def headers_for(
    path: str, api_prefixes: Sequence[str], embed: tuple[str, Headers] | None = None
) -> Headers:
    if path == DOCS_PREFIX or path.startswith(f"{DOCS_PREFIX}/"):
        return DOCS
    if path.startswith(tuple(api_prefixes)):
        return API
    if embed is not None and path.startswith(f"{embed[0]}/"):
        return embed[1]
    return WEB


def security_headers(
    api_prefixes: Sequence[str], embed: tuple[str, str] | None = None
) -> BeforeMessageSendHookHandler:
    """A `before_send` hook; paths under `api_prefixes` (but `/schema`) get the API set, and
    pages under `embed`'s prefix may be framed by its `frame-ancestors` sources."""
    prefixes = tuple(api_prefixes)
    framed = None if embed is None else (embed[0], embed_headers(embed[1]))

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        wanted = headers_for(scope["path"], prefixes, framed)
        headers = list(message.get("headers", ()))
        present = {bytes(name).lower() for name, _ in headers}
        headers.extend(pair for pair in wanted if pair[0] not in present)
        message["headers"] = headers

    return add_security_headers
