"""Settings read once from the environment into a frozen Struct.

`DATABASE_URL` and `REDIS_URL` keep their conventional names; everything else is `MIARKA_*`.
A malformed value stops start-up with an error that names the variable.
"""

import ipaddress
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Literal, Self

import msgspec

PREFIX = "MIARKA_"
REPO_ROOT = Path(__file__).resolve().parents[1]

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
A11yStatus = Literal["compliant", "partially_compliant", "non_compliant"]
A11yAssessment = Literal["self_assessment", "third_party"]


class SettingsError(ValueError):
    """An environment variable has a value Miarka cannot use."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None
    """SQLAlchemy URL of PostgreSQL; None starts the embedded server in `state_dir`."""
    database_replica_url: str | None = None
    """Read-only replica for API reads; defaults to `database_url`."""
    redis_url: str | None = None
    """Redis for the response cache; None uses an in-process memory store."""
    data_dir: Path = REPO_ROOT / "data"
    state_dir: Path = Path(".miarka")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: LogLevel = "INFO"
    log_json: bool = False
    sql_timeout_ms: int = 5_000
    max_page_size: int = 5_000
    response_cache: bool = True
    """Keep answers in the store (ETags and 304s work either way)."""
    rate_limit_per_minute: int = 1_200
    """Requests per minute per client address (0 = no limit); shared through Redis."""
    forwarded_allow_ips: tuple[str, ...] = ()
    """Proxies (addresses or CIDR networks) whose X-Forwarded-For/-Proto are believed."""
    max_request_bytes: int = 1_000_000
    bdl_client_id: str | None = None
    """GUS BDL API key (X-ClientId): higher quotas than anonymous runs."""
    # The accessibility declaration (/deklaracja-dostepnosci) states facts about the public
    # body that deploys Miarka; the project cannot know them, so an unset one is shown as a
    # marked placeholder, never guessed.
    a11y_entity: str | None = None
    """Name of the public body that publishes this site."""
    a11y_site: str | None = None
    """Address of the site; unset, the address the page was asked for."""
    a11y_published: date | None = None
    """Date the site was published (YYYY-MM-DD)."""
    a11y_updated: date | None = None
    """Date of the site's last significant update."""
    a11y_status: A11yStatus | None = None
    """Compliance with the act, as the body assessed it."""
    a11y_prepared: date | None = None
    """Date the declaration was prepared."""
    a11y_reviewed: date | None = None
    """Date the declaration was last reviewed."""
    a11y_assessment: A11yAssessment | None = None
    """How the declaration was prepared: the body's self-assessment or a third party's audit."""
    a11y_contact_name: str | None = None
    a11y_contact_email: str | None = None
    a11y_contact_phone: str | None = None
    a11y_address: str | None = None
    """Postal address of the body (for requests and complaints)."""
    a11y_building: str | None = None
    """Architectural accessibility of the body's building(s), as free text."""
    # The DCAT-AP catalogue (/api/v1/catalog) names a publisher and a data licence: the
    # deploying body's to state. Unset, the publisher is `a11y_entity` or a placeholder, and
    # the distributions carry a placeholder rights statement instead of a licence.
    catalog_publisher: str | None = None
    """Name of the body publishing the data; defaults to `a11y_entity`."""
    catalog_publisher_uri: str | None = None
    """IRI identifying the publisher (e.g. its page in a register of public bodies)."""
    catalog_license: str | None = None
    """IRI of the licence of the published data (e.g. a Creative Commons licence's URL)."""
    embed_frame_ancestors: str = "*"
    """CSP `frame-ancestors` of the embeddable charts (/osadz/...): who may put them in an
    iframe, e.g. "https://www.kutno.pl https://*.kutno.pl"; every other page is never framed."""

    def __post_init__(self) -> None:
        if not self.embed_frame_ancestors.strip() or any(
            char in self.embed_frame_ancestors for char in ";,\r\n"
        ):
            raise SettingsError(
                f"{PREFIX}EMBED_FRAME_ANCESTORS is a CSP source list (sources separated by "
                "spaces, e.g. 'https://www.kutno.pl'), without ';' or ','"
            )
        for entry in self.forwarded_allow_ips:
            try:
                ipaddress.ip_network(entry)  # a bare address is a one-address network
            except ValueError as exc:
                raise SettingsError(
                    f"{PREFIX}FORWARDED_ALLOW_IPS takes IP addresses and CIDR networks: {exc}"
                ) from None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Self:
        raw: dict[str, object] = {
            key.removeprefix(PREFIX).lower(): value
            for key, value in env.items()
            if key.startswith(PREFIX) and value != ""
        }
        for conventional in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL"):
            if env.get(conventional):
                raw[conventional.lower()] = env[conventional]
        if isinstance(proxies := raw.get("forwarded_allow_ips"), str):  # "a, b/24", as uvicorn's
            raw["forwarded_allow_ips"] = [p.strip() for p in proxies.split(",") if p.strip()]
        known = set(cls.__struct_fields__)
        unknown = sorted(k for k in raw if k not in known)
        if unknown:
            names = ", ".join(PREFIX + k.upper() for k in unknown)
            raise SettingsError(f"unknown setting(s): {names}")
        try:
            return msgspec.convert(raw, cls, strict=False, dec_hook=_decode_path)
        except msgspec.ValidationError as exc:
            raise SettingsError(f"invalid environment setting: {exc}") from exc


def _decode_path(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(kind)


def async_url(url: str) -> str:
    """Turn any PostgreSQL URL into one for SQLAlchemy's asyncpg dialect."""
    for prefix in (
        "postgresql+asyncpg://",
        "postgresql+psycopg://",
        "postgresql://",
        "postgres://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    raise SettingsError(
        f"DATABASE_URL must be a PostgreSQL URL, got {url.split('://', maxsplit=1)[0]}://..."
    )
