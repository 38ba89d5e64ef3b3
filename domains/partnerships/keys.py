"""Who may write a partnership's self-assessment: an admin key, or a key scoped to it.

Scoped keys live in `partnership_key`, not in `api_key`, so they never open the admin API;
both kinds are stored as SHA-256 hashes and shown once, like admin keys.
"""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.admin.keys import Unauthorized, hash_key, key_name, new_key
from domains.errors import MiarkaError


class Forbidden(MiarkaError):
    status = 403
    slug = "forbidden"
    title = "Key not valid here"


async def create_partnership_key(conn: AsyncConnection, partnership_id: str, name: str) -> str:
    key = new_key()
    await conn.execute(
        text(
            "INSERT INTO partnership_key (partnership_id, name, key_hash) VALUES (:p, :name, :hash)"
        ),
        {"p": partnership_id, "name": name, "hash": hash_key(key)},
    )
    return key


async def revoke_partnership_key(conn: AsyncConnection, name: str) -> bool:
    """Revoke a steward's key by name; false when no active key has it."""
    result = await conn.execute(
        text(
            "UPDATE partnership_key SET revoked_at = now() WHERE name = :n AND revoked_at IS NULL"
        ),
        {"n": name},
    )
    return bool(result.rowcount)


async def steward_name(conn: AsyncConnection, key: str | None, partnership_id: str) -> str:
    """The name of the admin key or of a key scoped to `partnership_id`; else 401 or 403."""
    try:
        return await key_name(conn, key)
    except Unauthorized:
        if not key:
            raise
    row = (
        await conn.execute(
            text(
                "SELECT name, partnership_id FROM partnership_key "
                "WHERE key_hash = :h AND revoked_at IS NULL"
            ),
            {"h": hash_key(key)},
        )
    ).first()
    if row is None:
        raise Unauthorized("the X-API-Key is not a valid key")
    if row.partnership_id != partnership_id:
        raise Forbidden(f"this key is for partnership {row.partnership_id!r} only")
    return str(row.name)
