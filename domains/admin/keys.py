"""Create, check and revoke API keys. Keys are shown once and kept only as hashes."""

import hashlib
import secrets
from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import MiarkaError

KEY_PREFIX: Final = "mk_"
KEY_BYTES: Final = 32


class Unauthorized(MiarkaError):
    status = 401
    slug = "unauthorized"
    title = "API key required"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)


async def create_key(conn: AsyncConnection, name: str) -> str:
    key = new_key()
    await conn.execute(
        text("INSERT INTO api_key (name, key_hash) VALUES (:name, :hash)"),
        {"name": name, "hash": hash_key(key)},
    )
    return key


async def revoke_key(conn: AsyncConnection, name: str) -> bool:
    result = await conn.execute(
        text("UPDATE api_key SET revoked_at = now() WHERE name = :n AND revoked_at IS NULL"),
        {"n": name},
    )
    return bool(result.rowcount)


async def key_name(conn: AsyncConnection, key: str | None) -> str:
    """The name of a valid key, or Unauthorized."""
    if not key:
        raise Unauthorized("send an admin key in the X-API-Key header")
    name = await conn.scalar(
        text("SELECT name FROM api_key WHERE key_hash = :h AND revoked_at IS NULL"),
        {"h": hash_key(key)},
    )
    if name is None:
        raise Unauthorized("the X-API-Key is not a valid key")
    return str(name)
