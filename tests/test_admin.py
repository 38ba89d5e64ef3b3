"""Admin endpoints need a key (stored hashed); read endpoints stay public."""

import asyncio

from litestar.testing import AsyncTestClient
from sqlalchemy import text

from domains.admin.keys import create_key, hash_key, revoke_key
from loaders.manifest import read_manifest
from loaders.teryt import load_teryt
from service.app import create_app
from service.settings import Settings
from tests.conftest import SHIPPED_DATA, engine_for
from tests.plugin import small_data_dir

SMALL_SOURCES = ("teryt", "bdl_export", "area", "mf_rb")


async def test_admin_needs_a_valid_key_and_keys_are_stored_hashed(
    fresh_db_url, redis_url, tmp_path
):
    engine = engine_for(fresh_db_url)
    await load_teryt(engine, SHIPPED_DATA / "teryt" / "TERC_Urzedowy_2025-11-18.csv")
    async with engine.begin() as conn:
        key = await create_key(conn, "steward")
        stored = await conn.scalar(text("SELECT key_hash FROM api_key WHERE name = 'steward'"))
    assert key.startswith("mk_")
    assert stored == hash_key(key)
    assert key not in stored
    # one file of each source: the admin load then takes seconds
    data_dir = small_data_dir(tmp_path, SMALL_SOURCES, first_of_each=True)
    files = len(read_manifest(data_dir).file)
    settings = Settings(database_url=fresh_db_url, redis_url=redis_url, data_dir=data_dir)
    async with AsyncTestClient(app=create_app(settings)) as client:
        anonymous = await client.get("/api/v1/admin/runs")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        wrong = await client.get("/api/v1/admin/runs", headers={"X-API-Key": "mk_nope"})
        assert wrong.status_code == 401
        runs = await client.get("/api/v1/admin/runs", headers={"X-API-Key": key})
        assert runs.status_code == 200
        assert runs.json()[0]["source"] == "teryt"
        assert runs.json()[0]["status"] == "published"
        again = await client.get("/api/v1/admin/runs")  # never served from a cache
        assert again.status_code == 401
        one = await client.get(
            f"/api/v1/admin/runs/{runs.json()[0]['id']}", headers={"X-API-Key": key}
        )
        assert one.json()["sha256"] == runs.json()[0]["sha256"]
        csv = await client.get(
            "/api/v1/admin/runs?format=csv&locale=en", headers={"X-API-Key": key}
        )
        assert csv.text.startswith("id,source,file_name")
        started = await client.post("/api/v1/admin/loads/shipped", headers={"X-API-Key": key})
        assert started.status_code == 202
        for _ in range(600):  # one run per file, after the TERYT run above
            runs = (await client.get("/api/v1/admin/runs", headers={"X-API-Key": key})).json()
            if len(runs) == 1 + files and all(r["status"] != "running" for r in runs):
                break
            await asyncio.sleep(0.1)
        assert {r["source"] for r in runs} == set(SMALL_SOURCES)
        assert {r["status"] for r in runs} <= {"published", "unchanged"}
        assert runs[-1]["status"] == "published"
        assert (await client.get("/api/v1/units/12")).status_code == 200  # public
        async with engine.begin() as conn:
            assert await revoke_key(conn, "steward")
        revoked = await client.get("/api/v1/admin/runs", headers={"X-API-Key": key})
        assert revoked.status_code == 401
    await engine.dispose()
